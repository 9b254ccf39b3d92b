"""RSS 2.0 podcast feeds of rendered articles: one feed per edition (language).

The XML is made with lxml directly, with these namespaces:

* ``itunes``: what Apple Podcasts and most clients read (duration, artwork, owner, category);
* ``podcast`` (Podcasting 2.0), under its current address
  ``https://podcastindex.org/namespace/1.0``: ``podcast:guid``, the transcript (the
  sentence-level WebVTT), the captions (short cues, ``rel="captions"``) and the JSON chapters.
  gPodder's podcastparser reads transcripts and chapters only under the namespace's first
  address, so those two (not the captions) are repeated under it with the prefix
  ``podcast1``; a client that knows both addresses sees the same URLs twice, which names
  one file, not two;
* ``atom``, for the ``rel="self"`` link.

The channel's settings come from one TOML file (``read_settings`` / ``Channel.from_toml``)
shared by ``listen feed build`` and the service; ``Channel`` validates them (the category
against Apple's list, the artwork's address, the e-mail), and ``warnings`` says what Apple
or Spotify would reject or flag.

An item's ``guid`` is derived from the article's canonical URL and nothing
else, so rebuilding, re-rendering or moving the media never makes a client
download an episode again. Items are ordered newest first. Rebuilding is
deterministic (``lastBuildDate`` is the newest item's date), and ``write_feed``
replaces the file atomically, and only when its bytes change.
"""

from __future__ import annotations

import email.utils
import re
import tomllib
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import MISSING, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from listen import __version__
from listen.errors import FeedError, ListenError
from listen.export import atomic_path
from listen.language import require_code
from listen.publish.checks import apple_category
from listen.publish.library import Entry

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
PODCAST_FIRST = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
ATOM = "http://www.w3.org/2005/Atom"
_NSMAP = {"itunes": ITUNES, "podcast": PODCAST, "podcast1": PODCAST_FIRST, "atom": ATOM}
_EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[A-Za-z]{2,}$")
# Podcasting 2.0's namespace for podcast:guid (a UUIDv5 of the feed's URL)
_CHANNEL_GUID_NS = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def guid_for(canonical_url: str) -> str:
    """A stable episode id from the article's canonical URL.

    Frozen forever: changing it makes every subscriber download every episode again.
    Only the spelling that cannot change the page is folded (case of the scheme
    and host, the fragment, surrounding space).
    """
    parts = urllib.parse.urlsplit(canonical_url.strip())
    folded = urllib.parse.urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, "")
    )
    return str(uuid.uuid5(uuid.NAMESPACE_URL, folded))


