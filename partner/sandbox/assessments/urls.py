"""Routes of the sandbox's assessment side, included at the sandbox root (/sandbox/)."""

from django.urls import path

from partner.sandbox.assessments import api, console

app_name = "sandbox_assessments"

P = "assessment-api/v202010"

urlpatterns = [
    # SR's API (assessment-api.md §2), spelled exactly as the contract does.
    path("identity/oauth/token", api.token, name="token"),
    path(f"{P}/partner/configuration", api.configuration, name="configuration"),
    path(f"{P}/integration/company/<str:company_id>", api.setup, name="setup"),
    path(f"{P}/orders", api.orders, name="orders"),
    path(f"{P}/orders/<str:order_id>/results", api.results, name="results"),
    path(f"{P}/orders/<str:order_id>/results/attachment", api.attachment, name="attachment"),
    path(
        f"{P}/orders/<str:order_id>/results/attachments/<str:attachment_id>",
        api.attachment_file,
        name="attachment-file",
    ),
    # The console: SR as the caller, driven by staff (HTML).
    path("assessments/", console.index, name="console"),
    path("assessments/switches", console.switches, name="switches"),
    path("assessments/connect", console.connect, name="connect"),
    path("assessments/connected", console.connected, name="connected"),
    path("assessments/companies/<str:company_id>/", console.company, name="company"),
    path(
        "assessments/companies/<str:company_id>/packages",
        console.packages,
        name="packages",
    ),
    path("assessments/companies/<str:company_id>/order", console.order, name="order"),
    path(
        "assessments/companies/<str:company_id>/inline-order",
        console.inline_order,
        name="inline-order",
    ),
    path(
        "assessments/companies/<str:company_id>/disconnect",
        console.disconnect,
        name="disconnect",
    ),
    path("assessments/orders/<uuid:order_id>/", console.order_detail, name="order-detail"),
    path(
        "assessments/orders/<uuid:order_id>/done",
        console.inline_done,
        name="inline-done",
    ),
    path(
        "assessments/attachments/<uuid:attachment_id>",
        console.attachment_download,
        name="attachment-download",
    ),
]
