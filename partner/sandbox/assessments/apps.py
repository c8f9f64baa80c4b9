from django.apps import AppConfig


class SandboxAssessmentsConfig(AppConfig):
    name = "partner.sandbox.assessments"
    label = "sandbox_assessments"
    verbose_name = "SmartRecruiters sandbox: assessments"
