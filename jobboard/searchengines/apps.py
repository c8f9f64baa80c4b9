from django.apps import AppConfig


class SearchEnginesConfig(AppConfig):
    name = "jobboard.searchengines"
    label = "searchengines"
    verbose_name = "Search engine notifications"

    def ready(self) -> None:
        from jobboard.board.signals import listing_changed
        from jobboard.operations import outboxes
        from jobboard.searchengines import receivers
        from jobboard.searchengines.models import SearchEngineNotice

        listing_changed.connect(receivers.notify_search_engines, dispatch_uid="searchengines")
        outboxes.register_outbox(SearchEngineNotice)
