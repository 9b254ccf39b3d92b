"""English: the language pack (rules in ``rules``, number words in ``numbers``)."""

from __future__ import annotations

from ..pack import Byline, LanguagePack, frozen, messages
from . import rules, tables

PACK = LanguagePack(
    code="en",
    iso639_2="eng",
    name="English",
    normalizer=rules.language,
    months=tuple(tables.MONTH_NUMBERS.values()),
    byline=Byline(
        "By {}.",
        "Source: {}.",
        "{d} {m} {y}.",
        prefixes=("by", "written by", "posted by", "reported by", "words by", "story by"),
        source_words=("source", "sources"),
    ),
    date_words=frozenset(
        """updated published at am pm a.m p.m gmt utc est edt et cet bst pst pdt mon tue wed thu
        fri sat sun monday tuesday wednesday thursday friday saturday sunday jan feb mar apr may
        jun jul aug sep sept oct nov dec""".split()
    ),
    abbreviations=frozenset(
        """mr mrs ms dr prof gen lt col maj capt cmdr sgt st no vs e.g i.e approx jan feb mar apr
        jun jul aug sep sept oct nov dec sen rep gov pres jr sr u.s u.k u.n inc co corp ltd mt ft
        rev fig p.m a.m""".split()
    ),
    noise=(
        r"\d+\s*(shares?|min(ute)?s?\s+read|comments?|views?)",
        r"listen|share( this)?:?|like this:?|advertisement|ad feedback|min read",
    ),
    labels=frozen({"caption": "Image caption:", "quote": "Quote:"}),
    caption_mark="Image caption",
    messages=messages(__file__),
)
