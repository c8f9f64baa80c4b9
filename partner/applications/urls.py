from django.urls import path

from partner.applications import views

app_name = "applications"

urlpatterns = [
    path("jobs/<int:pk>-<slug:slug>/apply/", views.apply, name="apply"),
    path("applications/<str:token>/", views.status, name="status"),
    path("applications/<str:token>/erase/", views.erase, name="erase"),
    path("applications/<str:token>/updates/", views.status_mails, name="status_mails"),
]
