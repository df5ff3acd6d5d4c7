"""What each process metric counts, in a support lead's words: shown beside the figures on the
dashboard and in the report, and in the process document, from this one table."""

from __future__ import annotations

DEFINITIONS = {
    "escalation_rate": "Tickets created in the period that escalated above L1, of all tickets "
    "created in it.",
    "tte_avg": "From a ticket's creation to its first escalation, averaged over the escalated "
    "tickets.",
    "tte_p90": "Nine escalations in ten reached their first escalation within this time.",
    "l2_resolution": "Of the solved tickets that passed through L2 (every tier a ticket passes "
    "counts, also several in one step), the share solved at L2 without going to L3 or L4.",
    "csat": "Average satisfaction (1-5) of rated escalated tickets, leaving out those escalated "
    "because of that rating (a low rating that escalates would count twice); the detail shows "
    "the average with them.",
    "repeat": "Escalated tickets whose requester or organization had another ticket escalated in "
    "the 30 days before (a new problem), or that were reopened and escalated again; tickets the "
    "VIP rule alone escalated are left out (a VIP's every ticket escalates).",
    "over_escalation": "Escalated tickets solved within 1 hour of their last escalation with no "
    "agent comment in between: the escalation was probably not needed.",
    "under_escalation": "Tickets that breached the help desk's resolution SLA without any "
    "escalation.",
    "rca": "Solved tickets that reached L2 or above whose root cause was written (an [RCA] note "
    "or the RCA field) before the policy's RCA deadline, of those whose deadline has passed.",
    "breaches": "Escalations the matrix made because a tier's time limit ran out; warnings are "
    "the pre-breach alerts before them.",
}

NAMES = {
    "escalation_rate": "Escalation rate",
    "tte_avg": "Time to escalate (average)",
    "tte_p90": "Time to escalate (p90)",
    "l2_resolution": "L2 resolution rate",
    "csat": "CSAT of escalated tickets",
    "repeat": "Repeat escalations",
    "over_escalation": "Over-escalation",
    "under_escalation": "Under-escalation",
    "rca": "RCA on time",
    "breaches": "Breaches (matrix escalations)",
}
