"""What `listen --help` and `listen script` import: only what they use (a structure test).

How fast the command starts is measured in bench/ (`python -X importtime`,
and the `listen --help` row); this only keeps heavy stacks out of the way.
"""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from listen.cli import COMMANDS, cli
from listen.cli.shortcut import Plain, parse
from tests.conftest import ROOT

AUDIO = {"numpy", "lameenc", "mutagen", "pyttsx3", "PIL"}
SERVER = {"starlette", "uvicorn", "huey", "redis", "prometheus_client"}
EXTRACTION = {"trafilatura", "lxml", "justext", "courlan", "langdetect"}

PROBE = """
import json, sys
from listen.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="listen", standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def imported_modules(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def imported(*args: str) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(*args)}


def test_help_imports_no_heavy_stack() -> None:
    modules = imported_modules("--help")
    tops = {name.split(".")[0] for name in modules}
    assert "click" in tops
    assert not tops & (AUDIO | SERVER | EXTRACTION)
    # No command module, no plug-in scan, no logging: the summaries come from one table.
    assert {m for m in modules if m.startswith("listen.cli.")} <= {"listen.cli.root"}
    assert not modules & {"importlib.metadata", "logging", "multiprocessing", "listen.models"}


def test_the_command_table_is_what_the_commands_say() -> None:
    ctx = click.Context(cli)
    for name, (_, summary) in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None, name
        assert command.get_short_help_str(limit=200) == summary, name
    assert set(cli.commands) == set(COMMANDS)  # every command is in the table


def test_script_imports_extraction_but_no_audio_or_server() -> None:
    sample = str(ROOT / "samples" / "almayadeen-en-cia-drones.html")
    modules = imported("script", sample)
    assert "trafilatura" in modules
    assert not modules & (AUDIO | SERVER)


@pytest.mark.parametrize(
    ("args", "plain"),
    [
        (["speak", "a.html"], Plain("a.html", None, False)),
        (["speak", "-q", "a.html", "-o", "x.mp3"], Plain("a.html", "x.mp3", True)),
        (["speak", "--output=out/", "a.html", "--quiet"], Plain("a.html", "out/", True)),
        (["speak", "a.html", "--bitrate", "48"], None),  # any other option: click's
        (["speak", "a.html", "-o", "-"], None),  # a stream
        (["speak", "-"], None),  # stdin
        (["speak", "a.html", "b.html"], None),
        (["speak", "*.html"], None),
        (["speak", "https://example.org/a"], None),
        (["speak", "a.html", "-o", "x.mp3", "-o", "y.mp3"], None),
        (["speak", "a.html", "-o"], None),
        (["script", "a.html"], None),
        ([], None),
    ],
)
def test_the_shortcut_answers_only_the_plain_form(args: list[str], plain: Plain | None) -> None:
    assert parse(args) == plain


def test_a_setting_from_the_environment_goes_to_click(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LISTEN_VOICE", "en-piper")
    assert parse(["speak", "a.html"]) is None
