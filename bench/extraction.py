"""Extraction quality and speed: listen against trafilatura's default, in one run.

    python bench/extraction.py --corpus DIR [--worst 12] [--only NAME ...]

DIR holds one folder per page, in the layout of Readability.js's test pages:
``source.html`` (the page as served), ``expected.html`` (the article text a
peer extracted) and ``expected-metadata.json`` (``title``, ``byline``,
``readerable``). For each page, both extractors get the same HTML in the same
process, one after the other, and are scored the same way:

* token precision / recall / F1 of the article text against ``expected.html``
  (a bag of words; in scripts written without spaces, each character is a
  token). A page an extractor refuses scores 0 on all three;
* title: the page's headline, on all pages and on real sites' pages alone;
  "strict" when it is Readability's title, with at most the site's name cut
  off (the rules, and which pages count as synthetic: ``titles_bylines``);
* byline: on pages whose expected byline is a credit, the author (or else the
  source) found names the credited person; "wrong" counts a name nobody
  credits and a label read aloud. Every title and byline miss is printed;
* captions: the ``<figcaption>`` texts of ``expected.html`` found in what is
  read, spaces aside (for listen: its caption blocks, and how many are read
  twice);
* "no article": pages refused, and how many of those are ``readerable``;
* pages per second and the 95th percentile of the time per page, in CPU
  time of this one process (the machine may be shared: wall time would
  measure the neighbours; each extractor runs in the same thread).

It reads a corpus outside the project and is never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402
from lxml import html as lxml_html  # noqa: E402

from bench.titles_bylines import SYNTHETIC_BELOW, byline_verdict, title_verdict  # noqa: E402
from listen.errors import ListenError  # noqa: E402
from listen.extract import extract  # noqa: E402
from listen.lang import pack_or_english  # noqa: E402
from listen.models import Article, Page  # noqa: E402

URL = "http://fakehost/test/page.html"  # the address Readability's tests give every page
_WORD = re.compile(r"\w+")


def _is_unspaced(char: str) -> bool:
    """A character of a script written without spaces between words (Han, kana, Thai...)."""
    return unicodedata.category(char) == "Lo" and (
        "\u2e80" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af" or "\u0e00" <= char <= "\u0e7f"
    )


def tokens(text: str) -> Counter[str]:
    bag: Counter[str] = Counter()
    for word in _WORD.findall(text.casefold()):
        if any(_is_unspaced(c) for c in word):
            run = ""
            for char in word:
                if _is_unspaced(char):
                    if run:
                        bag[run] += 1
                        run = ""
                    bag[char] += 1
                else:
                    run += char
            if run:
                bag[run] += 1
        else:
            bag[word] += 1
    return bag


def prf(ours: Counter[str], expected: Counter[str]) -> tuple[float, float, float]:
    common = sum((ours & expected).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision = common / sum(ours.values())
    recall = common / sum(expected.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def fold(text: str) -> str:
    return re.sub(r"\W+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _unspaced(text: str) -> str:
    return fold(text).replace(" ", "")


def _title_ok(found: str | None, case: Case) -> tuple[str, str]:
    """Which headline the title is, and why not (see ``titles_bylines``)."""
    return title_verdict(found, str(case.meta.get("title") or ""), case.html)


def _byline_verdict(found: str | None, case: Case) -> tuple[str, str]:
    """'ok', 'ok page', 'missing', 'label', 'wrong' or 'none' (see ``titles_bylines``)."""
    return byline_verdict(found, str(case.meta.get("byline") or "") or None, case.html)


def _spoken_source(article: Article) -> str | None:
    """The source the byline names when no person is credited ("Source: Reuters.")."""
    pack = pack_or_english(article.language)
    head, _, tail = pack.byline.source.partition("{}")
    if not article.byline or head not in article.byline:
        return None
    rest = article.byline.split(head, 1)[1]
    return rest.split(tail, 1)[0] if tail else rest


@dataclass
class Score:
    """One extractor's result on one page."""

    seconds: float
    refused: str | None = None  # the error message when no article was found
    text: str = ""
    title: str | None = None
    author: str | None = None
    captions: list[str] = field(default_factory=list)


@dataclass
class Case:
    name: str
    html: str
    expected_text: str
    figcaptions: list[str]
    meta: dict[str, object]


def load(corpus: Path, only: list[str]) -> list[Case]:
    cases = []
    for folder in sorted(p for p in corpus.iterdir() if (p / "source.html").is_file()):
        if only and folder.name not in only:
            continue
        expected = lxml_html.document_fromstring(
            (folder / "expected.html").read_text(encoding="utf-8")
        )
        captions = [" ".join(c.text_content().split()) for c in expected.iter("figcaption")]
        cases.append(
            Case(
                name=folder.name,
                html=(folder / "source.html").read_text(encoding="utf-8"),
                expected_text=expected.text_content(),
                figcaptions=[c for c in captions if len(c.split()) >= 2],
                meta=json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8")),
            )
        )
    return cases


