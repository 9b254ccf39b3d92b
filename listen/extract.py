"""HTML page -> ``Article``: the blocks a listener must hear, in reading order.

The page is parsed once (``page_tree``). trafilatura then finds the main text
and keeps its structure (``<head>``, ``<quote>``, ``<list>``, ``<graphic>``).
Around it we add targeted passes where it falls short on news pages:

* the article holder: the element whose paragraphs hold the most text is
  found first, and nothing that holds it is ever dropped (a page wrapped in a
  ``<form>``, a body in an ``<aside>`` or in a box with a chrome-like class);
* chrome: navigation, share and "related" boxes are judged by what they hold
  (link density, size), never dropped for their tag alone;
* captions: tied to their images before trafilatura runs (``captions_html``);
* bylines: rebuilt as "By X. Source: Y. 18 February 2025." (see ``metadata``);
* promos: a paragraph that is only a label plus a link ("Read next: ...",
  "Lea también: ...", "اقرأ أيضاً ...") is dropped, whatever the language.

Every pass walks the tree a bounded number of times, using the text sizes
measured once, so the time stays close to linear in the page.
"""

from __future__ import annotations

import functools
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
from listen.page_tree import TextSizes, measure, parse
from listen.text import squash

# trafilatura logs what it discards; for us that is expected, not worth a line on stderr.
logging.getLogger("trafilatura").addHandler(logging.NullHandler())
logging.getLogger("trafilatura").propagate = False

# Boxes that usually hold chrome. Matched against class/id tokens; such a box is
# only removed when what it holds looks like chrome too (see _strip_chrome).
_CHROME = re.compile(
    r"(^|[-_])(related|read-?next|readnext|most-?read|tags?|share|shares|sharing|social|"
    r"breaking|ticker|newsletter|promo|advert|ads?|sponsor|listen|comments?|"
    r"sidebar|widget|breadcrumbs?|pagination|outbrain|taboola)($|[-_])",
    re.I,
)
_CHROME_TAGS = frozenset({"nav", "footer", "aside", "button", "form", "noscript", "iframe", "menu"})
# Class/id words that make trafilatura drop a box: taken off the boxes that hold the article.
_DISCARDED_BY_TRAFILATURA = re.compile(
    r"share|social|viral|newsletter|cookie|tags|sidebar|banner|crumb|button|author|byline|"
    r"footer|nav|menu|related|premium|widget|comment|hidden|meta|rating|attachment|"
    r"timestamp|modal|consent|promo|(^|[-_])ad($|[-_])|embed|elated|next-|stories|popular",
    re.I,
)
# Text only screen readers get (", opens new tab"): it annotates links, it is not the article.
_HIDDEN_CLASS = re.compile(
    r"(^|\s)(visually-hidden|sr-only|screen-reader-text|visuallyhidden)(\s|$)"
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

# The passes above test only the elements these find (in C, in one walk each) with their
# exact patterns, instead of every element of the page in Python.
_HIDDEN_CANDIDATES = etree.XPath(
    "//*[@hidden or @aria-hidden='true' or @style or contains(@class, 'hidden')"
    " or contains(@class, 'sr-only') or contains(@class, 'screen-reader')]"
)
_CHROME_CANDIDATES = etree.XPath(
    " | ".join(f"//{tag}" for tag in sorted(_CHROME_TAGS)) + " | //*[@class or @id]"
)


@functools.lru_cache(maxsize=4096)
def _chrome_name(class_and_id: str) -> bool:
    """A class or id word says chrome (a page repeats its few class names many times)."""
    return any(_CHROME.search(t) for t in class_and_id.split())


# Short lines of page furniture that trafilatura sometimes keeps beside the text.
_NOISE = re.compile(
    "^(" + "|".join(f"(?:{pattern})" for p in packs() for pattern in p.noise) + ")$", re.I
)
_TIMESTAMP = re.compile(r"\b\d{1,2}:\d{2}\b|\bmin(ute)?s?\s+read\b", re.I)
_PROMO_LABEL_MAX_WORDS = 5
_FALLBACK_BUDGET_S = 3.0
# Full stops and question marks of many scripts (Urdu ۔, Devanagari ।, Burmese ။, Khmer ។,
# Tibetan །, Armenian ։, Ethiopic ።); Thai and Lao mark none (see _is_prose).
_SENTENCE_END = re.compile(r"[.!?؟。！？।॥۔။។།։።…]")
# Scripts written without spaces between words: there a character, not a word, is counted.
_UNSPACED = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]"
)


