"""gunicorn's access and error logs without private links or secret query values."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from jobboard.redaction import redact

# Atoms that carry the URL or the Referer (a page with a private link in its URL).
_URL_ATOMS = ("r", "U", "q", "f", "{referer}i")


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in _URL_ATOMS:
            value = atoms.get(key)
            if isinstance(value, str):
                # The query atom has no leading "?": give it one for the parameter rule.
                atoms[key] = redact(f"?{value}")[1:] if key == "q" else redact(value)
        for key, value in list(atoms.items()):
            if key.endswith("}e") and isinstance(value, str):
                atoms[key] = redact(value)
        return atoms

    def error(self, msg: str, *args: Any, **kwargs: Any) -> None:
        super().error(redact(str(msg)), *args, **kwargs)
