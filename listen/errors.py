"""Every failure that `listen` expects, in one tree.

The CLI turns any of these into a single line on stderr and a non-zero exit;
anything that is not a ``ListenError`` is a bug and shows its traceback when
``LISTEN_DEBUG=1``.

    ListenError
    ├── SourceError            the input could not be read or fetched
    │   ├── TooLarge           the input is over the size limit
    │   ├── InvalidURL         no request can be made of this URL
    │   ├── Forbidden          the URL is not one this service may fetch
    │   └── Busy               too many fetches in progress; try again shortly
    ├── ExtractionError        the page is not HTML or holds no article
    ├── LanguageError          a language code that nothing knows
    ├── VoiceError             a voice profile is missing or malformed
    │   └── LexiconError       a pronunciation lexicon is malformed
    ├── EngineError
    │   ├── EngineUnavailable  the engine (or its native parts) is not installed
    │   └── SynthesisError     the engine failed on one segment
    ├── AudioError             decoding, joining or encoding audio failed
    └── ExportError            the output could not be written (disk full, ...)
"""

from __future__ import annotations


class ListenError(Exception):
    """Base of every expected failure. ``str(err)`` is the one line a user sees."""

    #: what to do about it, appended to the message by the CLI when set
    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def one_line(self) -> str:
        text = " ".join(str(self).split())
        if self.hint:
            text = f"{text} ({' '.join(self.hint.split())})"
        return text


class SourceError(ListenError):
    """A file, URL or stdin that could not be read."""


class TooLarge(SourceError):
    """The input is bigger than the limit."""


class InvalidURL(SourceError):
    """A URL with whitespace or control characters, a broken host or port, or no host."""


class Forbidden(SourceError):
    """A URL outside the allow-list, or one that resolves to a private address."""


class Busy(SourceError):
    """Every fetch slot (in all, or for one host) is taken; the request may be retried."""


class ExtractionError(ListenError):
    """The input is not an HTML page, or the page holds no article."""


class LanguageError(ListenError):
    """A language that nothing in listen knows."""


class VoiceError(ListenError):
    """A voice profile that is missing, unknown or malformed."""


class LexiconError(VoiceError):
    """A pronunciation lexicon file that cannot be used."""


class EngineError(ListenError):
    """Base for engine failures."""


class EngineUnavailable(EngineError):
    """The engine cannot start on this machine; the hint says what to install."""


class SynthesisError(EngineError):
    """The engine failed to speak one segment."""


class AudioError(ListenError):
    """Audio could not be decoded, joined or encoded."""


class ExportError(ListenError):
    """An output file could not be written."""
