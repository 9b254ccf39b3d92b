"""The pages the benchmarks read: the seed article, edited and distinct copies, an hour-long page.

Every page is written into the run's temporary directory; the samples in
``samples/`` are only read. A copy differs from its original by one added
sentence (and, for the batch, a numbered title, so each copy gets its own
output file), which changes every render and cache key that depends on it.
"""

from __future__ import annotations

import html
import itertools
from pathlib import Path

from bench.measure import BenchError
from listen.models import Script
from listen.pipeline import script_from_source

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SEED = SAMPLES / "almayadeen-en-cia-drones.html"
HOUR_S = 3600
WORDS_PER_SECOND = 2.4  # the seed article: 449 words in 182 s, pauses included

_ADDED = {
    "en": "This is copy number {n} of the benchmark article.",
    "es": "Esta es la copia número {n} del artículo de prueba.",
    "ar": "هذه هي النسخة رقم {n} من المقال.",
}


def article_samples() -> list[Path]:
    """The project's own sample articles (section pages are not articles; the Readability
    test pages, in languages without a voice, are extraction cases only)."""
    return sorted(
        p
        for p in SAMPLES.glob("*.html")
        if "section" not in p.name and not p.name.startswith("readability-")
    )


def spoken_text(script: Script) -> str:
    """What the raw engine reads for the floor: every block's spoken form, one per line."""
    return "\n".join(block.spoken for block in script.blocks)


def paragraphs(script: Script) -> list[str]:
    return [block.text for block in script.blocks if block.kind == "paragraph"]


def _replace_once(page: str, old: str, new: str, what: str) -> str:
    for needle in dict.fromkeys((old, html.escape(old, quote=False), html.escape(old))):
        if needle in page:
            return page.replace(needle, new if needle == old else html.escape(new, quote=False), 1)
    raise BenchError(f"cannot find {what} in the page: {old[:60]!r}")


def add_sentence(page: str, paragraph: str, sentence: str) -> str:
    """The page with ``sentence`` put in front of the paragraph that starts with ``paragraph``."""
    start = paragraph[:40]
    return _replace_once(page, start, f"{sentence} {start}", "the paragraph")


def edited_copy(source: Path, out: Path, *, paragraph: int = 2) -> Path:
    """``source`` with one sentence added to one paragraph: the "one edited paragraph" case."""
    script, _ = script_from_source(str(source))
    page = source.read_text(encoding="utf-8")
    sentence = "This sentence was added after the first render."
    out.write_text(add_sentence(page, paragraphs(script)[paragraph], sentence), encoding="utf-8")
    return out


def distinct_copies(sources: list[Path], count: int, out_dir: Path) -> list[Path]:
    """``count`` pages cycled from ``sources``, each with its own title and first paragraph."""
    out_dir.mkdir(parents=True, exist_ok=True)
    scripts = {source: script_from_source(str(source))[0] for source in sources}
    copies = []
    for n, source in zip(range(1, count + 1), itertools.cycle(sources), strict=False):
        script = scripts[source]
        page = source.read_text(encoding="utf-8")
        if script.title not in page:
            raise BenchError(f"cannot find the title of {source.name} in the page")
        page = page.replace(script.title, f"{n}. {script.title}")
        added = _ADDED.get(script.language, _ADDED["en"]).format(n=n)
        page = add_sentence(page, paragraphs(script)[0], added)
        path = out_dir / f"{n:02d}-{source.name}"
        path.write_text(page, encoding="utf-8")
        copies.append(path)
    return copies


def long_page(out: Path, *, seconds: int = HOUR_S, margin: float = 1.1) -> Path:
    """A plain article page whose narration lasts about ``seconds`` (a little more, by ``margin``).

    Its paragraphs come from the English samples, each numbered so no two are alike.
    """
    english = [p for p in article_samples() if "-en-" in p.name or p.name.startswith("other-")]
    pool = [text for path in english for text in paragraphs(script_from_source(str(path))[0])]
    target_words = seconds * WORDS_PER_SECOND * margin
    body: list[str] = []
    words = 0
    for n, text in enumerate(itertools.cycle(pool), start=1):
        if words >= target_words:
            break
        body.append(f"<p>Part {n}. {html.escape(text, quote=False)}</p>")
        words += len(text.split()) + 2
    title = "An hour of listening: the benchmark narration"
    page = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><article><h1>{title}</h1>\n" + "\n".join(body) + "\n</article></body></html>"
    )
    out.write_text(page, encoding="utf-8")
    return out
