"""Everything under /sr/assessments/ (mounted by jobboard/urls.py)."""

from django.urls import path

from partner.assessments import views
from partner.assessments.api import views as api

app_name = "assessments"

urlpatterns = [
    path("integration", views.consent, name="consent"),
    path("oauth/token", api.TokenView.as_view(), name="token"),
    path("packages", api.PackageListView.as_view(), name="packages"),
    path("packages/orders", api.OrderView.as_view(), name="orders"),
    path("packages/inline/orders", api.InlineOrderView.as_view(), name="inline_orders"),
    path("packages/<str:package_id>", api.PackageDetailView.as_view(), name="package"),
    path(
        "integrations/companies/<str:company_id>",
        api.DisconnectView.as_view(),
        name="disconnect",
    ),
    path("take/<str:key>/", views.take_overview, name="take"),
    path("take/<str:key>/<slug:assessment_id>/", views.take_test, name="take_test"),
    path("staff/orders/<int:pk>/report", views.order_report, name="order_report"),
    path("staff/answers/<int:pk>", views.answer_file, name="answer_file"),
    path("brand/logo", views.brand_logo, name="brand_logo"),
]
