from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Ground floor: periodic job runs, readiness, alerts, metrics. Imports no other app
    of ours; apps register their checks, outboxes and gauges with it."""

    name = "jobboard.operations"
    label = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from jobboard.health import register_readiness_check
        from jobboard.operations import alerts, gauges, multiprocess_metrics, readiness, recording

        multiprocess_metrics.ensure_directory()
        recording.connect_signals()
        register_readiness_check("beat", readiness.beat_readiness)
        register_readiness_check("periodic_jobs", readiness.jobs_readiness)
        alerts.register_alert_check("periodic jobs", alerts.periodic_job_alerts)
        alerts.register_alert_check("outboxes", alerts.outbox_findings)
        alerts.register_alert_check("credentials", alerts.credential_findings)
        gauges.register()
