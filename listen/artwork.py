"""The default square artwork: the site's name on a plain background, as a PNG.

Apple Podcasts rejects a show without ``itunes:image`` (square JPEG or PNG,
1400 to 3000 px), and players show the MP3's ``APIC`` picture; a site that has
not made artwork of its own gets this one, drawn by Pillow. The same name
always gives the same bytes, so re-rendering never changes an MP3 or a feed.
Drawing and compressing a 1400 px PNG takes a few hundred milliseconds, more
than speaking a short article, so each picture is kept in the user's cache
directory (``artwork/``, beside the sentence cache) once drawn.

The name is drawn with a system font that covers it (DejaVu on Debian) through
Pillow's text layout (raqm, so Arabic is joined and right to left); where no
such font exists, Pillow's built-in font draws the name if it is Latin, else
the site's host name.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from platformdirs import user_cache_dir

from listen.errors import ArtworkError

SIZE = 1400  # Apple's minimum; the PNG of a plain background stays small
DRAWING = 1  # bump when the drawing changes, so cached pictures are drawn again
MIN_SIZE, MAX_SIZE = 1400, 3000
_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
)
# Dark, calm backgrounds that white text reads well on (contrast above 7:1).
_BACKGROUNDS = ("#1f3a5f", "#3b2f5c", "#1e4d40", "#5c2a2a", "#33414d", "#4a3b1f")


def _font(size: int, text: str) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, str]:
    for path in _FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size), text
    # Pillow's own font covers Latin only.
    return ImageFont.load_default(size), text


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: object, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(trial, font=font) <= width:  # type: ignore[arg-type]
            lines[-1] = trial
        else:
            lines.append(word)
    return lines or [text]


def cache_dir() -> Path:
    return Path(os.environ.get("LISTEN_CACHE_DIR") or user_cache_dir("listen")) / "artwork"


@cache
def default_artwork(name: str, fallback: str | None = None, size: int = SIZE) -> bytes:
    """A ``size``-pixel square PNG with ``name`` centred on a plain background.

    ``fallback`` (the host name) is drawn instead when no font here covers ``name``.
    """
    font = next((p for p in _FONTS if Path(p).exists()), "pillow")
    material = "\0".join([str(DRAWING), name, fallback or "", str(size), font])
    path = cache_dir() / f"{hashlib.sha256(material.encode('utf-8')).hexdigest()[:32]}.png"
    with contextlib.suppress(OSError):
        data = path.read_bytes()
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return data
    data = _draw(name, fallback, size)
    with contextlib.suppress(OSError):  # the cache only saves time; never fail a render for it
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".art-", suffix=".part", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    return data


def _draw(name: str, fallback: str | None, size: int) -> bytes:
    name = " ".join(name.split()) or (fallback or "listen")
    have_font = any(Path(p).exists() for p in _FONTS)
    if not have_font and not name.isascii():
        name = fallback or "listen"
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    image = Image.new("RGB", (size, size), _BACKGROUNDS[digest[0] % len(_BACKGROUNDS)])
    draw = ImageDraw.Draw(image)
    margin = size // 10
    font_size = size // 7
    while True:
        font, text = _font(font_size, name)
        lines = _wrap(draw, text, font, size - 2 * margin)
        widest = max(draw.textlength(line, font=font) for line in lines)
        height = font_size * 1.25 * len(lines)
        if (widest <= size - 2 * margin and height <= size - 2 * margin) or font_size <= 24:
            break
        font_size = int(font_size * 0.9)
    top = (size - font_size * 1.25 * len(lines)) / 2 + font_size * 0.6
    for i, line in enumerate(lines):
        draw.text(
            (size / 2, top + i * font_size * 1.25), line, font=font, fill="#ffffff", anchor="mm"
        )
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=9)
    return out.getvalue()


def check_artwork(data: bytes, where: str = "the artwork") -> tuple[str, int, int]:
    """(MIME type, width, height) of artwork podcast apps accept, else an ``ArtworkError``
    that says what is wrong: JPEG or PNG, square, 1400 to 3000 px (Apple; Spotify wants
    square too), RGB colour."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height), mode = image.format, image.size, image.mode
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ArtworkError(f"{where} is not an image: {exc}") from None
    if kind not in ("PNG", "JPEG"):
        raise ArtworkError(f"{where} is {kind}; podcast apps want JPEG or PNG")
    if width != height:
        raise ArtworkError(f"{where} is {width}x{height} px; podcast apps want it square")
    if not MIN_SIZE <= width <= MAX_SIZE:
        raise ArtworkError(
            f"{where} is {width} px wide; Apple wants {MIN_SIZE} to {MAX_SIZE} px",
        )
    if mode not in ("RGB", "L", "P", "RGBA"):
        raise ArtworkError(f"{where} is in {mode} colour; Apple wants RGB")
    return ("image/png" if kind == "PNG" else "image/jpeg"), width, height
