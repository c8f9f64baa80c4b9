"""Fault injection: which request gets a fault, and what a fault does to the answer."""

from __future__ import annotations

import logging
import os
import random
import socket
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from partner.sandbox import state
from partner.sandbox.errors import ErrorStyle, render_error, server_error
from partner.sandbox.state import Fault, Switches

logger = logging.getLogger(__name__)

_STATUS_FAULTS = {
    Fault.SERVER_ERROR: 500,
    Fault.BAD_GATEWAY: 502,
    Fault.UNAVAILABLE: 503,
    Fault.GATEWAY_TIMEOUT: 504,
}


class Dropped(HttpResponse):
    """Marks a response whose connection is to be dropped; the journal records no status."""


def in_scope(name: str, scope: str | list[str]) -> bool:
    """Whether endpoint ``name`` is in a fault scope (``"feed"`` covers ``feed.*``)."""
    if scope == "all":
        return True
    return any(name == s or name.startswith(f"{s}.") for s in scope)


def pick_fault(name: str, switches: Switches) -> Fault | None:
    fault = switches["fault"]
    if not fault or not in_scope(name, switches["fault_scope"]):
        return None
    probability = switches["fault_probability"]
    if probability is not None and random.random() >= probability:
        return None
    if switches["fault_count"] is not None and not state.consume_fault_count():
        return None
    return Fault(fault)


def faulty_response(
    request: HttpRequest,
    fault: Fault,
    *,
    switches: Switches,
    style: ErrorStyle,
    run_view: Callable[[], HttpResponse],
) -> HttpResponse:
    """The answer to a request that drew ``fault``; ``run_view`` runs the endpoint's view.

    A 429 fault comes back as a plain 429 response: the caller adds the rate-limit headers.
    """
    if fault == Fault.SLOW:
        time.sleep(float(switches["slow_seconds"]))
        return run_view()
    if fault == Fault.MALFORMED_JSON:
        response = run_view()
        return _truncate(response) if 200 <= response.status_code < 300 else response
    # The remaining faults replace the response; after commit, the view runs first (its
    # writes stay), and only its answer is lost.
    if switches["fault_after_commit"]:
        run_view()
    if fault in (Fault.RATE_LIMITED, Fault.RATE_LIMITED_RETRY_AFTER):
        return render_error(request, style, 429)
    if fault in _STATUS_FAULTS:
        return server_error(request, style, _STATUS_FAULTS[fault], html=switches["html_5xx"])
    if fault == Fault.TIMEOUT:
        time.sleep(float(switches["timeout_seconds"]))
    # Timeout and reset: the client gets no HTTP answer at all (the decorator drops it).
    return Dropped(status=502)


def _truncate(response: HttpResponse) -> HttpResponse:
    content = response.content
    # Cut inside the JSON so no parser accepts it; tiny bodies become an open object.
    response.content = content[: max(1, len(content) // 2)] if len(content) > 4 else b'{"'
    return response


def drop_connection(request: HttpRequest) -> None:
    """Reset the client's TCP connection (RST), so it sees "connection reset by peer".

    SO_LINGER (on, 0 s) makes the kernel answer the close with an RST instead of a FIN.
    The server still holds the socket object and will try to write our (empty) response:
    the fd is swapped for one half of a closed socketpair with dup2, which closes the TCP
    socket and turns that write into a quiet broken pipe instead of a logged traceback.
    """
    sock = _client_socket(request)
    if sock is None:
        logger.warning("sandbox: cannot reach the client socket; answering 502 instead")
        return
    fd = sock.fileno()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    dead, peer = socket.socketpair()
    peer.close()
    try:
        os.dup2(dead.fileno(), fd)
    finally:
        dead.close()


def _client_socket(request: HttpRequest) -> socket.socket | None:
    environ = request.META
    sock = environ.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        return sock
    # Django's runserver / live_server: LimitedStream (which keeps only the bound ``read`` of
    # its stream) -> BufferedReader -> SocketIO -> socket.
    stream: Any = environ.get("wsgi.input")
    read = getattr(stream, "_read", None)
    stream = getattr(read, "__self__", stream)
    stream = getattr(getattr(stream, "raw", None), "_sock", None)
    return stream if isinstance(stream, socket.socket) else None
