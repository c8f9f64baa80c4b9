"""Routes of the staff console, included at the sandbox root (``/sandbox/``).

Everything but the dashboard lives under ``console/`` so that the console never collides
with SmartRecruiters' own paths, which the sandbox serves at the same root (``feed/``,
``v1/``, ``postings/``, ``control/``, ``assessments/`` and more as it grows).
"""

from django.urls import path

from partner.sandbox import console_views as views

urlpatterns = [
    path("", views.dashboard, name="console"),
    path("console/clock/advance", views.clock_advance, name="console-clock-advance"),
    path("console/seed", views.seed, name="console-seed"),
    path("console/reset", views.reset, name="console-reset"),
    path("console/postings/", views.posting_list, name="console-postings"),
    path("console/postings/new", views.posting_new, name="console-posting-new"),
    path("console/postings/<int:posting_id>/", views.posting_detail, name="console-posting"),
    path(
        "console/postings/<int:posting_id>/remove",
        views.posting_remove,
        name="console-posting-remove",
    ),
    path(
        "console/postings/<int:posting_id>/repost",
        views.posting_repost,
        name="console-posting-repost",
    ),
    path("console/companies/", views.company_list, name="console-companies"),
    path("console/companies/<int:company_id>/", views.company_detail, name="console-company"),
    path("console/candidates/", views.candidate_list, name="console-candidates"),
    path(
        "console/candidates/<int:candidate_pk>/", views.candidate_detail, name="console-candidate"
    ),
    path(
        "console/candidates/<int:candidate_pk>/status",
        views.candidate_status,
        name="console-candidate-status",
    ),
    path(
        "console/attachments/<int:attachment_pk>/download",
        views.attachment_download,
        name="console-attachment-download",
    ),
    path("console/journal/", views.journal_list, name="console-journal"),
    path("console/journal/<int:entry_id>/", views.journal_detail, name="console-journal-entry"),
    path("console/faults/", views.faults, name="console-faults"),
    path("console/faults/reset", views.faults_reset, name="console-faults-reset"),
    path("console/faults/stop", views.faults_stop, name="console-faults-stop"),
]