@dataclass(frozen=True)
class Channel:
    """A show: one edition of the site's Listen audio."""

    title: str
    description: str
    author: str
    base_url: str  # where the MP3s and sidecars are served from
    language: str
    email: str | None = None  # the owner's
    image: str | None = None  # square JPEG or PNG artwork, absolute or relative to base_url
    category: str = "News"  # an Apple category, "Parent > Child" for a subcategory
    explicit: bool = False
    link: str | None = None  # the site's own address

    def __post_init__(self) -> None:
        for name in ("title", "description", "author"):
            if not str(getattr(self, name) or "").strip():
                raise FeedError(f"the channel needs a {name}", hint="set it in --config or a flag")
        base = self.base_url.strip()
        if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
            raise FeedError(f"the base URL must be an http(s) URL, not {base!r}")
        object.__setattr__(self, "base_url", base if base.endswith("/") else base + "/")
        object.__setattr__(self, "language", require_code(self.language))
        if self.email is not None and not _EMAIL.match(self.email.strip()):
            raise FeedError(
                f"{self.email!r} is not an e-mail address", hint="e.g. news@example.org"
            )
        if self.email is not None:
            object.__setattr__(self, "email", self.email.strip())
        found = apple_category(self.category)
        if isinstance(found, str):
            raise FeedError(found, hint="Apple's list: https://podcasters.apple.com/support/1691")
        object.__setattr__(self, "category", " > ".join(found))
        if self.image:
            image = urllib.parse.urljoin(self.base_url, self.image.strip())
            parts = urllib.parse.urlsplit(image)
            if parts.scheme not in ("http", "https"):
                raise FeedError(f"the artwork must be an http(s) URL, not {self.image!r}")
            if not parts.path.lower().endswith((".png", ".jpg", ".jpeg")):
                raise FeedError(
                    f"the artwork {self.image!r} must be a .png or .jpg file",
                    hint="Apple accepts JPEG or PNG artwork only",
                )
            object.__setattr__(self, "image", image)

    @property
    def categories(self) -> tuple[str, ...]:
        """The category and its subcategory, as Apple spells them."""
        return tuple(self.category.split(" > "))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Channel:
        """Settings (as in the TOML file) -> Channel; an unknown key or a wrong type is an error."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            name = _ALIASES.get(key.replace("-", "_"), key.replace("-", "_"))
            if name not in known:
                raise FeedError(
                    f"unknown channel setting {key!r}",
                    hint="known: " + ", ".join(sorted(known)),
                )
            wanted = bool if name == "explicit" else str
            if value is not None and not isinstance(value, wanted):
                raise FeedError(f"channel setting {key!r} must be a {wanted.__name__}")
            values[name] = value
        missing = [f.name for f in known.values() if f.name not in values and f.default is MISSING]
        if missing:
            raise FeedError(f"the channel needs {', '.join(missing)}")
        return cls(**values)

    @classmethod
    def from_toml(
        cls, path: Path | str | None, defaults: dict[str, Any] | None = None, **overrides: Any
    ) -> Channel:
        """The one loader the command line and the service share: ``defaults`` (from the
        articles), then the TOML file (if any; its edition's table included), then
        ``overrides`` that are not None (flags)."""
        language = overrides.get("language") or (defaults or {}).get("language")
        settings = dict(defaults or {})
        if path is not None:
            settings.update(read_settings(Path(path), language))
        settings.update({k: v for k, v in overrides.items() if v is not None})
        return cls.from_dict(settings)


_ALIASES = {"owner_email": "email", "artwork": "image", "site": "link"}


def read_settings(path: Path, language: str | None = None) -> dict[str, Any]:
    """A channel TOML file as a dict: top-level keys, then the table named by the language
    (``[ar]``), so one file can describe every edition."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FeedError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FeedError(f"cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise FeedError(f"{path} is not valid TOML: {exc}") from None
    settings = {k: v for k, v in data.items() if not isinstance(v, dict)}
    editions = {k: v for k, v in data.items() if isinstance(v, dict)}
    code = language or settings.get("language")
    for key in editions:
        try:
            require_code(key)
        except ListenError:
            raise FeedError(
                f"unknown table [{key}] in {path}", hint="tables name editions: [en], [ar], ..."
            ) from None
    if isinstance(code, str) and require_code(code) in editions:
        settings.update(editions[require_code(code)])
    return settings


@dataclass(frozen=True)
class FeedItem:
    """One episode."""

    guid: str  # stable, derived from the canonical URL
    title: str
    url: str | None  # the article's canonical URL (item <link>)
    published: str | None  # ISO date YYYY-MM-DD (or full ISO datetime)
    summary: str | None
    language: str
    audio_url: str  # absolute enclosure URL
    audio_bytes: int  # the MP3's real size
    duration_ms: int
    transcript_url: str | None = None  # the .vtt, a sentence a cue
    chapters_url: str | None = None  # the .chapters.json
    captions_url: str | None = None  # the .captions.vtt, short cues
    opus_url: str | None = None  # the Ogg Opus copy (podcast:alternateEnclosure)
    opus_bytes: int = 0


def parse_date(value: str | None) -> datetime | None:
    """An ISO date or datetime -> an aware datetime (UTC when no zone is given)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def itunes_duration(ms: int) -> str:
    seconds = (max(0, ms) + 500) // 1000
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def order(items: Sequence[FeedItem]) -> list[FeedItem]:
    """Newest first; undated last; for equal dates, the later in ``items`` first."""

    def key(pair: tuple[int, FeedItem]) -> tuple[float, int]:
        date = parse_date(pair[1].published)
        return (date.timestamp() if date else float("-inf"), pair[0])

    return [item for _, item in sorted(enumerate(items), key=key, reverse=True)]


def _sub(parent: etree._Element, tag: str, value: str | None = None, **attrs: str) -> Any:
    element = etree.SubElement(parent, tag, attrs)
    if value is not None:
        element.text = value
    return element


def _it(name: str) -> str:
    return f"{{{ITUNES}}}{name}"


def _channel_guid(feed_url: str) -> str:
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(_CHANNEL_GUID_NS, bare))


def build_feed(
    channel: Channel, items: Sequence[FeedItem], *, self_url: str | None = None
) -> bytes:
    """RSS 2.0 XML, items newest first. ``self_url`` is where the feed is served
    (default: ``base_url`` + ``feed.xml``)."""
    feed_url = self_url or channel.base_url + "feed.xml"
    ordered = order(items)
    rss = etree.Element("rss", nsmap=_NSMAP, version="2.0")
    ch = _sub(rss, "channel")
    _sub(ch, "title", channel.title)
    _sub(ch, "link", channel.link or channel.base_url)
    _sub(ch, "description", channel.description)
    _sub(ch, "language", channel.language)
    _sub(ch, "generator", f"listen {__version__}")
    dates = [d for d in (parse_date(i.published) for i in ordered) if d]
    if dates:
        _sub(ch, "lastBuildDate", email.utils.format_datetime(max(dates)))
    _sub(ch, f"{{{ATOM}}}link", href=feed_url, rel="self", type="application/rss+xml")
    _sub(ch, f"{{{PODCAST}}}guid", _channel_guid(feed_url))
    if channel.image:
        image = _sub(ch, "image")
        _sub(image, "url", channel.image)
        _sub(image, "title", channel.title)
        _sub(image, "link", channel.link or channel.base_url)
        _sub(ch, _it("image"), href=channel.image)
    _sub(ch, _it("author"), channel.author)
    _sub(ch, _it("summary"), channel.description)
    owner = _sub(ch, _it("owner"))
    _sub(owner, _it("name"), channel.author)
    if channel.email:
        _sub(owner, _it("email"), channel.email)
    parent = ch
    for name in channel.categories:
        parent = _sub(parent, _it("category"), text=name)  # Apple reads the attribute
    _sub(ch, _it("explicit"), "true" if channel.explicit else "false")
    _sub(ch, _it("type"), "episodic")
    for item in ordered:
        _item(ch, item, channel)
    return bytes(etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _item(ch: etree._Element, item: FeedItem, channel: Channel) -> None:
    el = _sub(ch, "item")
    _sub(el, "title", item.title)
    if item.url:
        _sub(el, "link", item.url)
    _sub(el, "description", item.summary or item.title)
    _sub(el, "guid", item.guid, isPermaLink="false")
    date = parse_date(item.published)
    if date:
        _sub(el, "pubDate", email.utils.format_datetime(date))
    _sub(el, "enclosure", url=item.audio_url, length=str(item.audio_bytes), type="audio/mpeg")
    if item.opus_url:
        _alternates(el, item)
    _sub(el, _it("title"), item.title)
    _sub(el, _it("duration"), itunes_duration(item.duration_ms))
    _sub(el, _it("explicit"), "true" if channel.explicit else "false")
    _sub(el, _it("episodeType"), "full")
    if item.transcript_url:  # the whole text, a sentence a cue
        _sub(
            el,
            f"{{{PODCAST}}}transcript",
            url=item.transcript_url,
            type="text/vtt",
            language=item.language,
        )
    if item.captions_url:  # short cues for the screen
        _sub(
            el,
            f"{{{PODCAST}}}transcript",
            url=item.captions_url,
            type="text/vtt",
            language=item.language,
            rel="captions",
        )
    if item.chapters_url:
        _sub(el, f"{{{PODCAST}}}chapters", url=item.chapters_url, type="application/json+chapters")
    # The same under the namespace's first address, for podcastparser (see the module's note).
    if item.transcript_url:
        _sub(
            el,
            f"{{{PODCAST_FIRST}}}transcript",
            url=item.transcript_url,
            type="text/vtt",
            language=item.language,
        )
    if item.chapters_url:
        _sub(
            el,
            f"{{{PODCAST_FIRST}}}chapters",
            url=item.chapters_url,
            type="application/json+chapters",
        )


def _bitrate(size: int, duration_ms: int) -> str:
    """The file's average rate in bits per second, as alternateEnclosure's bitrate wants."""
    return str(round(size * 8000 / duration_ms)) if size and duration_ms > 0 else "0"


def _alternates(el: etree._Element, item: FeedItem) -> None:
    """Both files as ``podcast:alternateEnclosure``: the MP3 (``default``: it is the
    enclosure) and the Opus copy, so an app that reads the tag chooses between them."""
    # The Opus last: feedparser keeps the last element of a name, and the MP3 is the enclosure.
    for media, url, size, title, codecs, default in (
        ("audio/mpeg", item.audio_url, item.audio_bytes, "MP3", None, "true"),
        ("audio/ogg", item.opus_url or "", item.opus_bytes, "Opus", "opus", "false"),
    ):
        attributes = {"type": media, "length": str(size)}
        attributes["bitrate"] = _bitrate(size, item.duration_ms)
        if codecs:  # RFC 6381; audio/mpeg needs none
            attributes["codecs"] = codecs
        attributes.update(lang=item.language, title=title, default=default)
        alternate = _sub(el, f"{{{PODCAST}}}alternateEnclosure", **attributes)
        _sub(alternate, f"{{{PODCAST}}}source", uri=url)


def opus_alternate(el: etree._Element) -> tuple[str, int] | None:
    """(uri, length) of an item's Opus ``podcast:alternateEnclosure``, if it has one."""
    for alternate in el.iterfind(f"{{{PODCAST}}}alternateEnclosure"):
        source = alternate.find(f"{{{PODCAST}}}source")
        codecs = (alternate.get("codecs") or "").lower()
        if source is None or not source.get("uri") or "opus" not in codecs:
            continue
        try:
            return str(source.get("uri")), int(alternate.get("length") or 0)
        except ValueError:
            return None
    return None


def write_feed(
    path: Path, channel: Channel, items: Sequence[FeedItem], *, self_url: str | None = None
) -> None:
    """Write the feed atomically, and only if it changed (clients and caches see the same file)."""
    path = Path(path)
    data = build_feed(
        channel, items, self_url=self_url or channel.base_url + urllib.parse.quote(path.name)
    )
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def read_feed(path: Path) -> tuple[dict[str, str], list[FeedItem]]:
    """A feed file written by ``write_feed``, to rebuild on top of: the channel's language,
    title, description, author and link, and its items.

    A missing file is an empty feed; one that cannot be read as RSS is a ``FeedError``.
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return {}, []
    except OSError as exc:
        raise FeedError(f"cannot read {path}: {exc.strerror}") from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(
            f"{path} exists but is not a feed ({exc})", hint="use --prune to replace it"
        ) from None
    ch = root.find("channel")
    if root.tag != "rss" or ch is None:
        raise FeedError(f"{path} exists but is not an RSS feed", hint="use --prune to replace it")
    found = {
        "language": ch.findtext("language"),
        "title": ch.findtext("title"),
        "description": ch.findtext("description"),
        "author": ch.findtext(_it("author")),
        "link": ch.findtext("link"),
    }
    settings = {k: v.strip() for k, v in found.items() if v and v.strip()}
    items = [_read_item(el, settings.get("language", "und")) for el in ch.iterfind("item")]
    return settings, [i for i in items if i is not None]


def _read_item(el: etree._Element, language: str) -> FeedItem | None:
    enclosure = el.find("enclosure")
    guid = el.findtext("guid")
    if enclosure is None or not guid or not enclosure.get("url"):
        return None

    def podcast(name: str, rel: str | None = None) -> etree._Element | None:
        for ns in (PODCAST, PODCAST_FIRST):
            for found in el.iterfind(f"{{{ns}}}{name}"):
                if found.get("rel") == rel:
                    return found
        return None

    transcript, chapters = podcast("transcript"), podcast("chapters")
    captions = podcast("transcript", "captions")
    try:
        date = el.findtext("pubDate")
        published = email.utils.parsedate_to_datetime(date).isoformat() if date else None
        parts = [int(p) for p in (el.findtext(_it("duration")) or "0").split(":")]
        seconds = sum(p * 60**i for i, p in enumerate(reversed(parts)))
        size = int(enclosure.get("length") or 0)
    except (TypeError, ValueError):
        return None  # not one of ours: rebuilt from the queue, or dropped
    opus_url, opus_bytes = opus_alternate(el) or (None, 0)
    return FeedItem(
        guid=guid,
        title=el.findtext("title") or "",
        url=el.findtext("link"),
        published=published,
        summary=el.findtext("description"),
        language=(transcript.get("language") if transcript is not None else None) or language,
        audio_url=str(enclosure.get("url")),
        audio_bytes=size,
        duration_ms=seconds * 1000,
        transcript_url=transcript.get("url") if transcript is not None else None,
        chapters_url=chapters.get("url") if chapters is not None else None,
        captions_url=captions.get("url") if captions is not None else None,
        opus_url=opus_url,
        opus_bytes=opus_bytes,
    )


def merge(old: Sequence[FeedItem], new: Sequence[FeedItem]) -> list[FeedItem]:
    """The items already published, updated by the new ones (same guid), plus the new ones."""
    by_guid = {item.guid: item for item in old}
    by_guid.update({item.guid: item for item in new})
    return list(by_guid.values())


# -- from the queue -------------------------------------------------------------------------


def _names(names: Sequence[str], language: str) -> str:
    """ "A", "A and B", "A, B and C", "A, B, C and 2 more"."""
    joiner = {"es": " y ", "ar": " و"}.get(language, " and ")
    more = {"es": "{} más", "ar": "{} أخرى"}.get(language, "{} more")
    shown = list(names[:3])
    if len(names) > 3:
        shown.append(more.format(len(names) - 3))
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + joiner + shown[-1]


_READ_ALOUD = {
    "en": "Articles from {}, read aloud.",
    "es": "Artículos de {}, leídos en voz alta.",
    "ar": "مقالات من {}، مقروءة بصوت عالٍ.",
}


def site_defaults(entries: Sequence[Entry], language: str | None = None) -> dict[str, str]:
    """Title, author, description and link from the articles: the site's name, or, when the
    entries come from several sites, the feed named for what it holds ("CNN, Reuters and
    Al Mayadeen English"); the description says what the show is, not just its name."""
    sites = Counter(e.site for e in entries if e.site)
    hosts = Counter(
        urllib.parse.urlsplit(e.url).netloc for e in entries if e.url and "://" in e.url
    )
    code = language or next((e.language for e in entries if e.language), None) or "en"
    code = code.split("-")[0].lower()
    by_count = [name for name, _ in sites.most_common()] or [
        host.removeprefix("www.") for host, _ in hosts.most_common()
    ]
    if not by_count:
        return {}
    name = _names(by_count, code)
    template = _READ_ALOUD.get(code, _READ_ALOUD["en"])
    defaults = {"title": name, "author": name, "description": template.format(name)}
    if len(hosts) == 1:
        host = next(iter(hosts))
        scheme = next(
            urllib.parse.urlsplit(e.url).scheme
            for e in entries
            if e.url and urllib.parse.urlsplit(e.url).netloc == host
        )
        defaults["link"] = f"{scheme}://{host}/"
    return defaults
