"""Screenshots the board's browser tests leave for people to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def shoot(page: Any, artifacts_dir: Path, name: str) -> None:
    """Screenshots at 1280 and 375 px; the phone width never scrolls sideways."""
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(artifacts_dir / f"{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
