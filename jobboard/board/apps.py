from django.apps import AppConfig


class BoardConfig(AppConfig):
    name = "jobboard.board"
    label = "board"
    verbose_name = "Job board"
