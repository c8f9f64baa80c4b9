from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "partner.applications"
    label = "applications"
    verbose_name = "Applications"

    def ready(self) -> None:
        from django.db.models import QuerySet

        from jobboard.operations.outboxes import register_outbox
        from jobboard.outbox import OutboxItem
        from partner.applications.models import Application
        from partner.applications.services.submission import application_retry

        def retry(failed: QuerySet[OutboxItem]) -> int:
            # A fresh retry window per application, as the admin's action gives.
            ids = list(failed.values_list("pk", flat=True))
            return sum(application_retry(application_id=pk) for pk in ids)

        register_outbox(Application, retry=retry)

        from partner.applications import operations

        operations.register()
