"""byline: who wrote the article, from small hand-made pages, one per kind of credit."""

from __future__ import annotations

import json

import pytest

from listen.byline import plausible_name, split_names
from listen.extract import extract
from listen.models import Page

BODY = " ".join(
    f"Sentence number {i} of a long enough article body, which says something plain."
    for i in range(12)
)
SPANISH = " ".join(
    "El gobierno anunció hoy nuevas medidas económicas para apoyar a las familias del país."
    for _ in range(8)
)
ARABIC = " ".join(
    "أعلنت الحكومة اليوم عن إجراءات اقتصادية جديدة لدعم الأسر في جميع أنحاء البلاد."
    for _ in range(8)
)


def page(*, head: str = "", header: str = "", after: str = "", lang: str = "en", body: str = BODY):
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>The real headline</title>{head}</head>'
        f"<body><article><header><h1>The real headline</h1>{header}</header><p>{body}</p>"
        f"<p>{body}</p></article>{after}</body></html>"
    )


def jsonld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_jsonld_graph_author_given_by_id() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "@id": "https://x.test/#site", "name": "X Daily"},
            {
                "@type": "Article",
                "headline": "The real headline",
                "author": {"@id": "https://x.test/#/schema/person/1"},
            },
            {"@type": "Person", "@id": "https://x.test/#/schema/person/1", "name": "Marta Ruiz"},
        ],
    }
    assert extract(Page(page(head=jsonld(graph)))).author == "Marta Ruiz"


def test_jsonld_person_named_by_given_and_family_name() -> None:
    data = {
        "@type": "NewsArticle",
        "author": {"@type": "Person", "givenName": "Ana", "familyName": "Gil"},
    }
    assert extract(Page(page(head=jsonld(data)))).author == "Ana Gil"


def test_a_list_of_authors_is_joined_in_the_byline() -> None:
    data = {
        "@type": "ReportageNewsArticle",
        "author": [{"@type": "Person", "name": n} for n in ("Ana Ruiz", "Luis Gil", "Marta Sanz")],
    }
    article = extract(Page(page(head=jsonld(data))))
    assert article.author == "Ana Ruiz, Luis Gil, Marta Sanz"
    assert article.byline == "By Ana Ruiz, Luis Gil and Marta Sanz."


def test_spanish_authors_joined_with_y() -> None:
    data = {"@type": "NewsArticle", "author": ["Ana Ruiz", "Luis Gil", "Marta Sanz"]}
    article = extract(Page(page(head=jsonld(data), lang="es", body=SPANISH)))
    assert article.byline == "Por Ana Ruiz, Luis Gil y Marta Sanz."


def test_arabic_authors_from_a_byline_line_joined_with_wa() -> None:
    header = '<p class="byline">بقلم أحمد سالم و سارة خليل</p>'
    article = extract(Page(page(header=header, lang="ar", body=ARABIC)))
    assert article.language == "ar"
    assert article.byline == "بقلم أحمد سالم و سارة خليل."


@pytest.mark.parametrize(
    ("author", "source"),
    [
        ({"@type": "Organization", "name": "Reuters"}, "Reuters"),
        ({"@type": "NewsMediaOrganization", "name": "El Diario Test"}, "El Diario Test"),
        ("AFP", "AFP"),  # a news agency named as a person is still the source
    ],
)
def test_an_organisation_or_agency_as_author_reads_as_the_source(
    author: object, source: str
) -> None:
    article = extract(Page(page(head=jsonld({"@type": "NewsArticle", "author": author}))))
    assert article.author is None
    assert article.byline == f"Source: {source}."


def test_the_site_as_meta_author_is_the_source_and_a_personal_blog_keeps_its_person() -> None:
    head = (
        '<meta property="og:site_name" content="Mac &amp; i">'
        '<meta name="dc.creator" content="Mac &amp; i">'
    )
    article = extract(Page(page(head=head)))
    assert article.author is None and article.byline == "Source: Mac & i."
    # A blog whose publisher is its author: JSON-LD says the author is a Person.
    blog = jsonld(
        {
            "@type": "BlogPosting",
            "author": {"@type": "Person", "name": "Haki Benita"},
            "publisher": {"@type": "Organization", "name": "Haki Benita"},
        }
    )
    assert extract(Page(page(head=blog))).author == "Haki Benita"


def test_parsely_page_json_and_sailthru() -> None:
    parsely = '<meta name="parsely-page" content=\'{"title": "x", "authors": ["Jane Doe"]}\'>'
    assert extract(Page(page(head=parsely))).author == "Jane Doe"
    sailthru = '<meta name="sailthru.author" content="Joe Bloggs and Ana Ruiz">'
    assert extract(Page(page(head=sailthru))).author == "Joe Bloggs, Ana Ruiz"


def test_repeated_creator_tags_name_each_person_last_name_first() -> None:
    head = (
        '<meta name="DC.Creator" content="Kooman, F.">'
        '<meta name="DC.Creator" content="Jong, Michiel de">'
    )
    assert extract(Page(page(head=head))).author == "F. Kooman, Michiel de Jong"


