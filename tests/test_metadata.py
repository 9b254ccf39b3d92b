"""metadata: the title, the authors and the source, from every place pages put them."""

from __future__ import annotations

import json

import pytest

from listen.extract import extract
from listen.metadata import join_names
from listen.models import Page

BODY = " ".join(
    f"Sentence number {i} of a long enough article body, which says something plain."
    for i in range(12)
)


def page(*, head: str = "", header: str = "", title: str = "Site | The real headline") -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><title>{title}</title>{head}</head><body>'
        f"<header>{header}</header><article><p>{BODY}</p><p>{BODY.replace('Sentence', 'Line')}"
        "</p></article></body></html>"
    )


def jsonld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


@pytest.mark.parametrize(
    ("head", "header", "authors"),
    [
        (jsonld({"@type": "NewsArticle", "author": "Ana Gómez"}), "", "Ana Gómez"),
        (
            jsonld(
                {
                    "@graph": [
                        {"@type": "WebPage"},
                        {
                            "@type": ["NewsArticle"],
                            "author": [
                                {"@type": "Person", "name": "Ana Gómez"},
                                {"@type": "Person", "name": "Luis Gil"},
                            ],
                        },
                    ]
                }
            ),
            "",
            "Ana Gómez, Luis Gil",
        ),
        (
            [jsonld([{"@type": "BlogPosting", "author": {"name": "Mike Conley"}}])][0],
            "",
            "Mike Conley",
        ),
        ('<meta property="article:author" content="Sarah Archer">', "", "Sarah Archer"),
        ('<meta name="parsely-author" content="Jane Doe">', "", "Jane Doe"),
        ('<meta name="sailthru.author" content="Joe Bloggs">', "", "Joe Bloggs"),
        (
            '<meta name="parsely-page" content=\'{"authors": ["Jane Doe", "John Roe"]}\'>',
            "",
            "Jane Doe, John Roe",
        ),
        ("", '<a rel="author" href="/a/x">Nathan Willis</a>', "Nathan Willis"),
        ("", '<p class="byline">By Joshua Sokol and Ana Ruiz</p>', "Joshua Sokol, Ana Ruiz"),
        (
            '<script type="application/ld+json"><![CDATA[{"@type": "Article", "author": '
            '{"@type": "Person", "name": "Daniel Kahn Gillmor"}}]]></script>',
            "",
            "Daniel Kahn Gillmor",
        ),
        (
            "",
            '<div class="FeatureByline">By <b>Nathan Willis</b> March 25, 2015</div>',
            "Nathan Willis",
        ),
        ("", '<p class="byline">By April Ryan</p>', "April Ryan"),
        (
            '<meta name="author" '
            'content="Martin Untersinger (avec Damien Leloup et Morgane Tual)">',
            "",
            "Martin Untersinger, Damien Leloup, Morgane Tual",
        ),
        (
            '<meta name="author" content="Bruno (Henrique Zecchin) Rodrigues">',
            "",
            "Bruno (Henrique Zecchin) Rodrigues",
        ),
        # A URL where a name should be is no name; the markup is read instead.
        (
            '<meta property="article:author" content="https://facebook.com/x">',
            '<span class="author">Alissa Wilkinson</span>',
            "Alissa Wilkinson",
        ),
    ],
)
def test_authors_from_every_source(head: str, header: str, authors: str) -> None:
    assert extract(Page(page(head=head, header=header))).author == authors


@pytest.mark.parametrize(
    "header",
    [
        '<label class="comment-form-author">Name *</label>',
        '<span class="author">Name</span>',
        '<span class="author">Feed</span>',
        '<span class="byline">Promoted by</span>',
        '<span class="author">@handle</span>',
        '<span class="author">Games Editor</span>',
        '<div id="comments"><cite class="author fn">A Commenter</cite></div>',
        '<form><p class="comment-form-author">John Doe</p></form>',
    ],
)
def test_labels_handles_and_commenters_are_never_the_author(header: str) -> None:
    article = extract(Page(page(header=header)))
    assert article.author is None
    assert article.byline is None


def test_an_organisation_as_author_reads_as_the_source() -> None:
    head = jsonld({"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Reuters"}})
    article = extract(Page(page(head=head)))
    assert article.author is None
    assert article.byline == "Source: Reuters."


def test_the_site_named_as_author_is_not_a_person() -> None:
    head = (
        '<meta property="og:site_name" content="The Daily Planet">'
        '<meta name="author" content="The Daily Planet">'
    )
    article = extract(Page(page(head=head)))
    assert article.author is None and article.byline == "Source: The Daily Planet."


@pytest.mark.parametrize(
    ("names", "language", "said"),
    [
        (["A", "B", "C"], "en", "A, B and C"),
        (["Ana", "Luis", "Marta"], "es", "Ana, Luis y Marta"),
        (["Ana", "Isabel"], "es", "Ana e Isabel"),
        (["أحمد", "سارة"], "ar", "أحمد و سارة"),
        (["أ", "ب", "ج"], "ar", "أ، ب و ج"),
        (["Jean", "Marie"], "fr", "Jean et Marie"),
        (["Solo"], "en", "Solo"),
    ],
)
def test_several_authors_are_joined_as_each_language_says(
    names: list[str], language: str, said: str
) -> None:
    assert join_names(names, language) == said


def test_byline_in_the_article_language() -> None:
    head = (
        jsonld({"@type": "NewsArticle", "author": ["Ana Ruiz", "Luis Gil", "Isabel Mora"]})
        + '<meta property="article:published_time" content="2025-03-05">'
    )
    html = page(head=head).replace('lang="en"', 'lang="es"').replace(BODY, SPANISH)
    article = extract(Page(html))
    assert article.language == "es"
    assert article.byline == "Por Ana Ruiz, Luis Gil e Isabel Mora. 5 de marzo de 2025."


SPANISH = " ".join(
    "El gobierno anunció hoy nuevas medidas económicas para apoyar a las familias del país."
    for _ in range(8)
)


@pytest.mark.parametrize(
    ("head", "header", "title", "expected"),
    [
        # The visible <h1> that agrees with the metadata, without the " | Site".
        (
            '<meta property="og:title" content="The real headline | Site">',
            "<h1>The real headline</h1>",
            "x",
            "The real headline",
        ),
        # A logo in an <h1> is the site's name, never the title.
        (
            '<meta property="og:site_name" content="Salon">'
            '<meta property="og:title" content="The sharing economy is a lie">',
            "<h1>Salon</h1>",
            "Salon",
            "The sharing economy is a lie",
        ),
        # No metadata title: the <title> without the site part.
        (
            '<meta property="og:site_name" content="Engadget">',
            "<h1>Engadget</h1>",
            "Apple unveils a phone - Engadget",
            "Apple unveils a phone",
        ),
        # JSON-LD's headline when nothing visible agrees.
        (
            jsonld({"@type": "NewsArticle", "headline": "From JSON-LD"}),
            "<h1>Menu</h1>",
            "",
            "From JSON-LD",
        ),
    ],
)
def test_title(head: str, header: str, title: str, expected: str) -> None:
    assert extract(Page(page(head=head, header=header, title=title))).title == expected
