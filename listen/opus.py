"""An Ogg Opus copy of a finished MP3, beside it: ``story.mp3`` -> ``story.opus``.

Opus carries speech in well under half the MP3's bytes, and every current
browser and most podcast apps play it, so the service offers it first (the
player's ``<source>``, the feed's ``podcast:alternateEnclosure``) and the MP3
stays the one every client can play.

How it is made, and why:

* By ffmpeg's libopus (the system's ffmpeg, or ``imageio-ffmpeg``'s static
  build: both have it), run as a separate program like the stream's ffmpeg.
  No Python binding is needed; a machine whose ffmpeg lacks libopus, or that
  has none, gets no Opus file, one warning line, and its MP3 as before.
* From the finished MP3, decoded: the MP3 is the master, with the loudness
  correction already in its frames and every timing of the sidecars measured
  on its timeline. Decoding it gives that timeline to the sample (the MP3 has
  no LAME header, so nothing is trimmed), and Ogg Opus keeps the length
  exactly (pre-skip at the start, the end trimmed by the last granule
  position), so the Opus plays in step with the MP3's timings. The cost of
  coding twice is measured by ``bench/quality.py`` (speech recognition and
  spectrum, Opus from the PCM against Opus from the MP3).
* Its tags are the MP3's, as Vorbis comments: title, artist, album, date,
  language, the standfirst, the source URL, the cover
  (``METADATA_BLOCK_PICTURE``), the render key, and the chapters in the
  ``CHAPTERnnn``/``CHAPTERnnnNAME`` form that Vorbis players read.
* Written atomically (a temporary file beside it, renamed when complete) and
  bounded: ffmpeg gets a deadline that grows with the narration's length, and
  the output is never larger than the MP3 it comes from.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import logging
import subprocess
from pathlib import Path

from mutagen import MutagenError
from mutagen.flac import Picture
from mutagen.id3 import ID3, PictureType
from mutagen.oggopus import OggOpus

from listen.errors import AudioError, ExportError, ListenError
from listen.export import RENDER_KEY_TAG, atomic_path

OPUS_KBPS = 24  # mono speech; see bench/README.md ("Encoder quality") for how it was chosen
# libopus's effort, 0-10. Measured on the seed article: 5 encodes 4x faster than 10 (its
# default) for the same size. Unconstrained VBR at 5 overshot the rate by 60 %; constrained
# VBR keeps it within 2 % of the target.
OPUS_LEVEL = 5
MEDIA_TYPE = "audio/ogg; codecs=opus"  # what the player's <source> and the feed announce
RENDER_KEY_COMMENT = "LISTEN_RENDER_KEY"
# ffmpeg decodes and encodes far faster than real time; the deadline only catches a hang.
DEADLINE_S = 60.0
DEADLINE_PER_AUDIO_S = 0.25
log = logging.getLogger("listen")


def opus_path(mp3: Path) -> Path:
    return mp3.with_suffix(".opus")


@functools.cache
def opus_encoder() -> str | None:
    """The ffmpeg that has libopus, or None (no ffmpeg, or one built without it)."""
    from listen.audio import find_ffmpeg

    try:
        ffmpeg = find_ffmpeg()
        listed = subprocess.run(
            [ffmpeg, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=20
        ).stdout
    except (ListenError, OSError, subprocess.SubprocessError):
        return None
    return ffmpeg if any(" libopus " in line for line in listed.splitlines()) else None


def encoder_args(kbps: int = OPUS_KBPS) -> list[str]:
    """ffmpeg's output options for listen's Opus (mono speech, constrained VBR)."""
    return [
        *("-ac", "1", "-c:a", "libopus", "-b:a", f"{kbps}k", "-vbr", "constrained"),
        *("-compression_level", str(OPUS_LEVEL), "-f", "opus"),
    ]


def opus_command(
    mp3: Path, out: Path, kbps: int = OPUS_KBPS, ffmpeg: str | None = None
) -> list[str]:
    """ffmpeg decoding ``mp3`` and writing Ogg Opus to ``out``, with no tags of its own."""
    return [
        ffmpeg or opus_encoder() or "ffmpeg",
        *("-nostdin", "-v", "error", "-y", "-f", "mp3", "-i", str(mp3)),
        # the cover is an attached picture (a video stream) and the tags are written after
        *("-vn", "-map_metadata", "-1", "-map_chapters", "-1"),
        *encoder_args(kbps),
        str(out),
    ]


def read_opus_key(path: Path) -> str | None:
    try:
        values = OggOpus(path).get(RENDER_KEY_COMMENT) or []
    except (MutagenError, OSError):
        return None
    return str(values[0]) if values else None


def _timestamp(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def vorbis_comments(mp3: Path) -> dict[str, list[str]]:
    """The MP3's ID3 tags as Vorbis comments (chapters as CHAPTERnnn, the cover as a picture)."""
    try:
        tags = ID3(mp3)
    except (MutagenError, OSError) as exc:
        raise AudioError(f"cannot read the tags of {mp3}: {exc}") from None
    comments: dict[str, list[str]] = {}
    for frame, name in (
        ("TIT2", "TITLE"),
        ("TPE1", "ARTIST"),
        ("TALB", "ALBUM"),
        ("TDRC", "DATE"),
        ("TLAN", "LANGUAGE"),
        ("TCON", "GENRE"),
    ):
        if frame in tags and tags[frame].text:
            comments[name] = [str(tags[frame].text[0])]
    for comm in tags.getall("COMM"):
        comments["DESCRIPTION"] = [str(comm.text[0])]
    for woas in tags.getall("WOAS"):
        comments["CONTACT"] = [str(woas.url)]
    for key in tags.getall(f"TXXX:{RENDER_KEY_TAG}"):
        comments[RENDER_KEY_COMMENT] = [str(key.text[0])]
    chapters = sorted(tags.getall("CHAP"), key=lambda chap: chap.start_time)
    for i, chap in enumerate(chapters, 1):
        title = chap.sub_frames.get("TIT2")
        comments[f"CHAPTER{i:03d}"] = [_timestamp(int(chap.start_time))]
        comments[f"CHAPTER{i:03d}NAME"] = [str(title.text[0]) if title else f"Chapter {i}"]
    for apic in tags.getall("APIC")[:1]:
        picture = Picture()
        picture.type = PictureType.COVER_FRONT
        picture.mime = apic.mime
        picture.data = apic.data
        comments["METADATA_BLOCK_PICTURE"] = [base64.b64encode(picture.write()).decode("ascii")]
    return comments


