"""A stand-in for the ClickUp API v2 (tasks in one list, its statuses and members, webhooks)."""

from sandbox.clickup.routes import ClickUpSandbox
from sandbox.clickup.state import LIST_ID, TEAM_ID

__all__ = ["LIST_ID", "TEAM_ID", "ClickUpSandbox"]
