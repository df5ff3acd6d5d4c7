"""A stand-in for the part of the Help Scout Mailbox API 2.0 the bridge uses, in its shapes."""

from sandbox.helpscout.routes import HelpScoutSandbox

__all__ = ["HelpScoutSandbox"]
