"""The one door out to SmartRecruiters: every outbound call goes through ``Transport``.

What lives here and nowhere else (contracts README, job-board-api.md §7):
- timeouts on connect and read (settings, read at call time);
- a rate budget per credential, shared by every process (``budget.py``): at most
  ``SMARTRECRUITERS_RATE_PER_SECOND`` requests a second and ``SMARTRECRUITERS_MAX_IN_FLIGHT``
  in flight, with fair turns between feed, applications, status polls and assessments;
- retries of 429, 500/502/503/504, timeouts, dropped connections and unparsable 2xx JSON
  on GET, with full-jitter exponential backoff, honouring ``Retry-After``;
- credentials (``auth``) only ever sent to the host of ``SMARTRECRUITERS_API_URL``
  (``jobboard.safeurl.same_origin``), and masked in logs.

Only this package imports httpx. Requests go straight to an ``httpx.HTTPTransport`` (the
connection pool), not through an ``httpx.Client``: the client's cookie jar, auth and
redirect machinery and URL merging did nothing for us (no cookies, no redirects, our own
auth headers) and cost about half of the CPU of each request (feed sync benchmark).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple
from urllib.parse import urlencode, urljoin, urlsplit

import httpcore
import httpx
import orjson
from django.conf import settings

# What httpx does around its connection pool, reused as it is (httpx is pinned in
# pyproject.toml): decoders, httpcore's errors as httpx's, query values as text.
from httpx._decoders import SUPPORTED_DECODERS, MultiDecoder
from httpx._transports.default import map_httpcore_exceptions
from httpx._utils import primitive_value_to_str

from jobboard.operations.metrics import record_sr_call
from jobboard.outbox import backoff
from jobboard.safeurl import same_origin
from partner.smartrecruiters.auth import Auth, mask_secret
from partner.smartrecruiters.budget import Work, get_budget
from partner.smartrecruiters.endpoints import classify
from partner.smartrecruiters.errors import (
    MalformedResponseError,
    NetworkError,
    PermanentError,
    RateLimitedError,
    SmartRecruitersError,
    error_from_response,
)

logger = logging.getLogger(__name__)

USER_AGENT = "open-job-board/1.0 (SmartRecruiters partner)"
# Sent with every request; what httpx.Client would have added by default, minus cookies.
_BASE_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "application/json",
    "Accept-Encoding": "gzip, deflate",
    "Connection": "keep-alive",
}
_UNPARSED = object()


# ---------------------------------------------------------------------------
# Responses and attempts
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    content: bytes
    url: str = ""
    attempts: int = 1

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The decoded body; ``None`` for an empty body (e.g. a bare 204 to a PUT).

        Decoded once: the transport checks a GET's body is JSON, the client then reads
        it (callers must not modify what they get). orjson first; the standard
        library for what orjson refuses and ``json`` accepts (NaN, UTF-16, huge ints).
        """
        parsed = self.__dict__.get("_parsed", _UNPARSED)
        if parsed is _UNPARSED:
            parsed = self._decode()
            # A frozen dataclass: the cache is the one attribute set after creation.
            object.__setattr__(self, "_parsed", parsed)
        return parsed

    def _decode(self) -> Any:
        if not self.content.strip():
            return None
        try:
            return orjson.loads(self.content)
        except orjson.JSONDecodeError:
            pass
        try:
            return json.loads(self.content)
        except ValueError as exc:
            raise MalformedResponseError(
                f"response body is not JSON: {exc}",
                status=self.status,
                body_excerpt=self.content[:200].decode("utf-8", errors="replace"),
            ) from None


@dataclass(frozen=True)
class Attempt:
    """What one try of a request did; handed to ``on_attempt`` hooks."""

    method: str
    path: str
    number: int  # 1-based
    status: int | None
    error: SmartRecruitersError | None
    elapsed: float
    will_retry: bool
    sleep: float = 0.0


AttemptHook = Callable[[Attempt], None]


@dataclass
class TransportStats:
    """Counters since start (or ``reset``); read by benchmarks and tests."""

    requests: int = 0
    retries: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, status: int | None, *, retry: bool) -> None:
        with self._lock:
            self.requests += 1
            if retry:
                self.retries += 1
            if status is not None:
                self.statuses[status] = self.statuses.get(status, 0) + 1

    def reset(self) -> None:
        with self._lock:
            self.requests = 0
            self.retries = 0
            self.statuses = {}


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(attempt: int) -> float:
    """Seconds before retry ``attempt`` (from 0): the outbox's full-jitter backoff."""
    return backoff(
        attempt,
        base=float(settings.SMARTRECRUITERS_BACKOFF_BASE),
        cap=float(settings.SMARTRECRUITERS_BACKOFF_CAP),
    )


