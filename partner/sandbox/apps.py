from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "partner.sandbox"
    label = "sandbox"
    verbose_name = "SmartRecruiters sandbox"
