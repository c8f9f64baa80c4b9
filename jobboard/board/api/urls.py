"""The jobs API and the widget, outside any language prefix: other sites call them."""

from django.urls import path

from jobboard.board.api import views, widget

urlpatterns = [
    path("api/v1/jobs/", views.JobListView.as_view(), name="api-jobs"),
    path("api/v1/jobs/<int:id>/", views.JobDetailView.as_view(), name="api-job"),
    path("widget.js", widget.widget_script, name="widget-script"),
    path("widget/jobs/", widget.widget_frame, name="widget-frame"),
]
