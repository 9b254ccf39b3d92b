"""Scale-out, end to end: one `listen serve` and two `listen worker`s on a real PostgreSQL and a
real Redis, with separate data folders and one shared media folder.

Twenty articles are posted; one worker is killed in the middle of a render; every article is
rendered exactly once. The English articles use a voice on the silent engine (this test is
about orchestration); the Spanish one is a real espeak-ng render, checked in its audio.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.conftest import ROOT, decode_mp3, rms
from tests.services import free_port, redis_server, wait_port

TOKEN = "scale-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SILENT_VOICE = """
id = "en-silent"
name = "English, silent (tests)"
language = "en"
engine = "silent"
rate = 1.0
pitch = 1.0
volume = 1.0
"""


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    try:
        with redis_server(tmp_path) as url:
            yield url
    except FileNotFoundError as exc:
        pytest.skip(str(exc))


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "listen", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def rows(db: str) -> list[dict[str, object]]:
    with psycopg.connect(db, row_factory=psycopg.rows.dict_row) as conn:
        return list(
            conn.execute(
                "SELECT id, uid, state, renders, claim_owner, audio, language FROM entries"
                " ORDER BY id"
            ).fetchall()
        )


def test_twenty_articles_two_workers_one_killed(
    tmp_path: Path, postgres_db: str, redis_url: str
) -> None:
    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "en-silent.toml").write_text(SILENT_VOICE, encoding="utf-8")
    media = tmp_path / "media"
    env = {
        **os.environ,
        "LISTEN_VOICES": str(voices),
        "LISTEN_API_TOKEN": TOKEN,
        "LISTEN_CACHE_DIR": str(tmp_path / "cache"),
    }
    shared = ["--db", postgres_db, "--broker", redis_url, "--media", str(media)]
    choose = ["--voice-for", "en=en-silent"]
    port = free_port()
    serve = start(
        ["serve", "--port", str(port), "--data", str(tmp_path / "web"), "--workers", "0",
         "--no-demo", *shared, *choose],
        env, tmp_path / "serve.log",
    )  # fmt: skip
    workers = [
        start(
            ["worker", "--data", str(tmp_path / f"w{i}"), "--workers", "1", *shared, *choose],
            env,
            tmp_path / f"w{i}.log",
        )
        for i in (1, 2)
    ]
    try:
        wait_port(port, serve)
        base = f"http://127.0.0.1:{port}"
        pages = [(short_story(n), f"https://example.org/news/{n}") for n in range(19)]
        pages.append((SPANISH, "https://example.org/es/puerto"))

        def post(page: tuple[str, str]) -> str:
            answer = httpx.post(
                f"{base}/v1/articles", json={"html": page[0], "url": page[1]}, headers=AUTH,
                timeout=60,
            )  # fmt: skip
            assert answer.status_code == 202, answer.text
            return str(answer.json()["id"])

        with ThreadPoolExecutor(4) as pool:
            ids = list(pool.map(post, pages))
        assert len(set(ids)) == 20

        # Kill the first worker in the middle of a render: its render process and itself.
        victim = workers[0]
        deadline = time.monotonic() + 30
        held = None
        while time.monotonic() < deadline and held is None:
            for row in rows(postgres_db):
                owner = str(row["claim_owner"] or "")
                pid = int(owner.split(":")[1]) if owner.count(":") >= 2 else 0
                if row["state"] == "rendering" and pid and _parent(pid) == victim.pid:
                    held = (row["id"], pid)
            time.sleep(0.01)
        assert held is not None, "the first worker never rendered anything"
        os.kill(held[1], signal.SIGKILL)
        victim.kill()
        victim.wait()

        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if all(r["state"] == "ready" for r in rows(postgres_db)):
                break
            time.sleep(0.2)
        final = rows(postgres_db)
        assert [r["state"] for r in final] == ["ready"] * 20, final
        assert [r["renders"] for r in final] == [1] * 20  # each rendered exactly once
        taken_over = next(r for r in final if r["id"] == held[0])
        assert taken_over["state"] == "ready"  # the killed worker's article was picked up

        for aid in ids:
            body = httpx.get(f"{base}/v1/articles/{aid}", timeout=10).json()
            assert body["state"] == "ready", body
        es = next(r for r in final if r["language"] == "es")
        decoded = decode_mp3(media / str(es["audio"]))
        assert decoded.duration_s > 10 and rms(decoded.pcm) > 500  # real speech
        audio = httpx.get(f"{base}/v1/articles/{es['uid']}/audio.mp3", timeout=10)
        assert audio.status_code == 200 and audio.content[:3] == b"ID3"
    finally:
        for proc in (*workers, serve):
            stop(proc)


PARAGRAPH = (
    "The harbour council met on {day} to hear the plans for the new ferry terminal, which "
    "would bring three more sailings a day to the island and shorten the trip to the mainland "
    "by almost half an hour for the people who work there."
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
SPANISH = (
    '<html lang="es"><head><title>El puerto tendrá una nueva terminal</title></head><body>'
    "<article><h1>El puerto tendrá una nueva terminal</h1>"
    "<p>El consejo del puerto aprobó el lunes los planes de la nueva terminal de transbordadores,"
    " que traerá tres salidas más cada día a la isla y acortará el viaje al continente.</p>"
    "<p>Los vecinos que trabajan en tierra firme ganarán casi media hora cada mañana, y las obras"
    " empezarán en primavera si el gobierno regional confirma la financiación prometida.</p>"
    "<p>La alcaldesa dijo que la terminal tendrá una sala de espera nueva, un aparcamiento para"
    " bicicletas y paneles solares en el tejado, y que no subirá el precio del billete.</p>"
    "<p>Los pescadores pidieron que el muelle antiguo siga abierto para sus barcos, y el consejo"
    " prometió estudiar la propuesta antes de la próxima reunión, prevista para junio.</p>"
    "</article></body></html>"
)


def short_story(n: int) -> str:
    paragraphs = "".join(f"<p>{PARAGRAPH.format(day=day)} Story {n}.</p>" for day in DAYS)
    return (
        f'<html lang="en"><head><title>Story {n}: the ferry terminal</title>'
        f'<link rel="canonical" href="https://example.org/news/story-{n}"></head>'
        f"<body><article><h1>Story {n}: the ferry terminal</h1>{paragraphs}</article>"
        "</body></html>"
    )


def _parent(pid: int) -> int:
    """The parent pid of ``pid`` (0 if it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    match = re.match(r".*\) \S+ (\d+)", stat)
    return int(match.group(1)) if match else 0