def extract(page: Page, *, language: str | None = None) -> Article:
    """Find the article in ``page`` or raise ``ExtractionError``."""
    tree = parse(page.html, page.source)
    sizes = measure(tree)
    meta = read_meta(tree, page.url, sizes)
    _plain_elements(tree)
    holder_el, holder, prose_chars = _protect_holder(tree, sizes)
    # Asked before the chrome goes (an <iframe> player is chrome to the text).
    has_purpose = bool(_PURPOSE_XPATH(tree))
    _drop_hidden(tree, sizes, holder)
    figures = tie_captions(tree)
    _strip_chrome(tree, sizes, holder)
    _drop_promos(tree, sizes, holder)
    positions = {el: i for i, el in enumerate(tree.iter())}

    body = _trafilatura_body(tree, prose_chars)
    if body is None:
        raise ExtractionError(f"no article found in {page.source}")
    blocks = _body_blocks(body, figures, meta)
    body_el = tree.find("body")
    page_chars = sizes.of(body_el if body_el is not None else tree)
    if not _looks_like_article(blocks, page_chars, has_purpose=has_purpose):
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


_CUSTOM_XPATH = etree.XPath("//math | //*[contains(name(), '-')]")


def _plain_elements(tree: etree._Element) -> None:
    """Custom elements (``<mjx-container>``, ``<gu-island>``) become the boxes they are,
    and a MathML formula the line of symbols it reads as ("a ≠ 0"): trafilatura keeps
    neither, and drops the text that follows them in a sentence."""
    for el in _CUSTOM_XPATH(tree):
        if el.tag == "math":
            symbols = squash(" ".join(el.itertext()))  # <mi>a</mi><mo>≠</mo>: "a ≠"
            tail = el.tail
            el.clear()  # (children, attributes and tail)
            el.tag, el.text, el.tail = "span", f" {symbols} ", tail
        else:
            el.tag = "div" if any(child.tag in _BLOCKISH for child in el) else "span"


def _protect_holder(
    tree: etree._Element, sizes: TextSizes
) -> tuple[etree._Element | None, set[etree._Element], float]:
    """The element holding most of the article's paragraphs, it with all its ancestors,
    and how many characters of prose it holds.

    Paragraph text is credited to its parent, and half of it to the
    grandparent (a body split into sections still has one holder). The holder
    and the boxes around it are then made safe from every chrome rule, ours and
    trafilatura's: a ``<form>`` or ``<aside>`` around it becomes a ``<div>``, and
    chrome-like words leave its class and id.
    """
    score: dict[etree._Element, float] = {}
    for p in tree.iter("p", "pre", "blockquote", "li", "td", "div"):
        if p.tag == "div":
            # A <div> used as a paragraph: no block inside it, and prose in it.
            if any(child.tag in _BLOCKISH for child in p):
                continue
            size = sizes.of(p)
            if size < 120:
                continue
        else:
            size = sizes.of(p)
        if size < 25 or sizes.link_density(p) > 0.3:
            continue
        # A list item or a cell counts only when it is a paragraph of prose itself
        # (old table layouts), not one line of a feed or a menu.
        if p.tag in ("li", "td") and (size < 120 or not _SENTENCE_END.search(p.text_content())):
            continue
        parent = p.getparent()
        if parent is None:
            continue
        score[parent] = score.get(parent, 0.0) + size
        grand = parent.getparent()
        if grand is not None:
            score[grand] = score.get(grand, 0.0) + size / 2
    if not score:
        return None, set(), 0.0
    holder = _visible_first(score)
    protected = {holder, *holder.iterancestors()}
    for el in protected:
        if el.tag in _CHROME_TAGS:
            el.tag = "div"
        for attr in ("class", "id"):
            value = el.get(attr)
            if value and _DISCARDED_BY_TRAFILATURA.search(value):
                kept = [t for t in value.split() if not _DISCARDED_BY_TRAFILATURA.search(t)]
                el.set(attr, " ".join(kept))
        for attr in ("hidden", "aria-hidden", "style"):
            el.attrib.pop(attr, None)
    # What trafilatura should keep at least: the holder's paragraphs, and half of
    # those one level further down (the same weights that chose it).
    prose = score[holder]
    return holder, protected, float(prose)


def _visible_first(score: dict[etree._Element, float]) -> etree._Element:
    """The best-scored element, unless it is hidden and the page shows a real article
    elsewhere: a body hidden until a script reveals it is the article only when
    nothing visible is."""
    ranked = sorted(score, key=lambda el: -score[el])
    best = ranked[0]
    if not _is_hidden(best):
        return best
    around = set(best.iterancestors())  # they hold the hidden body: no other article
    for el in ranked[1:50]:
        if score[el] < max(250.0, 0.25 * score[best]):
            break
        if el not in around and not _is_hidden(el):
            return el
    return best


