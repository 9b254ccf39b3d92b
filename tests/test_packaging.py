"""Packaging: the distribution's name, its extras, Python 3.13, the licence, what git ignores,
and a command line that works without the service's packages."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from listen.transcript import sidecar_paths
from tests.conftest import LANGUAGE_SAMPLES, ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
SERVICE_PACKAGES = ("starlette", "uvicorn", "huey", "redis", "prometheus_client")


def requirement_names(requirements: list[str]) -> set[str]:
    return {
        re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements
    }


def test_the_distribution_is_listen_aloud_with_its_extras() -> None:
    assert PROJECT["name"] == "listen-aloud"
    assert PROJECT["scripts"] == {"listen": "listen.cli:main"}
    core = requirement_names(PROJECT["dependencies"])
    extras = {k: requirement_names(v) for k, v in PROJECT["optional-dependencies"].items()}
    assert "pydub" not in core and "audioop-lts" not in core
    assert not core & {p.replace("_", "-") for p in SERVICE_PACKAGES}
    assert extras["serve"] == {p.replace("_", "-") for p in SERVICE_PACKAGES}
    assert "imageio-ffmpeg" not in core and extras["ffmpeg"] == {"imageio-ffmpeg"}
    assert "listen-aloud" in extras["dev"]  # the tests need the service and a bundled ffmpeg
    assert PROJECT["requires-python"] == ">=3.11"
    assert "Programming Language :: Python :: 3.13" in PROJECT["classifiers"]


def test_install_hints_name_the_distribution_not_the_unrelated_listen() -> None:
    wrong = re.compile(r"pip install (?:-e )?['\"]?listen(?:\[|['\"\s`)]|$)", re.M)
    texts = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "listen").rglob("*.py")]
    for path in texts:
        found = wrong.findall(path.read_text("utf-8"))
        assert not found, f"{path}: {found}"
    from listen.fetch import USER_AGENT

    assert "https://pypi.org/project/listen-aloud/" in USER_AGENT


def test_the_licence_is_the_full_mit_text_with_a_copyright_line() -> None:
    text = (ROOT / "LICENSE").read_text("utf-8")
    assert text.startswith("MIT License\n")
    assert re.search(r"^Copyright \(c\) \d{4} \S", text, re.M)
    assert "Permission is hereby granted, free of charge" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in text


def test_git_ignores_everything_the_first_readme_command_writes(tmp_path: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (or git is not installed)")
    mp3 = Path("cia.mp3")
    written = [mp3, *sidecar_paths(mp3).values()]
    for path in written:
        result = subprocess.run(
            ["git", "-C", str(ROOT), "check-ignore", "-q", "--no-index", str(path)],
            check=False,
        )
        assert result.returncode == 0, f"{path} is not ignored"
    tracked = subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "--no-index", "samples/x.script.json"],
        check=False,
    )
    assert tracked.returncode == 1  # golden files stay tracked


BLOCK_SERVICE = f"""
import sys
for name in {SERVICE_PACKAGES!r}:
    sys.modules[name] = None  # "not installed": importing it raises ImportError
from listen.cli import main
main()
"""


def test_the_command_line_works_without_the_service_packages(tmp_path: Path) -> None:
    def listen(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", BLOCK_SERVICE, *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )

    assert "speak" in listen("--help").stdout
    assert listen("script", str(LANGUAGE_SAMPLES["es"])).returncode == 0
    out = tmp_path / "es.mp3"
    spoken = listen("speak", str(LANGUAGE_SAMPLES["es"]), "-o", str(out), "-q")
    assert spoken.returncode == 0, spoken.stderr
    assert out.stat().st_size > 10_000
    assert listen("queue", "list", "--db", str(tmp_path / "q.db")).returncode == 0
    served = listen("serve", "--data", str(tmp_path / "d"))
    assert served.returncode != 0 and "Traceback" not in served.stderr
