"""HTML page -> ``Article``: the blocks a listener must hear, in reading order.

The page is parsed once (``page_tree``) and made ready for trafilatura
(``page_clean``: the article's holder protected, hidden boxes, chrome and
promos taken out; ``captions_html``: every caption tied to its image).
trafilatura then finds the main text and keeps its structure (``<head>``,
``<quote>``, ``<list>``, ``<graphic>``, ``<table>``); here that becomes blocks:

* what trafilatura left out between two kept blocks is put back
  (``body_gaps``), and so are the captions of figures it dropped;
* a layout table is read cell by cell, a data table row by row;
* the title, the standfirst and the lead image's caption head the article;
  the byline is rebuilt as "By X. Source: Y. 18 February 2025." (``metadata``);
* whether it is an article at all is decided in any script (``prose``).

Every pass walks the tree a bounded number of times, using the text sizes
measured once, so the time stays close to linear in the page.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

import trafilatura
from lxml import etree

from listen.body_gaps import fill_gaps
from listen.captions_html import FIGURE_SRC_RE, Figure, place_lost_captions, tie_captions
from listen.errors import ExtractionError
from listen.lang import packs
from listen.language import detect_language
from listen.metadata import PageMeta, read_meta
from listen.models import Article, Block, BlockKind, Page
from listen.page_clean import (
    PROMO_LABEL_MAX_WORDS,
    drop_hidden,
    drop_promos,
    plain_elements,
    protect_holder,
    strip_chrome,
)
from listen.page_tree import measure, parse
from listen.prose import PURPOSE_XPATH, is_label, is_prose, looks_like_article, words
from listen.text import squash

# trafilatura logs what it discards; for us that is expected, not worth a line on stderr.
logging.getLogger("trafilatura").addHandler(logging.NullHandler())
logging.getLogger("trafilatura").propagate = False

# Short lines of page furniture that trafilatura sometimes keeps beside the text.
_NOISE = re.compile(
    "^(" + "|".join(f"(?:{pattern})" for p in packs() for pattern in p.noise) + ")$", re.I
)
_TIMESTAMP = re.compile(r"\b\d{1,2}:\d{2}\b|\bmin(ute)?s?\s+read\b", re.I)
_FALLBACK_BUDGET_S = 3.0


def extract(page: Page, *, language: str | None = None) -> Article:
    """Find the article in ``page`` or raise ``ExtractionError``."""
    tree = parse(page.html, page.source)
    sizes = measure(tree)
    meta = read_meta(tree, page.url, sizes)
    holder_el, holder, prose_chars = protect_holder(tree, sizes)
    plain_elements(holder_el, holder)
    # What the page is for, asked before the chrome goes (an <iframe> player is chrome to
    # the text): signing in, playing something, or leading elsewhere (mostly links).
    body_el = tree.find("body")
    page_el = body_el if body_el is not None else tree
    has_purpose = sizes.link_density(page_el) > 0.5 or bool(PURPOSE_XPATH(tree))
    drop_hidden(tree, sizes, holder)
    figures = tie_captions(tree)
    strip_chrome(tree, sizes, holder)
    drop_promos(tree, sizes, holder)
    positions = {el: i for i, el in enumerate(tree.iter())}

    body = _trafilatura_body(tree, prose_chars)
    if body is None:
        raise ExtractionError(f"no article found in {page.source}")
    blocks = _body_blocks(body, figures, meta)
    page_chars = sizes.of(page_el)
    if not looks_like_article(blocks, page_chars, has_purpose=has_purpose):
        raise ExtractionError(f"no article found in {page.source}")

    blocks = fill_gaps(
        blocks, holder_el, sizes, lambda t: not _NOISE.match(t) and not meta.is_byline_line(t)
    )
    blocks = place_lost_captions(blocks, figures, tree, positions)
    head = _head_blocks(tree, positions, meta, blocks, figures)
    # A title made of the body's first words leaves those words in the body.
    blocks = _dedupe(head + blocks, title_from_body=not meta.title)
    if len(blocks) < 2:  # a headline over nothing
        raise ExtractionError(f"no article found in {page.source}")
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


def _trafilatura_body(tree: etree._Element, expected_chars: float) -> etree._Element | None:
    """trafilatura's main text of ``tree``.

    Its fast mode first; its fallbacks (readability and jusText, which double
    its time) only when that kept clearly less than the prose the holder has.
    """
    started = time.monotonic()
    body = _trafilatura(tree, fast=True)
    kept = sum(len(t) for t in body.itertext()) if body is not None else 0
    # The fallbacks take about as long again: skip them on a page that was already slow.
    if kept >= 0.8 * expected_chars or time.monotonic() - started > _FALLBACK_BUDGET_S:
        return body
    slow = _trafilatura(tree, fast=False)
    if slow is None:
        return body
    if body is None or sum(len(t) for t in slow.itertext()) > kept:
        return slow
    return body


def _trafilatura(tree: etree._Element, *, fast: bool) -> etree._Element | None:
    # trafilatura's own defaults, but for images (captions), links (promos) and
    # comments; it copies the tree it is given, so ours stays whole for the header.
    document = trafilatura.bare_extraction(
        tree,
        url=None,  # a link only has to be there (promos): resolving each one is time lost
        include_images=True,
        include_links=True,
        include_formatting=False,
        include_tables=True,
        include_comments=False,
        with_metadata=False,
        fast=fast,
    )
    if document is None:
        return None
    body = document.body if hasattr(document, "body") else None
    return body if body is not None and len(body) else None


def _text(el: etree._Element) -> str:
    return squash(" ".join(el.itertext()))


def _is_promo(el: etree._Element) -> bool:
    """A label plus a link, and nothing else: "Read next: <a>...</a>"."""
    # Only links that lead somewhere: an anchor without an address (an index mark) is none.
    refs = [r for r in el.iter("ref") if r.get("target")]
    if not refs:
        return False
    linked = sum(words(_text(r)) for r in refs)
    if not linked:
        return False
    total = words(_text(el))
    # Mostly link text: a heading with a "#" anchor beside it is no promo.
    return total - linked <= PROMO_LABEL_MAX_WORDS and linked * 2 >= total


def _before_prose(el: etree._Element) -> bool:
    """The next block is a paragraph of prose (what a linked section heading stands over)."""
    following = el.getnext()
    return following is not None and following.tag == "p" and len(_text(following)) >= 100


_PROSE_IN_CELL = frozenset({"p", "head", "list", "quote"})


def _body_blocks(body: etree._Element, figures: dict[int, Figure], meta: PageMeta) -> list[Block]:
    blocks: list[Block] = []
    pending_label: Block | None = None  # a short line that may title a promo box

    def add(kind: BlockKind, text: str) -> None:
        nonlocal pending_label
        if pending_label is not None:
            blocks.append(pending_label)
            pending_label = None
        if text:
            blocks.append(Block(kind, text))

    def read_mixed(container: etree._Element) -> None:
        """Blocks one by one, and the loose text and inline parts between them as paragraphs."""
        run = [container.text or ""]
        linked = 0  # characters of the run inside links: a run of links is a menu
        for child in container:
            if child.tag in _PROSE_IN_CELL or child.tag in ("table", "graphic"):
                flush(run, linked)
                read(child)
                run, linked = [child.tail or ""], 0
            else:
                text = _text(child)
                linked += len(text) if child.tag == "ref" else 0
                run += [text, child.tail or ""]
        flush(run, linked)

    def flush(run: list[str], linked: int) -> None:
        text = squash(" ".join(run))
        if text and not _NOISE.match(text) and linked < 0.5 * len(text):
            add("paragraph", text)

    def read(el: etree._Element) -> None:
        nonlocal pending_label
        tag = el.tag
        if tag == "graphic":
            caption = _graphic_caption(el, figures)
            if caption:
                add("caption", caption)
            return
        if tag == "table":
            for row in el.iter("row"):
                cells = list(row.iter("cell"))
                if any(child.tag in _PROSE_IN_CELL for cell in cells for child in cell):
                    for cell in cells:  # a layout table: its cells hold paragraphs
                        read_mixed(cell)
                    continue
                text = "; ".join(c for c in (_text(cell) for cell in cells) if c)
                if text and not _NOISE.match(text):
                    add("paragraph", text)
            return
        if tag == "list":
            items = [item for item in el.iter("item")]
            kept = [i for i in items if not _is_promo(i) and _text(i)]
            if items and not kept:
                pending_label = None  # the label belonged to a list of links
                return
            for item in kept:
                text = _text(item)
                if not meta.is_byline_line(text) and not _NOISE.match(text):
                    add("list_item", text)
            return
        for graphic in el.iter("graphic"):  # images inside paragraphs
            caption = _graphic_caption(graphic, figures)
            if caption:
                add("caption", caption)
        text = _text(el)
        if not text or _NOISE.match(text) or meta.is_byline_line(text):
            return
        if _is_promo(el) and not (tag == "head" and _before_prose(el)):
            pending_label = None
            return
        if tag == "head":
            if is_label(text):
                if pending_label is not None:
                    blocks.append(pending_label)
                pending_label = Block("heading", text)
                return
            add("heading", text)
        elif tag == "quote":
            add("quote", text)
        elif tag == "p" and is_label(text) and words(text) <= 3:
            if pending_label is not None:
                blocks.append(pending_label)
            pending_label = Block("paragraph", text)
        else:
            add("paragraph", text)

    for el in body:
        read(el)
        tail = squash(el.tail or "")
        if tail:  # text standing loose between blocks ("<p>def</p> ghi") is read too
            add("paragraph", tail)
    # A short label titles what follows it; at the end nothing does, so it is dropped,
    # unless labels are all the page says ("Test", "Test case 1").
    if pending_label is not None and not any(is_prose(b.text) for b in blocks):
        blocks.append(pending_label)
    return blocks


def _graphic_caption(el: etree._Element, figures: dict[int, Figure]) -> str | None:
    match = FIGURE_SRC_RE.match(el.get("src", ""))
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
    return words(alt) >= 5  # (in characters where words are not spaced: a Chinese alt too)


def _head_blocks(
    tree: etree._Element,
    positions: dict[etree._Element, int],
    meta: PageMeta,
    body: list[Block],
    figures: dict[int, Figure],
) -> list[Block]:
    """Title, summary and the lead image's caption, taken out of the body if it has them."""
    title = meta.title or _untitled(body)
    if body and body[0].kind == "heading" and _same(body[0].text, title):
        del body[0]
    head = [Block("title", title)]
    start = positions.get(meta.heading, -1) if meta.heading is not None else -1
    first = next((b.text for b in body if b.kind == "paragraph"), "")
    end = _position_of(tree, positions, first)
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


