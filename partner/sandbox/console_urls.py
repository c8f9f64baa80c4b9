"""Routes of the staff console, included at the sandbox root (``/sandbox/``).

Everything but the dashboard lives under ``console/`` so that the console never collides
with SmartRecruiters' own paths, which the sandbox serves at the same root (``feed/``,
``v1/``, ``postings/``, ``control/``, ``assessments/`` and more as it grows).
"""

from django.urls import path, register_converter

from partner.sandbox import console_views as views


class RowId:
    """Digits that fit a 64-bit primary key: a longer number is a 404, not a database error."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RowId, "sbx_id")

urlpatterns = [
    path("", views.dashboard, name="console"),
    path("console/clock/advance", views.clock_advance, name="console-clock-advance"),
    path("console/seed", views.seed, name="console-seed"),
    path("console/reset", views.reset, name="console-reset"),
    path("console/postings/", views.posting_list, name="console-postings"),
    path("console/postings/new", views.posting_new, name="console-posting-new"),
    path("console/postings/<sbx_id:posting_id>/", views.posting_detail, name="console-posting"),
    path(
        "console/postings/<sbx_id:posting_id>/remove",
        views.posting_remove,
        name="console-posting-remove",
    ),
    path(
        "console/postings/<sbx_id:posting_id>/repost",
        views.posting_repost,
        name="console-posting-repost",
    ),
    path("console/companies/", views.company_list, name="console-companies"),
    path("console/companies/<sbx_id:company_id>/", views.company_detail, name="console-company"),
    path("console/candidates/", views.candidate_list, name="console-candidates"),
    path(
        "console/candidates/<sbx_id:candidate_pk>/",
        views.candidate_detail,
        name="console-candidate",
    ),
    path(
        "console/candidates/<sbx_id:candidate_pk>/status",
        views.candidate_status,
        name="console-candidate-status",
    ),
    path(
        "console/attachments/<sbx_id:attachment_pk>/download",
        views.attachment_download,
        name="console-attachment-download",
    ),
    path("console/journal/", views.journal_list, name="console-journal"),
    path("console/journal/<sbx_id:entry_id>/", views.journal_detail, name="console-journal-entry"),
    path("console/faults/", views.faults, name="console-faults"),
    path("console/faults/reset", views.faults_reset, name="console-faults-reset"),
    path("console/faults/stop", views.faults_stop, name="console-faults-stop"),
]
