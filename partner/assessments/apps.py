from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "partner.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from jobboard.operations.outboxes import register_outbox
        from partner.assessments.models import ResultPush

        # Failed pushes go back to pending; the periodic push job sends them.
        register_outbox(ResultPush)
