"""What the service may fetch: only allow-listed hosts, and never a private address.

The service fetches URLs on request, so it must not become a proxy into the
network it runs in. Every hop is checked: the URL (scheme and allow-list)
before the request and on every redirect, and the address when the socket is
opened, after DNS resolution, so a name that resolves to loopback, a private,
link-local or metadata address is refused however it was reached.

Only globally routable addresses pass (``is_public``). IPv6 forms that carry an
IPv4 address inside (IPv4-mapped, 6to4, Teredo, NAT64) are judged by the
address they carry, so ``2002:7f00:1::`` is loopback and ``::ffff:10.0.0.1``
private. Python's own ``is_global`` differs between 3.11 and 3.13 for some of
these ranges; the extra list below makes the answer the same on both.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from collections.abc import Sequence

from listen.errors import Forbidden, InvalidURL
from listen.fetch import TIMEOUT_S, check_url, connect_any, resolve

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Not globally routable, though some Python versions call them global: shared address
# space (RFC 6598: cloud metadata such as 100.100.100.200 lives there), deprecated
# site-local IPv6, local-use NAT64, IPv4-compatible IPv6, and cloud metadata addresses.
_NOT_GLOBAL = tuple(
    ipaddress.ip_network(n)
    for n in (
        "100.64.0.0/10",
        "169.254.169.254/32",
        "fec0::/10",
        "64:ff9b:1::/48",
        "::/96",
        "fd00:ec2::254/128",
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def embedded(address: IPAddress) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo, NAT64); () if none."""
    if isinstance(address, ipaddress.IPv4Address):
        return ()
    if address.ipv4_mapped is not None:
        return (address.ipv4_mapped,)
    if address.sixtofour is not None:
        return (address.sixtofour,)
    if address.teredo is not None:
        return address.teredo  # (server, client): both must be public
    if address in _NAT64:
        return (ipaddress.IPv4Address(int(address) & 0xFFFFFFFF),)
    return ()


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is globally routable, judging embedded IPv4 addresses too."""
    inner = embedded(address)
    if inner:
        return all(is_public(a) for a in inner)
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_link_local
        or address.is_loopback
        or address.is_private
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
        or any(address in net for net in _NOT_GLOBAL)
    )


def url_problem(url: str) -> str | None:
    """Why no request can be made of ``url`` (whitespace, control characters, a broken host
    or port), as one line; None for a URL that is well formed."""
    try:
        check_url(url)
    except InvalidURL as exc:
        return exc.one_line()
    return None


class HostGuard:
    def __init__(self, allow_hosts: Sequence[str], allow_private: Sequence[str] = ()) -> None:
        self.allow_hosts = tuple(h.lower().rstrip(".") for h in allow_hosts)
        self.allow_private: tuple[IPNetwork, ...] = tuple(
            ipaddress.ip_network(a, strict=False) for a in allow_private
        )

    def host_allowed(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        for allowed in self.allow_hosts:
            if allowed.startswith("*."):
                if host.endswith(allowed[1:]) or host == allowed[2:]:
                    return True
            elif host == allowed:
                return True
        return False

    def check_url(self, url: str) -> None:
        try:
            parts = urllib.parse.urlsplit(url)
        except ValueError as exc:
            raise InvalidURL(f"{url!r} is not a valid URL: {exc}") from None
        if parts.scheme.lower() not in ("http", "https"):
            raise Forbidden(f"only http and https URLs may be fetched, not {parts.scheme or url!r}")
        check_url(url)  # InvalidURL: spaces, control characters, a broken host or port
        if parts.username or parts.password:
            raise Forbidden("URLs with credentials are not fetched")
        host = parts.hostname or ""
        if not host or not self.host_allowed(host):
            raise Forbidden(f"{host or url!r} is not on this service's allow-list")

    def address_allowed(self, address: IPAddress) -> bool:
        """Public addresses, and those the operator allowed (``allow_private``)."""
        for candidate in (address, *embedded(address)):
            if any(candidate in net for net in self.allow_private):
                return True
        return is_public(address)

    def connect(self, host: str, port: int, timeout: float | None) -> socket.socket:
        if not self.host_allowed(host):
            raise Forbidden(f"{host!r} is not on this service's allow-list")
        try:
            infos = resolve(host, port, timeout if timeout is not None else TIMEOUT_S)
        except socket.gaierror as exc:
            raise Forbidden(f"cannot resolve {host}: {exc.strerror}") from None
        allowed = [i for i in infos if self.address_allowed(ipaddress.ip_address(i[4][0]))]
        if not allowed:
            raise Forbidden(f"{host} resolves to an address this service may not fetch")
        return connect_any(allowed, timeout, host)
