"""A stand-in for PagerDuty's Events API v2 and the signed V3 webhooks PagerDuty sends."""

from sandbox.pagerduty.routes import PagerDutySandbox
from sandbox.pagerduty.state import Incident
from sandbox.tls import LocalTLS, local_tls

__all__ = ["Incident", "LocalTLS", "PagerDutySandbox", "local_tls"]
