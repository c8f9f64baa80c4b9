from django.apps import AppConfig


class PostingsConfig(AppConfig):
    name = "partner.postings"
    label = "postings"
    verbose_name = "Job feed (SmartRecruiters)"

    def ready(self) -> None:
        from jobboard.health import register_readiness_check
        from partner.postings.selectors import feed_readiness

        register_readiness_check("feed_sync", feed_readiness)
        from partner.postings import operations

        operations.register()
