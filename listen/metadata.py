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
from typing import TYPE_CHECKING, Any

from lxml import etree

from listen.lang import pack_or_english, packs
from listen.text import squash

if TYPE_CHECKING:
    from listen.page_tree import TextSizes

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
# What each language says in a byline, and its month names, come from its language pack.
_PACKS = packs()
_BY_PREFIX = re.compile(
    rf"^({'|'.join(re.escape(w) for p in _PACKS for w in p.byline.prefixes)})\s*:?\s+", re.I
)
_SOURCE_LINE = re.compile(
    rf"^({'|'.join(re.escape(w) for p in _PACKS for w in p.byline.source_words)})\s*[:：]\s*(.+)$",
    re.I,
)
# Words that may stand in a line holding only a date ("Updated 3:04 PM EST, Tue February 18, 2025").
_DATE_WORDS = frozenset(w.casefold() for p in _PACKS for w in p.date_words)
_MONTH_WORDS = frozenset(w.casefold() for p in _PACKS for m in p.months for w in m.split())
_MONTH_NAMES = "|".join(re.escape(m) for m in sorted(_MONTH_WORDS, key=len, reverse=True))
# Where a date starts in a byline line: a digit, or a month name before one ("March 25").
_DATE_TAIL = re.compile(rf"\s+(?=\d|(?:{_MONTH_NAMES})\.?\s+\d)", re.I)


def join_names(names: list[str], language: str) -> str:
    """ "A, B and C" as ``language`` says it: "A, B y C", "أ، ب و ج"."""
    return pack_or_english(language).byline.join(names)


@dataclass
class PageMeta:
    title: str | None = None
    author: str | None = None  # the names, joined by commas (for tags)
    authors: list[str] = field(default_factory=list)
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
        words = pack_or_english(language)
        parts = []
        if self.authors:
            parts.append(words.byline.by.format(join_names(self.authors, language)))
        if self.source and self.source not in self.authors:
            parts.append(words.byline.source.format(self.source))
        if self.published:
            day = dt.date.fromisoformat(self.published)
            month = words.months[day.month - 1]
            parts.append(words.byline.date.format(d=day.day, m=month, y=day.year))
        return " ".join(parts) or None

    def is_byline_line(self, text: str) -> bool:
        """A short line of the byline box that trafilatura left in the body."""
        if len(text.split()) > 12:
            return False
        if _SOURCE_LINE.match(text) or text in self.byline_texts:
            return True
        if self.authors and _fold(_BY_PREFIX.sub("", text)) in (
            _fold(self.author or ""),
            _fold(" ".join(self.authors)),
        ):
            return True
        return _is_date_line(text)


