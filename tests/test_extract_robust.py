"""extract on hostile input: characters XML cannot hold, and the shapes that were slow.

Each shape is built large enough that a quadratic pass would take minutes,
and each test must still finish in about a second (no timing is asserted:
a regression shows as a suite that hangs, not as a flaky number).
"""

from __future__ import annotations

import pytest

from listen.errors import ExtractionError
from listen.extract import extract
from listen.models import Page
from listen.page_tree import MAX_ATTRIBUTES, cap_attributes, clean_text
from listen.pipeline import script_from_html

SENTENCES = " ".join(
    f"Sentence number {i} of a long enough article body, which says something plain."
    for i in range(12)
)
LINES = SENTENCES.replace("Sentence", "Line")


def page(body: str, *, head: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><title>A headline for a test</title>{head}'
        f"</head><body><article><h1>A headline for a test</h1>{body}</article></body></html>"
    )


@pytest.mark.parametrize("char", ["\x0b", "\x0c", "\x1f", "\x01", "\ufffe", "\uffff", "\x00"])
def test_a_control_character_never_loses_the_article(char: str) -> None:
    html = page(f"<p>{SENTENCES[:200]}{char}{SENTENCES[200:]}</p><p>{SENTENCES}</p>")
    script = script_from_html(html)
    text = " ".join(b.text for b in script.blocks)
    assert "Sentence number 11" in text
    assert char not in text


def test_a_control_character_in_a_caption_is_read_without_it() -> None:
    html = page(
        f"<p>{SENTENCES}</p><figure><img src='https://x.org/a.jpg'>"
        "<figcaption>Workers\x12 load olive oil in Sfax.</figcaption></figure>"
        f"<p>{SENTENCES}</p>"
    )
    captions = [b.text for b in script_from_html(html).blocks if b.kind == "caption"]
    assert captions == ["Workers load olive oil in Sfax."]


def test_a_lone_surrogate_in_the_text_is_dropped() -> None:
    html = page(f"<p>Broken \ud800 character. {SENTENCES}</p>")
    script = script_from_html(html)
    assert script.blocks[1].text.startswith("Broken character.")


def test_clean_text_keeps_every_character_xml_can_hold() -> None:
    text = "Tab\tnew line\nArabic العربية, emoji 🙂, accents éñ, CJK 中文, NBSP\u00a0."
    assert clean_text(text) == text
    assert clean_text("a\x0bb\x0cc\x01d\ufffee") == "a b cde"


def test_a_tag_with_too_many_attributes_is_cut_and_parsed_fast() -> None:
    """200,000 attributes on one tag took libxml2 minutes; the page is read in well under one."""
    crowded = " ".join(f'data-a{i}="v"' for i in range(200_000))
    html = page(f"<div {crowded}><p>{SENTENCES}</p><p>{LINES}</p></div>")
    assert len(html) > 1_900_000
    article = extract(Page(html))
    assert sum(b.kind == "paragraph" for b in article.blocks) == 2
    cut = cap_attributes(f"<div {crowded}>x</div>")
    assert cut.count("data-a") == MAX_ATTRIBUTES and cut.endswith(">x</div>")


@pytest.mark.parametrize(
    "attack",
    [
        "<a" * 300_000,  # tag starts with no end
        "<x " + " ".join(f'a{i}="<y"' for i in range(50_000)) + ">",  # '<' inside values
        "<x a='" + "b" * 500_000,  # an unterminated quote
    ],
    ids=["unclosed-tags", "lt-in-values", "open-quote"],
)
def test_attribute_capping_is_linear_on_hostile_markup(attack: str) -> None:
    out = cap_attributes(attack)
    assert len(out) <= len(attack) + 1


def test_many_elements_with_many_attributes() -> None:
    spans = "".join(
        f'<span class="c{i}" data-x="1" data-y="2" title="t">w{i} </span>' for i in range(6_000)
    )
    html = page(f"<p>{SENTENCES}</p><div>{spans}</div><p>{SENTENCES}</p>")
    extract(Page(html))


def test_deep_nesting_is_refused_or_read_quickly() -> None:
    """libxml2 stops at 255 levels; what lies deeper is lost, and the page says so."""
    deep = "<div>" * 5000 + f"<p>{SENTENCES}</p>" + "</div>" * 5000
    with pytest.raises(ExtractionError, match="no article found"):
        extract(Page(page(deep)))
    shallow = "<div>" * 120 + f"<p>{SENTENCES}</p><p>{LINES}</p>" + "</div>" * 120
    assert extract(Page(page(shallow))).blocks[1].kind == "paragraph"


def test_one_huge_paragraph() -> None:
    html = page(f"<p>{SENTENCES * 400}</p>")
    assert len(html) > 300_000
    article = extract(Page(html))
    assert article.blocks[1].text.endswith("says something plain.")


def test_thousands_of_captioned_figures() -> None:
    figures = "".join(
        f"<figure><img data-src='https://x.org/{i}.jpg'>"
        f"<figcaption>Picture {i} of the town.</figcaption></figure>"
        for i in range(2000)
    )
    article = extract(Page(page(f"<p>{SENTENCES}</p>{figures}<p>{SENTENCES}</p>")))
    captions = [b.text for b in article.blocks if b.kind == "caption"]
    assert len(captions) == len(set(captions)) >= 1900


def test_a_page_with_too_many_elements_is_refused_in_one_line() -> None:
    from listen.page_tree import MAX_ELEMENTS

    html = page("<b></b>" * (MAX_ELEMENTS + 10))
    with pytest.raises(ExtractionError, match="elements, more than"):
        extract(Page(html))
