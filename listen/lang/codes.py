"""ISO 639 codes of languages listen has no pack for (a pack carries its own)."""

from __future__ import annotations

#: ISO 639-1 -> ISO 639-2/T (ID3 and other tags want the three letters).
ISO_639_2 = {
    "fa": "fas", "he": "heb", "hi": "hin", "ja": "jpn", "ko": "kor", "nl": "nld", "pl": "pol",
    "ru": "rus", "sv": "swe", "tr": "tur", "uk": "ukr", "ur": "urd", "zh": "zho",
}  # fmt: skip
