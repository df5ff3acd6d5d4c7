"""Local stand-ins for the outside APIs (Zendesk, Freshdesk, Slack, PagerDuty), speaking their
real wire formats, for the demo, the end-to-end tests and the benchmarks.

One package per service: ``wire`` (the vendor's shapes, signing and documented limits), ``state``
(the data and its operations, under a lock), ``routes`` (the ``SandboxService`` and its HTTP
surface), and ``FACTS.md`` (every vendor fact relied on, with its source). Imports go
routes -> state -> wire, and never to the bridge's own packages."""
