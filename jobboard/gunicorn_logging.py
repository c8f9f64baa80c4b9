"""gunicorn's access and error logs without private links or secret query values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from gunicorn.glogging import Logger

from jobboard.redaction import redact

if TYPE_CHECKING:
    from gunicorn.glogging import _AtomsDict

# Atoms that carry the URL or the Referer (a page with a private link in its URL).
_URL_ATOMS = ("r", "U", "q", "f", "{referer}i")


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> _AtomsDict:
        atoms = super().atoms(resp, req, environ, request_time)
        # The stubs type the atoms as a TypedDict of the fixed keys, but gunicorn adds one key
        # per header ("{referer}i") and environment variable ("{name}e"): a plain dict here.
        entries = cast("dict[str, object]", atoms)
        for key in _URL_ATOMS:
            value = entries.get(key)
            if isinstance(value, str):
                # The query atom has no leading "?": give it one for the parameter rule.
                entries[key] = redact(f"?{value}")[1:] if key == "q" else redact(value)
        for key, value in list(entries.items()):
            if key.endswith("}e") and isinstance(value, str):
                entries[key] = redact(value)
        return atoms

    def error(self, msg: object, *args: Any, **kwargs: Any) -> None:
        super().error(redact(str(msg)), *args, **kwargs)
