"""The command line at its edges: a reader that goes away, the help it prints, the stream's tag."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner
from mutagen.id3 import ID3

from listen.cli import cli
from tests.conftest import LANGUAGE_SAMPLES


def listen_cmd(*args: str, env: dict[str, str] | None = None) -> list[str]:
    return [sys.executable, "-m", "listen", *args]


def read_then_close(args: list[str], count: int, tmp_path: Path) -> tuple[bytes, int, str]:
    """Run ``args``, read ``count`` bytes of its stdout, close the pipe like ``head`` does."""
    proc = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env={**os.environ, "LISTEN_DEBUG": ""},
    )
    assert proc.stdout is not None and proc.stderr is not None
    head = proc.stdout.read(count)
    proc.stdout.close()
    errors = proc.stderr.read().decode()
    return head, proc.wait(timeout=60), errors


def test_streaming_into_a_reader_that_stops_early_is_a_quiet_normal_end(tmp_path: Path) -> None:
    head, code, errors = read_then_close(
        listen_cmd("speak", str(LANGUAGE_SAMPLES["en"]), "-o", "-", "-q", "--no-cache"),
        100,
        tmp_path,
    )
    assert len(head) == 100
    assert (code, errors) == (0, "")


def test_the_streamed_mp3_starts_with_an_id3v2_tag(tmp_path: Path) -> None:
    out = subprocess.run(
        listen_cmd("speak", str(LANGUAGE_SAMPLES["es"]), "-o", "-", "-q"),
        capture_output=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    assert out[:3] == b"ID3" and out[3] == 4  # ID3v2.4
    path = tmp_path / "streamed.mp3"
    path.write_bytes(out)
    tags = ID3(path)
    assert "remesas" in tags["TIT2"].text[0]
    assert tags.getall("APIC") and tags.getall("USLT")
    assert out.count(b"ID3\x04") == 1  # ffmpeg adds no second tag


def test_a_list_cut_short_by_head_is_a_quiet_normal_end(tmp_path: Path) -> None:
    for sample in LANGUAGE_SAMPLES.values():
        subprocess.run(listen_cmd("queue", "add", str(sample)), check=True, capture_output=True)
    _, code, errors = read_then_close(listen_cmd("queue", "list", "--json"), 10, tmp_path)
    assert (code, errors) == (0, "")
    _, code, errors = read_then_close(
        listen_cmd("script", str(LANGUAGE_SAMPLES["ar"])), 10, tmp_path
    )
    assert (code, errors) == (0, "")


def test_top_level_help_shows_each_command_s_whole_first_sentence() -> None:
    result = CliRunner().invoke(cli, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    shown = " ".join(result.output.split("Commands:")[1].split())
    assert "..." not in shown
    for command in cli.commands.values():
        first = " ".join((command.help or "").split("\n\n")[0].split()).split(". ")[0]
        wanted = command.short_help or first  # a command's own short_help wins
        assert wanted and wanted in shown, command.name


def test_every_option_of_speak_and_queue_render_has_help() -> None:
    for command in (["speak"], ["queue", "render"], ["feed", "build"]):
        result = CliRunner().invoke(cli, [*command, "--help"], terminal_width=200)
        assert result.exit_code == 0
        group: Any = cli
        for name in command:
            group = group.commands[name] if hasattr(group, "commands") else group
        missing = [p.name for p in group.params if isinstance(p, click.Option) and not p.help]
        assert missing == [], f"{' '.join(command)}: no help for {missing}"


def test_ctrl_c_while_the_commands_load_is_an_abort_not_a_traceback(tmp_path: Path) -> None:
    # Ctrl-C arrives while listen.cli is being imported: the moment it imports click, which
    # comes after its handler is set and before the (slow) command modules load.
    child = """
import os, signal, sys

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == "click":
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlC())
from listen.cli import main
main()
"""
    result = subprocess.run(
        [sys.executable, "-c", child, "speak", str(LANGUAGE_SAMPLES["en"]), "-o", "x.mp3"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 130
    assert "Traceback" not in result.stderr and result.stderr.strip() == "Aborted!"
    assert list(tmp_path.iterdir()) == []
