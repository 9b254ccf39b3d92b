"""Put back what trafilatura left out between two blocks of the article it kept.

trafilatura sometimes drops, in the middle of the text, a list of short items
("The smaller releases will contain mainly:" and its points), or a heading
with markup inside it. A block of the element holding the article that stands,
in page order, between two blocks the body kept next to each other is part of
the article: it is read there, once. What only links to elsewhere (a list of
links, a "Read more" line) and page furniture stay out, as do figures (their
captions are tied to images) and tables (read by row).

The blocks are looked for in the holder, or in its parent when that holds
paragraphs of its own (a lead, then a "read more" box with the rest). A body
split into sibling parts made from one template (``<div
class="article-body">`` twice, an advertisement between them) is one body:
the parts trafilatura left out are read before or after the one it kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from listen.models import Block, BlockKind
from listen.page_tree import TextSizes
from listen.text import squash

_LEAVES = ("p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt")
_KINDS: dict[str, BlockKind] = {
    "li": "list_item",
    "dd": "list_item",
    "dt": "list_item",
    "blockquote": "quote",
    **{h: "heading" for h in ("h2", "h3", "h4", "h5", "h6")},
}
_APART = frozenset({"figure", "figcaption", "table", "nav", "form", "button", "select"})
_MAX_LINK_DENSITY = 0.5
_UNSEEN = frozenset({"script", "style", "template", "noscript"})


def _fold(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def _key(text: str) -> str:
    return _fold(text)[:40]


def _visible_text(el: etree._Element) -> str:
    """The text a reader sees in ``el``: no script or style inside it."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.tag not in _UNSEEN:
            parts.append(node.text or "")
            for child in node:
                walk(child)
        if node is not el:
            parts.append(node.tail or "")

    walk(el)
    return squash(" ".join(parts))


def fill_gaps(
    blocks: list[Block],
    holder: etree._Element | None,
    sizes: TextSizes,
    readable: Callable[[str], bool],
) -> list[Block]:
    """``blocks`` with the holder's blocks that fell between two kept ones put back.

    ``readable`` says whether a line may be read at all (not furniture, not the byline).
    """
    if holder is None or len(blocks) < 2:
        return blocks
    where: dict[str, int] = {}
    for i, block in enumerate(blocks):
        where.setdefault(_key(block.text), i)
    # Leaves that trafilatura joined into one block (paragraphs of a quote) are in it.
    read = "\n".join(_fold(b.text) for b in blocks)
    inserts: list[tuple[int, list[Block]]] = []
    last: int | None = None  # the index of the last kept block met in the page
    lost: list[Block] = []
    lost_in_twins = True  # every lost block since the last kept one is in a twin
    twins = _twins(holder)
    scope = _scope(holder, sizes)
    parts = sorted([holder, *twins], key=_order(holder)) if scope is holder else [scope]
    for part in parts:
        for el in part.iter(*_LEAVES):
            if any(True for _ in el.iterdescendants(*_LEAVES)):
                continue  # read through its own leaves
            text = _visible_text(el)
            key = _key(text)
            if not key:
                continue
            index = where.get(key)
            if index is None and key in read:
                continue
            if index is None:
                if _may_read(el, part, sizes) and readable(text):
                    lost.append(Block(_KINDS.get(el.tag, "paragraph"), text))
                    lost_in_twins = lost_in_twins and _within(el, twins, part)
                continue
            if lost and last is None and lost_in_twins:
                inserts.append((0, lost))  # a part of the body before the one trafilatura read
            elif lost and last is not None and _adjacent(blocks, last, index):
                inserts.append((last + 1, lost))
            lost, lost_in_twins = [], True
            last = index
    if lost and last is not None and lost_in_twins:
        inserts.append((last + 1, lost))  # a part of the body after the one trafilatura read
    if not inserts:
        return blocks
    out = list(blocks)
    for at, found in sorted(inserts, key=lambda item: item[0], reverse=True):
        out[at:at] = found
    return out


def _scope(holder: etree._Element, sizes: TextSizes) -> etree._Element:
    """Where the article's blocks are looked for: the holder, or its parent when that
    holds paragraphs of its own too (a lead part, then a "read more" box that holds
    the rest)."""
    parent = holder.getparent()
    if parent is None or parent.tag in ("body", "html"):
        return holder
    own = [
        el
        for el in parent
        if el.tag == "p" and sizes.of(el) >= 80 and sizes.link_density(el) < _MAX_LINK_DENSITY
    ]
    return parent if len(own) >= 2 else holder


def _within(el: etree._Element, boxes: list[etree._Element], scope: etree._Element) -> bool:
    for anc in el.iterancestors():
        if anc is scope:
            return scope in boxes
        if anc in boxes:
            return True
    return False


def _twins(holder: etree._Element) -> list[etree._Element]:
    """The holder's siblings made from the same template (same tag, same class): a body
    split into parts around an advertisement or a "read more" box."""
    parent = holder.getparent()
    cls = holder.get("class", "").strip()
    if parent is None or not cls:
        return []
    return [
        el
        for el in parent
        if el is not holder and el.tag == holder.tag and el.get("class", "").strip() == cls
    ]


def _order(holder: etree._Element) -> Callable[[etree._Element], int]:
    parent = holder.getparent()
    children = list(parent) if parent is not None else [holder]
    return lambda el: children.index(el)


def _adjacent(blocks: list[Block], before: int, after: int) -> bool:
    """Nothing but captions stands between the two kept blocks: the gap is one place."""
    return before < after and all(b.kind == "caption" for b in blocks[before + 1 : after])


def _may_read(el: etree._Element, holder: etree._Element, sizes: TextSizes) -> bool:
    if sizes.link_density(el) > _MAX_LINK_DENSITY:
        return False
    for anc in el.iterancestors():
        if anc is holder:
            return True
        if anc.tag in _APART:
            return False
    return True
