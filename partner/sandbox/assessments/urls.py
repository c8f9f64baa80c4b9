"""Routes of the sandbox's assessment side, included at the sandbox root (/sandbox/)."""

from django.urls import path

from partner.sandbox.assessments import api, console
from partner.sandbox.routing import Route, routes

app_name = "sandbox_assessments"

# SR's API (assessment-api.md §2), spelled exactly as the contract does.
SR_API: list[Route] = [
    ("partner/configuration", api.configuration, "configuration"),
    ("integration/company/<company_id>", api.setup, "setup"),
    ("orders", api.orders, "orders"),
    ("orders/<order_id>/results", api.results, "results"),
    ("orders/<order_id>/results/attachment", api.attachment, "attachment"),
    (
        "orders/<order_id>/results/attachments/<attachment_id>",
        api.attachment_file,
        "attachment-file",
    ),
]
# The console: SR as the caller, driven by staff (HTML).
CONSOLE: list[Route] = [
    ("", console.index, "console"),
    ("switches", console.switches, "switches"),
    ("connect", console.connect, "connect"),
    ("connected", console.connected, "connected"),
    ("companies/<company_id>/", console.company, "company"),
    ("companies/<company_id>/packages", console.packages, "packages"),
    ("companies/<company_id>/order", console.order, "order"),
    ("companies/<company_id>/inline-order", console.inline_order, "inline-order"),
    ("companies/<company_id>/disconnect", console.disconnect, "disconnect"),
    ("orders/<uuid:order_id>/", console.order_detail, "order-detail"),
    ("orders/<uuid:order_id>/done", console.inline_done, "inline-done"),
    ("attachments/<uuid:attachment_id>", console.attachment_download, "attachment-download"),
]

urlpatterns = [
    path("identity/oauth/token", api.token, name="token"),
    *routes(SR_API, prefix=f"{api.PREFIX}/"),
    *routes(CONSOLE, prefix="assessments/"),
]
