"""Arabic: the language pack (rules, number words, and the short vowels in ``vowels``)."""

from __future__ import annotations

from ..pack import Byline, LanguagePack, frozen, messages
from . import rules, vowels

PACK = LanguagePack(
    code="ar",
    iso639_2="ara",
    name="العربية",
    normalizer=rules.language,
    months=tuple(rules.MONTHS),
    byline=Byline(
        "بقلم {}.",
        "المصدر: {}.",
        "{d} {m} {y}.",
        prefixes=("بقلم", "كتب", "كتبت"),
        source_words=("المصدر", "المصادر"),
        comma="، ",
        and_=" و ",
    ),
    date_words=frozenset(
        """تحديث آخر نشر بتاريخ في الساعة صباحا مساء صباحاً مساءً غرينتش بتوقيت الاثنين
        الثلاثاء الأربعاء الخميس الجمعة السبت الأحد""".split()
        + [word for month in rules.MONTH_NAMES for word in month.split()]
    ),
    noise=(r"استمع|مشاركة|إعلان", r"\d+\s*(دقائق|دقيقة)\s*(للقراءة|قراءة)?"),
    labels=frozen({"caption": "تعليق الصورة:", "quote": "اقتباس:"}),
    caption_mark="تعليق الصورة",
    messages=messages(__file__),
    rtl=True,
    vowel=vowels.vowel,
    finish=vowels.shadda_first,
)
