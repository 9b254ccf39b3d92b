"""fetch: files, stdin and http(s), each within its limits."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from listen import fetch
from listen.errors import ExtractionError, SourceError, TooLarge
from tests.conftest import LocalServer

PAGE = "<html><head><title>t</title></head><body><p>Hello</p></body></html>"


def test_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "a.html"
    path.write_text(PAGE, encoding="utf-8")
    page = fetch.read_source(str(path))
    assert page.html == PAGE
    assert page.source == str(path)
    assert page.url is None


def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        fetch.read_source(str(tmp_path / "nope.html"))


def test_directory_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="is a directory"):
        fetch.read_source(str(tmp_path))


def test_binary_input_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "image.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    with pytest.raises(ExtractionError, match="binary"):
        fetch.read_source(str(path))


def test_text_that_is_not_html_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.html"
    path.write_text("just some words, no markup at all\n" * 10)
    with pytest.raises(ExtractionError, match="does not look like HTML"):
        fetch.read_source(str(path))


def test_empty_input_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_bytes(b"  \n")
    with pytest.raises(ExtractionError, match="empty"):
        fetch.read_source(str(path))


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.html"
    path.write_bytes(b"<p>" + b"x" * 2048)
    with pytest.raises(TooLarge):
        fetch.read_source(str(path), max_bytes=1024)


def test_declared_charset_is_used(tmp_path: Path) -> None:
    path = tmp_path / "latin.html"
    path.write_bytes('<meta charset="iso-8859-1"><p>Señor Müller</p>'.encode("latin-1"))
    assert "Señor Müller" in fetch.read_source(str(path)).html


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(PAGE.encode())))
    page = fetch.read_source("-")
    assert page.html == PAGE
    assert page.source == "stdin"


def test_other_schemes_are_refused() -> None:
    with pytest.raises(SourceError, match="unsupported URL scheme"):
        fetch.read_source("ftp://example.org/a.html")


def test_fetches_html_with_an_honest_user_agent(server: LocalServer) -> None:
    url = server.add("/a", PAGE)
    page = fetch.read_source(url)
    assert page.html == PAGE
    assert page.url == url
    assert server.requests[0]["User-Agent"].startswith("listen/")


def test_header_charset_wins(server: LocalServer) -> None:
    url = server.add(
        "/l", "<p>Niño</p>".encode("latin-1"), content_type="text/html; charset=latin-1"
    )
    assert "Niño" in fetch.read_source(url).html


def test_non_html_response_is_refused(server: LocalServer) -> None:
    url = server.add("/j", b'{"a": 1}', content_type="application/json")
    with pytest.raises(ExtractionError, match="application/json, not an HTML page"):
        fetch.read_source(url)


def test_http_error_status(server: LocalServer) -> None:
    with pytest.raises(SourceError, match="HTTP 404"):
        fetch.read_source(server.base + "/missing")


def test_follows_a_redirect(server: LocalServer) -> None:
    target = server.add("/final", PAGE)
    start = server.add("/start", b"", status=302, headers={"Location": target})
    page = fetch.read_source(start)
    assert page.url == target


def test_redirect_loop_is_cut_short(server: LocalServer) -> None:
    server.add("/loop", b"", status=302, headers={"Location": server.base + "/loop"})
    with pytest.raises(SourceError, match="redirect"):
        fetch.read_source(server.base + "/loop")
    assert len(server.requests) <= fetch.MAX_REDIRECTS + 1


def test_redirect_to_another_scheme_is_refused(server: LocalServer) -> None:
    server.add("/ftp", b"", status=301, headers={"Location": "ftp://127.0.0.1/x"})
    with pytest.raises(SourceError, match="redirect"):
        fetch.read_source(server.base + "/ftp")


def test_oversized_body_is_refused(server: LocalServer) -> None:
    url = server.add("/big", b"<p>" + b"x" * 5000)
    with pytest.raises(TooLarge):
        fetch.read_source(url, max_bytes=1000)


def test_slow_server_times_out(server: LocalServer) -> None:
    url = server.add("/slow", PAGE, delay_s=1.0)
    with pytest.raises(SourceError, match="did not answer"):
        fetch.read_source(url, timeout=0.3)


def test_unreachable_host() -> None:
    with pytest.raises(SourceError, match="cannot reach"):
        fetch.read_source("http://127.0.0.1:9/closed")