def test_article_author_url_is_never_read_and_rel_author_is() -> None:
    head = '<meta property="article:author" content="https://www.facebook.com/someone">'
    header = '<p>By <a rel="author" href="/people/nathan">Nathan Willis</a></p>'
    assert extract(Page(page(head=head, header=header))).author == "Nathan Willis"


def test_the_innermost_marked_name_of_a_byline_box() -> None:
    header = (
        '<div class="authorinfo">Tech Insider <span class="authorname" itemprop="author">'
        "Alex Perry</span> 1 day ago</div>"
    )
    assert extract(Page(page(header=header))).author == "Alex Perry"


def test_written_by_stops_at_the_editor() -> None:
    header = '<p class="byline author">Written by Rob Ewaschuk Edited by Betsy Beyer</p>'
    assert extract(Page(page(header=header))).author == "Rob Ewaschuk"


@pytest.mark.parametrize(
    "after",
    [
        # A related-stories box names other writers; a photo credit names a photographer.
        '<div class="related-stories"><span class="byline">Par Sébastien Farcis</span></div>',
        '<figure><img src="a.jpg"><figcaption><span class="author">Jane Photographer</span>'
        "</figcaption></figure>",
        '<section id="comments"><span class="comment-author">Bob Commenter</span></section>',
        '<form><label class="author">Name *</label></form>',
    ],
)
def test_names_outside_the_article_credit_are_never_the_author(after: str) -> None:
    article = extract(Page(page(after=after)))
    assert article.author is None and article.byline is None


@pytest.mark.parametrize(
    "header",
    [
        '<span class="byline">By Name *</span>',
        '<span class="byline">By Promoted by</span>',
        '<span class="author">Feed</span>',
        '<span class="author">@someone</span>',
        '<span class="author">someone@example.com</span>',
        '<span class="author">https://example.com/about</span>',
        '<span class="author">March 25, 2015</span>',
        '<span class="author">AMournfulHowlInTheNight</span>',
        '<span class="author">Follow Author</span>',
    ],
)
def test_labels_handles_emails_urls_and_dates_are_never_read_aloud(header: str) -> None:
    article = extract(Page(page(header=header)))
    assert article.author is None and article.byline is None


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("By A. Ruiz, B. Gil and C. Sanz", ["A. Ruiz", "B. Gil", "C. Sanz"]),
        ("Por Ana Ruiz y Luis Gil", ["Ana Ruiz", "Luis Gil"]),
        ("Von Anna Schmidt und Jan Berg", ["Anna Schmidt", "Jan Berg"]),
        ("Par Jean Dupont et Marie Curie", ["Jean Dupont", "Marie Curie"]),
        ("بقلم أحمد سالم و سارة خليل", ["أحمد سالم", "سارة خليل"]),
    ],
)
def test_names_split_in_every_language(text: str, names: list[str]) -> None:
    assert split_names(text) == names


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("Richard (R.J.) Eskow", True),
        ("Ronald McDonald", True),
        ("Michiel de Jong", True),
        ("LeBron James", True),
        ("Games Editor", False),
        ("user123", False),
        ("Staff", False),
    ],
)
def test_plausible_names(name: str, ok: bool) -> None:
    assert plausible_name(name) is ok


def test_a_related_story_in_the_jsonld_never_lends_its_author() -> None:
    data = [
        {"@type": "NewsArticle", "headline": "The real headline"},
        {"@type": "NewsArticle", "headline": "Another story", "author": "Someone Else"},
    ]
    assert extract(Page(page(head=jsonld(data)))).author is None
    data[1]["headline"] = "The real headline"  # the same story described twice
    assert extract(Page(page(head=jsonld(data)))).author == "Someone Else"


def test_the_site_part_of_an_author_tag_is_cut() -> None:
    head = (
        '<meta property="og:site_name" content="The Daily Planet">'
        '<meta name="author" content="Lois Lane | The Daily Planet">'
    )
    assert extract(Page(page(head=head))).author == "Lois Lane"


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("Posted on 3 May 2024 by Jane Doe", "Jane Doe"),
        ("By Jane Doe, Senior Editor", "Jane Doe"),
        ("Door Jan de Vries", "Jan de Vries"),
        ("Ana de la Torre", "Ana de la Torre"),
        ("Ursula von der Leyen", "Ursula von der Leyen"),
        ("Escrito por Ana Ruiz", "Ana Ruiz"),
        ("Robert Reich, ROBERTREICH.org", "Robert Reich"),
    ],
)
def test_byline_lines(line: str, author: str) -> None:
    assert extract(Page(page(header=f'<p class="byline">{line}</p>'))).author == author


@pytest.mark.parametrize(
    ("content", "author"),
    [
        ("Smith, John", "John Smith"),
        ("Kooman, F.", "F. Kooman"),
        ("Jane Doe, John Roe", "Jane Doe, John Roe"),
    ],
)
def test_one_author_tag_last_name_first(content: str, author: str) -> None:
    head = f'<meta name="author" content="{content}">'
    assert extract(Page(page(head=head))).author == author


