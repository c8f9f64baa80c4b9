from django.apps import AppConfig


class PostingsConfig(AppConfig):
    name = "partner.postings"
    label = "postings"
    verbose_name = "Job feed (SmartRecruiters)"
