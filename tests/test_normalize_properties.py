"""Properties of ``normalize`` no table can show: it never raises and never drops a word."""

from __future__ import annotations

import re
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from listen.lang import normalize as _normalize
from listen.lang.en import rules as en
from listen.lang.es import rules as es

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = {
    "en": (
        "the a an of and to in is was said government minister people war city report "
        "new year week talks army border peace water health school children they we she "
        "he it their after before during under over about against between president "
        "market prices rose fell sharply quietly early late north south capital forces "
        "agreement statement officials village hospital attack strike election vote"
    ).split(),
    "es": (
        "el la los las de del y en que un una por con para fue dijo gobierno ministro "
        "guerra ciudad informe nuevo año semana ejército frontera paz agua salud escuela "
        "niños ellos nosotros ella él su después antes durante sobre contra entre "
        "presidente mercado precios subieron cayeron norte sur capital fuerzas acuerdo "
        "mar marzo mayo hoy ayer señor señora sede elección voto ataque hospital pueblo"
    ).split(),
    "ar": (
        "في من إلى على عن قال الحكومة الوزير الناس الحرب المدينة تقرير جديد عام أسبوع "
        "محادثات الجيش الحدود السلام الماء الصحة المدرسة الأطفال هم نحن هي هو بعد قبل "
        "خلال حول ضد بين الرئيس السوق الأسعار ارتفعت انخفضت الشمال الجنوب العاصمة القوات "
        "اتفاق بيان مسؤولون قرية مستشفى هجوم غارة انتخابات تصويت المقاومة لبنان غزة"
    ).split(),
}
ALPHABETS = {
    "en": "abcdefghijklmnopqrstuvwxyz",
    "es": "abcdefghijklmnñopqrstuvwxyzáéíóúü",
    "ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى",
}
#: Written forms that are abbreviations even without a dot; prose made for the
#: property must not contain them (they are meant to be expanded).
ABBREVIATED = {
    "en": {k.lower() for k in en.ABBREVIATIONS if k.isalpha()},
    "es": {k.lower() for k in es.ABBREVIATIONS if k.isalpha()},
    "ar": {"إلخ"},
}
PUNCTUATION = ["", "", "", ",", ".", "?", "!", ";", ":", "،", "؟"]
LANGUAGES = ("en", "es", "ar")


#: A rule that raises must fail the test, not fall back silently.
normalize = partial(_normalize, strict=True)


@st.composite
def prose(draw: st.DrawFn, language: str) -> str:
    made_up = st.text(alphabet=ALPHABETS[language], min_size=1, max_size=9)
    word = st.one_of(st.sampled_from(WORDS[language]), made_up).filter(
        lambda w: w.lower() not in ABBREVIATED[language]
    )
    words = draw(st.lists(word, min_size=1, max_size=25))
    if language != "ar" and draw(st.booleans()):
        words[0] = words[0].capitalize()
    marks = draw(st.lists(st.sampled_from(PUNCTUATION), min_size=len(words), max_size=len(words)))
    return " ".join(w + p for w, p in zip(words, marks, strict=True))


def words_of(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text.casefold())


def is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(any(word == candidate for candidate in it) for word in needle)


@pytest.mark.parametrize("language", [*LANGUAGES, "fr", "en-GB", "es-MX", "ar-LB"])
@SETTINGS
@given(text=st.text())
def test_never_raises(language: str, text: str) -> None:
    result = normalize(text, language)
    assert isinstance(result, str)
    assert result == result.strip() and "  " not in result


@pytest.mark.parametrize("language", LANGUAGES)
@SETTINGS
@given(data=st.data())
def test_never_raises_on_news_like_text(language: str, data: st.DataObject) -> None:
    """Digits, symbols and capitals around words: where the rules actually fire."""
    pieces = st.one_of(
        st.sampled_from(WORDS[language]),
        st.from_regex(r"[$€£]?[0-9]{1,7}([.,][0-9]{1,3})?(%|°C|km|m|bn|st|th)?", fullmatch=True),
        st.from_regex(r"[A-Z]{1,6}(\.[A-Z])*\.?", fullmatch=True),
        st.from_regex(r"[0-9]{1,2}[:/.-][0-9]{1,2}([:/.-][0-9]{2,4})?", fullmatch=True),
        st.sampled_from(list("()[]—–-…\"'“”«»&#@/+=%$€£°٪٫٬٠١٢٣٤٥٦٧٨٩،؟")),
    )
    text = " ".join(data.draw(st.lists(pieces, max_size=30)))
    assert isinstance(normalize(text, language), str)


@pytest.mark.parametrize("language", LANGUAGES)
@SETTINGS
@given(data=st.data())
def test_never_loses_a_word_of_ordinary_prose(language: str, data: st.DataObject) -> None:
    text = data.draw(prose(language))
    spoken = normalize(text, language)
    assert is_subsequence(words_of(text), words_of(spoken)), (text, spoken)


@pytest.mark.parametrize("language", LANGUAGES)
@SETTINGS
@given(data=st.data())
def test_prose_is_a_fixed_point(language: str, data: st.DataObject) -> None:
    """Ordinary prose is already speech; normalising its spoken form changes nothing more."""
    spoken = normalize(data.draw(prose(language)), language)
    assert normalize(spoken, language) == spoken
