"""Text for speech: placeholder until the normalisation rules land."""

from __future__ import annotations


def normalize(text: str, language: str, lexicon: object | None = None, phonemes: object = None) -> str:
    """Return the words a voice should say for ``text`` (unchanged for now)."""
    return " ".join(text.split())
