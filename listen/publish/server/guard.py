"""What the service may fetch: only allow-listed hosts, and never a private address.

The service fetches URLs on request, so it must not become a proxy into the
network it runs in. Every hop is checked: the URL (scheme and allow-list)
before the request and on every redirect, and the address when the socket is
opened, after DNS resolution, so a name that resolves to loopback, a private,
link-local or metadata address is refused however it was reached.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from collections.abc import Sequence

from listen.errors import Forbidden

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud metadata services answer on these whatever the provider's network looks like.
_METADATA = (ipaddress.ip_network("169.254.169.254/32"), ipaddress.ip_network("fd00:ec2::254/128"))


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
        parts = urllib.parse.urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            raise Forbidden(f"only http and https URLs may be fetched, not {parts.scheme or url!r}")
        if parts.username or parts.password:
            raise Forbidden("URLs with credentials are not fetched")
        host = parts.hostname or ""
        if not host or not self.host_allowed(host):
            raise Forbidden(f"{host or url!r} is not on this service's allow-list")

    def address_allowed(self, address: IPAddress) -> bool:
        if any(address in net for net in self.allow_private):
            return True
        if any(address in net for net in _METADATA):
            return False
        return not (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
            or (
                isinstance(address, ipaddress.IPv6Address)
                and address.ipv4_mapped is not None
                and not self.address_allowed(address.ipv4_mapped)
            )
        )

    def connect(self, host: str, port: int, timeout: float | None) -> socket.socket:
        if not self.host_allowed(host):
            raise Forbidden(f"{host!r} is not on this service's allow-list")
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise Forbidden(f"cannot resolve {host}: {exc.strerror}") from None
        allowed = [i for i in infos if self.address_allowed(ipaddress.ip_address(i[4][0]))]
        if not allowed:
            raise Forbidden(f"{host} resolves to an address this service may not fetch")
        last: OSError | None = None
        for family, kind, proto, _, address in allowed:
            sock = socket.socket(family, kind, proto)
            sock.settimeout(timeout)
            try:
                sock.connect(address)
            except OSError as exc:
                sock.close()
                last = exc
                continue
            return sock
        raise last or OSError(f"cannot connect to {host}")
