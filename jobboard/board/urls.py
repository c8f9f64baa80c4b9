from django.conf import settings
from django.contrib.sitemaps.views import sitemap
from django.urls import path

from jobboard.board import feeds, views

app_name = "board"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("jobs/<int:pk>-<slug:slug>/", views.job_detail, name="job_detail"),
    path("companies/<slug:slug>/", views.company_detail, name="company"),
    path("saved/", views.saved_jobs, name="saved_jobs"),
    path("jobs/feed/rss/", feeds.JobsFeed(), name="feed_rss"),
    path("jobs/feed/atom/", feeds.JobsAtomFeed(), name="feed_atom"),
    # An index of job sitemaps, 10,000 jobs each (search engines take 50,000 at most).
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path(
        "sitemap-jobs.xml",
        sitemap,
        {"sitemaps": {"jobs": feeds.JobSitemap}},
        name="sitemap_jobs",
    ),
    path(
        "sitemap-companies.xml",
        sitemap,
        {"sitemaps": {"companies": feeds.CompanySitemap}},
        name="sitemap_companies",
    ),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("alerts/", views.alert_subscribe, name="alert_subscribe"),
    path("alerts/sent/", views.alert_sent, name="alert_sent"),
    path("alerts/manage/", views.alert_manage_request, name="alert_manage_request"),
    path("alerts/manage/sent/", views.alert_manage_sent, name="alert_manage_sent"),
    path("alerts/manage/<str:token>/", views.alert_manage, name="alert_manage"),
    path("alerts/confirm/<str:token>/", views.alert_confirm, name="alert_confirm"),
    path("alerts/unsubscribe/<str:token>/", views.alert_unsubscribe, name="alert_unsubscribe"),
]

if settings.BOARD_BENCH_VIEWS:
    # The floor the benchmarks compare the board's pages with; never on in production.
    urlpatterns.append(path("_bench/titles", views.bench_titles, name="bench_titles"))
