"""The address a request came from: one definition for rate limits and logs.

``REMOTE_ADDR`` is the peer of the TCP connection. Behind the TLS proxy the README
prescribes, that is the proxy, so every visitor would share one address (and one rate
limit). ``X-Forwarded-For`` names the client, but any client can send it: it is believed
only as far as proxies we were told to trust wrote it. Each proxy appends the address of
the peer it saw, so the header is read from the right:

- ``TRUSTED_PROXY_COUNT = N``: N proxies stand in front, so the client is the N-th entry
  from the right (the nearest proxy is ``REMOTE_ADDR`` itself). Use it when the app can
  only be reached through them.
- ``TRUSTED_PROXY_NETWORKS``: the proxies' addresses. ``REMOTE_ADDR`` and then each entry
  from the right are skipped while they are in these networks; the first address outside
  them is the client. A request that did not come from a trusted proxy keeps its
  ``REMOTE_ADDR``, so the header cannot be forged by connecting directly.

Neither set (the default): ``REMOTE_ADDR``, and the header is ignored. This module is the
only place that reads the header, so every limit and log line follows the same rule.

django-ipware was considered: it reads the chain without asking whether ``REMOTE_ADDR`` is
a trusted proxy (a client connecting directly could name any address) and counts
proxies differently from what nginx or a load balancer append; the rule fits here.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from django.conf import settings
from django.http import HttpRequest

UNKNOWN = "unknown"

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network


def parse_address(value: str) -> Address | None:
    """An IP address from a header entry (``1.2.3.4``, ``1.2.3.4:5678``, ``[::1]:80``)."""
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]  # IPv4 with a port
    try:
        address = ip_address(value)
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def forwarded_chain(request: HttpRequest) -> list[str]:
    """The ``X-Forwarded-For`` entries, client first (repeated headers arrive joined)."""
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return [entry.strip() for entry in header.split(",") if entry.strip()]


def _in_networks(address: Address, networks: Sequence[Network]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def _behind_counted_proxies(request: HttpRequest, remote: Address, count: int) -> Address:
    chain = forwarded_chain(request)
    if len(chain) < count:
        # Fewer entries than proxies: the header was not written by all of them.
        return remote
    return parse_address(chain[-count]) or remote


def _behind_trusted_networks(
    request: HttpRequest, remote: Address, networks: Sequence[Network]
) -> Address:
    client = remote
    for entry in reversed(forwarded_chain(request)):
        if not _in_networks(client, networks):
            return client
        parsed = parse_address(entry)
        if parsed is None:
            # Garbage where a trusted proxy should have written an address: stop at the
            # last hop we could vouch for.
            return client
        client = parsed
    return client


def client_address(request: HttpRequest) -> str:
    """The client's IP address as we can trust it; ``"unknown"`` when the server gave none."""
    raw = request.META.get("REMOTE_ADDR", "") or ""
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    networks: Sequence[Network] = getattr(settings, "TRUSTED_PROXY_NETWORKS", ())
    if not count and not networks:
        return raw or UNKNOWN
    remote = parse_address(raw)
    if remote is None:
        return raw or UNKNOWN
    if networks:
        return str(_behind_trusted_networks(request, remote, networks))
    return str(_behind_counted_proxies(request, remote, count))
