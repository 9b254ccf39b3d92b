"""Name lookups are inside the fetch deadline (issue 12, item 2): a resolver that never
answers is a slow upstream like any other.

The C resolver cannot be pointed at a test server, so these tests replace listen's lookup
function with one that stalls; what they check is the deadline around it. The name is
``localhost`` so that nothing could leave the machine even if the replacement failed.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from listen import fetch
from listen.errors import SourceError
from listen.publish.server.guard import HostGuard


@pytest.fixture
def stalled(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    release = threading.Event()

    def lookup(host: str, port: int) -> list[fetch.AddrInfo]:
        release.wait(10)
        return []

    monkeypatch.setattr(fetch, "_getaddrinfo", lookup)
    yield release
    release.set()  # let the abandoned lookups end


def test_a_stalled_lookup_ends_at_the_fetch_deadline(stalled: threading.Event) -> None:
    start = time.monotonic()
    with pytest.raises(SourceError) as caught:
        fetch.fetch_bytes("http://localhost:9/page", timeout=5, deadline=1)
    assert time.monotonic() - start < 2
    message = caught.value.one_line()
    assert "1 s fetch deadline" in message and "\n" not in message


def test_the_service_guard_bounds_its_lookup_too(stalled: threading.Event) -> None:
    guard = HostGuard(["localhost"])
    start = time.monotonic()
    with pytest.raises(SourceError, match="looking up localhost took longer"):
        guard.connect("localhost", 9, 0.5)
    assert time.monotonic() - start < 1.5


def test_stuck_lookups_do_not_pile_up_threads(stalled: threading.Event) -> None:
    before = threading.active_count()
    for _ in range(20):
        with pytest.raises(SourceError):
            fetch.resolve("localhost", 9, 0.05)
    assert threading.active_count() - before <= 8  # the resolver pool, and no more


def test_a_quick_lookup_is_unchanged() -> None:
    infos = fetch.resolve("127.0.0.1", 80, 2)
    assert infos and all(info[4][0] == "127.0.0.1" for info in infos)
    with pytest.raises(socket.gaierror):
        fetch.resolve("127.0.0.1", 80, 2, lookup=lambda host, port: fetch._getaddrinfo(host, -1))