def _is_hidden(el: etree._Element) -> bool:
    return any(
        _HIDDEN_CLASS.search(node.get("class", ""))
        or node.get("hidden") is not None
        or node.get("aria-hidden") == "true"
        or _HIDDEN_STYLE.search(node.get("style", ""))
        for node in (el, *el.iterancestors())
    )


_BLOCKISH = frozenset(
    "div p ul ol table section article aside header footer nav form figure blockquote pre "
    "h1 h2 h3 h4 h5 h6 dl main".split()
)


def _drop_hidden(tree: etree._Element, sizes: TextSizes, protected: set[etree._Element]) -> None:
    """Remove what no reader sees: screen-reader annotations and hidden boxes."""
    for el in _HIDDEN_CANDIDATES(tree):
        if el in protected or el.getparent() is None:
            continue
        hidden = (
            _HIDDEN_CLASS.search(el.get("class", ""))
            or el.get("hidden") is not None
            or el.get("aria-hidden") == "true"
            or _HIDDEN_STYLE.search(el.get("style", ""))
        )
        if hidden:  # (the article's own holder, shown by a script, is protected)
            el.drop_tree()


def _strip_chrome(tree: etree._Element, sizes: TextSizes, protected: set[etree._Element]) -> None:
    """Drop boxes that look like chrome by tag or class *and* by what they hold."""
    total = sizes.of(tree) or 1
    for el in _CHROME_CANDIDATES(tree):
        if el in protected or el.getparent() is None or el.tag in ("html", "body"):
            continue
        if el.tag not in _CHROME_TAGS and not _chrome_name(
            f"{el.get('class', '')} {el.get('id', '')}"
        ):
            continue
        size = sizes.of(el)
        # A real content wrapper may carry a misleading class or tag; never drop one that
        # holds a large share of the page, unless all it holds is links.
        if size < total * 0.25 and (size < 1200 or sizes.link_density(el) > 0.5):
            el.drop_tree()


_PROMO_TAGS = {"p", "li", "div", "h2", "h3", "h4", "h5", "h6", "span", "strong", "section", "aside"}
_LABEL_TAGS = {"p", "div", "h2", "h3", "h4", "h5", "h6", "span", "strong", "b", "header"}


def _drop_promos(tree: etree._Element, sizes: TextSizes, protected: set[etree._Element]) -> None:
    """Remove "label + link" paragraphs and the label that heads a box of them.

    Done on the page itself: trafilatura drops a paragraph that is only a link
    but keeps the "Related News" line above it, which would then be read alone.
    """
    # Boxes that hold paragraphs or list items, and what stands in a figure, are never
    # promos themselves: found in one walk each, not by a search from every element.
    holds_blocks: set[etree._Element] = set()
    for block in tree.iter("p", "li"):
        for anc in block.iterancestors():
            if anc in holds_blocks:
                break
            holds_blocks.add(anc)
    in_figure = {el for fig in tree.iter("figure", "figcaption") for el in fig.iter()}
    for el in list(tree.iter(*_PROMO_TAGS)):
        if el.getparent() is None or el in holds_blocks or el in in_figure:
            continue
        if el.tag in _INLINE and _within_text(el):
            continue  # a link in a sentence, bolded: part of the paragraph, not a promo
        if _is_promo_html(el, sizes) and not _heads_section(el, sizes, protected):
            _drop_with_label(_teaser_of(el, sizes, protected), sizes)


_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})


_TEASER_SUMMARY_MAX = 300


def _teaser_of(
    el: etree._Element, sizes: TextSizes, protected: set[etree._Element]
) -> etree._Element:
    """The teaser a linked headline heads, when it is one: a box, outside the article's
    holder, with only the headline and a short summary (its thumbnail, its date)."""
    parent = el.getparent()
    if (
        el.tag in _HEADINGS
        and parent is not None
        and parent not in protected
        and parent.tag not in ("body", "html")
        and sizes.of(parent) - sizes.of(el) <= _TEASER_SUMMARY_MAX
    ):
        return parent
    return el


def _heads_section(el: etree._Element, sizes: TextSizes, protected: set[etree._Element]) -> bool:
    """A heading of the article's own body followed by a paragraph of prose: a section
    ("20) <a>Faces Places</a>" over its review), even when the heading is a link.

    A teaser's linked headline over its summary stands in a box of its own, not
    in the element that holds the article.
    """
    if el.tag not in _HEADINGS or el.getparent() not in protected:
        return False
    for sibling in el.itersiblings():
        if not isinstance(sibling.tag, str) or not sizes.of(sibling):
            continue  # a video, an image, an empty box between them
        return (
            sibling.tag not in _HEADINGS
            and sizes.of(sibling) >= 100
            and sizes.link_density(sibling) < 0.5
        )
    return False


