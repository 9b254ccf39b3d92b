"""HTML text -> one parsed tree, and the measures every extraction pass shares.

The page is parsed once, without its comments. Before that, the text is made
safe for the parser:

* characters XML cannot hold (C0 controls, U+FFFE/U+FFFF, lone surrogates)
  are dropped, or made a space where they separate words (``\\v``, ``\\f``),
  so one stray byte never loses the article or fails a later step;
* a tag with hundreds of attributes is cut to its first ``MAX_ATTRIBUTES``:
  libxml2 checks each new attribute against all the others, so its time
  grows with the square of their number (200,000 took minutes).

``TextSizes`` counts, in one walk of the tree, how many characters of text
each element holds and how many of them sit inside links that lead to another
page (not ``javascript:`` handles or bare anchors), so no later pass has to
call ``text_content()`` on nested elements again and again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from listen.errors import ExtractionError

MAX_ATTRIBUTES = 256
# Far above any article (a long Wikipedia page has about 40,000): every pass is
# linear in this, so it bounds the time one page can take.
MAX_ELEMENTS = 400_000

# Comments go at parse time, their neighbours' text joined: React pages put ``<!-- -->``
# inside sentences, and trafilatura drops the text after one ("leak-prone <!-- -->water").
_PARSER = lxml_html.HTMLParser(remove_comments=True, remove_pis=True)

_SPACE_LIKE = re.compile("[\x0b\x0c]")
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# One attribute, the way an HTML tokenizer reads it. Every part is possessive and
# bounded, so a search never backtracks and never scans far from where it tried.
_ATTR = (
    r"[\s/]*+[^\s/>=\"'][^\s/>=]{0,255}+"
    r"(?:\s*+=\s*+(?:\"[^\"]{0,8192}+\"|'[^']{0,8192}+'|[^\s>]{1,8192}+))?+"
)
_CROWDED_TAG = re.compile(rf"(<[A-Za-z][^\s/>]{{0,64}}+(?:{_ATTR}){{{MAX_ATTRIBUTES}}})(?:{_ATTR})")
_REST_OF_TAG = re.compile(rf"(?:{_ATTR})*+[\s/]*+>?")


def clean_text(html: str) -> str:
    """``html`` without the characters an XML tree cannot hold."""
    # Most pages hold none of them: looking is several times faster than replacing.
    if "\x0b" in html or "\x0c" in html:
        html = _SPACE_LIKE.sub(" ", html)
    return _NOT_XML.sub("", html) if _NOT_XML.search(html) else html


def cap_attributes(html: str) -> str:
    """Cut every tag to its first ``MAX_ATTRIBUTES`` attributes (linear in ``html``)."""
    match = _CROWDED_TAG.search(html)
    if match is None:
        return html
    out = []
    pos = 0
    while match is not None:
        out.append(html[pos : match.end(1)])
        out.append(">")
        rest = _REST_OF_TAG.match(html, match.end(1))
        pos = rest.end() if rest else match.end()
        match = _CROWDED_TAG.search(html, pos)
    out.append(html[pos:])
    return "".join(out)


def parse(html: str, source: str) -> etree._Element:
    """The page's tree, parsed once from cleaned text, or ``ExtractionError``."""
    text = cap_attributes(clean_text(html))
    if not text.strip():
        raise ExtractionError(f"{source}: the page is empty")
    try:
        tree = lxml_html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"{source}: cannot parse HTML ({exc})") from None
    count = sum(1 for _ in tree.iter())
    if count > MAX_ELEMENTS:
        raise ExtractionError(
            f"{source}: the page has {count:,} elements, more than the {MAX_ELEMENTS:,} "
            "an article page can have"
        )
    return tree


@dataclass(frozen=True)
class TextSizes:
    """Characters of text under each element, and how many of them are link text."""

    chars: dict[etree._Element, int]
    linked: dict[etree._Element, int]

    def of(self, el: etree._Element) -> int:
        return self.chars.get(el, 0)

    def link_density(self, el: etree._Element) -> float:
        total = self.chars.get(el, 0)
        return self.linked.get(el, 0) / total if total else 0.0


def _own_chars(text: str | None) -> int:
    return len(text.strip()) if text else 0


def _leads_elsewhere(href: str | None) -> bool:
    """A link to another page: not a script's handle (``javascript:``) nor an anchor alone."""
    if not href:
        return False
    href = href.strip().lower()
    return not (href.startswith("javascript:") or href in ("#", ""))


def measure(tree: etree._Element) -> TextSizes:
    """One post-order walk: each element's text size is its own plus its children's."""
    chars: dict[etree._Element, int] = {}
    linked: dict[etree._Element, int] = {}
    # iter() is document order (pre-order); reversed, every child comes before its parent.
    for el in reversed(list(tree.iter())):
        if not isinstance(el.tag, str):
            continue
        if el.tag in ("script", "style", "template"):
            chars[el] = 0
            linked[el] = 0
            continue
        total = _own_chars(el.text)
        links = 0
        for child in el:
            total += chars.get(child, 0) + _own_chars(child.tail)
            links += linked.get(child, 0)
        if el.tag == "a" and _leads_elsewhere(el.get("href")):
            links = total
        chars[el] = total
        linked[el] = links
    return TextSizes(chars, linked)
