"""Write the narration as an MP3 with ID3v2.4 tags and chapters, atomically.

Every output goes to a temporary file beside its destination and is renamed
into place only when complete, so an interrupted run or a full disk never
leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import shutil
import stat
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, BinaryIO
from urllib.parse import quote

from mutagen import MutagenError
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    TXXX,
    USLT,
    WOAS,
    CTOCFlags,
    ID3NoHeaderError,
    PictureType,
)

from listen import tidy
from listen.audio import SAMPLE_RATE, find_ffmpeg, pcm_input, to_pcm16
from listen.errors import AudioError, ExportError
from listen.lang import iso639_2, pack_or_english
from listen.models import AudioChunk, Chapter, Script


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place only on success."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if _special(path):  # its folder (/dev) is no place for a temporary file
        directory = Path(tempfile.gettempdir())
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tidy.sweep_dir(directory)  # what a killed run left here
        fd, tmp_name = tempfile.mkstemp(
            prefix=tidy.part_prefix(path), suffix=".part", dir=directory
        )
        os.close(fd)
    except OSError as exc:
        raise ExportError(f"cannot write to {directory}: {_why(exc)}") from None
    tmp = Path(tmp_name)
    umask = os.umask(0)
    os.umask(umask)
    try:
        tmp.chmod(0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary files
        yield tmp
        if _special(path):  # /dev/null, a pipe: written into, never replaced by a file
            _copy_into(tmp, path)
            return
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {_why(exc)}") from None
    finally:
        tmp.unlink(missing_ok=True)


def _special(path: Path) -> bool:
    """Whether ``path`` is a device or a pipe (renaming a file over it would replace it)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _copy_into(tmp: Path, path: Path) -> None:
    """Write what ``tmp`` holds into the device or pipe ``path``; a pipe nobody reads is an
    error at once, not a wait for ever."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise ExportError(f"nothing reads the pipe {path}") from None
        raise
    os.set_blocking(fd, True)
    with tmp.open("rb") as source, os.fdopen(fd, "wb") as target:
        shutil.copyfileobj(source, target)


@contextlib.contextmanager
def atomic_text(path: Path) -> Iterator[IO[str]]:
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as fh:
        yield fh


def _why(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EEXIST, errno.ENOTDIR):
        return "a part of that path is a file, not a folder"
    return exc.strerror or str(exc)


RENDER_KEY_TAG = "listen:render"


def read_render_key(path: Path) -> str | None:
    """The key of the render that made ``path``, or None."""
    try:
        frames = ID3(path).getall(f"TXXX:{RENDER_KEY_TAG}")
    except (MutagenError, OSError):
        return None
    return str(frames[0].text[0]) if frames and frames[0].text else None


# The limiter keeps true peaks under -1 dBTP after MP3 encoding adds its own overshoot.
LIMIT_DBFS = -2.0


def mastering_filter(gain_db: float) -> str:
    """Gain to the loudness target, then a look-ahead limiter that never shifts the audio."""
    limit = 10 ** (LIMIT_DBFS / 20)
    return (
        f"volume={gain_db:.2f}dB,"
        f"alimiter=limit={limit:.4f}:attack=1:release=50:level=false:latency=true"
    )


def encode_command(sample_rate: int, bitrate: int, gain_db: float | None, out: str) -> list[str]:
    cmd = [find_ffmpeg(), "-v", "error", "-nostdin", "-y", *pcm_input(sample_rate), "-i", "pipe:0"]
    if gain_db is not None:
        cmd += ["-af", mastering_filter(gain_db)]
    return [
        *cmd,
        *("-map_metadata", "-1", "-codec:a", "libmp3lame", "-b:a", f"{bitrate}k", "-ac", "1"),
        *("-f", "mp3", out),
    ]


def encode_mp3(
    pcm: Path | bytes,
    out: Path,
    *,
    sample_rate: int = SAMPLE_RATE,
    bitrate: int = 64,
    gain_db: float | None = None,
) -> None:
    """Raw mono PCM (a file or bytes) -> MP3 at ``bitrate`` kbps, with ffmpeg/libmp3lame."""
    cmd = encode_command(sample_rate, bitrate, gain_db, str(out))
    try:
        if isinstance(pcm, bytes):
            result = subprocess.run(cmd, input=pcm, capture_output=True, check=False)
        else:
            with pcm.open("rb") as source:
                result = subprocess.run(cmd, stdin=source, capture_output=True, check=False)
    except OSError as exc:
        raise AudioError(f"cannot run ffmpeg: {exc.strerror}") from None
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = lines[-1] if lines else f"exit status {result.returncode}"
        if "No space left" in detail:
            raise ExportError(f"cannot write {out}: the disk is full")
        raise AudioError(f"MP3 encoding failed: {detail}")


def plain_text(script: Script) -> str:
    """The article as plain text for the lyrics frame: players show it as it is, so no
    Markdown; a caption is introduced in words, as the narration does."""
    label = pack_or_english(script.language).caption_mark
    paragraphs = [
        f"{label}: {block.text}" if block.kind == "caption" else block.text
        for block in script.blocks
    ]
    return "\n\n".join(p.strip() for p in paragraphs if p.strip()) + "\n"


def standfirst(script: Script) -> str | None:
    """The article's summary (its standfirst), if it has one."""
    return next((b.text for b in script.blocks if b.kind == "summary" and b.text.strip()), None)


