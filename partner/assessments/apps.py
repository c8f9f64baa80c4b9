from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "partner.assessments"
    label = "assessments"
    verbose_name = "Assessments"