_INLINE = frozenset({"span", "strong", "b", "em", "i", "a", "small", "font"})
_TEXT_BLOCKS = frozenset({"p", "li", "td", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"})


def _within_text(el: etree._Element) -> bool:
    """An inline element that stands inside a paragraph (or beside other text)."""
    node = el
    while node.tag in _INLINE:
        parent = node.getparent()
        if parent is None:
            return False
        if (node.tail and node.tail.strip()) or (parent.text and parent.text.strip()):
            return True
        if parent.tag in _TEXT_BLOCKS:
            return True
        node = parent
    return False


def _drop_with_label(el: etree._Element, sizes: TextSizes) -> None:
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
            and sizes.of(label) <= 80
            and _is_label(squash(label.text_content()))
            and (label.find(".//a[@href]") is None or _is_promo_html(label, sizes))
        ):
            label.drop_tree()
        if parent.tag in ("body", "article", "main") or any(t.strip() for t in parent.itertext()):
            return
        el = parent


def _is_promo_html(el: etree._Element, sizes: TextSizes) -> bool:
    """A label plus a link, and nothing else: "Read next: <a>...</a>"."""
    linked_chars = sizes.linked.get(el, 0)
    # Cheap test first: a promo's text is nearly all link text.
    if not linked_chars or sizes.of(el) - linked_chars > 80:
        return False
    linked = sum(words(a.text_content()) for a in el.iter("a") if a.get("href"))
    total = words(el.text_content())
    return bool(linked) and total - linked <= _PROMO_LABEL_MAX_WORDS and linked * 2 >= total


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
    return total - linked <= _PROMO_LABEL_MAX_WORDS and linked * 2 >= total


def _before_prose(el: etree._Element) -> bool:
    """The next block is a paragraph of prose (what a linked section heading stands over)."""
    following = el.getnext()
    return following is not None and following.tag == "p" and len(_text(following)) >= 100


def _is_label(text: str) -> bool:
    """A short heading-like line with no sentence in it ("Related News", "Lea también:")."""
    return 0 < words(text) <= 4 and not re.search(r"[.!?؟。！？]$", text)


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
            if _is_label(text):
                if pending_label is not None:
                    blocks.append(pending_label)
                pending_label = Block("heading", text)
                return
            add("heading", text)
        elif tag == "quote":
            add("quote", text)
        elif tag == "p" and _is_label(text) and words(text) <= 3:
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
    if pending_label is not None and not any(_is_prose(b.text) for b in blocks):
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
    return len(alt.split()) >= 5


def words(text: str) -> float:
    """How many words ``text`` holds, in any script.

    Where words are not separated by spaces (Chinese, Japanese, Thai), two
    characters count as one word, about the length of a word there.
    """
    unspaced = len(_UNSPACED.findall(text))
    if not unspaced:
        return len(text.split())
    return len(_UNSPACED.sub(" ", text).split()) + unspaced / 2


def _looks_like_article(blocks: list[Block], page_chars: int, *, has_purpose: bool) -> bool:
    """Enough prose, counted in any script: menus and teaser grids have many words but
    no sentences.

    A short brief (two sentences or more) is an article. So is any short text
    that is nearly all the page says (a note, a one-line page), unless the page
    is a sign-in form or a player: there the text only labels what the page is
    for (a password box, a video with its one-line blurb).
    """
    texts = [b.text for b in blocks if b.kind in ("paragraph", "quote", "list_item", "heading")]
    prose = [t for t in texts if _is_prose(t)]
    total = sum(words(t) for t in prose)
    longest = max((words(t) for t in prose), default=0)
    if total >= 50 and longest >= 15:
        return True
    sentences = sum(max(1, len(_SENTENCE_END.findall(t))) for t in prose)
    if sentences >= 2 and total >= 15 and longest >= 8:
        return True
    chars = sum(len(t) for t in texts)
    if not chars or chars < 0.5 * page_chars:
        return False
    return not has_purpose


def _is_prose(text: str) -> bool:
    """A sentence, or a run of words long enough to be one (Thai marks no sentence end)."""
    return bool(_SENTENCE_END.search(text)) or words(text) >= 15


# What a page is for when its text is short: signing in, or playing a video or a sound.
_PURPOSE_XPATH = etree.XPath(
    "//input[translate(@type, 'PASWORD', 'pasword')='password'] | //video | //audio"
    " | //iframe[re:test(@src, 'youtube|vimeo|dailymotion|player|video', 'i')]",
    namespaces={"re": "http://exslt.org/regular-expressions"},
)


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
