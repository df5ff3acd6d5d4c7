"""A stand-in for the Slack Web API methods the bridge calls, and for Slack interactivity."""

from sandbox.slack.blocks import block_problems
from sandbox.slack.routes import SlackSandbox, send_click
from sandbox.slack.wire import sign_slack_request

__all__ = ["SlackSandbox", "block_problems", "send_click", "sign_slack_request"]
