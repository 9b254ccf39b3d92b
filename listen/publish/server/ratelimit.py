"""Per-client rate limits: a token bucket per client and class of request, in memory."""

from __future__ import annotations

import threading
import time


class RateLimiter:
    def __init__(self, limit: int, window_s: float, *, max_clients: int = 100_000) -> None:
        self.capacity = float(limit)
        self.refill = limit / window_s  # tokens a second
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, last time)
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0 if the request may go ahead, else how many seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.refill)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            if (
                len(self._buckets) > self.max_clients
            ):  # forget the quietest, so memory stays bounded
                self._buckets = dict(
                    sorted(self._buckets.items(), key=lambda kv: kv[1][1])[-self.max_clients // 2 :]
                )
            return (1 - tokens) / self.refill