@pytest.mark.parametrize(
    ("head", "byline"),
    [
        # An outlet named as the author, in a meta tag: one source, not two people.
        (
            '<meta name="author" content="Guardian News and Media">',
            "Source: Guardian News and Media.",
        ),
        # "Staff": the site's newsroom, read under the site's name.
        (
            '<meta property="og:site_name" content="Valley Times">'
            '<meta name="author" content="Staff">',
            "Source: Valley Times.",
        ),
        ('<meta name="author" content="Jane Doe and Washington Post">', "By Jane Doe."),
    ],
)
def test_outlets_and_staff_read_as_the_source(head: str, byline: str) -> None:
    assert extract(Page(page(head=head))).byline == byline


def test_cjk_and_cyrillic_bylines() -> None:
    assert extract(Page(page(header='<p class="byline">作者：张三</p>'))).author == "张三"
    assert extract(Page(page(header='<p class="author">Автор: Иван Петров</p>'))).author == (
        "Иван Петров"
    )


def test_the_byline_nearest_the_headline_is_the_articles() -> None:
    strip = (
        '<div class="strip"><a href="/other"><span class="byline">By Other Person</span></a>'
        "<p>Another story</p></div>"
    )
    html = page(header='<p class="byline">By Rhea Norton</p>').replace("<body>", f"<body>{strip}")
    assert extract(Page(html)).author == "Rhea Norton"


@pytest.mark.parametrize(
    ("line", "byline"),
    [
        ("By Jane Doe, CNN Business", "By Jane Doe."),
        ("By Jane Doe for The Guardian", "By Jane Doe."),
        ("By Jane Doe in Washington", "By Jane Doe."),
        ("Par Jean DUPONT", "Par Jean DUPONT."),
        ("By CNN Business", "Source: CNN Business."),
    ],
)
def test_the_outlet_or_place_after_a_name(line: str, byline: str) -> None:
    html = page(header=f'<p class="byline">{line}</p>')
    if line.startswith("Par"):
        html = html.replace('lang="en"', 'lang="fr"').replace(BODY, FRENCH)
    assert extract(Page(html)).byline == byline


FRENCH = " ".join(
    "Le gouvernement a annoncé aujourd'hui de nouvelles mesures pour soutenir les familles."
    for _ in range(8)
)


@pytest.mark.parametrize(
    ("line", "byline"),
    [
        ("Joe Wee Monday, February 29, 2016 @ 11:10 PM UTC", "By Joe Wee."),
        ("Posted by Android Developers", "Source: Android Developers."),
        ("Our Foreign Staff", "Source: Valley Times."),
    ],
)
def test_weekdays_teams_and_desks(line: str, byline: str) -> None:
    head = '<meta property="og:site_name" content="Valley Times">'
    html = page(head=head, header=f'<p class="byline">{line}</p>')
    assert extract(Page(html)).byline == byline


SITE = '<meta property="og:site_name" content="{}">'
AUTHOR = '<meta name="author" content="{}">'


@pytest.mark.parametrize(
    ("head", "header", "author"),
    [
        # The site's name in another form is still the site ("Verge" of "The Verge").
        (
            SITE.format("The Verge") + AUTHOR.format("Verge"),
            "",
            None,
        ),
        # ... but a person whose name shares letters with it is a person.
        (
            SITE.format("Time") + AUTHOR.format("Timothy Smith"),
            "",
            "Timothy Smith",
        ),
        ('<meta name="author" content="Jane Doe | Staff Writer">', "", "Jane Doe"),
        ('<meta name="author" content="John Smith, Jr.">', "", "John Smith, Jr."),
        (
            "",
            '<span itemprop="author"><meta itemprop="name" content="Ana Ruiz"></span>',
            "Ana Ruiz",
        ),
    ],
)
def test_site_forms_separators_suffixes_and_hidden_names(
    head: str, header: str, author: str | None
) -> None:
    assert extract(Page(page(head=head, header=header))).author == author


@pytest.mark.parametrize(
    "line",
    ["Photograph by Jane Doe", "Illustration by Ann Lee", "Video by Joe Bloggs", "The Editors"],
)
def test_other_credits_are_not_the_writer(line: str) -> None:
    assert extract(Page(page(header=f'<p class="byline">{line}</p>'))).author is None


@pytest.mark.parametrize(
    ("head", "byline"),
    [
        (
            AUTHOR.format("Organization for Transformative Works"),
            "Source: Organization for Transformative Works.",
        ),
        (AUTHOR.format("Brenda Goodman, MA"), "By Brenda Goodman, MA."),
        (AUTHOR.format("Nicolas Perriault —"), "By Nicolas Perriault."),
    ],
)
def test_outlets_degrees_and_dashes(head: str, byline: str) -> None:
    assert extract(Page(page(head=head))).byline == byline


def test_a_pictures_source_line_is_not_the_storys() -> None:
    html = page(header="<p>Source: Supplied</p>")
    assert extract(Page(html)).byline is None