def run_listen(case: Case) -> Score:
    start = time.process_time()
    try:
        article = extract(Page(case.html, url=URL, source=case.name))
    except ListenError as err:
        return Score(time.process_time() - start, refused=err.one_line())
    seconds = time.process_time() - start
    body = [b.text for b in article.blocks if b.kind not in ("title", "byline")]
    return Score(
        seconds,
        text="\n".join(body),
        title=article.title,
        author=article.author or _spoken_source(article),
        captions=[b.text for b in article.blocks if b.kind == "caption"],
    )


def run_trafilatura(case: Case) -> Score:
    start = time.process_time()
    text = trafilatura.extract(case.html, url=URL)
    seconds = time.process_time() - start
    if not text:
        return Score(seconds, refused="no text")
    meta = trafilatura.extract_metadata(case.html, default_url=URL)  # untimed: not its default
    return Score(
        seconds,
        text=text,
        title=meta.title if meta else None,
        author=meta.author if meta else None,
        captions=[],
    )


@dataclass
class Row:
    """What one extractor scored on one page."""

    case: Case
    score: Score
    p: float
    r: float
    f1: float
    title: bool
    byline: str
    captions_found: int
    captions_twice: int
    title_how: str = ""  # 'readability', 'page' or 'miss'
    title_why: str = ""
    byline_why: str = ""


def score(case: Case, result: Score, *, caption_blocks: bool) -> Row:
    p, r, f1 = (0.0, 0.0, 0.0)
    if result.refused is None:
        p, r, f1 = prf(tokens(result.text), tokens(case.expected_text))
    # Spaces aside: Readability's text joins a caption's spans with none ("Brooklyn.CreditFred"),
    # where a reader says "Brooklyn. Credit: Fred".
    pool = [_unspaced(c) for c in result.captions] if caption_blocks else [_unspaced(result.text)]
    found = sum(1 for c in case.figcaptions if any(_unspaced(c) in t for t in pool))
    seen = Counter(fold(c) for c in result.captions)
    title_how, title_why = _title_ok(result.title, case)
    byline, byline_why = _byline_verdict(result.author, case)
    return Row(
        case,
        result,
        p,
        r,
        f1,
        title_how != "miss",
        byline,
        found,
        sum(n - 1 for n in seen.values() if n > 1),
        title_how,
        title_why,
        byline_why,
    )


_BYLINE_MISSES = ("wrong", "label", "missing")


def _credit_figures(with_title: list[Row], with_byline: list[Row]) -> dict[str, str]:
    """Title on all pages, on real sites, and strictly Readability's; bylines by verdict."""
    real = [r for r in with_title if len(r.case.html.encode()) >= SYNTHETIC_BELOW]
    strict = sum(r.title_how == "readability" for r in with_title)
    credited = [r for r in with_byline if r.byline != "none"]
    ok = sum(r.byline in ("ok", "ok page") for r in credited)
    page = sum(r.byline == "ok page" for r in credited)
    return {
        "title": f"{sum(r.title for r in with_title)}/{len(with_title)}",
        "title real sites": f"{sum(r.title for r in real)}/{len(real)}",
        "title strict": f"{strict}/{len(with_title)}",
        "byline ok": f"{ok}/{len(credited)} ({page} page)",
        "byline missing": str(sum(r.byline == "missing" for r in credited)),
        "byline wrong": str(sum(r.byline in ("wrong", "label") for r in credited)),
        "not a credit": str(len(with_byline) - len(credited)),
    }


def credit_misses(rows: list[Row]) -> list[str]:
    """Every title and byline that is not the page's headline and credit, with why."""
    lines = []
    for row in rows:
        if row.case.meta.get("title") and not row.title:
            lines.append(f"  {row.case.name:<32} title: {row.title_why}")
        if row.byline in _BYLINE_MISSES or row.byline == "ok page" or row.byline_why:
            lines.append(f"  {row.case.name:<32} byline {row.byline}: {row.byline_why}")
    return lines


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summary(rows: list[Row]) -> dict[str, str]:
    n = len(rows)
    total = sum(r.score.seconds for r in rows)
    with_title = [r for r in rows if r.case.meta.get("title")]
    with_byline = [r for r in rows if r.case.meta.get("byline")]
    captions = sum(len(r.case.figcaptions) for r in rows)
    refused = [r for r in rows if r.score.refused]
    readerable = [r for r in refused if r.case.meta.get("readerable")]
    readable = [r for r in rows if r.case.meta.get("readerable")]
    return {
        "precision": f"{statistics.mean(r.p for r in rows):.3f}",
        "recall": f"{statistics.mean(r.r for r in rows):.3f}",
        "F1": f"{statistics.mean(r.f1 for r in rows):.3f}",
        "F1 readerable": f"{statistics.mean(r.f1 for r in readable):.3f}" if readable else "-",
        **_credit_figures(with_title, with_byline),
        "captions": f"{sum(r.captions_found for r in rows)}/{captions}",
        "captions twice": str(sum(r.captions_twice for r in rows)),
        "no article": f"{len(refused)} ({len(readerable)} readerable)",
        "pages/s": f"{n / total:.1f}" if total else "-",
        "p95 ms": f"{1000 * p95([r.score.seconds for r in rows]):.0f}",
    }


