"""Routes of the sandbox's assessment side, included at the sandbox root (/sandbox/)."""

from django.urls import path

from partner.sandbox.assessments import api, console
from partner.sandbox.routing import routes_of

app_name = "sandbox_assessments"

urlpatterns = [
    # SR's API (assessment-api.md §2), spelled exactly as the contract does.
    path("identity/oauth/token", api.token, name="token"),
    *routes_of(api, prefix=f"{api.PREFIX}/"),
    # The console: SR as the caller, driven by staff (HTML).
    *routes_of(console, prefix="assessments/"),
]
