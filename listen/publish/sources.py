"""What `listen queue add` reads: article pages, a site's RSS/Atom feed or its news sitemap.

A source is read once (a file, or an http(s) URL within listen.fetch's
limits) and then recognised by its content: an HTML page is an article; an
RSS 2.0, RSS 1.0 or Atom feed, a sitemap or a sitemap index lists articles.
Listed articles are fetched and extracted only when none of their URLs is
queued yet, so adding the same feed every hour costs one request per new
story. XML is parsed without network access, DTDs or entity expansion.
"""

from __future__ import annotations

import gzip
import io
import re
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lxml import etree

from listen.errors import ExtractionError, ListenError, SourceError, StoreError
from listen.fetch import (
    HTML_TYPES,
    MAX_BYTES,
    TIMEOUT_S,
    Fetched,
    decode_html,
    read_limited,
    read_raw,
    read_source,
)
from listen.language import require_code
from listen.models import Page
from listen.publish.library import Library, canonical_key
from listen.text import slugify

_XML_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/x-gzip",
        "application/gzip",
    }
)
_FEED_ROOT = re.compile(rb"<(?:[\w-]+:)?(rss|feed|RDF|urlset|sitemapindex)[\s>/]")
MAX_CHILD_SITEMAPS = 50
FETCH_THREADS = 4

ListingKind = Literal["RSS feed", "Atom feed", "sitemap", "sitemap index"]
_ROOTS: dict[str, ListingKind] = {
    "rss": "RSS feed",
    "RDF": "RSS feed",
    "feed": "Atom feed",
    "urlset": "sitemap",
    "sitemapindex": "sitemap index",
}


@dataclass(frozen=True)
class Listing:
    """A feed or sitemap: the article links it names, in its order, without repeats."""

    kind: ListingKind
    source: str
    links: tuple[str, ...]


# -- reading --------------------------------------------------------------------------------


def read_document(
    source: str, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT_S
) -> Fetched:
    """A path, ``file://`` or http(s) URL -> bytes: listen.fetch's reader, XML welcome too."""
    got = read_raw(
        source,
        accept=HTML_TYPES | _XML_TYPES,
        what="an article page, a feed or a sitemap",
        max_bytes=max_bytes,
        timeout=timeout,
        stdin=False,
    )
    name = got.url or got.source
    if not got.url:  # a file: stored by its absolute path
        got = got._replace(source=str(Path(got.source).resolve()))
    return got._replace(data=_gunzip(got.data, max_bytes, name))


def _base(document: Fetched) -> str:
    """What relative links resolve against: the URL, or the file's absolute path."""
    return document.url or Path(document.source).resolve().as_uri()


def _gunzip(data: bytes, max_bytes: int, name: str) -> bytes:
    """Sitemaps are often served gzipped (``sitemap.xml.gz``)."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            return read_limited(fh, max_bytes, name)  # type: ignore[arg-type]
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceError(f"{name} is not a valid gzip file ({exc})") from None


# -- recognising ----------------------------------------------------------------------------


def _parser() -> etree.XMLParser:
    # Untrusted XML: no DTD, no entities, nothing fetched while parsing.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _local(element: etree._Element) -> str:
    return str(etree.QName(element).localname) if isinstance(element.tag, str) else ""


def identify(document: Fetched) -> Page | Listing:
    """An article ``Page``, or the ``Listing`` of a feed or sitemap; anything else is an error."""
    head = document.data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    xml_type = document.content_type in _XML_TYPES
    if xml_type or head.startswith(b"<?xml") or _FEED_ROOT.search(head):
        try:
            root = etree.fromstring(document.data, _parser())
        except etree.XMLSyntaxError as exc:
            if xml_type or _FEED_ROOT.search(head):
                raise ExtractionError(
                    f"{document.source} is not an RSS/Atom feed or a sitemap: "
                    f"the XML is not well-formed ({exc})"
                ) from None
            root = None  # an XHTML page with HTML entities: read it as HTML below
        if root is not None and _local(root) != "html":
            kind = _ROOTS.get(_local(root))
            if kind is None:
                raise ExtractionError(
                    f"{document.source} is not an RSS/Atom feed or a news sitemap "
                    f"(its root element is <{_local(root) or root.tag}>)"
                )
            return Listing(kind, document.source, tuple(_links(root, kind, _base(document))))
    html = decode_html(document.data, document.charset, document.source)
    return Page(html=html, url=document.url, source=document.source)


def _links(root: etree._Element, kind: ListingKind, base: str) -> list[str]:
    found: list[str] = []
    if kind == "RSS feed":
        for item in (e for e in root.iter() if _local(e) == "item"):
            found.extend(_rss_link(item))
    elif kind == "Atom feed":
        for entry in (e for e in root.iter() if _local(e) == "entry"):
            found.extend(_atom_link(entry))
    else:  # <url><loc> or <sitemap><loc>
        found = [
            (loc.text or "").strip() for loc in root.iter() if _local(loc) == "loc" and loc.text
        ]
    links = [link for link in (_absolute(link, base) for link in found) if link]
    by_key = {canonical_key(link): link for link in reversed(links)}  # the first spelling wins
    return list(dict.fromkeys(by_key[canonical_key(link)] for link in links))


def _rss_link(item: etree._Element) -> list[str]:
    children = {_local(c): c for c in item}
    link = children.get("link")
    if link is not None and (link.text or "").strip():
        return [(link.text or "").strip()]
    about = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    if about:
        return [about]
    guid = children.get("guid")
    if guid is not None and guid.get("isPermaLink", "true") != "false" and guid.text:
        return [guid.text.strip()]
    return []


def _atom_link(entry: etree._Element) -> list[str]:
    links = [c for c in entry if _local(c) == "link" and c.get("href")]
    for link in links:
        if link.get("rel", "alternate") == "alternate":
            return [str(link.get("href"))]
    return []


def _absolute(link: str, base: str) -> str | None:
    """Resolve a link against its listing; only http(s) pages and local files are articles."""
    url = urllib.parse.urljoin(base, link.strip())
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme in ("http", "https"):
        return url
    if scheme == "file" and base.startswith("file:"):
        return urllib.request.url2pathname(urllib.parse.urlsplit(url).path)
    return None


def expand(listing: Listing, read: Callable[[str], Fetched] = read_document) -> Listing:
    """A sitemap index's child sitemaps, read and joined into one listing of articles."""
    if listing.kind != "sitemap index":
        return listing
    links: list[str] = []
    for child in listing.links[:MAX_CHILD_SITEMAPS]:
        found = identify(read(child))
        if isinstance(found, Listing) and found.kind == "sitemap":
            links.extend(found.links)
    return Listing("sitemap", listing.source, tuple(dict.fromkeys(links)))


