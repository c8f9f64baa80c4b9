from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "partner.applications"
    label = "applications"
    verbose_name = "Applications"
