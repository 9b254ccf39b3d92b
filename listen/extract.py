"""HTML page -> ``Article``: the blocks a listener must hear, in reading order.

trafilatura finds the main text and keeps its structure (``<head>``,
``<quote>``, ``<list>``, ``<graphic>``). Around it we add three targeted passes
where it falls short on news pages:

* captions: before trafilatura runs, every figure's ``<figcaption>`` (or
  ``.caption`` box) is tied to its image, so the caption is read where the
  image stands, once, and the alt text only when there is no caption;
* bylines: rebuilt as "By X. Source: Y. 18 February 2025." from the page's
  byline markup, JSON-LD and meta tags (see ``metadata``);
* promos: a paragraph that is only a label plus a link ("Read next: ...",
  "Lea también: ...", "اقرأ أيضاً ...") is dropped, whatever the language.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from listen.errors import ExtractionError
from listen.language import detect_language
from listen.metadata import PageMeta, read_meta
from listen.models import Article, Block, BlockKind, Page
from listen.text import squash

# trafilatura logs what it discards; for us that is expected, not worth a line on stderr.
logging.getLogger("trafilatura").addHandler(logging.NullHandler())
logging.getLogger("trafilatura").propagate = False

# Boxes that hold chrome, never article text. Matched against class/id tokens;
# an element is only removed when it holds little text (see _strip_chrome).
_CHROME = re.compile(
    r"(^|[-_])(related|read-?next|readnext|most-?read|tags?|share|shares|sharing|social|"
    r"breaking|ticker|newsletter|promo|advert|ads?|sponsor|listen|comments?|"
    r"sidebar|widget|breadcrumbs?|pagination|outbrain|taboola)($|[-_])",
    re.I,
)
_CAPTION_CLASS = re.compile(r"caption", re.I)
_CAPTION_ACTION = re.compile(r"licens|rights|purchase|buy |download|enlarge|expand|share", re.I)
# Text only screen readers get (", opens new tab"): it annotates links, it is not the article.
_HIDDEN_CLASS = re.compile(
    r"(^|\s)(visually-hidden|sr-only|screen-reader-text|visuallyhidden)(\s|$)"
)
_CAPTION_ALT = "\ue000"  # private-use marker: "this alt came from a figcaption"
_FIGURE_SRC = "https://listen.invalid/figure-{}.jpg"
_FIGURE_SRC_RE = re.compile(r"^https://listen\.invalid/figure-(\d+)\.jpg$")

# Short lines of page furniture that trafilatura sometimes keeps beside the text.
_NOISE = re.compile(
    r"^(\d+\s*(shares?|min(ute)?s?\s+read|comments?|views?)|listen|share( this)?:?|like this:?|"
    r"advertisement|ad feedback|min read|\d+\s*(compartidos|min\s+de\s+lectura)|publicidad|"
    r"استمع|مشاركة|\d+\s*(دقائق|دقيقة)\s*(للقراءة|قراءة)?)$",
    re.I,
)
_TIMESTAMP = re.compile(r"\b\d{1,2}:\d{2}\b|\bmin(ute)?s?\s+read\b", re.I)
_PROMO_LABEL_MAX_WORDS = 5


@dataclass(frozen=True)
class _Figure:
    caption: str
    alt: str
    img: etree._Element  # to find where the image stands in the page


def extract(page: Page, *, language: str | None = None) -> Article:
    """Find the article in ``page`` or raise ``ExtractionError``."""
    try:
        tree = lxml_html.document_fromstring(page.html)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"{page.source}: cannot parse HTML ({exc})") from None
    for hidden in tree.xpath("//*[@class]"):
        if _HIDDEN_CLASS.search(hidden.get("class", "")) and hidden.getparent() is not None:
            hidden.drop_tree()
    meta = read_meta(tree, page.url)
    figures = _tie_captions(tree)
    _strip_chrome(tree)
    _drop_promos(tree)

    body = _trafilatura_body(copy.deepcopy(tree), meta.url or page.url)
    if body is None:
        raise ExtractionError(f"no article found in {page.source}")
    blocks = _body_blocks(body, figures, meta)
    if not _looks_like_article(blocks):
        raise ExtractionError(f"no article found in {page.source}")

    head = _head_blocks(tree, meta, blocks, figures)
    blocks = _dedupe(head + blocks)
    lang = language or detect_language(meta, " ".join(b.text for b in blocks if b.kind != "byline"))
    byline = meta.byline(lang)
    if byline:
        blocks.insert(1, Block("byline", byline))
    return Article(
        title=blocks[0].text,
        language=lang,
        blocks=tuple(blocks),
        byline=byline,
        author=meta.author,
        published=meta.published,
        site=meta.site,
        url=meta.url or page.url,
    )


def _tie_captions(tree: etree._Element) -> dict[int, _Figure]:
    """Give every captioned image a marked src and alt, so trafilatura keeps its place."""
    figures: dict[int, _Figure] = {}
    caption_elements = [
        el
        for el in tree.iter()
        if isinstance(el.tag, str)
        and (el.tag == "figcaption" or _CAPTION_CLASS.search(el.get("class", "")))
    ]
    for caption_el in caption_elements:
        if caption_el.getparent() is None or any(
            a.tag == "figcaption" for a in caption_el.iterancestors()
        ):
            continue  # already removed with an outer caption, or nested in one
        container = caption_el
        img = None
        for _ in range(4):
            container = container.getparent()
            if container is None:
                break
            imgs = container.xpath(".//img")
            if imgs:
                img = imgs[0]
                break
        for action in caption_el.xpath(".//a|.//button"):
            # "Purchase Licensing Rights", "Enlarge": controls inside a caption, not words of it
            if _CAPTION_ACTION.search(action.text_content()):
                action.drop_tree()
        caption = squash(caption_el.text_content())
        if img is None or not caption:
            continue
        index = len(figures)
        figures[index] = _Figure(caption=caption, alt=squash(img.get("alt", "")), img=img)
        img.set("src", _FIGURE_SRC.format(index))
        img.set("alt", _CAPTION_ALT + caption)
        for attr in ("srcset", "data-src", "data-srcset", "data-lazy-src"):
            img.attrib.pop(attr, None)
        caption_el.drop_tree()
    return figures


def _strip_chrome(tree: etree._Element) -> None:
    total = len(squash(tree.text_content()).split()) or 1
    for el in list(tree.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None or el.tag in ("html", "body"):
            continue
        if el.tag in ("nav", "footer", "aside", "button", "form", "noscript", "iframe"):
            el.drop_tree()
            continue
        tokens = " ".join((el.get("class", ""), el.get("id", ""))).split()
        if not any(_CHROME.search(t) for t in tokens):
            continue
        words = len(squash(el.text_content()).split())
        # A real content wrapper may carry a misleading class; never drop one that
        # holds a large share of the page's words.
        if words < 200 and words < total * 0.25:
            el.drop_tree()


_PROMO_TAGS = {"p", "li", "div", "h2", "h3", "h4", "h5", "h6", "span", "strong", "section", "aside"}
_LABEL_TAGS = {"p", "div", "h2", "h3", "h4", "h5", "h6", "span", "strong", "b", "header"}


def _drop_promos(tree: etree._Element) -> None:
    """Remove "label + link" paragraphs and the label that heads a box of them.

    Done on the page itself: trafilatura drops a paragraph that is only a link
    but keeps the "Related News" line above it, which would then be read alone.
    """
    for el in list(tree.iter(*_PROMO_TAGS)):
        if el.getparent() is None or el.xpath("ancestor::figure|ancestor::figcaption|.//p|.//li"):
            continue
        if _is_promo_html(el):
            _drop_with_label(el)


def _drop_with_label(el: etree._Element) -> None:
    """Drop ``el``; then a container it leaves empty, and a short label just before either."""
    while el is not None:
        parent = el.getparent()
        if parent is None:  # already cut out with an ancestor
            return
        label = el.getprevious()
        el.drop_tree()
        if (
            label is not None
            and label.tag in _LABEL_TAGS
            and _is_label(squash(label.text_content()))
            and (not label.xpath(".//a[@href]") or _is_promo_html(label))
        ):
            label.drop_tree()
        if (
            parent is None
            or parent.tag in ("body", "article", "main")
            or squash(parent.text_content())
        ):
            return
        el = parent


def _is_promo_html(el: etree._Element) -> bool:
    """A label plus a link, and nothing else: "Read next: <a>...</a>"."""
    links = el.xpath(".//a[@href]")
    linked = sum(len(squash(a.text_content()).split()) for a in links)
    return (
        bool(linked) and len(squash(el.text_content()).split()) - linked <= _PROMO_LABEL_MAX_WORDS
    )


def _trafilatura_body(tree: etree._Element, url: str | None) -> etree._Element | None:
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        include_images=True,
        include_links=True,
        include_formatting=False,
        include_tables=False,
        include_comments=False,
        with_metadata=False,
    )
    if document is None:
        return None
    body = document.body if hasattr(document, "body") else None
    return body if body is not None and len(body) else None


def _text(el: etree._Element) -> str:
    return squash(" ".join(el.itertext()))


def _is_promo(el: etree._Element) -> bool:
    """A label plus a link, and nothing else: "Read next: <a>...</a>"."""
    refs = el.xpath(".//ref")
    if not refs:
        return False
    linked = sum(len(_text(r).split()) for r in refs)
    if not linked:
        return False
    words = len(_text(el).split())
    return words - linked <= _PROMO_LABEL_MAX_WORDS


def _is_label(text: str) -> bool:
    """A short heading-like line with no sentence in it ("Related News", "Lea también:")."""
    words = text.split()
    return 0 < len(words) <= 4 and not re.search(r"[.!?؟]$", text)


def _body_blocks(body: etree._Element, figures: dict[int, _Figure], meta: PageMeta) -> list[Block]:
    blocks: list[Block] = []
    pending_label: Block | None = None  # a short line that may title a promo box

    def add(kind: BlockKind, text: str) -> None:
        nonlocal pending_label
        if pending_label is not None:
            blocks.append(pending_label)
            pending_label = None
        if text:
            blocks.append(Block(kind, text))

    for el in body:
        tag = el.tag
        if tag == "graphic":
            caption = _graphic_caption(el, figures)
            if caption:
                add("caption", caption)
            continue
        if tag == "list":
            items = [item for item in el.iter("item")]
            kept = [i for i in items if not _is_promo(i) and _text(i)]
            if items and not kept:
                pending_label = None  # the label belonged to a list of links
                continue
            for item in kept:
                text = _text(item)
                if not meta.is_byline_line(text) and not _NOISE.match(text):
                    add("list_item", text)
            continue
        for graphic in el.iter("graphic"):  # images inside paragraphs
            caption = _graphic_caption(graphic, figures)
            if caption:
                add("caption", caption)
        text = _text(el)
        if not text or _NOISE.match(text) or meta.is_byline_line(text):
            continue
        if _is_promo(el):
            pending_label = None
            continue
        if tag == "head":
            if _is_label(text):
                if pending_label is not None:
                    blocks.append(pending_label)
                pending_label = Block("heading", text)
                continue
            add("heading", text)
        elif tag == "quote":
            add("quote", text)
        elif tag == "p" and _is_label(text) and len(text.split()) <= 3:
            if pending_label is not None:
                blocks.append(pending_label)
            pending_label = Block("paragraph", text)
        else:
            add("paragraph", text)
    return blocks


def _graphic_caption(el: etree._Element, figures: dict[int, _Figure]) -> str | None:
    match = _FIGURE_SRC_RE.match(el.get("src", ""))
    if match:
        return figures[int(match.group(1))].caption
    alt = squash(el.get("alt", "") or el.get("title", ""))
    return alt if _is_sentence(alt) else None


def _is_sentence(alt: str) -> bool:
    """An alt text worth reading: several words of prose, not a file name or a label."""
    if not alt or re.search(
        r"\.(jpe?g|png|gif|webp|avif)\b|[_/\\]|^(image|photo|img)\b", alt, re.I
    ):
        return False
    return len(alt.split()) >= 5


def _looks_like_article(blocks: list[Block]) -> bool:
    """Enough prose: menus and teaser grids have many words but no sentences."""
    prose = [
        b
        for b in blocks
        if b.kind in ("paragraph", "quote", "list_item") and re.search(r"[.!?؟。]", b.text)
    ]
    words = sum(len(b.text.split()) for b in prose)
    longest = max((len(b.text.split()) for b in prose), default=0)
    return words >= 60 and longest >= 20


def _head_blocks(
    tree: etree._Element,
    meta: PageMeta,
    body: list[Block],
    figures: dict[int, _Figure],
) -> list[Block]:
    """Title, summary and the lead image's caption, taken out of the body if it has them."""
    title = meta.title or (body[0].text if body else "")
    if body and body[0].kind == "heading" and _same(body[0].text, title):
        del body[0]
    head = [Block("title", title)]
    positions = {el: i for i, el in enumerate(tree.iter())}
    start = positions.get(meta.heading, -1)
    first = next((b.text for b in body if b.kind == "paragraph"), "")
    end = next(
        (positions[p] for p in tree.iter("p", "div") if first and _text(p).startswith(first[:60])),
        -1,  # the body's start is unknown: claim nothing for the header
    )
    summary = _summary(meta, body, lambda el: start < positions.get(el, -1) < end)
    if summary:
        head.append(Block("summary", summary))
    # A lead image between the headline and the first paragraph is often outside
    # what trafilatura calls the main text; its caption belongs right here.
    body_captions = {b.text for b in body if b.kind == "caption"}
    for figure in figures.values():
        where = positions.get(figure.img, -1)  # -1: removed with the page's chrome
        if start < where < end and figure.caption not in body_captions:
            head.append(Block("caption", figure.caption))
    return head


def _summary(
    meta: PageMeta, body: list[Block], in_header: Callable[[etree._Element], bool]
) -> str | None:
    """The standfirst: a lead paragraph the description repeats, or a box in the header."""
    if meta.description:
        short = meta.description.rstrip(". …")
        for i, block in enumerate(body[:3]):
            if block.kind == "paragraph" and (
                _same(block.text, meta.description)
                or (len(short) > 40 and block.text.startswith(short))
            ):
                del body[i]
                return block.text
    for el, text in meta.standfirsts:
        furniture = _NOISE.match(text) or meta.is_byline_line(text) or _TIMESTAMP.search(text)
        if in_header(el) and not furniture and len(text.split()) >= 6:
            return text
    return None


def _same(a: str, b: str) -> bool:
    def fold(s: str) -> str:
        return re.sub(r"\W+", "", s).casefold()

    return fold(a) == fold(b)


def _dedupe(blocks: list[Block]) -> list[Block]:
    """Never read the same text twice (a caption repeated as a paragraph, say)."""
    seen: set[str] = set()
    out: list[Block] = []
    for block in blocks:
        key = re.sub(r"\W+", "", block.text).casefold()
        if key in seen and block.kind != "title":
            continue
        seen.add(key)
        out.append(block)
    return out
