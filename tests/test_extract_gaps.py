"""body_gaps: what trafilatura left out between two kept blocks of the article is read there."""

from __future__ import annotations

from listen.body_gaps import fill_gaps
from listen.models import Block
from listen.page_tree import measure, parse

FIRST = "This week was the time to close and finish all the things for the release."
SECOND = "This is quite a large change to our procedures, and we will try to make it work."


def holder_and_sizes(body: str):  # type: ignore[no-untyped-def]
    tree = parse(f"<html><body><div id='post'>{body}</div></body></html>", "test")
    return tree.get_element_by_id("post"), measure(tree)


def filled(body: str, kept: list[Block]) -> list[tuple[str, str]]:
    holder, sizes = holder_and_sizes(body)
    return [(b.kind, b.text) for b in fill_gaps(kept, holder, sizes, lambda t: True)]


KEPT = [Block("paragraph", FIRST), Block("paragraph", SECOND)]


def test_a_dropped_list_between_two_kept_paragraphs_is_put_back_in_place() -> None:
    body = (
        f"<p>{FIRST}</p><h3>The <font size=2>smaller</font> releases</h3>"
        "<ul><li>New graphics.</li><li>New sounds <script>var x = 1;</script>and tweaks.</li></ul>"
        f"<p>{SECOND}</p>"
    )
    assert filled(body, KEPT) == [
        ("paragraph", FIRST),
        ("heading", "The smaller releases"),
        ("list_item", "New graphics."),
        ("list_item", "New sounds and tweaks."),
        ("paragraph", SECOND),
    ]


def test_links_figures_and_what_follows_the_article_stay_out() -> None:
    body = (
        f"<p>{FIRST}</p>"
        '<ul><li><a href="/a">Another story</a></li><li><a href="/b">And one more</a></li></ul>'
        "<figure><img src='/a.jpg'><figcaption>A caption.</figcaption></figure>"
        f"<p>{SECOND}</p><p>Share this article with your friends.</p>"
    )
    assert filled(body, KEPT) == [("paragraph", FIRST), ("paragraph", SECOND)]


def test_paragraphs_joined_into_one_block_are_not_read_twice() -> None:
    quote = "The first paragraph of a long quote. The second paragraph of the quote."
    body = (
        f"<p>{FIRST}</p><blockquote><p>The first paragraph of a long quote.</p>"
        f"<p>The second paragraph of the quote.</p></blockquote><p>{SECOND}</p>"
    )
    kept = [KEPT[0], Block("quote", quote), KEPT[1]]
    assert filled(body, kept) == [(b.kind, b.text) for b in kept]


def test_a_gap_between_blocks_that_are_not_neighbours_is_left_alone() -> None:
    """Blocks read out of page order (a lead moved up) give no place to put a gap."""
    body = f"<p>{SECOND}</p><p>Something trafilatura dropped, said here.</p><p>{FIRST}</p>"
    assert filled(body, KEPT) == [("paragraph", FIRST), ("paragraph", SECOND)]


def test_a_lead_beside_the_holder_is_looked_at_too() -> None:
    """The holder is a "read more" box; its parent holds the lead paragraphs."""
    lost = "As a news agency reports, the company announced that it would charge more, and soon."
    tree = parse(
        "<html><body><div id='content'>"
        f"<p>{FIRST}</p><p>{lost}</p><p>{SECOND}</p>"
        "<div id='more'><p>The rest of the article, in a box shown on demand, is long.</p></div>"
        "</div></body></html>",
        "test",
    )
    kept = [
        *KEPT,
        Block("paragraph", "The rest of the article, in a box shown on demand, is long."),
    ]
    out = fill_gaps(kept, tree.get_element_by_id("more"), measure(tree), lambda t: True)
    assert [b.text for b in out] == [FIRST, lost, SECOND, kept[2].text]
