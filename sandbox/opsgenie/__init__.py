"""A stand-in for Opsgenie's Alert API v2 and the calls of its outgoing Webhook integration."""

from sandbox.opsgenie.routes import SECRET_HEADER, OpsgenieSandbox

__all__ = ["SECRET_HEADER", "OpsgenieSandbox"]