# -- adding ---------------------------------------------------------------------------------


@dataclass
class AddReport:
    """What `queue add` did, source by source."""

    added: list[tuple[int, str]] = field(default_factory=list)  # (entry id, title)
    known: list[tuple[int, str]] = field(default_factory=list)  # already queued
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (listed URL, why)
    failed: list[tuple[str, ListenError]] = field(default_factory=list)  # (source, error)


Notify = Callable[[str, str], None]  # (what happened, detail), for progress lines


def short_slug(title: str, max_length: int = 60) -> str:
    """A file-name slug cut at a word boundary: ``{id}-{slug}.chapters.json`` stays short."""
    slug = slugify(title, max_length=200)
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else cut[:max_length]
    return slug.strip("-") or "article"


def _store(
    library: Library, page: Page, source: str, language: str | None, report: AddReport
) -> tuple[int, str, bool]:
    """Extract the page and store its script, so `queue render` never reads it again."""
    from listen.pipeline import script_from_page

    script, _ = script_from_page(page, language)
    stored = source if "://" in source else str(Path(source).resolve())
    entry, added = library.add(
        script,
        source=stored,
        url=script.url or (None if "://" in source else Path(stored).as_uri()),
        slug=short_slug(script.title),
        language_hint=language,
        aliases=[a for a in (source, page.url) if a and "://" in a],
    )
    (report.added if added else report.known).append((entry.id, entry.title))
    return entry.id, entry.title, added


def add_sources(
    queue: Library,
    sources: Sequence[str],
    *,
    language: str | None = None,
    limit: int | None = None,
    notify: Notify | None = None,
) -> AddReport:
    """Queue every article named directly or listed by a feed/sitemap, skipping known ones."""
    code = require_code(language) if language else None
    report = AddReport()
    say = notify or (lambda what, detail: None)
    for source in sources:
        known = queue.find(source) if "://" in source else None
        if known is not None:  # an address already seen: no need to fetch it again
            report.known.append((known.id, known.title))
            say("already queued", f"{known.id} {known.title}")
            continue
        try:
            found = identify(read_document(source))
            if isinstance(found, Page):
                entry_id, title, added = _store(queue, found, source, code, report)
                say("queued" if added else "already queued", f"{entry_id} {title}")
            else:
                _add_listing(queue, expand(found), code, limit, report, say)
        except StoreError:
            raise  # the database itself is unusable: stop
        except ListenError as exc:
            report.failed.append((source, exc))
            say("failed", f"{source}: {exc.one_line()}")
    return report


def _add_listing(
    queue: Library,
    listing: Listing,
    language: str | None,
    limit: int | None,
    report: AddReport,
    say: Notify,
) -> None:
    if not listing.links:
        raise ExtractionError(f"{listing.kind} {listing.source} lists no articles")
    new = [link for link in listing.links if queue.find(link) is None]
    known = len(listing.links) - len(new)
    if limit is not None:
        new = new[:limit]
    say("listing", f"{listing.source}: {len(listing.links)} articles, {known} already queued")

    def fetch(link: str) -> Page | ListenError:
        try:
            return read_source(link)
        except ListenError as exc:
            return exc

    skipped = 0
    # Fetching is network-bound: a few at once. Extraction and the database stay in this thread.
    with ThreadPoolExecutor(max_workers=FETCH_THREADS) as pool:
        for link, page in zip(new, pool.map(fetch, new), strict=True):
            try:
                if isinstance(page, ListenError):
                    raise page
                entry_id, title, added = _store(queue, page, link, language, report)
                say("queued" if added else "already queued", f"{entry_id} {title}")
            except StoreError:
                raise
            except ListenError as exc:
                report.skipped.append((link, exc.one_line()))
                say("skipped", f"{link}: {exc.one_line()}")
                skipped += 1
    if new and skipped == len(new):
        raise ExtractionError(
            f"none of the {len(new)} articles listed by {listing.source} could be read "
            f"(first: {report.skipped[-skipped][1]})"
        )
