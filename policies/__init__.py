"""The policy engine: pure functions from (ticket, state, policy, now) to decisions."""

from policies.apply import apply_decisions
from policies.engine import Evaluation, evaluate
from policies.loader import Policy, PolicyError, PolicyIssue, parse_policy
from policies.signals import annotate

__all__ = [
    "Evaluation",
    "Policy",
    "PolicyError",
    "PolicyIssue",
    "annotate",
    "apply_decisions",
    "evaluate",
    "parse_policy",
]
