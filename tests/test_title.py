"""title: the article's headline, never the site's name or a section label."""

from __future__ import annotations

import json

import pytest

from listen.extract import extract
from listen.models import Page

BODY = " ".join(
    f"Sentence number {i} of a long enough article body, which says something plain."
    for i in range(12)
)


VT = '<meta property="og:site_name" content="Valley Times">'
RAIN = "Rain returns to the valley"
NEON = "Why neon is the symbol of the century"
RUSSIA = "Russia: Space ship breaks up over Siberia"
SRE = "Monitoring Distributed Systems"


def og(prop: str, content: str) -> str:
    return f'<meta property="og:{prop}" content="{content}">'


def page(title: str, head: str = "", header: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><title>{title}</title>{head}</head><body>'
        f"<header>{header}</header><article><p>{BODY}</p><p>{BODY}</p></article></body></html>"
    )


@pytest.mark.parametrize(
    ("title", "head", "header", "expected"),
    [
        # The site's name cut from either end, whatever the separator.
        (
            "Rain returns to the valley :: Valley Times",
            '<meta property="og:site_name" content="Valley Times">',
            "",
            "Rain returns to the valley",
        ),
        (
            "Valley Times » Rain returns to the valley",
            '<meta property="og:site_name" content="Valley Times">',
            "",
            "Rain returns to the valley",
        ),
        (
            "Rain returns to the valley _ Valley Times",
            '<meta property="og:site_name" content="Valley Times">',
            "",
            "Rain returns to the valley",
        ),
        # og:site_name "Factorio.com" names the site "Factorio" in the title.
        (
            "Friday Facts: in sight | Factorio",
            '<meta property="og:site_name" content="Factorio.com">',
            "",
            "Friday Facts: in sight",
        ),
        # A colon inside a headline is the headline's own.
        (
            "Russia: Space ship breaks up over Siberia",
            "",
            "<h1>Russia: Space ship breaks up over Siberia</h1>",
            "Russia: Space ship breaks up over Siberia",
        ),
        # The visible <h1> that agrees with og:title, not the <title>'s different wording.
        (
            "A brief history of neon - CityLab",
            '<meta property="og:title" content="Why neon is the symbol of the century">',
            "<h1>Why neon is the symbol of the century</h1>",
            "Why neon is the symbol of the century",
        ),
        # A section label in the <h1> is not the headline: the metadata's title is.
        (
            "Pollen season starts early | Health",
            '<meta property="og:title" content="Pollen season starts early">',
            "<h1>Allergies Health Center</h1>",
            "Pollen season starts early",
        ),
        # Only a <title> of two names: the article's <h1> is the headline.
        (
            "Google - Site Reliability Engineering",
            "",
            "<h1>Monitoring Distributed Systems</h1>",
            "Monitoring Distributed Systems",
        ),
        # Titles in Chinese and Japanese set the site off without spaces.
        (
            "人工智能迈上新台阶_科技_腾讯网",
            og("site_name", "腾讯网"),
            "",
            "人工智能迈上新台阶",
        ),
        ("公衆無線LANアプリ｜サイト", og("site_name", "サイト"), "", "公衆無線LANアプリ"),
        # A bare <title> that is a name, no metadata: the <h1> is the headline.
        ("Engadget", "", "<h1>Apple unveils a phone</h1>", "Apple unveils a phone"),
        # ... but an <h1> that is part of the <title> is its site part (a logo).
        ("Colophon - Fireball", "", "<h1>Fireball</h1>", "Colophon"),
    ],
)
def test_title(title: str, head: str, header: str, expected: str) -> None:
    assert extract(Page(page(title, head, header))).title == expected


def test_the_site_name_alone_is_never_the_title() -> None:
    head = (
        '<meta property="og:site_name" content="Engadget">'
        '<meta property="og:title" content="Engadget">'
        '<script type="application/ld+json">'
        + json.dumps({"@type": "NewsArticle", "headline": "Apple unveils a phone"})
        + "</script>"
    )
    article = extract(Page(page("Engadget", head, "<h1>Engadget</h1>")))
    assert article.title == "Apple unveils a phone"
