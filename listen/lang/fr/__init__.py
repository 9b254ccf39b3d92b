"""French: the language pack, a small one (numbers, dates, times, money, abbreviations)."""

from __future__ import annotations

from ..pack import Byline, LanguagePack, frozen, messages
from . import rules

PACK = LanguagePack(
    code="fr",
    iso639_2="fra",
    name="français",
    normalizer=rules.language,
    months=tuple(rules.MONTHS),
    byline=Byline(
        "Par {}.",
        "Source : {}.",
        "{d} {m} {y}.",
        prefixes=("par", "écrit par", "texte de"),
        source_words=("source",),
        and_=" et ",
    ),
    date_words=frozenset(
        """mis à jour publié le h lundi mardi mercredi jeudi vendredi samedi dimanche""".split()
        + list(rules.MONTHS)
    ),
    abbreviations=frozenset(
        "m mme mlle dr pr me mgr etc env cf p. ex janv févr avr juil sept oct nov déc".split()
    ),
    noise=(r"\d+\s*(partages?|min(utes?)?\s+de\s+lecture)", r"écouter|partager|publicité"),
    labels=frozen({"caption": "Légende :", "quote": "Citation :"}),
    caption_mark="Légende",
    messages=messages(__file__),
)
