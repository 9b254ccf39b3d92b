"""How ``bench/extraction.py`` judges a title and a byline, against the page itself.

Readability's expected metadata is one peer's reading, not the truth: its
title is sometimes "Headline - Site", sometimes the site's own name ("Yahoo
News - Latest News & Headlines"), and its byline sometimes a date ("April 28,
2019 at 6:01 am"), a label ("Follow Author") or the author of a related story.
So each verdict says which reference it met, and every miss is printed with
its reason.

Title
    *the headline* when it is, words folded (case, punctuation, spacing):
    Readability's title; or Readability's title without a site part, i.e. the
    segments cut off at a separator (" - ", " | ", " · ", " :: ", " _ ", "«»",
    a trailing "(Source)"; also "_" and "｜" unspaced in Chinese and Japanese)
    hold the site's name and at most short section labels ("Headline _ Section
    _ Site"); or, the same way, one of the headlines the page declares for the
    article (JSON-LD ``headline``, ``og:title``, ``twitter:title``,
    ``<title>``...). A title that is the site's name is never the headline.
    ``strict`` counts only the first two.

    The site's names come from the page: ``og:site_name``, ``application-name``,
    the JSON-LD publisher / ``WebSite`` / ``Organization`` name, the name in its
    canonical address, the text or ``title`` of a link to its home page ("/"),
    and the ``alt`` of a logo that links to a home page.

Byline
    Only an expected byline holding a name is a credit: one whose words are all
    labels or date words ("Last Updated: January 7, 2025", "Follow Author") is
    not, and such pages leave the byline count ("not a credit"). The credit
    found is the author, or else the source (an organisation reads as the
    source). It is ``ok`` when it shares a name with Readability's byline, or,
    when it shares none, with the authors the page declares in its machine
    metadata (JSON-LD ``author``, ``meta[name=author]``, ``article:author``,
    Dublin Core, Parse.ly, Sailthru, microdata ``itemprop=author``, ``rel=author``); those are
    counted apart as ``ok (page credit)``. Every name word found must be
    credited by one of the two (60% of them: a credit may hold a job or a
    place). ``label`` is a credit that reads a label or a handle aloud;
    ``wrong`` names somebody neither credits.

Real sites
    Readability's hand-written edge-case pages (``base-url``, ``rtl-1``,
    ``001``...) are all under 4 KB of HTML, and the smallest page saved from a
    real site is 10 KB: a page whose ``source.html`` is under
    ``SYNTHETIC_BELOW`` bytes counts as synthetic, and the title is also
    reported on the other, real-site pages alone.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from lxml import html as lxml_html

SYNTHETIC_BELOW = 8_000  # bytes of source.html

_SEPARATOR = re.compile(
    r"\s+[|–—·:_/»«@-]+\s+|\s*::\s*|\s*[«»]\s*|\s+[|–—·_]\s*|\s*[|–—·_]\s+|(?<=\w)[:：]\s+"
)
# Chinese and Japanese titles also part at an unspaced "_" or "｜": "标题_频道_网站".
_CJK_SEPARATOR = re.compile(r"\s*｜\s*|(?<=[\u3000-\u9fff\uff00-\uffef])_(?=\S)")
_TRAILING_TAG = re.compile(r"^(.*\S)\s*[（(\[]([^()（）\[\]]{1,40})[)）\]]$")
_HOST = re.compile(r"(?:https?:)?//(?:www\.)?([^/:?#]+)")
_SECTION_WORDS = 3  # a section label cut off with the site's name: "_探索者", "- World"
_TITLE_KEYS = (
    "og:title",
    "twitter:title",
    "dc.title",
    "dc:title",
    "dcterms.title",
    "parsely-title",
    "sailthru.title",
)
_SITE_KEYS = ("og:site_name", "application-name", "apple-mobile-web-app-title")
_AUTHOR_KEYS = (
    "author",
    "article:author",
    "dc.creator",
    "dc:creator",
    "dcterms.creator",
    "parsely-author",
    "sailthru.author",
    "byl",
)
_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "report",
    "scholarlyarticle",
    "techarticle",
    "webpage",
}
# Words of a credit that are not names: "By", the joining words, job and date labels.
_NOT_NAMES = set(
    """by and y por de par von und et e mit with بقلم و written edited updated last published
    posted follow author authors staff writer reporter editor on at am pm""".split()
)
_MONTHS = set(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
_LABELS = set("""name feed promoted sponsored follow comments share email login""".split())
_LABEL_WORDS = _LABELS | _NOT_NAMES


def fold(text: str) -> str:
    return re.sub(r"\W+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _squash(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class PageFacts:
    """What the page itself declares: its headlines, its site's names, its authors."""

    headlines: tuple[tuple[str, str], ...]  # (where, text)
    sites: frozenset[str]  # folded
    credits: frozenset[str]  # name words, folded


