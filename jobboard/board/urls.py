from django.urls import path

from jobboard.board import views

app_name = "board"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("jobs/<int:pk>-<slug:slug>/", views.job_detail, name="job_detail"),
]
