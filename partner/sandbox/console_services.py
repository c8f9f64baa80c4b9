"""Writes the console needs that ``services.py`` does not offer as such.

Each one composes the sandbox's own services, so the rules (ids, events, expiry) stay in
``services.py``; only what a web form adds lives here.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from partner.sandbox import services
from partner.sandbox.models import SandboxPosting


@transaction.atomic
def post_job(*, job_description: str = "", **kwargs: Any) -> SandboxPosting:
    """A customer posts a job through our offer (``services.create_posting``).

    The console asks only for the job description; the other job ad sections keep the
    sandbox's realistic defaults instead of being blanked by a partial ``job_ad``.
    """
    posting = services.create_posting(**kwargs)
    if job_description:
        posting.job_ad = {**(posting.job_ad or {}), "jobDescription": job_description}
        posting.save(update_fields=["job_ad"])
    return posting
