"""What a second attack on issue 12's categories found: a sentence splitter quadratic in the
stops that end no sentence, address ranges that Python 3.11 calls global, URLs no service
should take, output into a pipe or a device replaced by a file, a full disk under stdout, and
pages compressed unasked or cut off short, which were read as "binary" or "no article"."""

from __future__ import annotations

import gzip
import ipaddress
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from listen.audio import find_ffmpeg
from listen.cli import cli
from listen.publish.server import Settings, create_app
from listen.publish.server.guard import is_public
from listen.text import split_sentences
from tests.conftest import ROOT, SAMPLES, LocalServer

PAGE = SAMPLES / "almayadeen-en-cia-drones.html"
TOKEN = "s3cret-token"


# -- time ------------------------------------------------------------------------------------

#: Stops that end no sentence (a lower-case word follows, an abbreviation, an initial), and
#: ones that each end one: a pass that copied what is before or after each stop was quadratic.
SHAPES = {"lower": "word. ", "abbreviation": "Dr. ", "initial": "J. ", "ends": "Yes. "}


def _seconds(text: str) -> float:
    best = float("inf")
    for _ in range(2):
        started = time.process_time()  # this process's CPU: the machine's other work is not
        split_sentences(text, "en")
        best = min(best, time.process_time() - started)
    return best


def test_sentence_splitting_is_linear_in_the_block() -> None:
    """Four times the block takes about four times as long (quadratic would be sixteen)."""
    for name, unit in SHAPES.items():
        small, large = unit * 10_000, unit * 40_000
        ratio = _seconds(large) / max(_seconds(small), 1e-3)
        assert ratio < 10, f"{name}: 4x the input took {ratio:.1f}x the time"


def test_sentence_splitting_still_keeps_abbreviations_and_initials() -> None:
    text = "Dr. Smith met J. Doe in the U.S. on Monday. it was late. Then they left! «Mr. X» came."
    assert split_sentences(text, "en") == [
        "Dr. Smith met J. Doe in the U.S. on Monday. it was late.",
        "Then they left!",
        "«Mr. X» came.",
    ]


# -- addresses and URLs ----------------------------------------------------------------------


@pytest.mark.parametrize("address", ["192.0.0.8", "192.0.0.170", "192.0.0.1", "3fff::1"])
def test_ranges_some_pythons_call_global_are_refused(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["192.0.0.9", "192.0.0.10", "8.8.8.8"])
def test_the_global_anycast_addresses_beside_them_pass(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    settings = Settings(data_dir=tmp_path / "data", token=TOKEN, workers=0)
    return TestClient(create_app(settings))


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("https://example.org/" + "a" * 9000, "over the 8 KB limit"),
        ("https://user:pw@example.org/a", "user name or password"),
        ("https://user@example.org/a", "user name or password"),
    ],
)
def test_urls_the_service_takes_no_article_by(client: TestClient, url: str, needle: str) -> None:
    html = PAGE.read_text(encoding="utf-8")
    posted = client.post(
        "/v1/articles",
        json={"url": url, "html": html},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    listened = client.get("/v1/listen", params={"url": url})
    for answer in (posted, listened):
        assert answer.status_code == 400 and needle in answer.json()["error"]
    assert client.get("/v1/queue.json").json()["entries"] == []


# -- outputs ---------------------------------------------------------------------------------


def test_output_into_a_pipe_nobody_reads_is_one_line_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["script", "-o", str(fifo), str(PAGE)])
    assert time.monotonic() - started < 10
    assert result.exit_code == 1 and "nothing reads the pipe" in result.output
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still the pipe, not replaced by a file


