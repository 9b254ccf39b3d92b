"""A server on 127.0.0.1 that answers as slowly as an attacker would: one byte a second.

Used by the hardening tests and by ``bench/load.py``. Every connection gets its
own thread; ``open`` counts the connections still being fed.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator


class Trickle:
    """``GET /trickle`` sends headers at once, then the body a byte every ``interval`` s;
    ``GET /slow-headers`` trickles the status line and headers too."""

    def __init__(self, interval: float = 1.0, body_bytes: int = 100_000) -> None:
        self.interval, self.body_bytes = interval, body_bytes
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=256)
        self.sock.settimeout(0.1)  # so the accepting thread sees ``stop``
        self.stop = threading.Event()
        self.open = 0
        self.served = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def __enter__(self) -> Trickle:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._thread.join(timeout=5)
        self.sock.close()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with self._lock:
            self.open += 1
            self.served += 1
        try:
            with contextlib.closing(conn):
                request = b""
                while b"\r\n\r\n" not in request and len(request) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                head = (
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                    f"Content-Length: {self.body_bytes}\r\n\r\n"
                ).encode()
                body = b"<p>" + b"x" * (self.body_bytes - 3)
                if request.startswith(b"GET /slow-headers"):
                    self._drip(conn, head + body)
                else:
                    conn.sendall(head)
                    self._drip(conn, body)
        except OSError:
            pass
        finally:
            with self._lock:
                self.open -= 1

    def _drip(self, conn: socket.socket, data: bytes) -> None:
        for i in range(len(data)):
            if self.stop.wait(self.interval):
                return
            conn.sendall(data[i : i + 1])


@contextlib.contextmanager
def trickling(interval: float = 1.0) -> Iterator[Trickle]:
    with Trickle(interval) as server:
        yield server


def wait_for(predicate: object, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if callable(predicate) and predicate():
            return True
        time.sleep(0.02)
    return False
