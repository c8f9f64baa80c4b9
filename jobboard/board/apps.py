from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    # pg_trgm's similarity() for SQLite, so spelling suggestions are one SQL statement on
    # both databases (jobboard.board.keywords).
    if connection.vendor == "sqlite":
        from jobboard.board.keywords import trigram_similarity

        connection.connection.create_function(
            "similarity", 2, trigram_similarity, deterministic=True
        )


class BoardConfig(AppConfig):
    name = "jobboard.board"
    label = "board"
    verbose_name = "Job board"

    def ready(self) -> None:
        connection_created.connect(_register_sqlite_functions, dispatch_uid="board-sqlite")
