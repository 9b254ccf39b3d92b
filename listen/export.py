"""Write the narration as an MP3 with ID3v2.4 tags, atomically.

Every output goes to a temporary file beside its destination and is renamed
into place only when complete, so an interrupted run or a full disk never
leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from urllib.parse import quote

from mutagen import MutagenError
from mutagen.id3 import ID3, TALB, TCON, TDRC, TIT2, TLAN, TPE1, USLT, WOAS, ID3NoHeaderError
from pydub import AudioSegment

from listen.audio import find_ffmpeg
from listen.errors import AudioError, ExportError
from listen.models import Script
from listen.script import to_text

# ID3 wants ISO 639-2 codes.
_ISO_639_2 = {
    "ar": "ara",
    "de": "deu",
    "en": "eng",
    "es": "spa",
    "fa": "fas",
    "fr": "fra",
    "he": "heb",
    "hi": "hin",
    "it": "ita",
    "ja": "jpn",
    "ko": "kor",
    "nl": "nld",
    "pl": "pol",
    "pt": "por",
    "ru": "rus",
    "sv": "swe",
    "tr": "tur",
    "uk": "ukr",
    "ur": "urd",
    "zh": "zho",
}


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place only on success."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
        os.close(fd)
    except OSError as exc:
        raise ExportError(f"cannot write to {directory}: {_why(exc)}") from None
    tmp = Path(tmp_name)
    umask = os.umask(0)
    os.umask(umask)
    try:
        tmp.chmod(0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary files
        yield tmp
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {_why(exc)}") from None
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_text(path: Path) -> Iterator[IO[str]]:
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as fh:
        yield fh


def _why(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    return exc.strerror or str(exc)


def encode_mp3(audio: AudioSegment, out: Path, *, bitrate: int = 64) -> None:
    """Mono PCM -> MP3 at ``bitrate`` kbps, with ffmpeg/libmp3lame."""
    cmd = [
        find_ffmpeg(),
        "-v",
        "error",
        "-nostdin",
        "-y",
        "-f",
        "s16le",
        "-ar",
        str(audio.frame_rate),
        "-ac",
        "1",
        "-i",
        "pipe:0",
        "-map_metadata",
        "-1",
        "-codec:a",
        "libmp3lame",
        "-b:a",
        f"{bitrate}k",
        "-ac",
        "1",
        "-f",
        "mp3",
        str(out),
    ]
    try:
        result = subprocess.run(cmd, input=audio.raw_data, capture_output=True, check=False)
    except OSError as exc:
        raise AudioError(f"cannot run ffmpeg: {exc.strerror}") from None
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = lines[-1] if lines else f"exit status {result.returncode}"
        if "No space left" in detail:
            raise ExportError(f"cannot write {out}: the disk is full")
        raise AudioError(f"MP3 encoding failed: {detail}")


def write_tags(path: Path, script: Script) -> None:
    """ID3v2.4: title, artist, album, date, language, source URL and the script as lyrics."""
    try:
        tags = ID3(path)
    except ID3NoHeaderError:
        tags = ID3()
    lang3 = _ISO_639_2.get(script.language, "und")
    tags.add(TIT2(encoding=3, text=script.title))
    artist = script.author or script.site
    if artist:
        tags.add(TPE1(encoding=3, text=artist))
    if script.site:
        tags.add(TALB(encoding=3, text=script.site))
    if script.published:
        tags.add(TDRC(encoding=3, text=script.published))
    tags.add(TLAN(encoding=3, text=lang3))
    tags.add(TCON(encoding=3, text="Speech"))
    if script.url:
        # ID3 URL frames are Latin-1: an IRI (an Arabic slug, say) is percent-encoded.
        tags.add(WOAS(url=quote(script.url, safe=":/?#[]@!$&'()*+,;=%~")))
    tags.add(USLT(encoding=3, lang=lang3, desc="", text=to_text(script)))
    tags.save(path, v2_version=4)


def write_mp3(audio: AudioSegment, path: Path, script: Script, *, bitrate: int = 64) -> Path:
    with atomic_path(path) as tmp:
        encode_mp3(audio, tmp, bitrate=bitrate)
        try:
            write_tags(tmp, script)
        except MutagenError as exc:
            raise ExportError(f"cannot write tags to {path}: {exc}") from None
    return path
