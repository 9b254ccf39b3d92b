"""What a page says about its article: title, author, source, date, site, URL, language.

Sources, most trusted first: JSON-LD (``NewsArticle`` and kin), then the
visible byline markup, then ``<meta>`` tags. The byline a listener hears is
rebuilt from these, in the article's language.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from listen.text import squash

_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "blogposting",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "report",
    "scholarlyarticle",
    "techarticle",
}
_BYLINE_CLASS = re.compile(r"author|byline", re.I)
_STANDFIRST_CLASS = re.compile(
    r"standfirst|summary|excerpt|dek|(^|[-_])lead($|[-_])|sub-?title|subheadline|description|intro",
    re.I,
)
_BY_PREFIX = re.compile(r"^(by|por|de|par|von|بقلم|كتب|كتبت)\s*:?\s+", re.I)
_SOURCE_LINE = re.compile(r"^(source|sources|fuente|fuentes|المصدر|المصادر)\s*[:：]\s*(.+)$", re.I)
# Words that may stand in a line holding only a date ("Updated 3:04 PM EST, Tue February 18, 2025").
_DATE_WORDS = set(
    """updated published actualizado publicado at de del a las am pm a.m p.m gmt utc est edt et
    cet mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday lunes
    martes miércoles jueves viernes sábado domingo jan feb mar apr may jun jul aug sep sept oct nov
    dec ene abr ago dic""".split()
)
_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "ar": "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر",
}
# How a byline is said, per language: "By {author}.", "Source: {source}.", date order.
_BYLINE_WORDS = {
    "en": ("By {}.", "Source: {}.", "{d} {m} {y}."),
    "es": ("Por {}.", "Fuente: {}.", "{d} de {m} de {y}."),
    "ar": ("بقلم {}.", "المصدر: {}.", "{d} {m} {y}."),
}


@dataclass
class PageMeta:
    title: str | None = None
    author: str | None = None
    source: str | None = None
    published: str | None = None  # YYYY-MM-DD
    site: str | None = None
    url: str | None = None
    description: str | None = None
    standfirsts: list[tuple[etree._Element, str]] = field(default_factory=list)
    html_lang: str | None = None
    og_locale: str | None = None
    jsonld_lang: str | None = None
    heading: etree._Element | None = None  # the <h1>, to place a lead image after it
    byline_texts: list[str] = field(default_factory=list)

    def byline(self, language: str) -> str | None:
        """ "By X. Source: Y. 18 February 2025." in the article's language."""
        by, source, date_form = _BYLINE_WORDS.get(language, _BYLINE_WORDS["en"])
        parts = []
        if self.author:
            parts.append(by.format(self.author))
        if self.source and self.source != self.author:
            parts.append(source.format(self.source))
        if self.published:
            day = dt.date.fromisoformat(self.published)
            months = _MONTHS.get(language, _MONTHS["en"]).split()
            parts.append(date_form.format(d=day.day, m=months[day.month - 1], y=day.year))
        return " ".join(parts) or None

    def is_byline_line(self, text: str) -> bool:
        """A short line of the byline box that trafilatura left in the body."""
        if len(text.split()) > 12:
            return False
        if _SOURCE_LINE.match(text) or text in self.byline_texts:
            return True
        if self.author and _BY_PREFIX.sub("", text).strip(" .") == self.author:
            return True
        return _is_date_line(text)


