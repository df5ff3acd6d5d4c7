"""Local stand-ins for the outside APIs (Zendesk, Freshdesk, Slack, PagerDuty), speaking their
real wire formats, for the demo and the end-to-end tests."""
