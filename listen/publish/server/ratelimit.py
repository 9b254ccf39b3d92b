"""Limits on what one client, or one URL, can make the service do, all bounded in memory.

- ``RateLimiter``: a token bucket per client and class of request;
- ``Guesses``: wrong bearer tokens per client, so tokens cannot be guessed at speed;
- ``FailureMemo``: a URL whose fetch failed is not fetched again for a while;
- ``KeyedLocks``: one lock per URL being fetched, dropped as soon as nobody holds it;
- ``HeavyWork``: fetches and extractions share a few threads of their own, so the
  health, static and read routes always find a free one.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

from listen.errors import Busy, ListenError

T = TypeVar("T")


class RateLimiter:
    def __init__(self, limit: int, window_s: float, *, max_clients: int = 100_000) -> None:
        self.capacity = float(limit)
        self.refill = limit / window_s  # tokens a second
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, last time)
        self._lock = threading.Lock()

    def _tokens(self, client: str, now: float) -> float:
        tokens, last = self._buckets.get(client, (self.capacity, now))
        return min(self.capacity, tokens + (now - last) * self.refill)

    def peek(self, client: str) -> float:
        """0 if a request could go ahead now, else how many seconds to wait; takes nothing."""
        with self._lock:
            tokens = self._tokens(client, time.monotonic())
        return 0.0 if tokens >= 1 else (1 - tokens) / self.refill

    def take(self, client: str) -> float:
        """0 if the request may go ahead, else how many seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens = self._tokens(client, now)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            if len(self._buckets) > self.max_clients:
                # forget the quietest, so memory stays bounded
                self._buckets = dict(
                    sorted(self._buckets.items(), key=lambda kv: kv[1][1])[-self.max_clients // 2 :]
                )
            return (1 - tokens) / self.refill


class Guesses:
    """Wrong tokens: after ``limit`` of them within ``window_s``, a client's writes are refused
    (whatever token they carry) until its allowance refills."""

    def __init__(self, limit: int = 10, window_s: float = 600.0) -> None:
        self._wrong = RateLimiter(limit, window_s)

    def blocked(self, client: str) -> float:
        """Seconds this client must wait before its token is even looked at; 0 if none."""
        return self._wrong.peek(client)

    def failed(self, client: str) -> None:
        self._wrong.take(client)


class FailureMemo:
    """URLs whose fetch failed recently, with the error, so a failing URL costs one fetch
    per ``ttl_s`` however often it is asked for. ``Busy`` is not remembered: it is about
    the service, not the URL."""

    def __init__(self, ttl_s: float = 120.0, max_urls: int = 10_000) -> None:
        self.ttl_s, self.max_urls = ttl_s, max_urls
        self._failed: OrderedDict[str, tuple[float, ListenError]] = OrderedDict()
        self._lock = threading.Lock()

    def recall(self, url: str) -> ListenError | None:
        now = time.monotonic()
        with self._lock:
            entry = self._failed.get(url)
            if entry is None:
                return None
            if now - entry[0] > self.ttl_s:
                del self._failed[url]
                return None
            return entry[1]

    def remember(self, url: str, error: ListenError) -> None:
        if isinstance(error, Busy):
            return
        with self._lock:
            self._failed[url] = (time.monotonic(), error)
            self._failed.move_to_end(url)
            while len(self._failed) > self.max_urls:
                self._failed.popitem(last=False)  # the oldest failure goes first

    def __len__(self) -> int:
        return len(self._failed)


class KeyedLocks:
    """An asyncio lock per key, for as long as someone holds or waits for it: the table
    holds only the URLs being worked on, never every URL ever asked for."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}  # key -> (lock, holders+waiters)

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (None, 0))
        lock = lock or asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            _, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class HeavyWork:
    """At most ``threads`` fetches and extractions at once. They wait for each other here,
    not in the shared thread pool (40 threads), which the cheap routes need."""

    def __init__(self, threads: int = 16) -> None:
        self.limiter = CapacityLimiter(threads)

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        return await anyio.to_thread.run_sync(fn, *args, limiter=self.limiter)

    @property
    def running(self) -> int:
        return int(self.limiter.borrowed_tokens)