def cover_art(script: Script) -> bytes:
    """The artwork every MP3 carries: the default one, from the site's name."""
    from urllib.parse import urlsplit

    from listen.artwork import default_artwork

    host = urlsplit(script.url).netloc.removeprefix("www.") if script.url else None
    return default_artwork(script.site or host or "listen", host)


def id3_tags(
    script: Script,
    chapters: Sequence[Chapter] = (),
    render_key: str | None = None,
    artwork: bytes | None = None,
) -> ID3:
    """ID3v2.4 frames: title, artist, album, date, language, source URL, the article as plain
    lyrics, its standfirst as a comment, the artwork, and the chapters as CHAP frames under
    one ordered top-level CTOC."""
    tags = ID3()
    lang3 = iso639_2(script.language)  # ID3 wants ISO 639-2 codes
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
    tags.add(USLT(encoding=3, lang=lang3, desc="", text=plain_text(script)))
    summary = standfirst(script)
    if summary:
        tags.add(COMM(encoding=3, lang=lang3, desc="", text=summary))
    picture = cover_art(script) if artwork is None else artwork
    if picture:
        mime = "image/png" if picture.startswith(b"\x89PNG") else "image/jpeg"
        tags.add(APIC(encoding=3, mime=mime, type=PictureType.COVER_FRONT, desc="", data=picture))
    if render_key:
        tags.add(TXXX(encoding=3, desc=RENDER_KEY_TAG, text=render_key))
    if chapters:
        ids = [f"chp{i}" for i in range(len(chapters))]
        tags.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=3, text=script.title)],
            )
        )
        for element_id, chapter in zip(ids, chapters, strict=True):
            tags.add(
                CHAP(
                    element_id=element_id,
                    start_time=chapter.start_ms,
                    end_time=chapter.end_ms,
                    sub_frames=[TIT2(encoding=3, text=chapter.title)],
                )
            )
    return tags


def id3_header(script: Script, artwork: bytes | None = None) -> bytes:
    """The ID3v2.4 tag as bytes, to send before a streamed MP3 (no chapters: not known yet)."""
    out = io.BytesIO()
    id3_tags(script, artwork=artwork).save(out, v2_version=4, padding=lambda info: 0)
    return out.getvalue()


def write_tags(
    path: Path,
    script: Script,
    chapters: Sequence[Chapter] = (),
    render_key: str | None = None,
    artwork: bytes | None = None,
) -> None:
    """Replace the tags of the MP3 at ``path`` with ``id3_tags``."""
    with contextlib.suppress(ID3NoHeaderError):
        ID3(path).delete(path)
    id3_tags(script, chapters, render_key, artwork).save(path, v2_version=4)


def write_mp3(
    pcm: Path | bytes,
    path: Path,
    script: Script,
    *,
    sample_rate: int = SAMPLE_RATE,
    bitrate: int = 64,
    gain_db: float | None = None,
    chapters: Sequence[Chapter] = (),
    render_key: str | None = None,
    artwork: bytes | None = None,
) -> Path:
    """Encode, tag and move into place: ``path`` is either complete or untouched."""
    with atomic_path(path) as tmp:
        encode_mp3(pcm, tmp, sample_rate=sample_rate, bitrate=bitrate, gain_db=gain_db)
        try:
            write_tags(tmp, script, chapters, render_key, artwork)
        except MutagenError as exc:
            raise ExportError(f"cannot write tags to {path}: {exc}") from None
    return path