# The kind of work a request is, for fair turns in the budget: API -> Work.
_WORK_BY_API = {
    "feed": Work.FEED,
    "offers": Work.FEED,
    "apply": Work.APPLY,
    "assessments": Work.ASSESSMENT,
    "oauth": Work.ASSESSMENT,
}


def work_of(path: str, *, classified: tuple[str, str] | None = None) -> Work:
    """Which queue of the budget a request waits in (status polls apart from submissions)."""
    api, endpoint = classified or classify(path)
    if api == "apply" and endpoint.endswith("/status"):
        return Work.STATUS
    return _WORK_BY_API.get(api, Work.FEED)


def _scrubber(secrets: tuple[str, ...]) -> Callable[[str], str]:
    def scrub(text: str) -> str:
        for secret in secrets:
            if secret:
                text = text.replace(secret, mask_secret(secret))
        return text

    return scrub


_RETRYABLE_EXCEPTIONS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class _Answer(NamedTuple):
    """What an exchange brought back: its status, headers and (decoded) body."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes


# A URL made only of the characters RFC 3986 allows, which goes on the wire as it is;
# anything else (a space, a non-ASCII letter) is left to httpx to encode.
_PLAIN_URL = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*\Z")


def _host_header(host: str, port: int | None) -> str:
    """The Host header: an IPv6 address in brackets, the port when the URL names one."""
    name = f"[{host}]" if ":" in host else host
    return name if port is None else f"{name}:{port}"


def _query_string(params: Mapping[str, Any]) -> str:
    """``params`` as httpx encodes them: lists repeat the key, booleans are true/false,
    None is empty, spaces are +."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        for item in value if isinstance(value, list | tuple) else (value,):
            pairs.append((str(key), primitive_value_to_str(item)))
    return urlencode(pairs)


def _decoded(body: bytes, headers: httpx.Headers) -> bytes:
    """The body without its Content-Encoding, by httpx's own decoders, as a response of
    httpx's decodes it (unknown codings are left as they are; a body that does not
    decode is an ``httpx.DecodingError``)."""
    names = [name.strip().lower() for name in headers.get_list("content-encoding", True)]
    decoders = [SUPPORTED_DECODERS[name]() for name in names if name in SUPPORTED_DECODERS]
    if not decoders:
        return body
    decoder = decoders[0] if len(decoders) == 1 else MultiDecoder(children=decoders)
    return decoder.decode(body) + decoder.flush()


