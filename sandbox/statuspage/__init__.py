"""A stand-in for the Atlassian Statuspage REST API v1 (pages, components, incidents)."""

from sandbox.statuspage.routes import StatuspageSandbox
from sandbox.statuspage.state import SEED_COMPONENTS, SEED_PAGE_ID

__all__ = ["SEED_COMPONENTS", "SEED_PAGE_ID", "StatuspageSandbox"]
