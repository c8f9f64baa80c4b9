"""The sandbox under /sandbox/: SmartRecruiters' API paths, the JSON control API, the console.

SR's paths are relative to SMARTRECRUITERS_API_URL (= <site>/sandbox), so they are routed
here exactly as the contracts spell them, without trailing slashes. The console lives under
``console/`` (its dashboard at the root) so that it never collides with SR's paths.
"""

from django.urls import include, path

from partner.sandbox import console_views as console
from partner.sandbox import control, views
from partner.sandbox.routing import Route, routes

app_name = "sandbox"

SR_API: list[Route] = [
    # Job Board API (job-board-api.md §2)
    ("feed/publications", views.feed_list, "feed-list"),
    ("feed/publications/<posting_id>", views.feed_item, "feed-item"),
    ("v1/offers", views.offers_list, "offers-list"),
    # Application API (application-api.md §2)
    ("postings/<job_uuid>/configuration", views.apply_configuration, "apply-configuration"),
    ("postings/<job_uuid>/candidates", views.apply_candidates, "apply-candidates"),
    ("postings/<job_uuid>/candidates/<candidate_id>/status", views.apply_status, "apply-status"),
]
# JSON, for tests and scripts: under control/, named control-*.
CONTROL: list[Route] = [
    ("reset", control.reset, "reset"),
    ("switches", control.switches, "switches"),
    ("journal", control.journal, "journal"),
    ("postings", control.postings_create, "postings"),
    ("postings/<int:posting_id>", control.posting_detail, "posting"),
    ("postings/<int:posting_id>/remove", control.posting_remove, "posting-remove"),
    ("postings/<int:posting_id>/repost", control.posting_repost, "posting-repost"),
    ("clock", control.clock, "clock"),
    ("clock/advance", control.clock_advance, "clock-advance"),
    ("candidates", control.candidates, "candidates"),
    ("candidates/<int:candidate_pk>/status", control.candidate_status, "candidate-status"),
    ("seed", control.seed, "seed"),
]
# The staff console (HTML) but its dashboard: under console/, named console-*.
CONSOLE: list[Route] = [
    ("clock/advance", console.clock_advance, "clock-advance"),
    ("seed", console.seed, "seed"),
    ("reset", console.reset, "reset"),
    ("postings/", console.posting_list, "postings"),
    ("postings/new", console.posting_new, "posting-new"),
    ("postings/<sbx_id:posting_id>/", console.posting_detail, "posting"),
    ("postings/<sbx_id:posting_id>/remove", console.posting_remove, "posting-remove"),
    ("postings/<sbx_id:posting_id>/repost", console.posting_repost, "posting-repost"),
    ("companies/", console.company_list, "companies"),
    ("companies/<sbx_id:company_id>/", console.company_detail, "company"),
    ("candidates/", console.candidate_list, "candidates"),
    ("candidates/<sbx_id:candidate_pk>/", console.candidate_detail, "candidate"),
    ("candidates/<sbx_id:candidate_pk>/status", console.candidate_status, "candidate-status"),
    (
        "attachments/<sbx_id:attachment_pk>/download",
        console.attachment_download,
        "attachment-download",
    ),
    ("journal/", console.journal_list, "journal"),
    ("journal/<sbx_id:entry_id>/", console.journal_detail, "journal-entry"),
    ("faults/", console.faults, "faults"),
    ("faults/reset", console.faults_reset, "faults-reset"),
    ("faults/stop", console.faults_stop, "faults-stop"),
]

urlpatterns = [
    *routes(SR_API),
    *routes(CONTROL, prefix="control/", name_prefix="control-"),
    # The Assessment API (partner.sandbox.assessments) and its console pages.
    path("", include("partner.sandbox.assessments.urls")),
    path("", console.dashboard, name="console"),
    *routes(CONSOLE, prefix="console/", name_prefix="console-"),
]