# ---------------------------------------------------------------------------
# Transport
# ---------------------------------------------------------------------------
def proxy_for(url: str) -> str | None:
    """The proxy the environment names for ``url`` (``HTTPS_PROXY``, ``HTTP_PROXY``,
    ``ALL_PROXY``, minus ``NO_PROXY``), as an ``httpx.Client`` would have used it: a
    deployment whose egress goes through a proxy keeps working without the client."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return proxy


class Transport:
    def __init__(self) -> None:
        self._client: httpx.HTTPTransport | None = None
        self._client_lock = threading.Lock()
        self.stats = TransportStats()

    # -- plumbing ----------------------------------------------------------
    def _http(self) -> httpx.HTTPTransport:
        client = self._client
        if client is not None:  # the common case, without the lock
            return client
        with self._client_lock:
            if self._client is None:
                # Pool sized above the in-flight cap: the budget, not the pool, limits.
                # Keep-alive connections are reused across requests and threads.
                limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
                proxy = proxy_for(str(settings.SMARTRECRUITERS_API_URL))
                self._client = httpx.HTTPTransport(limits=limits, proxy=proxy)
            return self._client

    def _exchange(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
        data: Mapping[str, Any] | None,
        files: Any,
        headers: Mapping[str, str],
        timeout: httpx.Timeout,
    ) -> _Answer:
        """One HTTP exchange through the pool, body read; never follows a redirect."""
        # JSON by orjson: httpx's own encoding was a tenth of the feed sync's HTTP threads.
        content = None if json is None else orjson.dumps(json)
        if content is not None:
            headers = {**headers, "Content-Type": "application/json"}
        if data is None and files is None and _PLAIN_URL.match(url):
            return self._exchange_direct(
                method, url, params=params, content=content, headers=headers, timeout=timeout
            )
        # A form or a file upload (an application's attachments): httpx encodes it.
        request = httpx.Request(
            method,
            url,
            params=params,
            content=content,
            data=data,
            files=files,
            headers=headers,
            extensions={"timeout": timeout.as_dict()},
        )
        response = self._http().handle_request(request)
        try:
            response.read()
        finally:
            response.close()
        return _Answer(response.status_code, response.headers, response.content)

    def _exchange_direct(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        content: bytes | None,
        headers: Mapping[str, str],
        timeout: httpx.Timeout,
    ) -> _Answer:
        """A request without a form: straight to the connection pool (httpcore).

        httpx's request and response models (URL parsing, header normalisation, byte
        streams) were a sixth of the transport's CPU in the feed sync's HTTP threads, for
        requests that are a URL, a few headers and a JSON body. What they did for us is
        done here: the Host and Content-Length headers, the query string; the body is
        decoded by httpx's own decoders and httpcore's errors become httpx's, as the
        retries expect.
        """
        parts = urlsplit(url)
        target = parts.path or "/"
        # Parameters replace a query the URL has, as httpx.Request(url, params=) does.
        query = parts.query if params is None else _query_string(params)
        if query:
            target += "?" + query
        host = parts.hostname or ""
        port = parts.port
        raw_headers = [(b"Host", _host_header(host, port).encode("ascii"))]
        if content is not None:
            raw_headers.append((b"Content-Length", str(len(content)).encode("ascii")))
        elif method in ("POST", "PUT", "PATCH"):
            raw_headers.append((b"Content-Length", b"0"))
        raw_headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        request = httpcore.Request(
            method.encode("ascii"),
            httpcore.URL(
                scheme=parts.scheme.encode("ascii"),
                host=host.encode("ascii"),
                port=port,
                target=target.encode("ascii"),
            ),
            headers=raw_headers,
            content=content or b"",
            extensions={"timeout": timeout.as_dict()},
        )
        with map_httpcore_exceptions():
            response = self._http()._pool.handle_request(request)
            try:
                body = response.read()
            finally:
                response.close()
        answer_headers = httpx.Headers(response.headers)
        return _Answer(response.status, answer_headers, _decoded(body, answer_headers))

    def close(self) -> None:
        with self._client_lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    @staticmethod
    def resolve_url(path_or_url: str) -> str:
        """Join a path to SMARTRECRUITERS_API_URL; refuse absolute URLs on other hosts."""
        base = str(settings.SMARTRECRUITERS_API_URL).rstrip("/")
        parts = urlsplit(path_or_url)
        if parts.scheme or parts.netloc:
            if not same_origin(path_or_url, base):
                # Credentials go to the configured SmartRecruiters host and nowhere else.
                raise PermanentError(
                    f"refusing to send SmartRecruiters credentials to {parts.scheme}://"
                    f"{parts.netloc}: not the host of SMARTRECRUITERS_API_URL"
                )
            return path_or_url
        return urljoin(base + "/", path_or_url.lstrip("/"))

    @staticmethod
    def _timeout() -> httpx.Timeout:
        connect = float(settings.SMARTRECRUITERS_CONNECT_TIMEOUT)
        read = float(settings.SMARTRECRUITERS_READ_TIMEOUT)
        return httpx.Timeout(connect=connect, read=read, write=read, pool=connect + read)

    # -- the call ------------------------------------------------------------
    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        auth: Auth,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        max_retries: int | None = None,
        expect_json: bool | None = None,
        on_attempt: AttemptHook | None = None,
    ) -> Response:
        """Send one request, retrying what may succeed later; return a 2xx ``Response``.

        Raises a ``SmartRecruitersError`` subclass for any non-2xx answer (after retries
        for the transient ones) or when no answer came. ``expect_json`` (default: true
        for GET) makes an unparsable 2xx body a retryable ``MalformedResponseError``.
        ``on_attempt`` is called after every try, retried or not.
        """
        method = method.upper()
        url = self.resolve_url(path_or_url)
        path = urlsplit(url).path
        classified = classify(path)
        if expect_json is None:
            expect_json = method == "GET"
        retries_allowed = (
            int(settings.SMARTRECRUITERS_MAX_RETRIES) if max_retries is None else max_retries
        )
        send_headers: dict[str, str] = dict(_BASE_HEADERS)
        if headers:
            send_headers.update(headers)
        auth.apply(send_headers)
        scrub = _scrubber(auth.secrets())
        budget = get_budget()
        work = work_of(path, classified=classified)
        timeout = self._timeout()
        backoff_cap = float(settings.SMARTRECRUITERS_BACKOFF_CAP)

        attempt = 0
        while True:
            started = time.monotonic()
            status: int | None = None
            error: SmartRecruitersError | None = None
            response: Response | None = None
            lease = budget.acquire(auth.throttle_key, work=work)
            try:
                raw = self._exchange(
                    method,
                    url,
                    params=params,
                    json=json,
                    data=data,
                    files=files,
                    headers=send_headers,
                    timeout=timeout,
                )
                status = raw.status_code
                content = raw.content
            except _RETRYABLE_EXCEPTIONS as exc:
                kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "connection"
                # The URL, never its query string (a key could travel there by mistake).
                error = NetworkError(
                    f"{kind} error: {type(exc).__name__} ({method} {url.split('?')[0]})"
                )
            except httpx.HTTPError as exc:
                error = PermanentError(f"request could not be sent: {type(exc).__name__}")
            finally:
                budget.release(lease)

            if error is None and status is not None:
                if 200 <= status < 300:
                    response = Response(
                        status=status,
                        headers=raw.headers,
                        content=content,
                        url=url,
                        attempts=attempt + 1,
                    )
                    if expect_json:
                        try:
                            response.json()
                        except MalformedResponseError as exc:
                            error, response = exc, None
                else:
                    error = error_from_response(
                        status=status,
                        body=content,
                        retry_after=parse_retry_after(raw.headers.get("Retry-After")),
                        scrub=scrub,
                    )

            elapsed = time.monotonic() - started
            will_retry = error is not None and not error.permanent and attempt < retries_allowed
            sleep = 0.0
            if will_retry:
                retry_after = getattr(error, "retry_after", None)
                if isinstance(error, RateLimitedError) and retry_after is not None:
                    if retry_after > backoff_cap:
                        # Longer than we would ever back off: leave it to the next pass.
                        will_retry = False
                    else:
                        sleep = retry_after
                        budget.pause(auth.throttle_key, retry_after)
                else:
                    sleep = backoff_delay(attempt)
            self.stats.count(status, retry=attempt > 0)
            api, endpoint = classified
            record_sr_call(
                api=api, endpoint=endpoint, status=status, seconds=elapsed, retried=attempt > 0
            )
            self._log(method, path, attempt + 1, status, error, elapsed, will_retry, sleep)
            if on_attempt is not None:
                on_attempt(
                    Attempt(method, path, attempt + 1, status, error, elapsed, will_retry, sleep)
                )
            if response is not None:
                return response
            if not will_retry:
                if error is None:  # unreachable: no response means an error was recorded
                    raise NetworkError("no response")
                raise error
            time.sleep(sleep)
            attempt += 1

    @staticmethod
    def _log(
        method: str,
        path: str,
        number: int,
        status: int | None,
        error: SmartRecruitersError | None,
        elapsed: float,
        will_retry: bool,
        sleep: float,
    ) -> None:
        # Paths carry ids, never secrets (no ?apiKey=); error text is scrubbed already.
        if error is None:
            logger.debug("smartrecruiters %s %s -> %s in %.3fs", method, path, status, elapsed)
        elif will_retry:
            logger.info(
                "smartrecruiters %s %s attempt %d failed (%s); retrying in %.2fs",
                method,
                path,
                number,
                error,
                sleep,
            )
        else:
            logger.warning(
                "smartrecruiters %s %s failed after %d attempt(s): %s",
                method,
                path,
                number,
                error,
            )


_transport: Transport | None = None
_transport_lock = threading.Lock()


def get_transport() -> Transport:
    """The process-wide transport (one HTTP pool for all clients)."""
    global _transport
    with _transport_lock:
        if _transport is None:
            _transport = Transport()
        return _transport


def reset_transport() -> None:
    """Drop the process-wide transport (tests; after fork)."""
    global _transport
    with _transport_lock:
        if _transport is not None:
            _transport.close()
        _transport = None


def _forget_after_fork() -> None:
    # A forked worker (Celery prefork) must not share the parent's sockets or locks.
    global _transport, _transport_lock
    _transport = None
    _transport_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
