"""Deutsch: a pack that names things (bylines, months, codes); its text gets the neutral clean-up.

A fuller pack adds ``rules`` (see ``listen/lang/fr``), a voice profile and a test table.
"""

from __future__ import annotations

from ..pack import Byline, LanguagePack

PACK = LanguagePack(
    code="de",
    iso639_2="deu",
    name="Deutsch",
    months=tuple(
        "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()
    ),
    byline=Byline(
        "Von {}.",
        "Quelle: {}.",
        "{d}. {m} {y}.",
        prefixes=("von", "text von", "geschrieben von"),
        source_words=("quelle",),
        and_=" und ",
    ),
)
