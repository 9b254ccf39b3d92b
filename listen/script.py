"""Article -> ``Script``: spoken forms, sentences and pauses, and the script's three printed forms.

Each block's written text is split into sentences, and each sentence is
normalised on its own, so a sentence's written and spoken forms always stay
paired (transcripts show one, the engine reads the other). Captions and
quotes are introduced by the words the voice profile gives for them.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from listen.lang import base_code, normalize, pack
from listen.models import Article, Block, Script, Segment, Sentence
from listen.text import split_sentences

if TYPE_CHECKING:
    from listen.lexicon import Lexicon, LexiconEntry
    from listen.voices import VoiceProfile

SSML_NS = "http://www.w3.org/2001/10/synthesis"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def load_lexicon(voice: VoiceProfile) -> Lexicon | None:
    if not voice.lexicons:
        return None
    from listen.lexicon import load_lexicons

    return load_lexicons(voice.lexicons)


def build_script(
    article: Article | Script,
    voice: VoiceProfile,
    *,
    phonemes: Callable[[LexiconEntry], str | None] | None = None,
) -> Script:
    """Give every block its sentences and spoken form for ``voice`` (a script gets them anew)."""
    lexicon = load_lexicon(voice)
    language = article.language
    speech = speech_language(language, voice.language, article.url)
    blocks = []
    for block in article.blocks:
        sentences = []
        # The byline is ours ("By X. Source: Y. 18 February 2025."): each part is a sentence,
        # even where a general splitter would keep "CNN. 18" together.
        parts = (
            re.split(r"(?<=\.)\s+", block.text)
            if block.kind == "byline"
            else split_sentences(block.text, language)
        )
        for written in parts:
            spoken = normalize(written, speech, lexicon, phonemes, vowel=True)
            if spoken.strip():
                sentences.append(Sentence(written, spoken))
        label = _label(voice, language, block.kind)
        if label and sentences:
            first = sentences[0]
            sentences[0] = Sentence(first.text, f"{label} {first.spoken}")
        if not sentences:
            continue
        spoken_block = " ".join(s.spoken for s in sentences)
        blocks.append(Block(block.kind, block.text, spoken_block, tuple(sentences)))
    return Script(
        title=article.title,
        language=language,
        blocks=tuple(blocks),
        byline=article.byline,
        author=article.author,
        published=article.published,
        site=article.site,
        url=article.url,
        voice=voice.id,
    )


def segments(script: Script, voice: VoiceProfile) -> Iterator[Segment]:
    """The script as sentences in reading order, each with its following pause."""
    sentence_pause = voice.pauses.get("sentence", 0)
    for b, block in enumerate(script.blocks):
        last = len(block.sentences) - 1
        for s, sentence in enumerate(block.sentences):
            pause = voice.pause_after(block.kind) if s == last else sentence_pause
            yield Segment(b, s, block.kind, sentence.text, sentence.spoken, pause)


_MARKS = {
    "title": "# {}",
    "byline": "_{}_",
    "summary": "**{}**",
    "heading": "## {}",
    "caption": "[{label}] {}",
    "quote": "> {}",
    "list_item": "- {}",
    "paragraph": "{}",
}


#: Country-code domains whose two letters are not the ISO 3166 region.
_TLD_REGIONS = {"uk": "GB"}
_GENERIC_TLDS = frozenset({"co", "tv", "me", "io", "ai", "fm", "ly"})


def speech_language(language: str, voice_language: str, url: str | None) -> str:
    """The language variant the text is read in: the page's, else the profile's, else the site's.

    "$300" is pesos on a Mexican site or with an es-MX profile, dollars on a
    Spanish one; a page that declares "es-MX" itself says so already.
    """
    base, region = base_code(language)
    if region or not base:
        return language
    voice_base, voice_region = base_code(voice_language)
    if voice_region and voice_base == base:
        return f"{base}-{voice_region}"
    host = urlsplit(url or "").hostname or ""
    tld = host.rsplit(".", 1)[-1].lower() if "." in host else ""
    if len(tld) == 2 and tld.isalpha() and tld not in _GENERIC_TLDS:
        return f"{base}-{_TLD_REGIONS.get(tld, tld.upper())}"
    return language


def _label(voice: VoiceProfile, language: str, kind: str) -> str | None:
    """The words that introduce a caption or a quote: the profile's, else the language's."""
    found = pack(language)
    return voice.label(kind) or (found.label(kind) if found else None)


def to_text(script: Script, *, spoken: bool = False) -> str:
    """The script as Markdown-like text: headings, captions and quotes visibly marked."""
    # In the spoken form a caption already starts with the profile's own label.
    found = pack(script.language) or pack("en")
    label = "caption" if spoken or found is None else found.caption_mark
    lines = []
    for block in script.blocks:
        body = block.spoken if spoken else block.text
        lines.append(_MARKS[block.kind].format(body, label=label))
    return "\n\n".join(lines) + "\n"


def to_json(script: Script) -> str:
    return json.dumps(script.to_dict(), ensure_ascii=False, indent=2) + "\n"


def to_ssml(script: Script, voice: VoiceProfile) -> str:
    """Well-formed SSML 1.1: <p>/<s> per block and sentence, <break> for every pause,
    and lexicon substitutions shown as <sub alias="...">."""
    ET.register_namespace("", SSML_NS)
    speak = ET.Element(f"{{{SSML_NS}}}speak", {"version": "1.1", XML_LANG: script.language})
    lexicon = load_lexicon(voice)
    speech = speech_language(script.language, voice.language, script.url)
    for block in script.blocks:
        p = ET.SubElement(speak, f"{{{SSML_NS}}}p")
        for i, sentence in enumerate(block.sentences):
            s = ET.SubElement(p, f"{{{SSML_NS}}}s")
            label = _label(voice, script.language, block.kind) if i == 0 else None
            _fill_sentence(s, sentence, speech, lexicon, label)
            if i < len(block.sentences) - 1 and voice.pauses.get("sentence"):
                ET.SubElement(p, f"{{{SSML_NS}}}break", {"time": f"{voice.pauses['sentence']}ms"})
        pause = voice.pause_after(block.kind)
        if pause:
            ET.SubElement(speak, f"{{{SSML_NS}}}break", {"time": f"{pause}ms"})
    ET.indent(speak, space="  ")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(speak, encoding="unicode") + "\n"
    )


_MARK = re.compile("\ue000(\\d+)\ue001")


def _fill_sentence(
    s: ET.Element, sentence: Sentence, language: str, lexicon: Lexicon | None, label: str | None
) -> None:
    """The sentence's spoken form, with each lexicon substitution as <sub> (or <phoneme>).

    The whole sentence is normalised at once, as for the audio, with a marker in
    place of every lexicon match, so the rules around a name see their context.
    """
    if not lexicon:
        s.text = sentence.spoken
        return
    matched: list[LexiconEntry] = []

    def mark(entry: LexiconEntry) -> str:
        matched.append(entry)
        return f"\ue000{len(matched) - 1}\ue001"

    pieces = _MARK.split(normalize(sentence.text, language, lexicon, mark, vowel=True))
    s.text = (f"{label} " if label else "") + pieces[0]
    for index, tail in zip(pieces[1::2], pieces[2::2], strict=True):
        entry = matched[int(index)]
        if entry.alias:
            el = ET.SubElement(s, f"{{{SSML_NS}}}sub", {"alias": entry.alias})
        else:
            el = ET.SubElement(s, f"{{{SSML_NS}}}phoneme", {"ph": entry.phoneme or ""})
            if entry.alphabet:
                el.set("alphabet", entry.alphabet)
        el.text = entry.graphemes[0]
        el.tail = tail
