from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Ground floor: records periodic job runs; imports no other app of ours."""

    name = "jobboard.operations"
    label = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from jobboard.operations import recording

        recording.connect_signals()