def _is_date_line(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+(?:\.[^\W\d_]+)*", text.casefold())
    if not re.search(r"\d", text) or len(text.split()) > 9:
        return False
    return all(w in _DATE_WORDS or w in _MONTH_WORDS for w in words)


def read_meta(tree: etree._Element, url: str | None, sizes: TextSizes | None = None) -> PageMeta:
    meta = PageMeta()
    tags = _meta_tags(tree)
    ld, ld_site = _jsonld_article(tree)

    # application-name is a last resort: some pages put the headline there.
    site_names = [n for n in (tags.get("og:site_name"), ld_site) if n] or [
        n for n in (tags.get("application-name"),) if n
    ]
    meta.site = site_names[0] if site_names else None
    meta.title, meta.heading = _title(tree, ld, tags, site_names)

    people, orgs = _people(ld.get("author"))
    if not people and not orgs:
        people = _meta_authors(tags)
    if not people and not orgs:
        people = _byline_people(tree, meta, sizes)
    else:
        _byline_people(tree, meta, sizes)  # still learn the byline lines to drop them
    site_folds = {_fold(n) for n in site_names}
    for name in list(people):
        if _fold(name) in site_folds:  # "By The Daily Planet": the site, not a person
            people.remove(name)
            orgs.append(name)
    meta.authors = people[:_MAX_AUTHORS]
    meta.author = ", ".join(meta.authors) or None
    meta.source = _source_line(tree, sizes)
    if meta.source is None and orgs and not people:
        meta.source = orgs[0]
    meta.published = _iso_date(
        _str(ld.get("datePublished"))
        or tags.get("article:published_time")
        or tags.get("og:article:published_time")
        or tags.get("date")
        or tags.get("pubdate")
        or tags.get("parsely-pub-date")
        or _first_time(tree)
    )
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    meta.url = (canonical[0].strip() if canonical else None) or tags.get("og:url") or url
    meta.description = (
        _str(ld.get("description")) or tags.get("og:description") or tags.get("description")
    )
    meta.standfirsts = _standfirst_candidates(tree, meta.description, sizes)
    lang = tree.xpath("/html/@lang | /html/@xml:lang")
    meta.html_lang = lang[0].strip() if lang else None
    meta.og_locale = tags.get("og:locale")
    meta.jsonld_lang = _str(ld.get("inLanguage"))
    return meta


# Title sources after JSON-LD's headline, most specific first.
_TITLE_TAGS = (
    "og:title",
    "twitter:title",
    "dc.title",
    "dc:title",
    "dcterm:title",
    "dcterms.title",
    "parsely-title",
    "sailthru.title",
    "title",
)


def _title(
    tree: etree._Element, ld: dict[str, Any], tags: dict[str, str], site_names: list[str]
) -> tuple[str | None, etree._Element | None]:
    """The headline, and the visible heading that shows it.

    A visible ``<h1>`` (or ``<h2>``) that agrees with the page's metadata wins:
    it is what a reader sees, without the " | Site" the metadata often adds.
    Otherwise the metadata's title, cut of a site name; a heading that is the
    site's name (a logo in an ``<h1>``) is never the title.
    """
    sites = {_fold(n) for n in site_names}
    tag_title = _title_tag(tree)
    claimed = [_str(ld.get("headline")), *(tags.get(k) for k in _TITLE_TAGS), tag_title]
    candidates = [_cut_site(c, sites) for c in claimed if c]
    candidates = [c for c in candidates if c and _fold(c) not in sites]
    headings = [
        (el, squash(el.text_content()))
        for el in tree.xpath("(//h1)[position() <= 8] | (//h2)[position() <= 8]")
    ]
    headings = [(el, t) for el, t in headings if t and _fold(t) not in sites and len(t) < 400]
    for candidate in candidates:  # the most trusted title first, then what shows it
        for el, text in headings:
            if _agrees(text, candidate):
                return text, el
    h1s = [(el, t) for el, t in headings if el.tag == "h1"]
    heading = h1s[0][0] if h1s else None
    if candidates:
        return candidates[0], heading
    if h1s:
        return h1s[0][1], heading
    return tag_title, heading


def _cut_site(title: str, sites: set[str]) -> str:
    """ "Headline | Site" -> "Headline" when the part cut off is the site's name."""
    parts = re.split(r"\s+[|–—·:-]\s+|\s+[|–—·-]|[|–—·-]\s+", title)
    if len(parts) > 1:
        kept = [p for p in parts if _fold(p) not in sites]
        if kept and len(kept) < len(parts):
            return squash(" - ".join(kept))
    return title


def _agrees(heading: str, title: str) -> bool:
    """The same headline: equal, or one holds the other and most of its words."""
    a, b = _fold(heading), _fold(title)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return short in long_ and len(short) >= 0.6 * len(long_)


def _str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return squash(value)
    if isinstance(value, dict):
        return _str(value.get("name") or value.get("@value"))
    return None


_PERSON_TYPES = {"person"}


def _kinds(item: Any) -> set[str]:
    """A JSON-LD object's ``@type``s, lower-cased (a string or a list of them)."""
    kind = item.get("@type") if isinstance(item, dict) else None
    return {k.lower() for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}


_MAX_AUTHORS = 6


def _people(value: Any) -> tuple[list[str], list[str]]:
    """JSON-LD ``author``: a name, an object or a list of them -> (people, organisations)."""
    people: list[str] = []
    orgs: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        kinds = _kinds(item)
        for name in _split_names(_str(item) or ""):
            if not _plausible_name(name):
                continue
            if kinds and not kinds & _PERSON_TYPES:
                orgs.append(name)
            elif name not in people:
                people.append(name)
    return people, orgs


def _names(value: Any) -> str | None:
    """A JSON-LD publisher's name (an object, a string, or the first of a list)."""
    for item in value if isinstance(value, list) else [value]:
        name = _str(item)
        if name and not name.startswith(("http://", "https://")):
            return name
    return None


# Meta tags that name the author, most specific first.
_AUTHOR_TAGS = (
    "dc.creator",
    "dc:creator",
    "dcterm:creator",
    "author",
    "article:author",
    "dcterms.creator",
    "parsely-author",
    "sailthru.author",
    "byl",
    "cxenseparse:author",
)


def _meta_authors(tags: dict[str, str]) -> list[str]:
    for key in _AUTHOR_TAGS:
        value = tags.get(key)
        if not value or value.startswith(("http://", "https://", "@")):
            continue
        names = [n for n in _split_names(value) if _plausible_name(n)]
        if names:
            return names
    page = tags.get("parsely-page") or tags.get("parsely-metadata")
    if page:
        try:
            data = json.loads(page)
        except ValueError:
            return []
        if isinstance(data, dict):
            people, _ = _people(data.get("authors") or data.get("author"))
            return people
    return []


_JOINERS = r"(?:and|with|y|con|e|und|mit|et|avec|و)"
# "A, B and C", "A, B, and C", "أ، ب و ج": one name per piece.
_NAME_SPLIT = re.compile(rf"\s*[,;،]\s*(?:{_JOINERS}\s+)?|\s+{_JOINERS}\s+", re.I)
# "A (avec B et C)" -> "A, B et C"; a parenthesis inside one name is left alone.
_WITH_ALSO = re.compile(rf"\s*\(\s*{_JOINERS}\s+([^)]*)\)", re.I)
_PARTICLES = set("de da del della di du la le van von der den bin ibn al el dos das ter".split())
# Words of a label or a job, never of a name: "By Name *", "Promoted by", "Games Editor".
_NOT_NAME_WORDS = set(
    """feed promoted posted sponsored staff editor editors contributor contributors
    writer writers reporter correspondent admin administrator team desk comments comment
    email e-mail subscribe follow share updated published photo photos photograph image
    video reply login guest anonymous user users member author authors by""".split()
)


def _split_names(text: str) -> list[str]:
    text = _BY_PREFIX.sub("", squash(text)).strip(" .,;:|")
    text = _WITH_ALSO.sub(r", \1", text)
    text = re.sub(r"\s*[(<\[](?:https?://|www\.|@|mailto:)[^)>\]]*[)>\]]", "", text)  # "(http://…)"
    return [n.strip(" .,;:|") for n in _NAME_SPLIT.split(text) if n.strip(" .,;:|")]


def _plausible_name(name: str) -> bool:
    """A person's or an outlet's name, not a label, a handle, a date or a sentence."""
    if not name or len(name) > 60 or re.search(r"[*@#<>{}=/\\|:\d]|https?", name):
        return False
    words = name.split()
    if not 1 <= len(words) <= 6:
        return False
    folded = [w.strip(".,").casefold() for w in words]
    if any(w in _NOT_NAME_WORDS for w in folded) or folded in (["name"], ["your", "name"]):
        return False  # "Name" alone is a form's label; "Creator Name" may be a name
    if max(len(w.strip(".")) for w in words) < 2:
        return False  # initials alone ("J J")
    cased = [w for w in words if len(w) > 1 and w[:1].isalpha() and w[:1].lower() != w[:1].upper()]
    # In scripts with capitals, every word but particles starts with one ("Mike Conley").
    return all(w[:1].isupper() or w.casefold() in _PARTICLES for w in cased)


def _meta_tags(tree: etree._Element) -> dict[str, str]:
    tags: dict[str, str] = {}
    for el in tree.iter("meta"):
        keys = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower().split()
        content = squash(el.get("content") or "")
        for key in keys if content else ():
            tags.setdefault(key, content)  # "dc:title og:title": one tag, two names
    return tags


# Some pages wrap their JSON-LD in a CDATA section or an HTML comment.
_JSON_WRAPPER = re.compile(r"^\s*(?:<!\[CDATA\[|<!--)|(?:\]\]>|-->)\s*$")


def _jsonld_article(tree: etree._Element) -> tuple[dict[str, Any], str | None]:
    """The page's article object in JSON-LD (inside ``@graph`` or a list), and the site's name."""
    article: dict[str, Any] = {}
    site = None
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(_JSON_WRAPPER.sub("", script.text or ""))
        except ValueError:
            continue  # a broken JSON-LD block is common and harmless
        for item in _walk(data):
            kinds = _kinds(item)
            if not article and kinds & _ARTICLE_TYPES:
                article = item
                site = _names(item.get("publisher")) or site
            elif site is None and kinds & {"website", "organization", "newsmediaorganization"}:
                site = _str(item.get("name"))
    return article, site


def _walk(data: Any, depth: int = 0) -> list[dict[str, Any]]:
    if depth > 8:
        return []
    if isinstance(data, list):
        return [item for entry in data for item in _walk(entry, depth + 1)]
    if isinstance(data, dict):
        return [data, *_walk(data.get("@graph", []), depth + 1)]
    return []


def _title_tag(tree: etree._Element) -> str | None:
    titles = tree.xpath("//title/text()")
    if not titles:
        return None
    # "Headline | Site" -> "Headline"
    return squash(re.split(r"\s+[|–—-]\s+", titles[0])[0]) or None


_BYLINE_XPATH = etree.XPath(
    "//*[@rel='author' or contains(@itemprop, 'author') or @class][not(self::link or self::meta)]"
)
_COMMENTS = re.compile(r"comment|respond|reply|discussion", re.I)


def _in_comments(el: etree._Element) -> bool:
    """Inside the comments or a form: a commenter's name, or a form's label."""
    for anc in el.iterancestors():
        if anc.tag in ("form", "footer") or _COMMENTS.search(
            anc.get("class", "") + " " + anc.get("id", "")
        ):
            return True
    return False


def _byline_people(tree: etree._Element, meta: PageMeta, sizes: TextSizes | None) -> list[str]:
    """The names in the first byline box of the page (its lines are kept to drop them)."""
    found: list[str] = []
    for el in _BYLINE_XPATH(tree):
        marked = el.get("rel") == "author" or "author" in el.get("itemprop", "")
        if not (marked or _BYLINE_CLASS.search(el.get("class", ""))):
            continue
        if sizes is not None and sizes.of(el) > 200:
            continue  # an author box with a biography, or a whole header
        text = squash(el.text_content())
        if not text or len(text.split()) > 12:
            continue
        meta.byline_texts.append(text)
        if found or _in_comments(el):
            continue
        text = re.sub(r",\s*(CNN|Reuters|AP|AFP)$", "", text)
        text = re.split(r"\s+(?:[|•·—–-]|Updated|Published|on)\s+", text)[0]
        # "Tuesday 15 October 2019 by Bradley M. Kuhn": the name follows "by".
        after_by = re.search(r"\s(?:by|por|par|von)\s+(\S.*)$", text, re.I)
        if after_by:
            text = after_by.group(1)
        text = _DATE_TAIL.split(text)[0]  # "By Nathan Willis March 25, 2015"
        names = [n for n in _split_names(text) if _plausible_name(n)]
        if names:
            found = names
    return found


def _source_line(tree: etree._Element, sizes: TextSizes | None) -> str | None:
    for el in tree.iter("li", "span", "p", "div"):
        if sizes is not None and sizes.of(el) > 80:
            continue
        if el.tag == "div" and len(el):
            continue
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
    tree: etree._Element, description: str | None, sizes: TextSizes | None
) -> list[tuple[etree._Element, str]]:
    """Elements that may be the standfirst: the description where the page shows it,
    then boxes whose class says so. ``extract`` keeps the first one that stands
    between the headline and the body."""
    found: list[tuple[etree._Element, str]] = []
    if description:
        want = _fold(description.rstrip(". …"))
        probe = squash(description)[:24]
        boxes = ("p", "h2", "h3", "div", "span")
        for node in tree.xpath("//body//text()[contains(., $probe)]", probe=probe):
            el = node.getparent()
            while el is not None and el.tag not in boxes:
                el = el.getparent()
            if el is None:
                continue
            text = squash(el.text_content())
            folded = _fold(text)
            matches = folded == _fold(description) or (len(want) > 40 and folded.startswith(want))
            if folded and matches and len(text) <= len(description) * 2:
                found.append((el, text))
                break
    for el in tree.iter("p", "h2", "h3", "div"):
        if not _STANDFIRST_CLASS.search(el.get("class", "")):
            continue
        if sizes is not None and sizes.of(el) > 800:
            continue
        text = squash(el.text_content())
        if 6 <= len(text.split()) <= 80 and not el.xpath(".//img|.//p[2]"):
            found.append((el, text))
    return found
