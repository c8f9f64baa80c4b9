"""What SmartRecruiters does on its side: postings and their lifecycle, the clock,
applications and their status, switches, reset. Writes only; reads are in selectors.py.

The console, the control API, the management commands, the API views and tests all call
these functions, so each rule lives in one place.
"""

from partner.sandbox.services.candidates import (
    Submission,
    set_candidate_status,
    submit_application,
)
from partner.sandbox.services.partners import create_company, create_partner, ensure_partner
from partner.sandbox.services.postings import (
    ON_BOARD,
    PostingStateError,
    TransitionError,
    advance_clock,
    create_posting,
    expire_due_postings,
    remove_posting,
    repost_posting,
    update_posting_status,
)
from partner.sandbox.services.reset import reset_sandbox
from partner.sandbox.state import (
    SwitchError,
    get_switches,
    reset_switches,
    sandbox_now,
    set_switches,
)

__all__ = [
    "ON_BOARD",
    "PostingStateError",
    "Submission",
    "SwitchError",
    "TransitionError",
    "advance_clock",
    "create_company",
    "create_partner",
    "create_posting",
    "ensure_partner",
    "expire_due_postings",
    "get_switches",
    "remove_posting",
    "repost_posting",
    "reset_sandbox",
    "reset_switches",
    "sandbox_now",
    "set_candidate_status",
    "set_switches",
    "submit_application",
    "update_posting_status",
]
