"""extract: never refuse an article for its wrapper or its script, and read every caption."""

from __future__ import annotations

import pytest

from listen.errors import ExtractionError
from listen.extract import extract
from listen.models import Page

BODY = " ".join(
    f"Sentence number {i} of a long enough article body, which says something plain."
    for i in range(12)
)
LINES = BODY.replace("Sentence", "Line")
MENU = "".join(f'<li><a href="/s{i}">Section {i}</a></li>' for i in range(30))


def page(body: str, *, lang: str = "en", title: str = "A headline for a test") -> str:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>{title}</title></head><body>'
        f"<nav><ul>{MENU}</ul></nav>{body}<footer>All rights reserved.</footer></body></html>"
    )


def kinds_and_texts(html: str) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in extract(Page(html)).blocks]


@pytest.mark.parametrize(
    "wrapper",
    [
        '<form id="aspnetForm" method="post">{}</form>',
        '<aside class="sidebar">{}</aside>',
        '<div class="widget-area related-content">{}</div>',
        '<section class="comments-like-name">{}</section>',
        '<div style="display:none" class="js-reveal">{}</div>',
    ],
    ids=["form", "aside", "chrome-class", "section", "hidden-until-script"],
)
def test_the_element_holding_the_article_is_never_dropped(wrapper: str) -> None:
    article = "<h1>A headline for a test</h1>" + f"<p>{BODY}</p><p>{LINES}</p>"
    texts = [t for _, t in kinds_and_texts(page(wrapper.format(article)))]
    assert BODY in texts and LINES in texts
    assert not any("Section 3" in t or "rights reserved" in t for t in texts)


PHRASES = BODY.replace("Sentence", "Phrase")
CLAUSES = BODY.replace("Sentence", "Clause")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # one body in two parts from one template, an advertisement between them
        (
            f'<div class="article__body"><p>{BODY}</p><p>{LINES}</p></div>'
            '<div class="inline-ad">Advertisement</div>'
            f'<div class="article__body"><p>{PHRASES}</p><p>{CLAUSES}</p></div>',
            [BODY, LINES, PHRASES, CLAUSES],
        ),
        # an old layout table: the menu in one cell, the paragraphs in the other
        (
            '<table><tr><td class="menu"><a href="/a">Home</a> <a href="/b">News</a></td>'
            f"<td>By the editors<p>{BODY}</p><p>{LINES}</p><p>{PHRASES}</p></td></tr></table>",
            ["By the editors", BODY, LINES, PHRASES],
        ),
        # prose after a rule, in a definition list, in a <pre>
        (
            f"<article><p>{BODY}</p><hr><dl><dt>Term one</dt><dd>{LINES}</dd></dl>"
            f"<pre>{PHRASES}</pre></article>",
            [BODY, "Term one", LINES, PHRASES],
        ),
    ],
    ids=["split-body", "layout-table", "hr-dl-pre"],
)
def test_every_part_of_the_body_is_read_as_its_own_block(body: str, expected: list[str]) -> None:
    texts = [t for k, t in kinds_and_texts(page(body)) if k != "title"]
    assert texts == expected


def test_a_visible_article_wins_over_a_longer_hidden_box() -> None:
    """A body hidden until a script shows it is read only when nothing visible is."""
    hidden = f'<div style="visibility: hidden"><p>{BODY}</p><p>{PHRASES}</p><p>{CLAUSES}</p></div>'
    texts = [
        t for k, t in kinds_and_texts(page(f"<article>{hidden}<div><p>{LINES}</p></div></article>"))
    ]
    assert LINES in texts and BODY not in texts


CHINESE = "".join(
    f"这是第{i}句话，政府今天宣布了支持全国家庭的新经济措施，专家认为效果显著。" for i in range(12)
)
JAPANESE = "".join(
    f"これは{i}番目の文です。政府は今日、全国の家庭を支援する新しい経済対策を発表した。"
    for i in range(10)
)


@pytest.mark.parametrize(("text", "lang"), [(CHINESE, "zh"), (JAPANESE, "ja")])
def test_an_article_without_spaces_between_words_is_an_article(text: str, lang: str) -> None:
    html = page(
        f"<article><h1>标题</h1><p>{text[: len(text) // 2]}</p>"
        f"<p>{text[len(text) // 2 :]}</p></article>",
        lang=lang,
    )
    article = extract(Page(html))
    assert article.language == lang
    assert sum(len(b.text) for b in article.blocks if b.kind == "paragraph") >= len(text) - 2


