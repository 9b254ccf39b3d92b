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

from listen.byline import (
    BY_PREFIX,
    is_staff,
    jsonld_people,
    kinds,
    markup_people,
    meta_people,
    without_sites,
)
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
_STANDFIRST_CLASS = re.compile(
    r"standfirst|summary|excerpt|dek|(^|[-_])lead($|[-_])|sub-?title|subheadline|description|intro",
    re.I,
)
# What each language says in a byline, and its month names, come from its language pack.
_PACKS = packs()
_BY_PREFIX = BY_PREFIX
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
    tags_all = _meta_tags(tree)
    tags = {key: values[0] for key, values in tags_all.items()}
    ld = _jsonld_article(tree)

    # application-name is a last resort: some pages put the headline there.
    site_names = [n for n in (tags.get("og:site_name"), ld.site) if n] or [
        n for n in (tags.get("application-name"),) if n
    ]
    meta.site = site_names[0] if site_names else None
    address = (tags.get("og:url") or url or "") + " " + " ".join(_CANONICAL(tree))
    meta.title, meta.heading = _title(
        tree, ld.article, tags, [*site_names, *_shown_site_names(tree, address)]
    )

    # The site's names, also without a domain's ending ("Factorio.com" is "Factorio").
    site_domains = [*site_names, *(_DOMAIN_END.sub("", n) for n in site_names)]
    people, orgs = ld.people, ld.orgs
    if not people and not orgs:
        people, orgs = meta_people(tags_all, site_domains)
    # The byline's lines are learnt even when the metadata names the authors: they are dropped.
    markup = markup_people(tree, sizes, _DATE_TAIL, meta.byline_texts, meta.heading)
    if not people and not orgs:
        people, orgs = markup
    people = without_sites(people, orgs, site_domains, set(ld.people))
    # "By Staff": the site's own newsroom is the source, under the site's name.
    orgs = [o for o in ((meta.site if is_staff(o) else o) for o in orgs) if o]
    meta.authors = people
    meta.author = ", ".join(meta.authors) or None
    meta.source = _source_line(tree, sizes)
    if meta.source is None and orgs and not people:
        meta.source = orgs[0]
    meta.published = _iso_date(
        _str(ld.article.get("datePublished"))
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
        _str(ld.article.get("description")) or tags.get("og:description") or tags.get("description")
    )
    meta.standfirsts = _standfirst_candidates(tree, meta.description, sizes)
    lang = tree.xpath("/html/@lang | /html/@xml:lang")
    meta.html_lang = lang[0].strip() if lang else None
    meta.og_locale = tags.get("og:locale")
    meta.jsonld_lang = _str(ld.article.get("inLanguage"))
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
    site's name (a logo in an ``<h1>``) is never the title. When only the
    ``<title>`` speaks and what is left of it is a name of two or three words
    ("Google - Site Reliability Engineering", no site name known to tell which part
    is the headline; a bare "Engadget"), the page's first ``<h1>`` is.
    """
    sites = _site_folds(site_names)
    tag_title = _title_tag(tree, sites)
    claimed = [_str(ld.get("headline")), *(tags.get(k) for k in _TITLE_TAGS)]
    candidates = [_cut_site(c, sites) for c in [*claimed, tag_title] if c]
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
    raw = squash(" ".join(tree.xpath("//title/text()")[:1]))
    parted = len(_TITLE_PARTS.split(raw)) > 1
    # "Google - Site Reliability Engineering" (no site name known to tell which part is
    # the headline), or a bare "Engadget": a short name, where the <h1> is a headline.
    guessed = not any(claimed) and ((not sites and parted) or len(raw.split()) <= 2)
    if (
        guessed
        and h1s
        and candidates
        and len(candidates[0].split()) <= 3 < len(h1s[0][1].split()) + 2
        and _fold(h1s[0][1]) not in _fold(raw)  # an <h1> inside the <title> is its site part
    ):
        return h1s[0][1], heading
    if candidates:
        return candidates[0], heading
    if h1s:
        return h1s[0][1], heading
    return tag_title, heading


_DOMAIN_END = re.compile(r"\.(com|org|net|info|co\.\w\w|\w\w)$")


def _site_folds(site_names: list[str]) -> set[str]:
    """The site's names, folded, also without a domain's ending ("Factorio.com")."""
    folds = {_fold(n) for n in site_names} | {_fold(_DOMAIN_END.sub("", n)) for n in site_names}
    return {f for f in folds if f}


# Where a site's name is set off from a headline: " | ", " - ", " — ", " · ", " :: ", " » ", " _ ".
_SEPARATOR = re.compile(
    r"(\s+(?:[|–—·_»«-]|::)\s+|\s+[|–—·_]|[|–—·_]\s+|\s*::\s*|:\s+|\s*｜\s*|"
    r"(?<=[\u3000-\u9fff\uff00-\uffef])_(?=\S))"  # CJK titles: "标题_科技_网站", "見出し｜サイト"
)


# The separators that surely set parts of a <title> apart (a colon may be the headline's own).
_TITLE_PARTS = re.compile(r"\s+(?:[|–—·»-]|::)\s+")


_CJK_SECTION = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]{1,4}")


def _cut_site(title: str, sites: set[str]) -> str:
    """ "Headline | Site", "Site :: Headline" -> "Headline" when what is cut is the site's name."""
    parts = _SEPARATOR.split(title)  # text, separator, text, ...
    cut = False
    while len(parts) > 2 and _fold(parts[-1]) in sites:
        parts, cut = parts[:-2], True
    if cut and len(parts) > 2 and _CJK_SECTION.fullmatch(parts[-1]):
        parts = parts[:-2]  # "标题_科技_腾讯网": the channel's name came with the site's
    while len(parts) > 2 and _fold(parts[0]) in sites:
        parts = parts[2:]
    return squash("".join(parts)) or title


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


