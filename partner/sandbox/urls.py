"""The sandbox under /sandbox/: SmartRecruiters' API paths, the JSON control API, the console.

Each view declares its route (``@route``); this mounts the modules. SR's paths are relative
to SMARTRECRUITERS_API_URL (= <site>/sandbox), so they are spelled exactly as the contracts
spell them, without trailing slashes. The console lives under ``console/`` (its dashboard at
the root) so that it never collides with SR's paths.
"""

from django.urls import include, path

from partner.sandbox import console_views, control, views
from partner.sandbox.routing import routes_of

app_name = "sandbox"

urlpatterns = [
    *routes_of(views),
    *routes_of(control, prefix="control/", name_prefix="control-"),
    # The Assessment API (partner.sandbox.assessments) and its console pages.
    path("", include("partner.sandbox.assessments.urls")),
    path("", console_views.dashboard, name="console"),
    *routes_of(console_views, prefix="console/", name_prefix="console-"),
]