class Mp3Stream:
    """PCM in as it is spoken, MP3 out on ``sink`` straight away (``listen speak -o -``).

    Loudness is normalised by ffmpeg's one-pass ``loudnorm``: a stream cannot
    be measured before it is sent. With ``script``, the ID3v2 tag (all but the
    chapters, which are not known yet) goes first, so players show the title.

    A reader that goes away (``| head``, a player that quits) ends the stream
    with ``BrokenPipeError``, which the command line treats as a normal end.
    """

    def __init__(
        self,
        sink: BinaryIO,
        *,
        bitrate: int = 64,
        loudness: float = -19.0,
        sample_rate: int = SAMPLE_RATE,
        script: Script | None = None,
    ) -> None:
        self.sink = sink
        self.sample_rate = sample_rate
        self.header = id3_header(script) if script is not None else b""
        self.cmd = [
            find_ffmpeg(),
            "-v",
            "error",
            "-nostdin",
            *pcm_input(sample_rate),
            "-i",
            "pipe:0",
            "-af",
            f"loudnorm=I={loudness}:TP={LIMIT_DBFS}:LRA=11",
            "-ar",
            str(sample_rate),
            "-codec:a",
            "libmp3lame",
            "-b:a",
            f"{bitrate}k",
            "-ac",
            "1",
            "-f",
            "mp3",
            "-id3v2_version",
            "0",  # ours went first
            "-flush_packets",
            "1",
            "pipe:1",
        ]
        self._proc: subprocess.Popen[bytes] | None = None
        self._pump: threading.Thread | None = None

    def __enter__(self) -> Mp3Stream:
        try:
            fileno = self.sink.fileno()
        except (AttributeError, OSError, ValueError):
            fileno = None  # an in-memory sink: copy ffmpeg's output in a thread
        self.sink.write(self.header)
        self.sink.flush()
        try:
            self._proc = subprocess.Popen(
                self.cmd,
                stdin=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdout=fileno if fileno is not None else subprocess.PIPE,
            )
        except OSError as exc:
            raise AudioError(f"cannot run ffmpeg: {exc.strerror}") from None
        if fileno is None:
            self._pump = threading.Thread(target=self._copy, daemon=True)
            self._pump.start()
        return self

    def _copy(self) -> None:
        source: Any = self._proc.stdout if self._proc is not None else None
        if source is None:
            return
        for block in iter(lambda: source.read1(65536), b""):
            self.sink.write(block)
        self.sink.flush()

    def _write(self, raw: bytes) -> int:
        if self._proc is None or self._proc.stdin is None:
            raise AudioError("the MP3 stream is not open")
        try:
            self._proc.stdin.write(raw)
            self._proc.stdin.flush()
        except BrokenPipeError:
            self._ffmpeg_ended(self._proc)
        return len(raw) // 2

    @staticmethod
    def _ffmpeg_ended(proc: subprocess.Popen[bytes]) -> None:
        """ffmpeg stopped reading: because our reader went away, or because it failed."""
        errors = proc.stderr.read() if proc.stderr is not None else b""
        code = proc.wait()
        text = errors.decode("utf-8", "replace")
        if "Broken pipe" in text or code in (-13, 141):  # EPIPE or SIGPIPE on its output
            raise BrokenPipeError("the reader of the MP3 stream went away")
        lines = text.strip().splitlines()
        raise AudioError(f"MP3 streaming failed: {lines[-1] if lines else f'exit status {code}'}")

    def add(self, chunk: AudioChunk) -> int:
        return self._write(to_pcm16(chunk, self.sample_rate))

    def pause(self, ms: int) -> int:
        return self._write(bytes(2 * (ms * self.sample_rate // 1000))) if ms > 0 else 0

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        proc = self._proc
        if proc is None:
            return
        if kind is not None:
            proc.kill()
            proc.wait()
            return
        pipes: Any = proc  # stdin and stderr were opened with PIPE
        with contextlib.suppress(BrokenPipeError):  # ffmpeg stopped reading: its status says why
            pipes.stdin.close()
        if self._pump is not None:
            self._pump.join()
        if proc.wait() != 0:
            self._ffmpeg_ended(proc)