_CANONICAL = etree.XPath("//link[@rel='canonical']/@href")
_HOME_LINKS = etree.XPath(
    "//a[@href='/' or @href='./' or (starts-with(@href, 'http') and "
    "string-length(substring-after(substring-after(@href, '//'), '/')) = 0)][position() <= 20]"
)


def _shown_site_names(tree: etree._Element, address: str) -> list[str]:
    """The site's name as the page shows it, to cut it from a title: the logo (a link to
    the home page holding an image: its ``alt`` or ``title``), the text of a link to
    "/", and the name in the page's address ("en.wikipedia.org" -> "wikipedia")."""
    names: list[str] = []
    for link in _HOME_LINKS(tree):
        shown = [link.get("title") or "", *link.xpath(".//img/@alt")]
        if link.get("href") in ("/", "./"):
            shown.append(link.text_content())
        names.extend(squash(n) for n in shown if n and len(n.split()) <= 4)
    for host in re.findall(r"//(?:www\.)?([^/:?#\s]+)", address):
        names.extend(label for label in host.split(".")[:-1] if len(label) > 3)
    return names


def _names(value: Any) -> str | None:
    """A JSON-LD publisher's name (an object, a string, or the first of a list)."""
    for item in value if isinstance(value, list) else [value]:
        name = _str(item)
        if name and not name.startswith(("http://", "https://")):
            return name
    return None


def _meta_tags(tree: etree._Element) -> dict[str, list[str]]:
    """Each ``<meta>`` name -> its contents, in page order (a page may name two creators)."""
    tags: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        keys = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower().split()
        content = squash(el.get("content") or "")
        for key in keys if content else ():
            tags.setdefault(key, []).append(content)  # "dc:title og:title": one tag, two names
    return tags


# Some pages wrap their JSON-LD in a CDATA section or an HTML comment.
_JSON_WRAPPER = re.compile(r"^\s*(?:<!\[CDATA\[|<!--)|(?:\]\]>|-->)\s*$")


@dataclass
class _LinkedData:
    """The page's JSON-LD article, the site's name, and the credits it gives."""

    article: dict[str, Any] = field(default_factory=dict)
    site: str | None = None
    people: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)


def _jsonld_article(tree: etree._Element) -> _LinkedData:
    """The page's article object in JSON-LD (inside ``@graph`` or a list), its site and authors.

    The first article object is the article; its authors are its ``author`` (or
    ``creator``), or those of another object describing the same story (the same
    headline). An author given as ``{"@id": ...}`` is looked up in the graph.
    """
    found = _LinkedData()
    items: list[dict[str, Any]] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(_JSON_WRAPPER.sub("", script.text or ""))
        except ValueError:
            continue  # a broken JSON-LD block is common and harmless
        items.extend(_walk(data))
    ids = {str(item["@id"]): item for item in items if isinstance(item.get("@id"), str)}
    for item in items:
        kind = kinds(item)
        if kind & _ARTICLE_TYPES:
            if not found.article:
                found.article = item
                found.site = _names(item.get("publisher")) or found.site
            if not found.people and not found.orgs and _same_article(item, found.article):
                found.people, found.orgs = jsonld_people(
                    item.get("author") or item.get("creator"), ids
                )
        elif found.site is None and kind & {"website", "organization", "newsmediaorganization"}:
            found.site = _str(item.get("name"))
    return found


def _same_article(item: dict[str, Any], article: dict[str, Any]) -> bool:
    """The page's article described again (a WebPage and an Article for one story), not a
    related story listed beside it, whose author is somebody else."""
    if item is article:
        return True
    headline, other = _str(item.get("headline")), _str(article.get("headline"))
    return headline is None or other is None or _fold(headline) == _fold(other)


def _walk(data: Any, depth: int = 0) -> list[dict[str, Any]]:
    if depth > 8:
        return []
    if isinstance(data, list):
        return [item for entry in data for item in _walk(entry, depth + 1)]
    if isinstance(data, dict):
        return [data, *_walk(data.get("@graph", []), depth + 1)]
    return []


def _title_tag(tree: etree._Element, sites: set[str]) -> str | None:
    """The ``<title>`` without the site's name; when the site is not known, its first part
    ("Headline | Site"), unless that part is a short name before a longer one."""
    titles = tree.xpath("//title/text()")
    if not titles:
        return None
    title = _cut_site(squash(titles[0]), sites)
    parts = [p for p in _TITLE_PARTS.split(title) if p.strip()]
    if len(parts) < 2:
        return title or None
    first = parts[0]
    longest = max(parts, key=lambda p: len(p.split()))
    if len(first.split()) <= 2 and len(longest.split()) > 2 * len(first.split()):
        return squash(longest)  # "CNN :: A headline of many words"
    return squash(first) or None


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
        if match and not _PICTURE_SOURCE.fullmatch(match.group(2).strip(" .")):
            return match.group(2).strip(" .")
    return None


# "Source: Supplied", "Source: Getty Images": a picture's credit, not the story's source.
_PICTURE_SOURCE = re.compile(r"(?i)supplied|handout|file|getty( images)?|afp/getty|istock\w*")


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