def _duration_s(mp3: Path) -> float:
    from mutagen.mp3 import MP3

    try:
        length = getattr(MP3(mp3).info, "length", None)
    except (MutagenError, OSError):
        length = None
    # without a length: as if it were 8 kbps, surely no shorter
    return float(length) if length else mp3.stat().st_size / 1000


def write_opus(mp3: Path, out: Path | None = None, *, kbps: int = OPUS_KBPS) -> Path | None:
    """Make ``out`` (``story.opus`` beside ``story.mp3``) from the finished, tagged MP3.

    Returns None, after one warning line, when no ffmpeg with libopus is found:
    the Opus copy is an extra, never a reason to fail a render.
    """
    target = out or opus_path(mp3)
    ffmpeg = opus_encoder()
    if ffmpeg is None:
        log.warning(
            "no Opus copy of %s: it needs ffmpeg with libopus "
            "(apt-get install ffmpeg, or pip install 'listen-aloud[ffmpeg]')",
            mp3.name,
        )
        return None
    comments = vorbis_comments(mp3)
    deadline = DEADLINE_S + DEADLINE_PER_AUDIO_S * _duration_s(mp3)
    with atomic_path(target) as tmp:
        try:
            done = subprocess.run(
                opus_command(mp3, tmp, kbps, ffmpeg), capture_output=True, timeout=deadline
            )
        except subprocess.TimeoutExpired:
            raise AudioError(f"the Opus encode of {mp3.name} took over {deadline:.0f} s") from None
        except OSError as exc:
            raise AudioError(f"cannot run ffmpeg for the Opus copy: {exc}") from None
        if done.returncode != 0:
            why = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
            raise AudioError(f"the Opus encode of {mp3.name} failed: {why[0]}")
        if tmp.stat().st_size > mp3.stat().st_size:
            raise AudioError(f"the Opus copy of {mp3.name} came out larger than the MP3")
        try:
            tagged = OggOpus(tmp)
            tagged.update(comments)
            tagged.save()
        except MutagenError as exc:
            raise ExportError(f"cannot write tags to {target}: {exc}") from None
    return target


def ensure_opus(mp3: Path, *, kbps: int = OPUS_KBPS) -> Path | None:
    """The current Opus copy of ``mp3``: kept if it was made from this render, else made."""
    target = opus_path(mp3)
    key = None
    with contextlib.suppress(MutagenError, OSError):
        key = ID3(mp3).getall(f"TXXX:{RENDER_KEY_TAG}")
    current = str(key[0].text[0]) if key else None
    if current and target.is_file() and read_opus_key(target) == current:
        return target
    return write_opus(mp3, target, kbps=kbps)
