"""português: a pack that names things (bylines, months, codes); its text gets the neutral clean-up.

A fuller pack adds ``rules`` (see ``listen/lang/fr``), a voice profile and a test table.
"""

from __future__ import annotations

from ..pack import Byline, LanguagePack

PACK = LanguagePack(
    code="pt",
    iso639_2="por",
    name="português",
    months=tuple(
        "janeiro fevereiro março abril maio junho "
        "julho agosto setembro outubro novembro dezembro".split()
    ),
    byline=Byline(
        "Por {}.",
        "Fonte: {}.",
        "{d} de {m} de {y}.",
        prefixes=("por", "escrito por", "texto de"),
        source_words=("fonte",),
        and_=" e ",
    ),
)
