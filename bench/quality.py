"""Which LAME quality setting (``-q``, ffmpeg's ``-compression_level``) speech needs at 64 kbps.

``python bench/quality.py [SENTENCES]`` speaks the seed article's first
sentences with espeak-ng (en-us), encodes the narration at each setting with
lameenc (listen's encoder), decodes it with ffmpeg and reports, per setting:

* the encode time of the whole narration, against q 3 (LAME's default,
  which ffmpeg's libmp3lame uses when no level is given);
* the word error rate of a speech recogniser (PocketSphinx, whose English
  model ships inside its wheel: ``pip install pocketsphinx``) on each
  decoded sentence, against the text that was spoken, and on the unencoded
  PCM for reference;
* the signal-to-noise ratio of the decoded audio against the source (the
  decoder output lined up to the sample), over the speech only.

Needs espeak-ng, ffmpeg and pocketsphinx; it is a one-off measurement, not
part of ``bench/run.py``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import articles
from listen.audio import find_ffmpeg
from listen.pieces import DELAY, EncoderSettings, encode_piece
from listen.pipeline import script_from_source

RATE = 22050
QUALITIES = (0, 2, 3, 5, 7, 9)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def wer(reference: list[str], hypothesis: list[str]) -> tuple[int, int]:
    """(edit distance in words, reference length)."""
    row = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        prev, row[0] = row[0], i
        for j, hyp in enumerate(hypothesis, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ref != hyp))
    return row[-1], len(reference)


def espeak(text: str) -> np.ndarray:
    binary = shutil.which("espeak-ng") or "espeak-ng"
    wav = subprocess.run([binary, "-v", "en-us", "--stdout", text], capture_output=True).stdout
    return np.frombuffer(wav[44:], dtype="<i2")


def decode(mp3: bytes) -> np.ndarray:
    cmd = [find_ffmpeg(), "-v", "error", "-f", "mp3", "-i", "-", "-f", "s16le", "-"]
    out = subprocess.run(cmd, input=mp3, capture_output=True, check=True).stdout
    return np.frombuffer(out, dtype="<i2")


def to_16k(samples: np.ndarray) -> bytes:
    cmd = [find_ffmpeg(), "-v", "error", "-f", "s16le", "-ar", str(RATE), "-ac", "1", "-i", "-"]
    cmd += ["-ar", "16000", "-f", "s16le", "-"]
    return subprocess.run(cmd, input=samples.tobytes(), capture_output=True, check=True).stdout


def recognise(decoder: object, pcm16k: bytes) -> list[str]:
    d: object = decoder
    d.start_utt()  # type: ignore[attr-defined]
    d.process_raw(pcm16k, full_utt=True)  # type: ignore[attr-defined]
    d.end_utt()  # type: ignore[attr-defined]
    hyp = d.hyp()  # type: ignore[attr-defined]
    return words(hyp.hypstr) if hyp is not None else []


def main(argv: list[str]) -> None:
    from pocketsphinx import Decoder

    count = int(argv[0]) if argv else 30
    script, _ = script_from_source(str(articles.SEED))
    sentences = [s.spoken for b in script.blocks for s in b.sentences][:count]
    gap = np.zeros(RATE // 2, dtype="<i2")
    spans, parts, at = [], [], 0
    for text in sentences:
        audio = espeak(text)
        spans.append((at, at + len(audio)))
        parts += [audio, gap]
        at += len(audio) + len(gap)
    source = np.concatenate(parts)
    speech = np.zeros(len(source), dtype=bool)
    for a, b in spans:
        speech[a:b] = True
    decoder = Decoder(samprate=16000)
    print(f"{len(sentences)} sentences, {len(source) / RATE:.0f} s of audio", file=sys.stderr)

    def score(samples: np.ndarray) -> float:
        errors = total = 0
        for (a, b), text in zip(spans, sentences, strict=True):
            e, n = wer(words(text), recognise(decoder, to_16k(samples[a:b])))
            errors, total = errors + e, total + n
        return errors / total

    rows = [("source (no MP3)", "-", "-", f"{score(source):.3f}", "-")]
    base_time = None
    for q in QUALITIES:
        settings = EncoderSettings(bitrate=64, quality=q)
        best = min(_timed(lambda s=settings: encode_piece(source.tobytes(), s)) for _ in range(3))
        mp3 = encode_piece(source.tobytes(), settings)
        decoded = decode(mp3)[DELAY : DELAY + len(source)].astype(np.float64)
        noise = decoded - source
        snr = 10 * np.log10((source[speech] ** 2.0).sum() / (noise[speech] ** 2).sum())
        if q == 3:
            base_time = best
        rows.append((f"q {q}", f"{best:.3f} s", "", f"{score(decoded.astype('<i2')):.3f}",
                     f"{snr:.1f} dB"))  # fmt: skip
    print(f"{'setting':16} {'encode':>9} {'vs q 3':>7} {'WER':>6} {'SNR':>8}")
    for name, enc, _, err, snr in rows:
        ratio = ""
        if base_time and enc != "-":
            ratio = f"{float(enc.split()[0]) / base_time:.2f}x"
        print(f"{name:16} {enc:>9} {ratio:>7} {err:>6} {snr:>8}")


def _timed(work: object) -> float:
    start = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - start


if __name__ == "__main__":
    main(sys.argv[1:])
