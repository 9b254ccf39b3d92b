"""Pages are read in worker processes, never in the web process's threads (cpu.Pool): a job
comes back with its result or its own exception, one over its deadline is killed with its
process and refused in one line, and closing the pool (SIGTERM) ends a job at once."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from listen.errors import Busy, ExtractionError
from listen.publish.server import Settings, create_app
from listen.publish.server.cpu import Pool
from tests.conftest import SAMPLES

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def pool() -> Pool:
    return Pool(1, warm=()).start()


def test_a_job_runs_in_another_process(pool: Pool) -> None:
    assert pool.call(10, os.getpid) != os.getpid()
    assert pool.call(10, json.loads, b'{"a": [1, 2]}') == {"a": [1, 2]}


def test_a_job_brings_back_its_own_exception(pool: Pool) -> None:
    with pytest.raises(json.JSONDecodeError):
        pool.call(10, json.loads, b"{nope")
    with pytest.raises(RecursionError):
        pool.call(10, json.loads, b"[" * 100_000)


def test_a_job_over_its_deadline_is_killed_and_the_next_one_runs(pool: Pool) -> None:
    worker = pool.call(10, os.getpid)
    start = time.monotonic()
    with pytest.raises(ExtractionError, match=r"took over 0\.5 s"):
        pool.call(0.5, time.sleep, 60)
    assert time.monotonic() - start < 5
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)  # killed, not left running for a client that has gone
    assert pool.call(30, os.getpid) not in (worker, os.getpid())  # a fresh process


def test_closing_the_pool_ends_a_job_at_once() -> None:
    pool = Pool(1, warm=()).start()
    outcome: list[BaseException] = []

    def wait() -> None:
        try:
            pool.call(60, time.sleep, 60)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=wait)
    thread.start()
    time.sleep(0.5)
    start = time.monotonic()
    pool.close()
    thread.join(timeout=10)
    assert time.monotonic() - start < 5 and isinstance(outcome[0], Busy)
    with pytest.raises(Busy):
        pool.call(1, os.getpid)


def test_the_service_reads_pages_elsewhere_and_bounds_their_time(tmp_path: Path) -> None:
    page = (SAMPLES / "almayadeen-en-cia-drones.html").read_text(encoding="utf-8")
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body = {"html": page, "url": "https://example.org/a"}
    fine = Settings(data_dir=tmp_path / "a", token=TOKEN, workers=0)
    with TestClient(create_app(fine)) as client:
        assert client.post("/v1/articles", json=body, headers=headers).status_code == 202
    # A deadline no page can meet: the answer is one line, and the service goes on.
    hasty = Settings(data_dir=tmp_path / "b", token=TOKEN, workers=0, page_deadline_s=0.001)
    with TestClient(create_app(hasty)) as client:
        answer = client.post("/v1/articles", json=body, headers=headers)
        assert answer.status_code == 422 and "took over" in answer.json()["error"]
        assert client.get("/healthz").status_code == 200


def test_a_worker_that_died_idle_is_replaced(pool: Pool) -> None:
    worker = pool.call(10, os.getpid)
    os.kill(worker, signal.SIGKILL)  # as the OOM killer would
    time.sleep(0.3)
    assert pool.call(30, os.getpid) not in (worker, os.getpid())
