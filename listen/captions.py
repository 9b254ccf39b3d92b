"""Captions: short WebVTT cues a player can lay over a picture, made from the sentence timings.

The transcript (``X.vtt``) has one cue per sentence, which can be hundreds of
characters and many seconds long. Captions (``X.captions.vtt``) follow the
usual subtitle limits: at most two lines of about 42 characters and about 7 s
a cue. A long sentence is split at a phrase boundary: after a comma, colon,
semicolon or dash, or before a word that starts a clause ("and", "que", "و"...),
else between words, with cues as full as the limits allow and no short leftover. The time of a split
inside a sentence is estimated from its share of the sentence's characters:
the engines give sentence times, not word times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from listen.models import Script, Timing

LINE_CHARS = 42
MAX_LINES = 2
MAX_MS = 7000
_PUNCTUATION = (",", ";", ":", "—", "–", "،", "؛", ")")
# Words a clause often starts with; a break before them reads naturally.
_CLAUSE_WORDS = frozenset(
    "and but or nor so yet because although while whereas which who whom whose that where when "
    "if unless after before since until as than "
    "y e o u pero sino porque aunque mientras que quien cuando donde como si tras "
    "و ف ثم لكن بل أو أن إن لأن حيث عندما التي الذي الذين".split()
)


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    lines: tuple[str, ...]


def _fits(words: Sequence[str]) -> bool:
    return len(wrap(words)) <= MAX_LINES and all(len(line) <= LINE_CHARS for line in wrap(words))


def wrap(words: Sequence[str]) -> list[str]:
    """Words -> lines of at most ``LINE_CHARS`` (a longer word gets a line of its own),
    two lines balanced so the first is not much longer than the second."""
    text = " ".join(words)
    if len(text) <= LINE_CHARS:
        return [text] if text else []
    best: tuple[float, list[str]] | None = None
    for i in range(1, len(words)):
        first, second = " ".join(words[:i]), " ".join(words[i:])
        if len(first) > LINE_CHARS or len(second) > LINE_CHARS:
            continue
        cost = abs(len(first) - len(second)) - (8 if first.endswith(_PUNCTUATION) else 0)
        if best is None or cost < best[0]:
            best = (cost, [first, second])
    if best is not None:
        return best[1]
    lines: list[str] = []  # more than two lines: the caller splits the cue
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= LINE_CHARS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


_ORPHAN_CHARS = 25  # a last cue shorter than this reads as a leftover


def _break_at(words: Sequence[str], limit: int) -> int:
    """How many of ``words`` the next cue takes (1..limit). Full cues are preferred, a
    break after punctuation or before a clause word more, and a short leftover cue less."""

    def cost(take: int) -> float:
        rest = len(" ".join(words[take:]))
        value = (limit - take) / limit
        if words[take - 1].endswith(_PUNCTUATION):
            value -= 0.6
        elif words[take].lower().strip("\"'«“(¿¡") in _CLAUSE_WORDS:
            value -= 0.4
        if rest < _ORPHAN_CHARS:
            value += 1.0
        return value

    return min(range(1, limit + 1), key=lambda take: (cost(take), -take))


def split_sentence(text: str, start_ms: int, end_ms: int) -> list[Cue]:
    """One sentence -> cues within the limits, timed by their share of its characters."""
    words = text.split()
    if not words:
        return []
    total = max(1, len(text))
    per_char = max(0, end_ms - start_ms) / total
    cues: list[Cue] = []
    position = 0  # characters already placed
    i = 0
    while i < len(words):
        limit = 1
        while i + limit < len(words):
            candidate = words[i : i + limit + 1]
            chars = len(" ".join(candidate))
            if not _fits(candidate) or chars * per_char > MAX_MS:
                break
            limit += 1
        remaining = words[i:]
        take = len(remaining) if limit == len(remaining) else _break_at(remaining, limit)
        piece = words[i : i + take]
        chars = len(" ".join(piece)) + (1 if i + take < len(words) else 0)
        last = i + take >= len(words)
        cue_start = start_ms + round(position * per_char)
        cue_end = end_ms if last else start_ms + round((position + chars) * per_char)
        cues.append(Cue(cue_start, max(cue_start, cue_end), tuple(wrap(piece))))
        position += chars
        i += take
    return cues


def captions(timings: Sequence[Timing]) -> list[Cue]:
    """Every sentence's cues, in order."""
    return [cue for t in timings for cue in split_sentence(t.text, t.start_ms, t.end_ms)]


def _time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_captions_vtt(script: Script, timings: Sequence[Timing]) -> str:
    """WebVTT captions (``X.captions.vtt``)."""
    lines = ["WEBVTT", "", f"NOTE captions: {_escape(script.title)} ({script.language})", ""]
    for n, cue in enumerate(captions(timings), start=1):
        lines += [str(n), f"{_time(cue.start_ms)} --> {_time(cue.end_ms)}"]
        lines += [_escape(line) for line in cue.lines]
        lines.append("")
    return "\n".join(lines)
