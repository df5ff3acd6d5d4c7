"""A stand-in for the part of the Zendesk Support API the bridge uses, in its wire shapes."""

from sandbox.seed import SEEDED_GROUPS
from sandbox.zendesk.routes import ZendeskSandbox
from sandbox.zendesk.wire import sign

__all__ = ["SEEDED_GROUPS", "ZendeskSandbox", "sign"]