@pytest.mark.parametrize(
    "body",
    [
        # a login page
        '<form><label>Email</label><input name="e"><label>Password</label>'
        '<input type="password"><button>Sign in</button></form><p>Forgot your password?</p>',
        # a video with a one-line blurb, among teasers
        '<div class="video"><video src="v.mp4"></video><p>Watch the storm hit the coast.</p></div>'
        + "".join(
            f'<div class="teaser"><a href="/t{i}">Teaser headline number {i}</a></div>'
            for i in range(40)
        ),
    ],
    ids=["login", "video-blurb"],
)
def test_a_page_without_an_article_is_still_refused(body: str) -> None:
    with pytest.raises(ExtractionError, match="no article found"):
        extract(Page(page(body)))


def bare(body: str, *, lang: str = "en", title: str = "") -> str:
    """A page with nothing around its body: no menu, no footer."""
    head = f"<title>{title}</title>" if title else ""
    return f'<!DOCTYPE html><html lang="{lang}"><head>{head}</head><body>{body}</body></html>'


TEASERS = "".join(
    f'<div class="teaser"><h3><a href="/t{i}">Teaser headline number {i}</a></h3>'
    f"<p>{i} hours ago</p></div>"
    for i in range(30)
)


@pytest.mark.parametrize(
    "html",
    [
        # a section index: headlines and times, no prose
        page(f"<main><h1>World</h1>{TEASERS}</main>"),
        # a sign-in page with nothing around it: its short text labels a password box
        bare(
            "<h1>Sign in</h1><p>Welcome back. Enter your details.</p>"
            '<form><label>Email</label><input name="e"><label>Password</label>'
            '<input type="PASSWORD"><button>Sign in</button></form>'
        ),
        # a video and its one-line blurb, nothing else
        bare('<video src="v.mp4"></video><p>Watch the storm hit the coast.</p>'),
        bare(
            '<iframe src="https://www.youtube.com/embed/x"></iframe>'
            "<p>The storm, filmed from the pier.</p>",
            title="Storm",
        ),
        # a headline over nothing
        bare("<article><h1>A headline for a test</h1></article>", title="A headline for a test"),
        # one short line on a page full of other things
        page("<p>Test.</p>" + TEASERS),
        # what is left of broken markup
        bare("<div><p>unclosed <b>tags <<<>>> &&& </i></td>"),
        # one line, then links standing loose in the page
        bare("<p>Short.</p>" + "".join(f'<a href="/s{i}">Section {i}</a> ' for i in range(20))),
        # notices standing in for the page: the listener must not hear them as an article
        bare("<p>Please enable JavaScript to view this page.</p>", title="News"),
        bare("<h1>Just a moment...</h1><p>Checking your browser before accessing.</p>"),
        bare("<h1>404</h1><p>Sorry, the page you asked for was not found.</p>"),
        bare("<p>Suscríbete para seguir leyendo.</p>", title="El País"),
        bare("<p>يرجى تفعيل جافا سكريبت لعرض هذه الصفحة.</p>", title="الميادين"),
    ],
    ids=[
        "section-index",
        "bare-login",
        "bare-video",
        "bare-embed",
        "headline-only",
        "one-line",
        "debris",
        "loose-links",
        "javascript-notice",
        "bot-check",
        "not-found",
        "paywall-es",
        "javascript-ar",
    ],
)
def test_a_page_whose_short_text_is_no_article_is_refused(html: str) -> None:
    with pytest.raises(ExtractionError, match="no article found"):
        extract(Page(html))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<p>Test</p>", ["Test"]),
        ("<span><p>abc</p><p>def</p> ghi</span>", ["abc", "def", "ghi"]),
        # a script's handle is no link elsewhere: the page is not an index
        ('<a href="javascript:"><p>abc</p><p>def</p> ghi</a>', ["abc", "def", "ghi"]),
        (
            "<article><h2>Case 1</h2><img src='a.jpg'><h2>Case 2</h2></article>",
            ["Case 1", "Case 2"],
        ),
    ],
    ids=["one-word", "loose-text", "script-link", "only-labels"],
)
def test_a_short_text_that_is_all_the_page_says_is_read(body: str, expected: list[str]) -> None:
    article = extract(Page(bare(body, title="A note")))
    assert " ".join(b.text for b in article.blocks[1:]) == " ".join(expected)


BRIEFS = {
    "zh": "国家统计局今天发布数据，十月份全国居民消费价格同比上涨百分之零点二。"
    "专家认为物价总体保持稳定。",
    "ja": "気象庁は今日、関東地方で梅雨明けしたとみられると発表した。平年より八日早い。",
    "th": "กรมอุตุนิยมวิทยาประกาศว่าฤดูฝนปีนี้จะเริ่มเร็วกว่าปกติประมาณสองสัปดาห์ "
    "เกษตรกรควรเตรียมพร้อมสำหรับการเพาะปลูก",
    "ar": "أعلنت وزارة الصحة اليوم افتتاح مستشفى جديد في المدينة. "
    "ويضم المستشفى مئتي سرير وقسماً للطوارئ يعمل على مدار الساعة.",
    "ur": "محکمہ موسمیات نے آج بتایا کہ اس ہفتے ملک کے شمالی علاقوں میں بارش کا امکان ہے۔ "
    "کسانوں کو ہدایت کی گئی ہے کہ وہ اپنی فصلوں کا خیال رکھیں۔",
}


