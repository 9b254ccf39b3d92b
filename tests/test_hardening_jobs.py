"""A render worker whose broker or article library stops answering waits ever longer between
tries, says so once (not every poll), and says when it answers again (jobs.Outage)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from listen.models import RenderOptions
from listen.publish.server import jobs
from listen.publish.server.jobs import HueyFeeder, Outage, make_huey


class Enough(BaseException):
    """Ends a worker's endless loop from the test."""


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens here once closed


def sleeps(monkeypatch: pytest.MonkeyPatch, limit: int) -> list[float]:
    """Record the worker's waits instead of waiting; stop it after ``limit`` of them."""
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) >= limit:
            raise Enough

    monkeypatch.setattr(jobs.time, "sleep", sleep)
    return waits


def test_an_unreachable_broker_is_retried_with_backoff_and_reported_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broker = f"redis://127.0.0.1:{closed_port()}/0"  # a real Redis client, refused
    feeder = HueyFeeder(
        str(tmp_path / "db.sqlite3"), broker, tmp_path, tmp_path / "media", RenderOptions()
    )
    waits = sleeps(monkeypatch, 9)
    with pytest.raises(Enough):
        feeder.work(lambda event: None, os.getppid())
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and broker in lines[0] and "retrying with backoff" in lines[0]


def test_an_unreachable_library_is_retried_with_backoff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"postgresql://listen@127.0.0.1:{closed_port()}/listen"  # refused at once
    feeder = HueyFeeder(db, None, tmp_path, tmp_path / "media", RenderOptions())
    waits = sleeps(monkeypatch, 5)
    with pytest.raises(Enough):
        feeder.work(lambda event: None, os.getppid())
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0]
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "the article library is unreachable" in lines[0], lines


def test_an_outage_that_ends_is_said_to_end_and_starts_over(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(jobs.time, "monotonic", lambda: clock[0])
    outage = Outage("the broker")
    assert [outage.failed(OSError("refused")) for _ in range(3)] == [0.5, 1.0, 2.0]
    clock[0] += jobs.SAY_EVERY_S  # a long outage is reported again, once a minute
    outage.failed(OSError("refused"))
    outage.answered()
    outage.answered()  # said once
    assert outage.failed(OSError("refused")) == 0.5  # a new outage: from the start
    err = capsys.readouterr().err.strip().splitlines()
    assert [line.split(" (")[0] for line in err] == [
        "warning: the broker is unreachable",
        "warning: the broker is unreachable",
        "the broker answers again",
        "warning: the broker is unreachable",
    ]


def test_the_sqlite_job_queue_needs_no_broker(tmp_path: Path) -> None:
    huey, task = make_huey(tmp_path, None)
    task(7)
    assert huey.dequeue().args == (7,)
