"""How much prose a text holds, in any script, and whether a page holds an article.

Words are counted where they are separated by spaces; in scripts written
without them (Chinese, Japanese, Thai, Lao, Khmer, Burmese) two characters
count as one word. Sentences end with the full stops of many scripts.
"""

from __future__ import annotations

import re

from lxml import etree

from listen.models import Block

# Full stops and question marks of many scripts (Urdu ۔, Devanagari ।, Burmese ။, Khmer ។,
# Tibetan །, Armenian ։, Ethiopic ።); Thai and Lao mark none (see is_prose).
SENTENCE_END = re.compile(r"[.!?؟。！？।॥۔။។།։።…]")
# Scripts written without spaces between words: there a character, not a word, is counted.
_UNSPACED = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]"
)


def words(text: str) -> float:
    """How many words ``text`` holds, in any script.

    Where words are not separated by spaces (Chinese, Japanese, Thai), two
    characters count as one word, about the length of a word there.
    """
    unspaced = len(_UNSPACED.findall(text))
    if not unspaced:
        return len(text.split())
    return len(_UNSPACED.sub(" ", text).split()) + unspaced / 2


def is_label(text: str) -> bool:
    """A short heading-like line with no sentence in it ("Related News", "Lea también:")."""
    return 0 < words(text) <= 4 and not re.search(r"[.!?؟。！？]$", text)


def looks_like_article(blocks: list[Block], page_chars: int, *, has_purpose: bool) -> bool:
    """Enough prose, counted in any script: menus and teaser grids have many words but
    no sentences.

    A short brief (two sentences or more) is an article. So is any short text
    that is nearly all the page says (a note, a one-line page), unless the page
    is a sign-in form, a player or an index (mostly links): there the text only
    labels what the page is for (a password box, a video with its one-line
    blurb, a list of links). Nor is a short text
    made mostly of symbols: that is what is left of broken markup, nor a notice
    about the page itself (JavaScript or cookies needed, a bot check, access
    denied, not found, sign in or subscribe to read on): a listener would hear
    the notice instead of the article it stands for.
    """
    texts = [b.text for b in blocks if b.kind in ("paragraph", "quote", "list_item", "heading")]
    prose = [t for t in texts if is_prose(t)]
    total = sum(words(t) for t in prose)
    longest = max((words(t) for t in prose), default=0)
    if total >= 50 and longest >= 15:
        return True
    sentences = sum(max(1, len(SENTENCE_END.findall(t))) for t in prose)
    if sentences >= 2 and total >= 15 and longest >= 8:
        return True
    chars = sum(len(t) for t in texts)
    if not chars or chars < 0.5 * page_chars or has_purpose:
        return False
    if any(_NOTICE.search(t) for t in texts):
        return False
    # What is left of broken markup ("tags <<<>>> &&&") is no note: mostly symbols.
    text = "".join("".join(t.split()) for t in texts)
    return len(_DEBRIS.findall(text)) <= 0.2 * len(text)


# Notices a site shows instead of its page, in the languages listen has packs for.
_NOTICE = re.compile(
    r"javascript|cookies?\b|captcha|\brobot\b|checking your browser|verify you are human"
    r"|access denied|acceso denegado|accès refusé|zugriff verweigert|forbidden"
    r"|not found|no encontrad|introuvable|nicht gefunden|\b40[34]\b"
    r"|(subscribe|sign in|log in|register) to (continue|read)"
    r"|(suscríbete|inicia sesión) para (seguir|leer|continuar)|abonnez-vous pour"
    r"|تفعيل|جافا ?سكريبت|غير موجودة|الصفحة المطلوبة",
    re.I,
)


_DEBRIS = re.compile(r"[^\w.,;:!?'\"()\[\]«»“”‘’„\-–—…،؛؟。、，！？]")


def is_prose(text: str) -> bool:
    """A sentence, or a run of words long enough to be one (Thai marks no sentence end)."""
    return bool(SENTENCE_END.search(text)) or words(text) >= 15


# What a page is for when its text is short: signing in, or playing a video or a sound.
PURPOSE_XPATH = etree.XPath(
    "//input[translate(@type, 'PASWORD', 'pasword')='password'] | //video | //audio"
    " | //iframe[re:test(@src, 'youtube|vimeo|dailymotion|player|video', 'i')]",
    namespaces={"re": "http://exslt.org/regular-expressions"},
)
