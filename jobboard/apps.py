from django.apps import AppConfig


class JobboardConfig(AppConfig):
    name = "jobboard"
    verbose_name = "Job board project"

    def ready(self) -> None:
        from jobboard.celery import ensure_broker_folders

        # The web process enqueues tasks too; the embedded broker needs its folders.
        ensure_broker_folders()
