"""Work that needs a core runs in other processes, so the web process only answers.

Extraction, the JSON of a big body, feeds and artwork are pure Python: they
hold the GIL, and in a thread of the web process each of them made ``/healthz``
and the player's files wait for their turn (up to 400 ms under load). A
``Pool`` keeps a few spawned worker processes, warm (the pipeline imported
once); a job runs in one of them, and one that overruns its deadline is killed
and replaced: that is also the bound on the time one page may take, whoever
is still waiting for it.

Jobs are module-level functions of plain, picklable values. A worker runs
each one with the caller's ``LISTEN_*`` and ``XDG_*`` environment (voices and
lexicons are found through it), and sends back its result or its exception.
One pool serves every app in a process (``shared_pool``): the tests create many.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import pickle
import queue
import signal
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

from listen.errors import Busy, ExtractionError
from listen.models import Page, RenderOptions, Script

T = TypeVar("T")
WARM = ("listen.pipeline", "listen.publish.feed", "listen.publish.checks")
NICE = 5  # below the web process, above the render workers (nice 10)
_ENV_PREFIXES = ("LISTEN_", "XDG_")


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith(_ENV_PREFIXES)}


def _use_environment(wanted: dict[str, str]) -> None:
    for key in [k for k in os.environ if k.startswith(_ENV_PREFIXES) and k not in wanted]:
        del os.environ[key]
    for key, value in wanted.items():
        if os.environ.get(key) != value:
            os.environ[key] = value


def _worker(conn: Any, warm: tuple[str, ...]) -> None:
    """The body of a worker process: run jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group: the parent ends us
    with contextlib.suppress(OSError, AttributeError):
        os.nice(NICE)
    for module in warm:
        with contextlib.suppress(ImportError):
            importlib.import_module(module)
    while True:
        try:
            fn, args, kwargs, env = conn.recv()
        except (EOFError, OSError):
            return
        _use_environment(env)
        try:
            answer: tuple[str, Any] = ("ok", fn(*args, **kwargs))
        except Exception as exc:  # every failure goes back to the caller, as it is
            answer = ("raise", exc)
        try:
            data = pickle.dumps(answer)
        except Exception as exc:  # an exception that does not pickle: its text does
            data = pickle.dumps(("raise", RuntimeError(f"{type(exc).__name__}: {exc}")))
        try:
            conn.send_bytes(data)
        except OSError:
            return


class _Process:
    def __init__(self, warm: tuple[str, ...]) -> None:
        context = multiprocessing.get_context("spawn")  # nothing of the web process inherited
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker, args=(child, warm), name="listen-cpu", daemon=True
        )
        self.process.start()
        child.close()

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
        self.process.join(timeout=5)
        with contextlib.suppress(OSError):
            self.conn.close()


class Pool:
    """``processes`` workers; ``call`` runs a job in a free one, or waits ``deadline_s`` for one."""

    def __init__(self, processes: int = 2, warm: tuple[str, ...] = WARM) -> None:
        self.processes, self.warm = max(1, processes), warm
        self._idle: queue.Queue[_Process | None] = queue.Queue()
        self._all: set[_Process] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.limiter = CapacityLimiter(self.processes * 4)  # callers waiting, beyond: threads
        for _ in range(self.processes):
            self._idle.put(None)  # a slot; its process starts at its first job

    def start(self) -> Pool:
        """Start every worker now (a service does, so its first request does not wait)."""
        slots: list[_Process | None] = []
        with contextlib.suppress(queue.Empty):
            while len(slots) < self.processes:  # the slots free now; a busy one has its process
                slots.append(self._idle.get_nowait())
        for slot in slots:
            self._idle.put(slot if slot is not None and slot.process.is_alive() else self._spawn())
        return self

    def _spawn(self) -> _Process:
        with self._lock:
            if self._closed:
                raise Busy("the service is stopping")
            worker = _Process(self.warm)
            self._all.add(worker)
            return worker

    def _drop(self, worker: _Process) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()

    def call(self, deadline_s: float, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in a worker process; its result or its exception. A job
        over ``deadline_s`` is killed (with its process) and refused with a one-line error."""
        try:
            slot = self._idle.get(timeout=deadline_s)
        except queue.Empty:
            raise Busy("the service is busy reading other pages; try again shortly") from None
        worker: _Process | None = None
        try:
            if slot is not None and not slot.process.is_alive():  # it died (the OOM killer)
                self._drop(slot)
                slot = None
            worker = slot or self._spawn()
            worker.conn.send((fn, args, kwargs, _environment()))
            if not worker.conn.poll(deadline_s):
                self._drop(worker)
                worker = None
                raise ExtractionError(
                    f"reading the page took over {deadline_s:g} s, so it was stopped",
                    hint="the page is too big or too complex to read",
                )
            status, value = pickle.loads(worker.conn.recv_bytes())
        except (EOFError, OSError) as exc:
            if worker is not None:
                self._drop(worker)
                worker = None
            if self._closed:
                raise Busy("the service is stopping") from None
            raise RuntimeError(f"a worker process died ({type(exc).__name__})") from None
        finally:
            self._idle.put(worker)  # None: the slot starts a new process at its next job
        if status == "raise":
            raise value
        result: T = value
        return result

    async def run(self, deadline_s: float, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``call`` from the event loop: it waits in a thread, which holds no GIL meanwhile."""
        return await anyio.to_thread.run_sync(
            lambda: self.call(deadline_s, fn, *args, **kwargs), limiter=self.limiter
        )

    def close(self) -> None:
        """Kill every worker now: a job in progress fails at once (the service is stopping)."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()


def page_script(page: Page, options: RenderOptions) -> Script:
    """The job of reading a page: its narration script, refused up front if too long."""
    from listen.pipeline import check_length, script_from_page

    script, _ = script_from_page(page, options=options)
    check_length(script, options)
    return script


_SHARED: Pool | None = None
_SHARED_LOCK = threading.Lock()


def shared_pool(processes: int = 2) -> Pool:
    """The process's one pool (``processes`` is taken from the first caller)."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None or _SHARED._closed:
            _SHARED = Pool(processes)
        return _SHARED