def reasons(row: Row, other: Row) -> str:
    """Why a page scored badly, in a few words."""
    case, got = row.case, row.score
    if got.refused:
        return f"refused: {got.refused[:80]}"
    said = []
    if row.f1 < other.f1 - 0.05:
        said.append(f"F1 {row.f1:.2f} vs trafilatura {other.f1:.2f}")
    if row.r < 0.8:
        expected = [s.strip() for s in re.split(r"\n+", case.expected_text) if len(s.split()) > 6]
        ours = fold(got.text)
        missing = next((s for s in expected if fold(s)[:60] not in ours), None)
        if missing:
            said.append(f"misses {' '.join(missing.split())[:70]!r}")
    if row.p < 0.8:
        said.append(f"precision {row.p:.2f}")
    if case.meta.get("title") and not row.title:
        said.append(f"title: {row.title_why}")
    if row.byline in _BYLINE_MISSES:
        said.append(f"byline {row.byline}: {row.byline_why}")
    lost = len(case.figcaptions) - row.captions_found
    if lost:
        said.append(f"{lost}/{len(case.figcaptions)} captions lost")
    return "; ".join(said)


def badness(row: Row) -> float:
    return (
        (1 - row.f1)
        + (0.3 if not row.title and row.case.meta.get("title") else 0)
        + (0.3 if row.byline in _BYLINE_MISSES else 0)
        + (1.0 if row.score.refused else 0)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder of page folders")
    parser.add_argument("--worst", type=int, default=15, help="how many worst pages to show")
    parser.add_argument("--only", action="append", default=[], help="one page folder (repeat)")
    parser.add_argument("--json", type=Path, help="also write every page's scores here")
    args = parser.parse_args(argv)
    cases = load(args.corpus, args.only)
    if not cases:
        print(f"no page folders in {args.corpus}", file=sys.stderr)
        return 1
    # Warm both up (imports, langdetect profiles, trafilatura's caches) outside the clock.
    run_listen(cases[0])
    run_trafilatura(cases[0])
    # A page that declares no language: langdetect loads its profiles once per process.
    extract(Page(f"<html><body><p>{'Ein kurzer Text ohne Sprache, der warm macht. ' * 9}</p>"))
    ours, theirs = [], []
    for case in cases:
        ours.append(score(case, run_listen(case), caption_blocks=True))
        theirs.append(score(case, run_trafilatura(case), caption_blocks=False))
    a, b = summary(ours), summary(theirs)
    print(f"{len(cases)} pages from {args.corpus}\n")
    print(f"| {'figure':<16} | {'listen':>16} | {'trafilatura':>16} |")
    print(f"|{'-' * 18}|{'-' * 18}|{'-' * 18}|")
    for key in a:
        print(f"| {key:<16} | {a[key]:>16} | {b[key]:>16} |")
    speed = float(a["pages/s"]) / float(b["pages/s"])
    f1_gap = float(a["F1"]) - float(b["F1"])
    print(f"\nspeed ratio listen/trafilatura: {speed:.2f}x (goal >= 0.8x)")
    print(f"F1 listen - trafilatura: {f1_gap:+.3f} (goal >= 0)")
    print(f"\nworst {args.worst} pages for listen:")
    order = sorted(range(len(cases)), key=lambda i: -badness(ours[i]))
    for i in order[: args.worst]:
        why = reasons(ours[i], theirs[i])
        if why:
            print(f"  {cases[i].name:<32} {why}")
    print("\ntitle and byline: every miss for listen (and each credit judged by the page)")
    print("\n".join(credit_misses(ours)) or "  none")
    if args.json:
        rows = [
            {
                "page": o.case.name,
                "listen": {
                    "p": o.p,
                    "r": o.r,
                    "f1": o.f1,
                    "title": o.title,
                    "byline": o.byline,
                    "author": o.score.author,
                    "refused": o.score.refused,
                    "ms": 1000 * o.score.seconds,
                    "title_text": o.score.title,
                },
                "trafilatura": {
                    "p": t.p,
                    "r": t.r,
                    "f1": t.f1,
                    "title": t.title,
                    "byline": t.byline,
                    "ms": 1000 * t.score.seconds,
                },
            }
            for o, t in zip(ours, theirs, strict=True)
        ]
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
