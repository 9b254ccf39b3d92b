"""Tie every caption in the page to its image, before trafilatura sees the page.

A caption is a ``<figcaption>``, an element whose class says caption
(``.caption``, ``wp-caption-text``, ``image-caption``...), or one marked
``itemprop=caption``; a credit line inside the same ``<figure>`` ("Photo:
AFP") is added to it. Its image is the nearest one around it: an ``<img>``
(lazy-loaded ones with ``data-src``, ``<noscript>`` copies), a ``<picture>``
with only ``<source>`` children, or a box whose ``data-src`` stands for an
image; in a gallery, each caption takes the image of its own item. A
``<figure>`` with a caption and no image yet (a script fills it in) stands
for its image.

The image gets a marked ``src`` and the caption as its ``alt``, and the
caption element is removed, so trafilatura, which keeps images in place,
keeps the caption exactly where the image stands, and only once.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from listen.models import Block
from listen.text import squash

_CAPTION_CLASS = re.compile(r"caption", re.I)
_CREDIT_CLASS = re.compile(r"credit|copyright|(^|[-_\s])source($|[-_\s])", re.I)
_CAPTION_ACTION = re.compile(
    r"licens|rights|purchase|buy |download|enlarge|expand|share|zoom|close", re.I
)
_LAZY_ATTRS = ("data-src", "data-srcset", "data-lazy-src", "data-original", "data-lazy")
_IMAGE_XPATH = etree.XPath(
    ".//img | .//picture | .//*[@data-src or @data-srcset or @data-lazy-src or @data-original]"
)
# Found in C in one walk; _is_caption then tests each exactly.
_CAPTION_CANDIDATES = etree.XPath(
    "//figcaption | //*[@itemprop='caption']"
    " | //*[contains(translate(@class, 'CAPTION', 'caption'), 'caption')]"
)
_PLAYER_XPATH = etree.XPath(".//iframe | .//video | .//audio | .//embed | .//object")
CAPTION_ALT = "\ue000"  # private-use marker: "this alt came from a caption"
FIGURE_SRC = "https://listen.invalid/figure-{}.jpg"
FIGURE_SRC_RE = re.compile(r"^https://listen\.invalid/figure-(\d+)\.jpg$")
_MAX_CLIMB = 4  # a caption and its image are never further apart than this


@dataclass(frozen=True)
class Figure:
    caption: str
    alt: str
    img: etree._Element  # to find where the image stands in the page


def _is_caption(el: etree._Element) -> bool:
    if el.tag == "figcaption" or el.get("itemprop") == "caption":
        return True
    # A box whose class says caption but holds the image is the figure, not its caption.
    return (
        el.tag not in ("figure", "img", "picture", "body", "html")
        and bool(_CAPTION_CLASS.search(el.get("class", "")))
        and el.find(".//img") is None
    )


def _unwrap_noscript_images(tree: etree._Element) -> None:
    """A ``<noscript>`` copy of a lazy image stands in for it when the page has no real one."""
    for noscript in list(tree.iter("noscript")):
        parent = noscript.getparent()
        if parent is None:
            continue
        inner = list(noscript.iter("img"))
        if not inner:
            continue
        for img in parent.iter("img"):
            if img not in inner and not _has_real_src(img):
                parent.remove(img) if img.getparent() is parent else img.drop_tree()
        noscript.drop_tag()


def _has_real_src(img: etree._Element) -> bool:
    src = img.get("src", "")
    return bool(src) and not src.startswith("data:")


def _image_of(caption_el: etree._Element, taken: set[etree._Element]) -> etree._Element | None:
    """The image this caption describes: the nearest untaken one, before the caption if any."""
    container = caption_el
    for _ in range(_MAX_CLIMB):
        container = container.getparent()
        if container is None or container.tag in ("body", "html", "article", "main"):
            break
        found = [
            el
            for el in _IMAGE_XPATH(container)
            if el not in taken and not any(a in taken for a in el.iterancestors("picture"))
        ]
        if not found:
            continue
        before = [el for el in found if _precedes(el, caption_el, container)]
        pick = before[-1] if before else found[0]
        return _as_img(pick)
    figure = next(caption_el.iterancestors("figure"), None)
    if figure is None or _PLAYER_XPATH(figure):
        return None  # (a player's caption describes what a listener cannot see)
    # A figure whose image a script has not loaded yet (an empty lazy box): the figure
    # stands for it, and the caption is read where the caption stands.
    img = lxml_html.Element("img")
    caption_el.addprevious(img)
    return img


def _precedes(a: etree._Element, b: etree._Element, container: etree._Element) -> bool:
    """``a`` comes before ``b`` in the page (both are inside ``container``)."""
    node: etree._Element | None = b
    while node is not None and node is not container:
        for el in node.itersiblings(preceding=True):
            if el is a or a in el.iterdescendants():
                return True
        node = node.getparent()
    return False


def _as_img(el: etree._Element) -> etree._Element:
    """An ``<img>`` for this image: itself, the one inside it, or a new one in its place."""
    if el.tag == "img":
        return el
    inner = next(el.iter("img"), None)
    if inner is not None:
        return inner
    img = lxml_html.Element("img")
    el.append(img)
    return img


def _credit_of(caption_el: etree._Element, caption: str) -> str | None:
    """A credit line in the same figure ("Photo: AFP"), unless the caption already says it."""
    figure = next(caption_el.iterancestors("figure"), None)
    if figure is None or _PLAYER_XPATH(figure):
        return None  # (a player's caption describes what a listener cannot see)
    for el in figure.iter():
        if el is caption_el or not isinstance(el.tag, str) or el.tag == "img":
            continue
        if _CREDIT_CLASS.search(el.get("class", "")):
            credit = squash(el.text_content())
            if credit and credit not in caption and len(credit.split()) <= 12:
                el.drop_tree()
                return credit
    return None


def tie_captions(tree: etree._Element) -> dict[int, Figure]:
    """Give every captioned image a marked src and alt, so trafilatura keeps its place."""
    _unwrap_noscript_images(tree)
    figures: dict[int, Figure] = {}
    taken: set[etree._Element] = set()
    captions = [el for el in _CAPTION_CANDIDATES(tree) if _is_caption(el)]
    outer = set(captions)
    for caption_el in captions:
        if caption_el.getparent() is None or any(a in outer for a in caption_el.iterancestors()):
            continue  # removed with an outer caption, or nested in one
        img = _image_of(caption_el, taken)
        if img is None:
            continue
        for action in caption_el.xpath(".//a|.//button"):
            # "Purchase Licensing Rights", "Enlarge": controls inside a caption, not words of it
            if _CAPTION_ACTION.search(action.text_content()):
                action.drop_tree()
        # Words in sibling spans are separate words ("Brooklyn.</span><span>Credit").
        caption = squash(" ".join(caption_el.itertext()))
        if not caption:
            continue
        credit = _credit_of(caption_el, caption)
        if credit:
            caption = (
                f"{caption.rstrip()} {credit}"
                if caption[-1:] in ".!?)"
                else (f"{caption}. {credit}")
            )
        taken.add(img)
        index = len(figures)
        figures[index] = Figure(caption=caption, alt=squash(img.get("alt", "")), img=img)
        img.set("src", FIGURE_SRC.format(index))
        img.set("alt", CAPTION_ALT + caption)
        for attr in ("srcset", *_LAZY_ATTRS):
            img.attrib.pop(attr, None)
        caption_el.drop_tree()
    return figures


_ANCHOR_TAGS = ("p", "li", "blockquote", "h2", "h3", "h4", "h5", "h6", "pre")


def place_lost_captions(
    blocks: list[Block],
    figures: dict[int, Figure],
    tree: etree._Element,
    positions: dict[etree._Element, int],
) -> list[Block]:
    """Put back the captions of figures inside the article that trafilatura left out.

    trafilatura drops some figures (in lists, in "step" boxes, or when its
    fallback extractors win). A figure that stands between two paragraphs
    the body kept is read right after the one before it, as on the page.
    """
    read = {b.text for b in blocks if b.kind == "caption"}
    lost = [f for f in figures.values() if f.caption not in read and f.img in positions]
    if not lost:
        return blocks
    where: dict[str, int] = {}
    for el in tree.iter(*_ANCHOR_TAGS):
        key = squash(" ".join(el.itertext()))[:60]
        if key:
            where.setdefault(key, positions.get(el, -1))
    anchors = sorted(
        (where[b.text[:60]], i)
        for i, b in enumerate(blocks)
        if b.kind != "caption" and b.text[:60] in where and where[b.text[:60]] >= 0
    )
    if len(anchors) < 2:
        return blocks
    inserts: list[tuple[int, int, Block]] = []
    for figure in lost:
        pos = positions[figure.img]
        if not anchors[0][0] < pos < anchors[-1][0]:
            continue  # before the body (the header's business) or after it (related content)
        index = bisect.bisect_left(anchors, (pos, -1)) - 1
        inserts.append((anchors[index][1] + 1, pos, Block("caption", figure.caption)))
    out = list(blocks)
    # From the end, and the last image first, so that each lands in page order.
    for at, _, block in sorted(inserts, key=lambda item: (item[0], item[1]), reverse=True):
        out.insert(at, block)
    return out