def _untitled(body: list[Block]) -> str:
    """A page with no title anywhere: its first heading, or its first words, never a
    whole paragraph (which would then be read once, as the title)."""
    if not body:
        return ""
    if body[0].kind == "heading":
        return body[0].text
    first = re.split(r"(?<=[.!?؟。])\s", body[0].text, maxsplit=1)[0]
    cut = first.split()
    return " ".join(cut[:10]) + (" …" if len(cut) > 10 else "")


def _position_of(tree: etree._Element, positions: dict[etree._Element, int], text: str) -> int:
    """Where the paragraph that starts with ``text`` stands; -1 when it cannot be found.

    A ``<p>`` holds no other ``<p>``, so reading every one is linear; a body made
    of ``<div>`` text is found by its first words in a text node instead.
    """
    if not text:
        return -1  # the body's start is unknown: claim nothing for the header
    for p in tree.iter("p"):
        if _text(p).startswith(text[:60]):
            return positions.get(p, -1)
    probe = text[:30]
    for node in tree.xpath("//text()[contains(., $probe)]", probe=probe):
        parent = node.getparent()
        if parent is not None:
            return positions.get(parent, -1)
    return -1


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


def _dedupe(blocks: list[Block], *, title_from_body: bool = False) -> list[Block]:
    """Never read the same text twice as two kinds (a caption repeated as a paragraph, say).

    A paragraph the article itself repeats (a refrain, a quoted line) is kept.
    """
    seen: dict[str, BlockKind] = {}
    out: list[Block] = []
    for block in blocks:
        key = re.sub(r"\W+", "", block.text).casefold()
        kind = seen.get(key)
        if (
            kind is not None
            and block.kind != "title"
            and (kind != block.kind or kind not in ("paragraph", "list_item", "quote"))
        ):
            continue
        if not (block.kind == "title" and title_from_body):
            seen.setdefault(key, block.kind)
        out.append(block)
    return out
