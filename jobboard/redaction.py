"""Private links and secrets out of every log line we write.

A candidate's status page (``/applications/<token>/``) and an assessment link
(``/sr/assessments/take/<key>/``) are bearer secrets: whoever reads the URL can act as
the candidate. Request lines reach logs through runserver, gunicorn's access log and our
own messages, and a client may wrongly put a secret in a query string. ``redact``
replaces the secret part of any such URL and the value of any secret-looking query
parameter with ``[redacted]``. It imports nothing from Django: gunicorn's logger uses it.
"""

from __future__ import annotations

import re

REDACTED = "[redacted]"

# Path prefixes followed by a secret path segment (the project's private links).
PRIVATE_PATHS = ("/applications/", "/sr/assessments/take/")
# Query parameters whose value is a secret, whatever the case or separator.
SECRET_PARAMETER = r"[\w.-]*(?:secret|password|passwd|token|api[_-]?key|apikey|signature)[\w.-]*"  # noqa: S105 - a pattern, not a password

_PATH = re.compile("(" + "|".join(re.escape(prefix) for prefix in PRIVATE_PATHS) + r")[^/?#\s\"']+")
_PARAMETER = re.compile(r"([?&;](?:" + SECRET_PARAMETER + r"|key|code)=)[^&#\s\"']*", re.IGNORECASE)


def redact(text: str) -> str:
    if "/" not in text and "=" not in text:
        return text
    text = _PATH.sub(lambda m: m.group(1) + REDACTED, text)
    return _PARAMETER.sub(lambda m: m.group(1) + REDACTED, text)
