"""The CLI, through click's CliRunner: every command, and every bad input as one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from mutagen.id3 import ID3

import listen.export
from listen.cli import cli
from listen.errors import AudioError
from tests.conftest import ROOT, LocalServer, decode_mp3, rms


def run(*args: str, input: bytes | str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def assert_one_line_error(result: Result, needle: str) -> None:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and needle in lines[0], lines[0]
    assert "Traceback" not in result.output


def test_script_text(sample: Callable[[str], Path]) -> None:
    result = run("script", str(sample("almayadeen-en-cia")))
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "# CIA flying covert drone to spy on drug cartels in Mexico: CNN\n"
    )
    assert "\n[Image caption] An MQ-9 Reaper drone" in result.stdout


def test_script_json_and_ssml(sample: Callable[[str], Path]) -> None:
    path = str(sample("almayadeen-es"))
    data = json.loads(run("script", path, "--format", "json").stdout)
    assert data["language"] == "es"
    assert data["blocks"][0]["kind"] == "title"
    ssml = run("script", path, "--format", "ssml").stdout
    root = ET.fromstring(ssml.encode())
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"


def test_script_from_stdin_and_to_a_file(sample: Callable[[str], Path], tmp_path: Path) -> None:
    html = sample("almayadeen-ar").read_bytes()
    out = tmp_path / "script.json"
    result = run("script", "-", "--format", "json", "-o", str(out), input=html)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["language"] == "ar"


def test_script_over_http(sample: Callable[[str], Path], server: LocalServer) -> None:
    url = server.add("/news/a", sample("almayadeen-en-cia").read_bytes())
    result = run("script", url, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["title"].startswith("CIA flying covert drone")


def test_speak_renders_a_tagged_plausible_mp3(
    sample: Callable[[str], Path], tmp_path: Path
) -> None:
    out = tmp_path / "cia.mp3"
    result = run("speak", str(sample("almayadeen-en-cia")), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    audio = decode_mp3(out)
    words = len(
        " ".join(
            b["spoken"]
            for b in json.loads(
                run("script", str(sample("almayadeen-en-cia")), "--format", "json").stdout
            )["blocks"]
        ).split()
    )
    wpm = words / (audio.duration_s / 60)
    assert 120 <= wpm <= 220, wpm
    assert rms(audio.pcm) > 500
    tags = ID3(out)
    assert tags["TIT2"].text[0].startswith("CIA flying covert drone")
    assert tags["TALB"].text == ["Al Mayadeen English"]
    assert tags["TLAN"].text == ["eng"]
    assert tags["WOAS"].url.startswith("https://english.almayadeen.net/")
    assert "Ratcliffe" in tags.getall("USLT")[0].text


def test_speak_default_name_is_the_slug(
    sample: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("speak", str(sample("almayadeen-en-cia")), "--bitrate", "32")
    assert result.exit_code == 0, result.output
    out = tmp_path / "cia-flying-covert-drone-to-spy-on-drug-cartels-in-mexico-cnn.mp3"
    assert out.exists()
    assert str(out.name) in result.stderr


def test_voices_lists_every_profile_with_its_status() -> None:
    result = run("voices")
    assert result.exit_code == 0
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert lines[0] == "Voice profiles:" and "Engines:" in lines
    for vid in ("en", "ar", "es", "fallback"):
        assert any(line.startswith(vid + " ") and "ready (pyttsx3)" in line for line in lines), vid
    assert any(line.startswith("pyttsx3 ") and "ready" in line for line in lines)
    assert any(line.startswith("silent ") for line in lines)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["script", "{tmp}/missing.html"], "no such file"),
        (["speak", "{tmp}/missing.html", "-o", "{tmp}/out.mp3"], "no such file"),
        (["speak", "{section}", "-o", "{tmp}/out.mp3"], "no article found"),
        (["speak", "{binary}", "-o", "{tmp}/out.mp3"], "binary data"),
        (["speak", "{huge}", "-o", "{tmp}/out.mp3"], "larger than the 10 MB limit"),
        (["speak", "{malformed}", "-o", "{tmp}/out.mp3"], "no article found"),
        (["speak", "{cia}", "--language", "xx", "-o", "{tmp}/out.mp3"], "unknown language 'xx'"),
        (["speak", "{cia}", "--voice", "klingon", "-o", "{tmp}/out.mp3"], "please select one of"),
        (["speak", "http://127.0.0.1:9/a", "-o", "{tmp}/out.mp3"], "cannot reach"),
        (["speak", "{json_url}", "-o", "{tmp}/out.mp3"], "not an HTML page"),
        (["speak", "{missing_url}", "-o", "{tmp}/out.mp3"], "HTTP 404"),
    ],
)
def test_bad_input_is_one_line_and_leaves_nothing(
    args: list[str], needle: str, tmp_path: Path, sample: Callable[[str], Path], server: LocalServer
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    binary = inputs / "photo.html"
    binary.write_bytes(bytes(range(256)) * 64)
    huge = inputs / "huge.html"
    huge.write_bytes(b"<p>" + b"a " * (5 * 1024 * 1024 + 10))
    malformed = inputs / "bad.html"
    malformed.write_bytes(b"<html><body><div><p>unclosed <b>tags <<<>>> &&& </i></td>")
    values = {
        "tmp": str(tmp_path / "outdir"),
        "section": str(sample("almayadeen-en-section")),
        "cia": str(sample("almayadeen-en-cia")),
        "binary": str(binary),
        "huge": str(huge),
        "malformed": str(malformed),
        "json_url": server.add("/feed.json", b"{}", content_type="application/json"),
        "missing_url": server.base + "/gone",
    }
    (tmp_path / "outdir").mkdir()
    result = run(*[a.format(**values) for a in args])
    assert_one_line_error(result, needle)
    assert list((tmp_path / "outdir").iterdir()) == []


def test_missing_ffmpeg_is_one_line(
    sample: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing() -> str:
        raise AudioError("ffmpeg not found", hint="install it with `apt-get install ffmpeg`")

    # A render to a file needs no ffmpeg (LAME is linked in, through lameenc); streaming does.
    monkeypatch.setattr(listen.export, "find_ffmpeg", missing)
    result = run("speak", str(sample("almayadeen-en-cia")), "-o", "-", "-q")
    assert_one_line_error(result, "ffmpeg not found (install it with `apt-get install ffmpeg`)")
    assert result.stdout_bytes == b""  # nothing half-sent before the error


def _child(
    code: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


BLOCK_PYTTSX3 = "import sys; sys.modules['pyttsx3'] = None; from listen.cli import main; main()"


def test_without_pyttsx3_the_espeak_engine_speaks(
    sample: Callable[[str], Path], tmp_path: Path
) -> None:
    out = tmp_path / "es.mp3"
    result = _child(BLOCK_PYTTSX3, "speak", str(sample("almayadeen-es")), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert (
        "warning: pyttsx3 is not installed (install it with `pip install pyttsx3`); "
        "speaking with the espeak engine instead" in result.stderr
    )
    assert "engine espeak" in result.stderr
    assert rms(decode_mp3(out).pcm) > 500


def test_without_any_engine_the_error_says_what_to_install(
    sample: Callable[[str], Path], tmp_path: Path
) -> None:
    # No pyttsx3, no pip-shipped libespeak-ng, and no data for a system one: nothing speaks.
    no_engine = BLOCK_PYTTSX3.replace(
        "import sys;", "import sys; sys.modules['espeakng_loader'] = None;"
    )
    result = _child(
        no_engine,
        "speak",
        str(sample("almayadeen-en-cia")),
        "-o",
        str(tmp_path / "x.mp3"),
        env={"ESPEAK_DATA_PATH": str(tmp_path)},
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: pyttsx3 is not installed (install it with `pip install pyttsx3`)"
    ]
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_espeak_engine_from_the_command_line(sample: Callable[[str], Path], tmp_path: Path) -> None:
    out = tmp_path / "ar.mp3"
    result = _child(
        "from listen.cli import main; main()",
        "speak",
        str(sample("almayadeen-ar")),
        "--engine",
        "espeak",
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    tags = ID3(out)
    assert tags["TLAN"].text == ["ara"]
    assert decode_mp3(out).duration_s > 60


def test_interrupt_leaves_no_file(sample: Callable[[str], Path], tmp_path: Path) -> None:
    import signal
    import time

    html = sample("almayadeen-en-cia").read_text(encoding="utf-8")
    first = html.index("<p>", html.index('id="article-body"'))
    last = html.index("</p>", first) + len("</p>")
    # Thirty copies of the first paragraph: a render that takes well over the second we wait.
    long_page = tmp_path / "long.html"
    copies = "".join(html[first:last].replace("</p>", f" Copy {i}.</p>") for i in range(30))
    long_page.write_text(html[:first] + copies + html[last:], encoding="utf-8")
    out = tmp_path / "out" / "x.mp3"
    out.parent.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "listen", "speak", str(long_page), "-o", str(out), "-q"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "Traceback" not in err
    assert list(out.parent.iterdir()) == []


PIP_ONLY = """
import ctypes.util, shutil, sys
real_which = shutil.which
ctypes.util.find_library = lambda name: None          # no system libespeak-ng
shutil.which = lambda name, *a: None if name in ("ffmpeg", "espeak-ng") else real_which(name, *a)
from listen.cli import main
main()
"""


def test_a_machine_with_only_pip_packages_speaks_and_encodes(
    sample: Callable[[str], Path], tmp_path: Path
) -> None:
    """espeakng-loader's libespeak-ng and imageio-ffmpeg's ffmpeg stand in for the system's."""
    out = tmp_path / "pip-only.mp3"
    env = {k: v for k, v in os.environ.items() if k != "ESPEAK_DATA_PATH"}
    result = subprocess.run(
        [sys.executable, "-c", PIP_ONLY, "speak", str(sample("almayadeen-es")), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "engine espeak" in result.stderr  # pyttsx3 refuses the pip copy (see its check)
    assert rms(decode_mp3(out).pcm) > 500
