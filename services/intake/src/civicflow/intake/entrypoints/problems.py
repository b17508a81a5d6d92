"""Intake's problems beyond the shared ones (civicflow.shared.problems: every error is an RFC 9457 problem)."""

from civicflow.shared.problems import Problem

# The citizen's answer (to routing's question, to the agency's request) could not be passed on now.
ANSWER_NOT_TAKEN = Problem(
    503,
    "temporarily-unavailable",
    "Temporarily unavailable",
    "The answer could not be passed on right now. Please retry; the same answer is taken once.",
    headers={"Retry-After": "30"},
)
