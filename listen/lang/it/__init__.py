"""italiano: a pack that names things (bylines, months, codes); its text gets the neutral clean-up.

A fuller pack adds ``rules`` (see ``listen/lang/fr``), a voice profile and a test table.
"""

from __future__ import annotations

from ..pack import Byline, LanguagePack

PACK = LanguagePack(
    code="it",
    iso639_2="ita",
    name="italiano",
    months=tuple(
        "gennaio febbraio marzo aprile maggio giugno "
        "luglio agosto settembre ottobre novembre dicembre".split()
    ),
    byline=Byline(
        "Di {}.",
        "Fonte: {}.",
        "{d} {m} {y}.",
        prefixes=("di", "scritto da", "a cura di"),
        source_words=("fonte",),
        and_=" e ",
    ),
)