def _is_date_line(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+(?:\.[^\W\d_]+)*", text.casefold())
    if not re.search(r"\d", text) or len(text.split()) > 9:
        return False
    months = {m.casefold() for names in _MONTHS.values() for m in names.split()}
    return all(w in _DATE_WORDS or w in months for w in words)


def read_meta(tree: etree._Element, url: str | None) -> PageMeta:
    meta = PageMeta()
    tags = _meta_tags(tree)
    ld = _jsonld_article(tree)

    h1 = tree.xpath("//h1[normalize-space()]")
    meta.heading = h1[0] if h1 else None
    meta.title = (
        (squash(h1[0].text_content()) if h1 else None)
        or _str(ld.get("headline"))
        or tags.get("og:title")
        or _title_tag(tree)
    )

    meta.author = _names(ld.get("author")) or _byline_author(tree, meta) or tags.get("author")
    meta.source = _source_line(tree)
    meta.published = _iso_date(
        _str(ld.get("datePublished"))
        or tags.get("article:published_time")
        or tags.get("og:article:published_time")
        or tags.get("date")
        or tags.get("pubdate")
        or _first_time(tree)
    )
    publisher = ld.get("publisher")
    meta.site = (
        tags.get("og:site_name")
        or (_names(publisher) if publisher else None)
        or tags.get("application-name")
    )
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    meta.url = (canonical[0].strip() if canonical else None) or tags.get("og:url") or url
    meta.description = (
        _str(ld.get("description")) or tags.get("og:description") or tags.get("description")
    )
    meta.standfirsts = _standfirst_candidates(tree, meta.description)
    lang = tree.xpath("/html/@lang | /html/@xml:lang")
    meta.html_lang = lang[0].strip() if lang else None
    meta.og_locale = tags.get("og:locale")
    meta.jsonld_lang = _str(ld.get("inLanguage"))
    return meta


def _str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return squash(value)
    if isinstance(value, dict):
        return _str(value.get("name") or value.get("@value"))
    return None


def _names(value: Any) -> str | None:
    """JSON-LD author or publisher: a name, an object, or a list of them."""
    if isinstance(value, list):
        names = [n for n in (_names(v) for v in value) if n]
        if not names:
            return None
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    name = _str(value)
    if name and not name.startswith(("http://", "https://")):
        return name
    return None


def _meta_tags(tree: etree._Element) -> dict[str, str]:
    tags: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = squash(el.get("content") or "")
        if key and content and key not in tags:
            tags[key] = content
    return tags


def _jsonld_article(tree: etree._Element) -> dict[str, Any]:
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue  # a broken JSON-LD block is common and harmless
        for item in _walk(data):
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
                return item
    return {}


def _walk(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [item for entry in data for item in _walk(entry)]
    if isinstance(data, dict):
        return [data, *_walk(data.get("@graph", []))]
    return []


def _title_tag(tree: etree._Element) -> str | None:
    titles = tree.xpath("//title/text()")
    if not titles:
        return None
    # "Headline | Site" -> "Headline"
    return squash(re.split(r"\s+[|–—-]\s+", titles[0])[0]) or None


def _byline_elements(tree: etree._Element) -> list[etree._Element]:
    found = []
    for el in tree.xpath("//*[@rel='author' or @itemprop='author' or @class]"):
        marked = el.get("rel") == "author" or el.get("itemprop") == "author"
        if marked or _BYLINE_CLASS.search(el.get("class", "")):
            found.append(el)
    return found


def _byline_author(tree: etree._Element, meta: PageMeta) -> str | None:
    best = None
    for el in _byline_elements(tree):
        text = squash(el.text_content())
        if not text or len(text.split()) > 10:
            continue
        meta.byline_texts.append(text)
        name = _BY_PREFIX.sub("", text).strip(" .,")
        name = re.sub(r",\s*(CNN|Reuters|AP|AFP)$", "", name)
        if name and (best is None or len(name) < len(best)):
            best = name
    return best


def _source_line(tree: etree._Element) -> str | None:
    for el in tree.xpath("//li | //span | //p | //div[not(*)]"):
        text = squash(el.text_content())
        if len(text) > 80:
            continue
        match = _SOURCE_LINE.match(text)
        if match:
            return match.group(2).strip(" .")
    return None


def _first_time(tree: etree._Element) -> str | None:
    times = tree.xpath("//time/@datetime")
    return times[0] if times else None


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    match = re.search(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not match:
        return None
    try:
        return dt.date(*map(int, match.groups())).isoformat()
    except ValueError:
        return None


def _fold(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


def _standfirst_candidates(
    tree: etree._Element, description: str | None
) -> list[tuple[etree._Element, str]]:
    """Elements that may be the standfirst: the description where the page shows it,
    then boxes whose class says so. ``extract`` keeps the first one that stands
    between the headline and the body."""
    found: list[tuple[etree._Element, str]] = []
    if description:
        want = _fold(description.rstrip(". …"))
        for el in tree.xpath(
            "//body//*[self::p or self::h2 or self::h3 or self::div or self::span]"
        ):
            text = squash(el.text_content())
            folded = _fold(text)
            matches = folded == _fold(description) or (len(want) > 40 and folded.startswith(want))
            if folded and matches and len(text) <= len(description) * 2:
                found.append((el, text))
                break
    for el in tree.xpath("//body//*[@class]"):
        if el.tag in ("p", "h2", "h3", "div") and _STANDFIRST_CLASS.search(el.get("class", "")):
            text = squash(el.text_content())
            if 6 <= len(text.split()) <= 80 and not el.xpath(".//img|.//p[2]"):
                found.append((el, text))
    return found
