"""The policy engine: pure functions from (ticket, state, policy, now) to decisions."""

from policies.apply import apply_decisions
from policies.engine import Evaluation, evaluate
from policies.loader import (
    DEFAULT_POLICY_PATH,
    Policy,
    PolicyError,
    PolicyIssue,
    load_policy,
    parse_policy,
)
from policies.signals import annotate

__all__ = [
    "DEFAULT_POLICY_PATH",
    "Evaluation",
    "Policy",
    "PolicyError",
    "PolicyIssue",
    "annotate",
    "apply_decisions",
    "evaluate",
    "load_policy",
    "parse_policy",
]
