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
    │   ├── LexiconError       a pronunciation lexicon is malformed
    │   └── VoiceStoreError    a Piper voice could not be installed or removed
    ├── EngineError
    │   ├── UnknownEngine      no engine by that name, or ``module:Class`` is not an engine
    │   ├── EngineUnavailable  the engine (or its native parts) is not installed
    │   └── SynthesisError     the engine failed on one segment
    ├── AudioError             decoding, joining or encoding audio failed
    ├── ExportError            the output could not be written
    │   └── DiskFull           too little free disk to start, or to go on
    ├── TooLong                the narration would be longer than the render limit
    ├── ArtworkError           podcast artwork is not square JPEG/PNG of 1400-3000 px
    └── PublishError           queues, feeds and the service
        ├── StoreError         the article store cannot be used, or has no such entry
        ├── QueueError         a queue command failed (an article failed, a bad value)
        ├── FeedError          a feed's settings or its file are wrong
        └── BrokerError        the job queue (Redis) is unknown or cannot be used
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


class VoiceStoreError(VoiceError):
    """A Piper voice that cannot be downloaded, checked, installed or removed."""


class EngineError(ListenError):
    """Base for engine failures."""


class UnknownEngine(EngineError):
    """No engine has that name, or a ``module:Class`` names something that is not an engine."""


class EngineUnavailable(EngineError):
    """The engine cannot start on this machine; the hint says what to install."""


class SynthesisError(EngineError):
    """The engine failed to speak one segment."""


class AudioError(ListenError):
    """Audio could not be decoded, joined or encoded."""


class ExportError(ListenError):
    """An output file could not be written."""


class DiskFull(ExportError):
    """Too little free disk space to start a render, or to go on with one."""


class TooLong(ListenError):
    """The narration would be longer than the render limit (``RenderOptions.max_minutes``)."""


class PublishError(ListenError):
    """Base for the queue, the feeds and the service."""


class StoreError(PublishError):
    """The article store (SQLite or PostgreSQL) cannot be used, or has no such entry."""


class QueueError(PublishError):
    """A queue command failed: an article could not be rendered, or a value is wrong."""


class FeedError(PublishError):
    """A feed's channel settings are wrong, or its file cannot be read or written."""


class BrokerError(PublishError):
    """The job queue's URL is not supported, or the broker cannot be reached."""


class ArtworkError(ListenError):
    """Podcast artwork cannot be read, or is not what podcast apps accept."""