def _jsonld(tree: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(data: Any, depth: int) -> None:
        if depth > 8:
            return
        if isinstance(data, list):
            for item in data:
                walk(item, depth + 1)
        elif isinstance(data, dict):
            found.append(data)
            walk(data.get("@graph"), depth + 1)

    for script in tree.xpath("//script[@type='application/ld+json']"):
        text = re.sub(r"^\s*(<!\[CDATA\[|<!--)|(\]\]>|-->)\s*$", "", script.text or "")
        try:
            walk(json.loads(text), 0)
        except ValueError:
            continue
    return found


def _kinds(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type")
    return {k.lower() for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}


def _name(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [n for v in value for n in _name(v)]
    if isinstance(value, dict):
        return _name(value.get("name"))
    return []


@cache
def page_facts(source: str) -> PageFacts:
    tree = lxml_html.document_fromstring(source)
    tags: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        for key in (el.get("property") or el.get("name") or "").lower().split():
            if el.get("content", "").strip():
                tags.setdefault(key, []).append(_squash(el.get("content", "")))
    items = _jsonld(tree)
    headlines = [
        ("JSON-LD", h)
        for i in items
        if _kinds(i) & _ARTICLE_TYPES
        for h in _name(i.get("headline"))
    ]
    headlines += [(key, v) for key in _TITLE_KEYS for v in tags.get(key, [])]
    headlines += [("<title>", _squash(t.text_content())) for t in tree.iter("title")][:1]
    sites = {v for key in _SITE_KEYS for v in tags.get(key, [])}
    for item in items:
        sites.update(_name(item.get("publisher")))
        if _kinds(item) & {"website", "organization", "newsmediaorganization"}:
            sites.update(_name(item.get("name")))
    own = tree.xpath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content")
    hosts = {m.group(1).lower() for m in (_HOST.match(u.strip()) for u in own) if m}
    for host in hosts:
        sites.add(host)  # "en.wikipedia.org": its name is "wikipedia"
        sites.update(label for label in host.split(".")[:-1] if len(label) > 3)
    for link in tree.xpath("//a[@href]"):
        href = link.get("href", "").strip()
        host = _HOST.match(href)
        root = re.fullmatch(r"[^/]*//[^/]+/?", href)
        if href in ("/", "./", "index.html") or (root and host and host.group(1) in hosts):
            sites.update([link.text_content(), link.get("title") or "", *link.xpath(".//img/@alt")])
        elif root and link.xpath(".//img"):  # a logo that links to a site's home page
            sites.update([link.get("title") or "", *link.xpath(".//img/@alt")])
    credits: set[str] = set()
    for value in [v for key in _AUTHOR_KEYS for v in tags.get(key, [])] + [
        n for i in items if _kinds(i) & _ARTICLE_TYPES for n in _name(i.get("author"))
    ]:
        if not re.match(r"https?:|www\.|@", value):
            credits |= name_words(value)
    for el in tree.xpath("//*[contains(concat(' ', @itemprop, ' '), ' author ') or @rel='author']"):
        names = el.xpath(".//*[@itemprop='name']/@content | .//*[@itemprop='name']//text()")
        credits |= name_words(" ".join(names) or el.text_content())
    sites |= {re.sub(r"\.(com|org|net|info|co\.\w\w|\w\w)$", "", s) for s in sites}  # Factorio.com
    return PageFacts(
        tuple(headlines),
        frozenset(fold(s) for s in sites if fold(s) and len(s.split()) <= _SECTION_WORDS + 1),
        frozenset(credits),
    )


def _segments(title: str, cjk: bool = False) -> list[str]:
    parts = []
    for piece in _SEPARATOR.split(title):
        for part in _CJK_SEPARATOR.split(piece) if cjk else [piece]:
            tagged = _TRAILING_TAG.match(part.strip())
            parts.extend(tagged.groups() if tagged else [part])
    return [p for p in (p.strip() for p in parts) if p]


def _is_site(text: str, sites: frozenset[str]) -> bool:
    folded = fold(text)
    return folded in sites or folded.replace(" ", "") in {s.replace(" ", "") for s in sites}


def _is_author(text: str, credits: frozenset[str]) -> bool:
    """A personal site is named for its author: "Headline | Nicolas Perriault"."""
    words = name_words(text)
    return bool(words) and words <= credits


def _without_site(title: str, facts: PageFacts) -> set[str]:
    """The title, and the title with its site part cut off (at either end), folded."""
    found = {fold(title)}
    for cjk in (False, True):
        found |= _cut_ends(_segments(title, cjk), facts)
    return {t for t in found if t and not _is_site(t, facts.sites)}


def _cut_ends(parts: list[str], facts: PageFacts) -> set[str]:
    found = set()
    for k in range(1, len(parts)):
        for kept, cut in ((parts[:k], parts[k:]), (parts[k:], parts[:k])):
            named = [_is_site(p, facts.sites) or _is_author(p, facts.credits) for p in cut]
            short = [n or len(p.split()) <= _SECTION_WORDS for n, p in zip(named, cut, strict=True)]
            if any(named) and all(short):
                found.add(fold(" ".join(kept)))
    return found


def title_verdict(found: str | None, expected: str, source: str) -> tuple[str, str]:
    """('readability' | 'page' | 'miss', why): which reference the title met."""
    if not found:
        return "miss", "no title"
    facts = page_facts(source)
    ours = fold(found)
    if _is_site(found, facts.sites):
        return "miss", f"{found!r} is the site's name"
    if ours in _without_site(expected, facts):
        return "readability", ""
    for where, headline in facts.headlines:
        if ours in _without_site(headline, facts):
            return "page", f"the page's {where} headline"
    declared = "; ".join(f"{w} {h[:50]!r}" for w, h in facts.headlines[:3])
    return "miss", f"{found[:60]!r} is not a headline (Readability {expected[:60]!r}; {declared})"


def name_words(text: str) -> set[str]:
    """The words of a credit that can be names ("by Lucas Nolan22 Dec" -> lucas, nolan)."""
    words = re.findall(r"[^\W\d_]+", fold(text))
    return {w for w in words if w not in _NOT_NAMES and w not in _MONTHS}


def byline_verdict(found: str | None, expected: str | None, source: str) -> tuple[str, str]:
    """'ok', 'ok page', 'missing', 'label', 'wrong', 'none' (no credit expected), with why."""
    theirs = name_words(expected or "")
    if not theirs or not expected:
        if not expected:
            return "none", ""
        why = f"expected {expected!r} names nobody"
        return "none", why + (f"; found {found!r}" if found else "")
    if not found:
        return "missing", f"nothing found; expected {_squash(expected)[:60]!r}"
    words = set(re.findall(r"[^\W\d_]+", fold(found)))
    if words <= _LABEL_WORDS or re.search(r"[@*]|https?:|[a-z][A-Z][a-z]+[A-Z]", found):
        return "label", f"{found!r} reads a label or a handle"
    ours = name_words(found)
    credited = page_facts(source).credits
    if ours & theirs and len(ours & (theirs | credited)) >= 0.6 * len(ours):
        return "ok", ""
    if ours & credited and len(ours & credited) >= 0.6 * len(ours):
        return "ok page", f"{found!r}: the page's author metadata; Readability {expected!r}"
    return "wrong", f"{found!r} is not credited (Readability {_squash(expected)[:60]!r})"
