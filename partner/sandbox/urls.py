from django.urls import path  # noqa: F401  (routes are added by the sandbox as it grows)

app_name = "sandbox"

urlpatterns: list = []
