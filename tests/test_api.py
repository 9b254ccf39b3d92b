"""The public Python API: names load lazily and work as the README shows."""

from __future__ import annotations

import subprocess
import sys

import listen
from tests.conftest import ROOT


def test_normalize_is_callable_from_the_package() -> None:
    assert (
        listen.normalize("It costs $220m.", "en") == "It costs two hundred twenty million dollars."
    )
    from listen import lang  # the language packs; importing them must not hide the function

    assert lang.normalize is listen.normalize
    assert listen.normalize("3.5%", "en") == "three point five percent"


def test_script_from_html(sample) -> None:  # type: ignore[no-untyped-def]
    script = listen.script_from_html(sample("almayadeen-es").read_text(encoding="utf-8"))
    assert isinstance(script, listen.Script)
    data = script.to_dict()
    assert data["language"] == "es" and data["blocks"][0]["kind"] == "title"


def test_import_is_cheap() -> None:
    code = "import sys, listen; print('trafilatura' in sys.modules, listen.__version__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.split() == ["False", listen.__version__]


def test_unknown_attribute() -> None:
    try:
        listen.nothing_here  # noqa: B018
    except AttributeError as exc:
        assert "nothing_here" in str(exc)
    else:
        raise AssertionError("expected AttributeError")
