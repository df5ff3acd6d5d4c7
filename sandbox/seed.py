"""Directory data every help-desk stand-in starts with, so the demo and tests can route by name."""

from __future__ import annotations

# The groups policies/default.yaml routes to (ours, not a vendor's).
SEEDED_GROUPS = (
    "frontline",
    "senior-support",
    "engineering-support",
    "support-management",
    "customer-success",
    "support-managers",
    "warranty-claims",
    "integration-specialists",
    "compliance",
)