@pytest.mark.parametrize("lang", sorted(BRIEFS))
def test_a_short_article_in_any_script_is_read(lang: str) -> None:
    """Two sentences of news, on a page with a menu and a footer: counted in characters
    where words are not separated by spaces, with each script's own full stop."""
    text = BRIEFS[lang]
    html = page(f"<article><h1>{text[:12]}</h1><p>{text}</p></article>", lang=lang)
    article = extract(Page(html))
    assert [b.text for b in article.blocks if b.kind == "paragraph"] == [text]


def captions_of(figures: str) -> list[str]:
    html = page(
        f"<article><h1>A headline for a test</h1><p>{BODY}</p>{figures}<p>{LINES}</p></article>"
    )
    return [t for k, t in kinds_and_texts(html) if k == "caption"]


@pytest.mark.parametrize(
    ("figure", "caption"),
    [
        (
            '<figure><img src="/a.jpg"><figcaption>A figcaption.</figcaption></figure>',
            "A figcaption.",
        ),
        (
            '<div class="image"><img src="/a.jpg"><p class="caption">A caption box.</p></div>',
            "A caption box.",
        ),
        (
            '<div><img src="/a.jpg"><span itemprop="caption">An itemprop caption.</span></div>',
            "An itemprop caption.",
        ),
        (
            '<div class="wp-caption"><img src="/a.jpg">'
            '<p class="wp-caption-text">A WordPress caption.</p></div>',
            "A WordPress caption.",
        ),
        (
            '<figure><img src="/a.jpg"><figcaption>Rescuers at work.</figcaption>'
            '<span class="credit">Photo: AFP</span></figure>',
            "Rescuers at work. Photo: AFP",
        ),
        # lazy-loaded: no src, only data-src
        (
            '<figure><img data-src="/a.jpg"><figcaption>A lazy image.</figcaption></figure>',
            "A lazy image.",
        ),
        # lazy-loaded: a placeholder, the real image in <noscript>
        (
            '<figure><img src="data:image/gif;base64,R0lGOD">'
            '<noscript><img src="/a.jpg"></noscript>'
            "<figcaption>A noscript copy.</figcaption></figure>",
            "A noscript copy.",
        ),
        # a <picture> with only <source> children
        (
            '<figure><picture><source srcset="/a.webp"></picture>'
            "<figcaption>A picture.</figcaption></figure>",
            "A picture.",
        ),
    ],
    ids=[
        "figcaption",
        "caption-class",
        "itemprop",
        "wp-caption",
        "credit",
        "data-src",
        "noscript",
        "picture",
    ],
)
def test_every_kind_of_caption_is_read(figure: str, caption: str) -> None:
    assert captions_of(figure) == [caption]


def test_a_figure_whose_image_is_not_loaded_yet_reads_its_caption_in_place() -> None:
    figure = (
        '<figure itemtype="http://schema.org/ImageObject"><div class="lazy-box"></div>'
        "<figcaption><span>Flooding in Bushwick.</span><span>Credit</span>"
        "<span>F. Conrad</span></figcaption></figure>"
    )
    html = page(
        f"<article><h1>A headline for a test</h1><p>{BODY}</p>{figure}<p>{LINES}</p></article>"
    )
    texts = [t for _, t in kinds_and_texts(html)]
    assert texts[texts.index(BODY) + 1] == "Flooding in Bushwick. Credit F. Conrad"


def test_a_players_caption_is_not_read_as_an_image_caption() -> None:
    player = (
        '<figure class="media-item"><div><iframe src="https://player.example/v1"></iframe></div>'
        "<figcaption>Media caption The minister speaks.</figcaption></figure>"
    )
    assert captions_of(player) == []


def test_a_gallery_reads_each_caption_once_in_order() -> None:
    gallery = (
        '<ul class="gallery">'
        + "".join(
            f'<li><img data-src="/g{i}.jpg"><div class="caption">Gallery picture {i}.</div></li>'
            for i in range(4)
        )
        + "</ul>"
    )
    assert captions_of(gallery) == [f"Gallery picture {i}." for i in range(4)]


def test_a_caption_is_read_where_its_image_stands() -> None:
    html = page(
        "<article><h1>A headline for a test</h1>"
        f"<p>{BODY}</p><ol class='steps'><li><figure><img src='/s.jpg'>"
        "<figcaption>Dig a hole in the oasis.</figcaption></figure></li></ol>"
        f"<p>{LINES}</p></article>"
    )
    texts = [t for _, t in kinds_and_texts(html)]
    assert texts.index("Dig a hole in the oasis.") == texts.index(BODY) + 1
