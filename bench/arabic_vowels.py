"""How far espeak-ng's reading of listen's Arabic is from a hand-vowelled reading, in phonemes.

    python bench/arabic_vowels.py          # or: python -m bench.arabic_vowels

For each paragraph in ``bench/data/ar-vowelled.txt`` (a person's vowelling of
a block of the Arabic sample), espeak-ng (``-q -x``, one phoneme per token)
reads three texts: the hand-vowelled reference, what listen sends the engine
(the script's ``spoken`` form, vowelled), and the same without vowels. The
figure is the edit distance between phoneme sequences over the reference's
length; audio durations (``espeak-ng -w``) are compared too. Goal: within 8%.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "almayadeen-ar-tunisia-olive-oil-exports.html"
REFERENCE = ROOT / "bench" / "data" / "ar-vowelled.txt"


def phonemes(text: str) -> list[str]:
    out = subprocess.run(
        ["espeak-ng", "-v", "ar", "-q", "-x", "--sep= ", text],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # Stress marks are not phonemes; word boundaries are kept as a token of their own.
    return [p for p in re.sub(r"[',]", "", out).replace("\n", " | ").split(" ") if p] or ["|"]


def seconds(text: str) -> float:
    with tempfile.NamedTemporaryFile(suffix=".wav") as f:
        subprocess.run(["espeak-ng", "-v", "ar", "-w", f.name, text], check=True)
        with wave.open(f.name) as w:
            return w.getnframes() / w.getframerate()


def distance(a: list[str], b: list[str]) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def main() -> int:
    from listen.lang import normalize
    from listen.lang.ar import vowels
    from listen.pipeline import script_from_html

    if not vowels.available():
        print("the diacritiser is not installed: pip install dengjen-tashkeel-py")
        return 1
    script = script_from_html(SAMPLE.read_text(encoding="utf-8"))
    rows = []
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        index, _, reference = line.partition("\t")
        # An editor saves NFC, which puts the vowel before the shadda; espeak-ng wants it after.
        reference = vowels.shadda_first(reference)
        block = script.blocks[int(index)]
        plain = normalize(block.text, "ar")
        rows.append((int(index), reference, block.spoken, plain))
    started = time.perf_counter()
    for _, _, written, _ in rows:
        normalize(written, "ar", vowel=True)
    vowel_seconds = time.perf_counter() - started
    chars = sum(len(r[2]) for r in rows)
    print(
        f"{'block':>5} {'ref phonemes':>12} {'vowelled':>9} {'plain':>7}"
        f" {'dur ref':>8} {'vowelled':>9} {'plain':>7}"
    )
    totals = [0, 0, 0]
    durations = [0.0, 0.0, 0.0]
    for index, reference, vowelled, plain in rows:
        ref = phonemes(reference)
        d_vowelled, d_plain = distance(ref, phonemes(vowelled)), distance(ref, phonemes(plain))
        s = [seconds(reference), seconds(vowelled), seconds(plain)]
        totals = [totals[0] + len(ref), totals[1] + d_vowelled, totals[2] + d_plain]
        durations = [a + b for a, b in zip(durations, s, strict=True)]
        print(
            f"{index:>5} {len(ref):>12} {d_vowelled / len(ref):>8.1%} {d_plain / len(ref):>7.1%}"
            f" {s[0]:>7.2f}s {s[1]:>8.2f}s {s[2]:>6.2f}s"
        )
    print(
        f"{'all':>5} {totals[0]:>12} {totals[1] / totals[0]:>8.1%} {totals[2] / totals[0]:>7.1%}"
        f" {durations[0]:>7.2f}s {durations[1]:>8.2f}s {durations[2]:>6.2f}s"
    )
    print(
        f"phoneme difference from the hand-vowelled reading: {totals[1] / totals[0]:.1%} "
        f"(undiacritised: {totals[2] / totals[0]:.1%}); goal: within 8%"
    )
    print(f"vowelling and normalising: {chars / vowel_seconds:,.0f} characters/s (model warm)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
