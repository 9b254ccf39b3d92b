"""Fuzz ``script_from_html``: whatever the page holds, only a ``ListenError`` may escape.

The pages are built from real article markup with hostile pieces spliced in:
control characters, lone surrogates, noncharacters, broken tags and entities,
odd attributes, deep or crowded markup. The example count is bounded so the
run takes a few seconds; ``derandomize`` makes every run try the same pages.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from listen.errors import ListenError
from listen.pipeline import script_from_html

PROSE = (
    "The minister said on Monday that the talks would resume next week in Cairo, "
    "after two days of meetings that ended without an agreement on the border. "
)
HOSTILE = st.sampled_from(
    [
        "\x00",
        "\x01",
        "\x0b",
        "\x0c",
        "\x12",
        "\x1c",
        "\x1f",
        "\x7f",
        "\ud800",
        "\udfff",
        "\ufffe",
        "\uffff",
        "\ufeff",
        "\u202e",
        "\u200b",
        "&#0;",
        "&#x1;",
        "&#xD800;",
        "&#1114112;",
        "&amp",
        "&nbsp",
        "<",
        ">",
        "</p>",
        "<p",
        "<![CDATA[",
        "]]>",
        "<!--",
        "-->",
        "<?xml?>",
        "<script>",
        "</script>",
        "<br/>",
        "<img src=>",
        '"',
        "'",
        "$5\x1cbillion",
        "1." * 50,
        "U.S. " * 30,
        "٣٫٥",
        "½",
        "中文句子。",
        "اقرأ أيضاً",
    ]
)
TEXT = st.lists(
    st.one_of(HOSTILE, st.text(max_size=12), st.just(PROSE)), min_size=1, max_size=12
).map("".join)
ATTR = st.builds(
    lambda name, value: f' {name}="{value}"',
    st.sampled_from(
        ["class", "id", "alt", "src", "data-src", "itemprop", "rel", "hidden", "x\x01"]
    ),
    st.sampled_from(["caption", "author", "byline", "sidebar", "share", "", "\x12", "a b"]),
)
TAG = st.sampled_from(
    [
        "p",
        "div",
        "figure",
        "figcaption",
        "span",
        "aside",
        "form",
        "section",
        "h1",
        "h2",
        "li",
        "ul",
        "table",
        "td",
        "blockquote",
        "a",
        "img",
        "picture",
        "noscript",
        "time",
    ]
)


@st.composite
def element(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(TAG)
    attrs = "".join(draw(st.lists(ATTR, max_size=3)))
    inner = draw(TEXT)
    if depth < 3 and draw(st.booleans()):
        inner += "".join(draw(st.lists(element(depth + 1), max_size=3)))
    return f"<{tag}{attrs}>{inner}</{tag}>"


@st.composite
def pages(draw: st.DrawFn) -> str:
    head = draw(
        st.sampled_from(
            [
                "",
                '<meta name="author" content="Ana\x01 Gómez">',
                '<script type="application/ld+json">{"@type":"NewsArticle","author":'
                '[{"@type":"Person","name":"A\x0b B"},"C"],"headline":"\ufffe"}</script>',
                '<meta property="og:title" content="Title\x12">',
            ]
        )
    )
    lang = draw(st.sampled_from(["en", "es", "ar", "", "zz", "\x01"]))
    body = "".join(draw(st.lists(element(), min_size=1, max_size=6)))
    filler = f"<p>{PROSE * 4}</p>" if draw(st.booleans()) else ""
    return (
        f'<html lang="{lang}"><head><title>{draw(TEXT)}</title>{head}</head>'
        f"<body><article>{filler}{body}{filler}</article></body></html>"
    )


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pages())
def test_only_listen_errors_escape(html: str) -> None:
    try:
        script = script_from_html(html)
    except ListenError:
        return
    assert script.title.strip()
    for block in script.blocks:
        assert block.text == block.text.strip()
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in block.text)
