"""A stand-in for the part of the Intercom REST API (2.11) the bridge uses, in its wire shapes."""

from sandbox.intercom.routes import IntercomSandbox

__all__ = ["IntercomSandbox"]
