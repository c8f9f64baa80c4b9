"""A migration operation for the board's PostgreSQL-only SQL (indexes SQLite cannot have)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import migrations


def _statements(statements: Sequence[str]) -> Callable[[Any, Any], None]:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


def run_on_postgresql(create: Sequence[str], drop: Sequence[str]) -> migrations.RunPython:
    """Runs ``create`` forwards and ``drop`` backwards, on PostgreSQL only (a no-op on
    SQLite: GIN, INCLUDE and partial indexes cannot be declared in ``Meta.indexes``
    without breaking it)."""
    return migrations.RunPython(_statements(create), _statements(drop))
