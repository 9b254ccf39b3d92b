"""Fetching under attack and by mistake: deadlines, fetch slots, odd URLs and files, and
pages whose declared charset is wrong (issue 12, items 2 and 9 and the smaller ones)."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from listen import fetch
from listen.cli import cli
from listen.errors import Busy, ExtractionError, SourceError
from tests.conftest import LANGUAGE_SAMPLES, LocalServer
from tests.slow_upstream import Trickle, trickling, wait_for


@pytest.fixture
def trickle() -> Iterator[Trickle]:
    with trickling(interval=0.5) as server:
        yield server


@pytest.fixture
def warnings() -> Iterator[list[str]]:
    """The warnings `listen` logs (its logger does not propagate once the CLI has run)."""
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                seen.append(record.getMessage())

    logger = logging.getLogger("listen")
    handler = Keep()
    logger.addHandler(handler)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)


# -- deadlines ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/trickle", "/slow-headers"])
def test_a_trickling_server_is_cut_off_at_the_deadline(trickle: Trickle, path: str) -> None:
    start = time.monotonic()
    with pytest.raises(SourceError, match="did not finish within the 1 s fetch deadline"):
        fetch.fetch_bytes(trickle.base + path, timeout=5, deadline=1)
    assert time.monotonic() - start < 2.5
    assert wait_for(lambda: trickle.open == 0, 5)  # the connection is closed, not left open


def test_listen_script_on_a_trickle_ends_with_one_line(
    trickle: Trickle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LISTEN_FETCH_DEADLINE", "1")
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["script", trickle.base + "/trickle"])
    assert time.monotonic() - start < 3
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "fetch deadline" in lines[0], result.output


def test_the_default_deadline_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LISTEN_FETCH_DEADLINE", raising=False)
    assert 0 < fetch.default_deadline() <= 120
    monkeypatch.setenv("LISTEN_FETCH_DEADLINE", "soon")
    with pytest.raises(SourceError, match="not a number"):
        fetch.default_deadline()


def test_abort_all_ends_fetches_in_progress(trickle: Trickle) -> None:
    failures: list[Exception] = []

    def run() -> None:
        try:
            fetch.fetch_bytes(trickle.base + "/trickle", timeout=30, deadline=30)
        except SourceError as exc:
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    assert wait_for(lambda: trickle.open == 1)
    start = time.monotonic()
    assert fetch.abort_all() == 1
    thread.join(timeout=5)
    assert not thread.is_alive() and time.monotonic() - start < 2
    assert failures and "deadline" in str(failures[0])


# -- fetch slots ----------------------------------------------------------------------------


def test_fetch_slots_cap_each_host_and_the_total(
    trickle: Trickle, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    slots = fetch.Slots(total=2, per_host=1)
    monkeypatch.setattr(fetch, "SLOTS", slots)
    page = server.add("/a", "<p>hello</p>").replace("127.0.0.1", "localhost")

    def slow_fetch() -> None:
        with pytest.raises(SourceError):
            fetch.fetch_bytes(trickle.base + "/trickle", deadline=1)

    thread = threading.Thread(target=slow_fetch)
    thread.start()
    assert wait_for(lambda: slots.running() == 1)
    start = time.monotonic()
    with pytest.raises(Busy, match=r"from 127\.0\.0\.1"):
        fetch.fetch_bytes(trickle.base + "/trickle", busy_wait=0)
    assert time.monotonic() - start < 0.5  # refused at once: the caller's thread is free
    assert fetch.fetch_bytes(page, busy_wait=0).data == b"<p>hello</p>"  # another host may
    thread.join(timeout=5)
    assert slots.running() == 0 and not slots._busy  # nothing kept per host once done


def test_a_waiting_fetch_gets_the_next_free_slot() -> None:
    slots = fetch.Slots(total=1, per_host=1)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with slots.claim("a.example", 0):
            held.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    with pytest.raises(Busy, match="in all"):
        slots.claim("b.example", 0.05).__enter__()
    threading.Timer(0.2, release.set).start()
    start = time.monotonic()
    with slots.claim("b.example", 5):  # waits for the slot "a.example" gives back
        assert 0.1 < time.monotonic() - start < 2 and slots.running() == 1
    thread.join()
    assert slots.running() == 0


# -- URLs and files that no request can be made of ------------------------------------------


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("http://[::1", "not a valid URL"),
        ("http://[::1/a", "not a valid URL"),
        ("http://127.0.0.1:99999/a", "not a valid URL"),
        ("http://127.0.0.1:0/a", "port 0"),
        ("http://example.org/a b", "holds a space"),
        ("http://example.org/a\r\nHost: evil", "control character"),
        ("http://exa\tmple.org/", "control character"),
        ("http:///path-only", "names no host"),
    ],
)
def test_urls_no_request_can_be_made_of(url: str, needle: str) -> None:
    with pytest.raises(SourceError, match=needle) as caught:
        fetch.read_source(url)
    assert "Connection refused" not in caught.value.one_line()
    assert "\n" not in caught.value.one_line()


def test_the_cli_says_one_line_for_a_broken_url() -> None:
    for url in ("http://[::1", "http://127.0.0.1:99999/x", "http://a.example/x\ny"):
        result = CliRunner().invoke(cli, ["script", url])
        assert result.exit_code == 1, url
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert "internal error" not in result.output and "refused" not in result.output


def test_a_redirect_to_a_broken_url_is_refused(server: LocalServer) -> None:
    start = server.add("/r", b"", status=302, headers={"Location": "http://127.0.0.1:99999/"})
    with pytest.raises(SourceError, match="refusing redirect"):
        fetch.read_source(start)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "page.html"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            fetch.read_source(str(fifo))
        except BaseException as exc:  # the test reports whatever it was
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=3)
    if thread.is_alive():  # unblock the reader, so the test process can end
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    assert isinstance(outcome[0], SourceError) and "not a regular file" in str(outcome[0])


def test_a_path_through_a_file_says_so(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(SourceError, match="a part of the path is a file"):
        fetch.read_source(str(tmp_path / "file" / "page.html"))


# -- wrong declared charsets ----------------------------------------------------------------


def _arabic_body() -> str:
    doc = lxml_html.fromstring(LANGUAGE_SAMPLES["ar"].read_bytes())
    paras = [p.text_content().strip() for p in doc.iter("p")]
    text = "\n".join([f"<p>{p}</p>" for p in paras if len(p) > 40][:8])
    return text.encode("cp1256", "ignore").decode("cp1256")  # what both encodings can hold


def _page(meta: str | None, body: str) -> str:
    charset = f'<meta charset="{meta}">' if meta else ""
    return f"<html><head>{charset}<title>t</title></head><body>{body}</body></html>"


@pytest.mark.parametrize(
    ("declared", "actual", "needle"),
    [
        ("windows-1256", "utf-8", "but its text is UTF-8"),
        ("utf-8", "cp1256", "which does not decode it; detected cp1256"),
        (None, "cp1256", "which does not decode it; detected cp1256"),
        ("iso-8859-1", "cp1256", "which gives garbled text; detected cp1256"),
        ("idna", "utf-8", "unusable charset 'idna'"),
        ("undefined", "cp1256", "unusable charset 'undefined'"),
    ],
)
def test_a_wrong_charset_is_detected_and_said(
    declared: str | None, actual: str, needle: str, warnings: list[str]
) -> None:
    body = _arabic_body()
    text = fetch.decode_html(_page(declared, body).encode(actual), None, "page")
    assert body in text  # the Arabic itself, not mojibake
    assert len(warnings) == 1 and needle in warnings[0], warnings


def test_a_header_charset_that_is_no_charset(server: LocalServer, warnings: list[str]) -> None:
    for label in ("idna", "undefined", "x-no-such-thing"):
        url = server.add(
            f"/{label}",
            _page(None, "<p>Niño</p>").encode(),
            content_type=f"text/html; charset={label}",
        )
        assert "Niño" in fetch.read_source(url).html
    assert len(warnings) == 3 and all("charset" in w for w in warnings)


def test_a_right_charset_is_read_quietly(warnings: list[str]) -> None:
    spanish = "<p>El niño comió piñas en Málaga, «dijo» el señor Muñoz.</p>" * 20
    for label, codec in [("windows-1252", "cp1252"), ("iso-8859-1", "latin-1"), ("utf-8", "utf-8")]:
        assert spanish in fetch.decode_html(_page(label, spanish).encode(codec), None, "p")
    arabic = _arabic_body()
    assert arabic in fetch.decode_html(_page("windows-1256", arabic).encode("cp1256"), None, "p")
    assert warnings == []


def test_undecodable_text_is_not_called_binary(warnings: list[str]) -> None:
    page = _page("utf-8", _arabic_body()).encode("cp1256")
    text = fetch.decode_html(page, None, "page")
    assert "\ufffd" not in text


def test_binary_data_is_still_refused() -> None:
    with pytest.raises(ExtractionError, match="binary"):
        fetch.decode_html(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 8, None, "x")


def test_the_cli_warns_about_the_charset_and_speaks_arabic(tmp_path: Path) -> None:
    page = tmp_path / "ar.html"
    page.write_bytes(
        LANGUAGE_SAMPLES["ar"]
        .read_text(encoding="utf-8")
        .replace("<head>", '<head><meta charset="windows-1256">', 1)
        .encode("utf-8")
    )
    result = CliRunner().invoke(cli, ["script", str(page)])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stderr and "UTF-8" in result.stderr
    assert "ال" in result.stdout and "Ø" not in result.stdout


def test_queue_add_on_a_trickle_ends_with_one_line(
    trickle: Trickle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LISTEN_FETCH_DEADLINE", "1")
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["queue", "add", trickle.base + "/trickle"])
    assert time.monotonic() - start < 4
    assert result.exit_code == 1
    assert "fetch deadline" in result.output and "Traceback" not in result.output
