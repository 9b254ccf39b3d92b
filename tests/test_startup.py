"""What `listen --help` and `listen script` import: only what they use (a structure test).

How fast the command starts is measured in bench/ (`python -X importtime`,
and the `listen --help` row); this only keeps heavy stacks out of the way.
"""

from __future__ import annotations

import json
import subprocess
import sys

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
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def imported(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_help_imports_no_heavy_stack() -> None:
    modules = imported("--help")
    assert "click" in modules
    assert not modules & (AUDIO | SERVER | EXTRACTION)


def test_script_imports_extraction_but_no_audio_or_server() -> None:
    sample = str(ROOT / "samples" / "almayadeen-en-cia-drones.html")
    modules = imported("script", sample)
    assert "trafilatura" in modules
    assert not modules & (AUDIO | SERVER)
