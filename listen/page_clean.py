"""The page before trafilatura reads it: the article's holder made safe, then what no
listener should hear taken out.

* the holder: the element whose paragraphs hold the most text (a visible one
  before a hidden one) is found first, and nothing that holds it is ever
  dropped: a ``<form>`` or ``<aside>`` around it becomes a ``<div>``, and
  chrome-like words leave its class and id;
* hidden boxes and screen-reader annotations;
* chrome: navigation, share and "related" boxes, judged by what they hold
  (link density, size), never dropped for their tag alone;
* promos: a paragraph that is only a label plus a link ("Read next: ...",
  "Lea también: ...", "اقرأ أيضاً ..."), and a teaser box after the article;
* custom elements and MathML, made plain so their text stays in its sentence.

Each pass walks the tree once, with the text sizes measured once.
"""

from __future__ import annotations

import functools
import re

from lxml import etree

from listen.page_tree import TextSizes
from listen.prose import SENTENCE_END, is_label, words
from listen.text import squash

# Boxes that usually hold chrome. Matched against class/id tokens; such a box is
# only removed when what it holds looks like chrome too (see strip_chrome).
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


PROMO_LABEL_MAX_WORDS = 5  # the words a promo may say besides its link


_CUSTOM_XPATH = etree.XPath(
    "descendant-or-self::math | descendant-or-self::*[contains(name(), '-')]"
)


def plain_elements(holder: etree._Element | None, protected: set[etree._Element]) -> None:
    """Custom elements (``<mjx-container>``, ``<gu-island>``) in the article and around it
    become the boxes they are, and a MathML formula the line of symbols it reads as
    ("a ≠ 0"): trafilatura keeps neither, and drops the text that follows them in a
    sentence. Those elsewhere in the page are left to trafilatura's judgement."""
    if holder is None:
        return
    around = [el for el in protected if isinstance(el.tag, str) and "-" in el.tag]
    for el in dict.fromkeys([*around, *_CUSTOM_XPATH(holder)]):
        if el.tag == "math":
            symbols = squash(" ".join(el.itertext()))  # <mi>a</mi><mo>≠</mo>: "a ≠"
            tail = el.tail
            el.clear()  # (children, attributes and tail)
            el.tag, el.text, el.tail = "span", f" {symbols} ", tail
        else:
            el.tag = "div" if any(child.tag in _BLOCKISH for child in el) else "span"


def protect_holder(
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
        if p.tag in ("li", "td") and (size < 120 or not SENTENCE_END.search(p.text_content())):
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


def drop_hidden(tree: etree._Element, sizes: TextSizes, protected: set[etree._Element]) -> None:
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


def strip_chrome(tree: etree._Element, sizes: TextSizes, protected: set[etree._Element]) -> None:
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


def drop_promos(tree: etree._Element, sizes: TextSizes, protected: set[etree._Element]) -> None:
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
            and is_label(squash(label.text_content()))
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
    return bool(linked) and total - linked <= PROMO_LABEL_MAX_WORDS and linked * 2 >= total
