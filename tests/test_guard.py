"""The SSRF guard: only globally routable addresses, however they are written (issue 12,
item 8). No network: the address function, and connections to literal addresses, which
resolve without DNS and are refused before any packet is sent."""

from __future__ import annotations

import ipaddress

import pytest

from listen.errors import Forbidden
from listen.publish.server.guard import HostGuard, embedded, is_public

REFUSED = [
    # shared address space (RFC 6598), with a cloud metadata address in it
    "100.64.0.1",
    "100.100.100.200",
    "100.127.255.254",
    "169.254.169.254",
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "0.0.0.0",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fec0::1",  # deprecated site-local
    "fed0:1::2",
    "fc00::1",
    "fd00:ec2::254",
    "ff02::1",
    "2001:db8::1",
    # IPv4 inside IPv6: mapped, compatible, 6to4, Teredo, NAT64
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:100.100.100.200",
    "::127.0.0.1",
    "2002:a00:1::",
    "2002:7f00:1::",
    "2002:c0a8:101::1",
    "2002:6464:64c8::",  # 6to4 of 100.100.100.200
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
    "2001:0:7f00:1::1",  # Teredo server 127.0.0.1
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a00:1",
    "64:ff9b:1::a00:1",
]

ALLOWED = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.215.14",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82b::200e",
    "::ffff:8.8.8.8",
    "2002:808:808::1",  # 6to4 of 8.8.8.8
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8
]


@pytest.mark.parametrize("text", REFUSED)
def test_refused_addresses(text: str) -> None:
    address = ipaddress.ip_address(text)
    assert not is_public(address)
    assert not HostGuard(["example.org"]).address_allowed(address)


@pytest.mark.parametrize("text", ALLOWED)
def test_public_addresses(text: str) -> None:
    assert is_public(ipaddress.ip_address(text))


def test_embedded_forms_are_unwrapped() -> None:
    ip = ipaddress.ip_address
    assert embedded(ip("::ffff:10.0.0.1")) == (ip("10.0.0.1"),)
    assert embedded(ip("2002:7f00:1::")) == (ip("127.0.0.1"),)
    assert embedded(ip("64:ff9b::a00:1")) == (ip("10.0.0.1"),)
    assert ip("10.0.0.1") in embedded(ip("2001:0:4136:e378:8000:63bf:f5ff:fffe"))
    assert embedded(ip("2606:4700:4700::1111")) == ()


def test_allow_private_reaches_through_an_embedded_form() -> None:
    guard = HostGuard(["example.org"], allow_private=["127.0.0.1"])
    assert guard.address_allowed(ipaddress.ip_address("127.0.0.1"))
    assert guard.address_allowed(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert not guard.address_allowed(ipaddress.ip_address("127.0.0.2"))


@pytest.mark.parametrize(
    "host", ["100.100.100.200", "fec0::1", "2002:a00:1::", "2002:7f00:1::", "::ffff:127.0.0.1"]
)
def test_literal_hosts_are_refused_on_connect(host: str) -> None:
    guard = HostGuard([host])
    with pytest.raises(Forbidden, match="may not fetch"):
        guard.connect(host, 80, 1.0)


def test_urls_with_those_hosts_are_refused(host: str = "2002:7f00:1::") -> None:
    from listen.fetch import fetch_bytes

    guard = HostGuard([host])
    with pytest.raises(Forbidden, match="may not fetch"):
        fetch_bytes(f"http://[{host}]:8000/a", guard=guard, deadline=2)