def test_output_into_a_pipe_is_written_into_it(tmp_path: Path) -> None:
    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    received: list[bytes] = []
    # The reader opens the pipe first, as a shell's `listen script -o >(cat)` would.
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    time.sleep(0.3)
    result = CliRunner().invoke(cli, ["script", "-o", str(fifo), str(PAGE)])
    reader.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert b"CIA" in received[0] and stat.S_ISFIFO(fifo.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary file beside it


def test_an_mp3_into_a_pipe_is_the_audio_and_nothing_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`speak -o PIPE` (or /dev/null) twice: the pipe gets a whole MP3 each time, is never
    renamed over (the second run could link a stored episode), and no sidecar appears."""
    monkeypatch.setenv("LISTEN_CACHE_DIR", str(tmp_path / "cache"))
    fifo = tmp_path / "out" / "x.mp3"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    for _ in range(2):
        received: list[bytes] = []
        reader = threading.Thread(target=lambda got=received: got.append(fifo.read_bytes()))
        reader.daemon = True
        reader.start()
        proc = subprocess.run(
            [sys.executable, "-m", "listen", "speak", str(PAGE), "-o", str(fifo), "-q"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        reader.join(timeout=10)
        assert proc.returncode == 0, proc.stderr
        decoded = subprocess.run(
            [find_ffmpeg(), "-v", "error", "-f", "mp3", "-i", "pipe:0", "-f", "null", "-"],
            input=received[0], capture_output=True, timeout=60,
        )  # fmt: skip
        assert decoded.returncode == 0 and len(received[0]) > 100_000
        assert stat.S_ISFIFO(fifo.stat().st_mode)
        assert [p.name for p in fifo.parent.iterdir()] == ["x.mp3"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_full_disk_under_stdout_is_one_line() -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "listen", "script", str(PAGE)],
            cwd=ROOT,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    assert "cannot write the output: No space left on device" in lines[0]


# -- answers that are not what they say ------------------------------------------------------


def test_a_page_compressed_unasked_says_so(server: LocalServer) -> None:
    body = gzip.compress(b"<html><body><p>" + b"a" * 5_000_000 + b"</p></body></html>")
    url = server.add("/gz", body, headers={"Content-Encoding": "gzip"})
    result = CliRunner().invoke(cli, ["script", url])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {url} sent its page compressed (gzip), unasked"


def test_a_page_cut_off_short_of_its_length_says_so() -> None:
    page = PAGE.read_bytes()
    sock = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        conn, _ = sock.accept()
        with conn:
            conn.recv(65536)
            head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(page)}"
            conn.sendall(head.encode() + b"\r\n\r\n" + page[:2000])  # then the line drops

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/a"
    try:
        result = CliRunner().invoke(cli, ["script", url])
    finally:
        thread.join(timeout=10)
        sock.close()
    assert result.exit_code == 1
    assert f"was cut off: 2,000 of its {len(page):,} bytes came" in result.output


# -- addresses as people paste them -----------------------------------------------------------


def test_an_address_with_arabic_in_it_is_fetched(server: LocalServer) -> None:
    """What a browser's address bar shows (and people paste): non-ASCII, sent percent-encoded."""
    server.add("/%D9%85%D9%82%D8%A7%D9%84?q=%D8%A8", PAGE.read_bytes())
    result = CliRunner().invoke(cli, ["script", f"{server.base}/مقال?q=ب"])
    assert result.exit_code == 0, result.output
    assert "CIA" in result.output


@pytest.mark.parametrize("host", ["a..b", "%00", "ex%20ample.org", "a" * 64 + ".org"])
def test_a_host_dns_cannot_carry_is_one_line(host: str) -> None:
    result = CliRunner().invoke(cli, ["script", f"http://{host}/"])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: 'http://{host}/' names no valid host: '{host}'"


def test_the_allow_list_knows_a_name_in_either_form() -> None:
    from listen.publish.server.guard import HostGuard

    assert HostGuard(("bücher.de",)).host_allowed("xn--bcher-kva.de")
    assert HostGuard(("xn--bcher-kva.de",)).host_allowed("BÜCHER.de.")
    assert not HostGuard(("bücher.de",)).host_allowed("bucher.de")
