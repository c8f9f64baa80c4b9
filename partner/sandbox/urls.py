"""The sandbox under /sandbox/: SmartRecruiters' API paths, the JSON control API, the console.

SR's paths are relative to SMARTRECRUITERS_API_URL (= <site>/sandbox), so they are routed
here exactly as the contracts spell them, without trailing slashes.
"""

from django.urls import include, path

from partner.sandbox import control, views

app_name = "sandbox"

urlpatterns = [
    # Job Board API (job-board-api.md §2)
    path("feed/publications", views.feed_list, name="feed-list"),
    path("feed/publications/<str:posting_id>", views.feed_item, name="feed-item"),
    path("v1/offers", views.offers_list, name="offers-list"),
    # Application API (application-api.md §2)
    path(
        "postings/<str:job_uuid>/configuration",
        views.apply_configuration,
        name="apply-configuration",
    ),
    path("postings/<str:job_uuid>/candidates", views.apply_candidates, name="apply-candidates"),
    path(
        "postings/<str:job_uuid>/candidates/<str:candidate_id>/status",
        views.apply_status,
        name="apply-status",
    ),
    # JSON control API for tests and scripts
    path("control/", include(control.urlpatterns)),
    # Assessment API (partner.sandbox.assessments) and its console pages:
    path("", include("partner.sandbox.assessments.urls")),
    # Staff console (HTML) goes here, last, at the sandbox root:
    #   path("", include("partner.sandbox.console_urls")),
    path("", include("partner.sandbox.console_urls")),
]
