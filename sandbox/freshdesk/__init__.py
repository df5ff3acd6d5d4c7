"""A stand-in for the part of the Freshdesk API v2 the bridge uses, in its wire shapes."""

from sandbox.freshdesk.routes import FreshdeskSandbox

__all__ = ["FreshdeskSandbox"]
