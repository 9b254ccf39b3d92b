"""Arabic short vowels for the engine: dengjen-tashkeel-py's model, with the page's own marks kept.

News Arabic is written without short vowels, and espeak-ng then drops or
guesses them (a third of the phonemes are wrong). The diacritiser's ONNX
model ships inside its wheel, so nothing is downloaded. Three rules on top:

* a word the page already vowelled keeps the page's marks, and text the
  model would change in any other way than adding marks is left as written;
* tanwin on a final alif is written on the letter before it, as the model
  writes it ("ديناراً" and "دينارًا" are one word);
* a sentence ends in the pausal form a newsreader uses: no final short vowel
  or tanwin (but the long ā of "-ًا");
* the shadda comes first in each cluster of marks: Unicode NFC puts the
  vowel before it, and espeak-ng then drops that vowel (مُحَمَّدٌ -> "muHammd");
* if the model cannot be loaded, that is said once in the log, and the text
  is spoken without vowels: a render never fails for want of them.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable

log = logging.getLogger("listen")

#: Harakat, tanwin, sukun, the dagger alif and the small hamzas: what tashkeel adds.
MARKS = "\u064b-\u065f\u0670"
_MARK = re.compile(f"[{MARKS}]")
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")
_TANWIN_AFTER_ALIF = re.compile("([اى])\u064b")
#: The last word before a full stop (or the end): its final short vowel or tanwin.
_PAUSE = re.compile(
    "(?<=[\u0621-\u064a])([\u0651]?)([\u064b-\u0650]+)(?=[\u0651]?(?:[.!?؟…:]|\\s*$))"
)
_FATHATAN_ALIF = re.compile("\u064b(?=[اى](?:[.!?؟…:]|\\s*$))")
_SHADDA_LAST = re.compile(f"([{MARKS.replace(chr(0x651), '')}]+)\u0651")
#: The model takes up to 12,000 characters at a time; pieces are cut at spaces well below that.
_PIECE = 2000

_lock = threading.Lock()
_model: Callable[[str], str] | None = None
_failed = False


def shadda_first(text: str) -> str:
    """Put every shadda before the vowel marks of its letter (NFC orders them the other way)."""
    return _SHADDA_LAST.sub(lambda m: "\u0651" + m.group(1), text)


def pausal(text: str) -> str:
    """The pausal form at each sentence end: 'طُنٍّ.' -> 'طُنّ.', 'دِينَارًا.' -> 'دِينَارَا.'."""
    text = _FATHATAN_ALIF.sub("\u064e", text)
    return _PAUSE.sub(lambda m: m.group(1), text)


def strip_marks(text: str) -> str:
    return _MARK.sub("", text)


def _load() -> Callable[[str], str] | None:
    global _model, _failed
    with _lock:
        if _model is None and not _failed:
            try:
                import dengjen_tashkeel_py as tashkeel

                tashkeel.tashkeel("تجربة")  # loads the model now, so a failure shows here
                _model = tashkeel.tashkeel
            except Exception as exc:  # an ImportError, or RuntimeError from onnxruntime
                _failed = True
                log.warning(
                    "Arabic is spoken without short vowels: the diacritiser could not be "
                    "loaded (%s); install it with: pip install dengjen-tashkeel-py",
                    str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                )
        return _model


def available() -> bool:
    return _load() is not None


def vowel(text: str) -> str:
    """Undiacritised Arabic -> vowelled Arabic; anything else passes through as it is."""
    text = _TANWIN_AFTER_ALIF.sub("\u064b\\1", text)
    if not _ARABIC_LETTER.search(text):
        return shadda_first(text)
    model = _load()
    if model is None:
        return shadda_first(text)
    pieces = []
    for piece in _pieces(text):
        # The model drops the spaces around its input: they are kept out of it.
        core = piece.strip()
        lead, tail = piece[: len(piece) - len(piece.lstrip())], piece[len(piece.rstrip()) :]
        if not core:
            pieces.append(piece)
            continue
        try:
            said = model(core)
        except (RuntimeError, ValueError) as exc:
            log.warning(
                "diacritiser failed on %d characters (%s); spoken unvowelled", len(piece), exc
            )
            said = core
        pieces.append(lead + _merge(core, said) + tail)
    return shadda_first(pausal("".join(pieces)))


def _pieces(text: str) -> list[str]:
    """Cut at spaces into pieces the model takes; the pieces join back to ``text``."""
    out = []
    while len(text) > _PIECE:
        cut = text.rfind(" ", 0, _PIECE)
        cut = _PIECE if cut <= 0 else cut + 1
        out.append(text[:cut])
        text = text[cut:]
    out.append(text)
    return out


def _clusters(text: str) -> list[tuple[str, str]]:
    """'قَالَ' -> [('ق', 'َ'), ('ا', ''), ('ل', 'َ')]: each character with the marks after it."""
    out: list[tuple[str, str]] = []
    for ch in text:
        if _MARK.match(ch) and out:
            base, marks = out[-1]
            out[-1] = (base, marks + ch)
        else:
            out.append((ch, ""))
    return out


def _merge(written: str, vowelled: str) -> str:
    """The model's marks, except where the page marked a letter otherwise.

    Where the model changed anything but marks, the text stays as written.
    """
    if not _MARK.search(written):
        return vowelled if strip_marks(vowelled) == written else written
    ours, theirs = _clusters(written), _clusters(vowelled)
    if [b for b, _ in ours] != [b for b, _ in theirs]:
        return written
    return "".join(
        b + _pick(mine, model) for (b, mine), (_, model) in zip(ours, theirs, strict=True)
    )


def _pick(page: str, model: str) -> str:
    """The page's marks on a letter win, unless the model's only add to them (a shadda's vowel)."""
    if not page or set(page) <= set(model):
        return model
    return page
