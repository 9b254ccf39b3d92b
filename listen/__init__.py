"""listen: an offline text-to-speech article reader.

    script_from_html(html, url=None) -> Script       the narration script of a page
    normalize(text, language) -> str                 written text -> the words a voice says
    speak(source, out=None, ...) -> Episode          a page (path, URL or -) -> a tagged MP3
    render(script, out, voice=...) -> Episode        a script -> MP3 and sidecars
    RenderOptions, Event                             how to render; what a render reports

``render``/``stream``/``speak`` take ``options=RenderOptions(...)`` or the same
settings as keyword arguments, and ``engine=`` an engine name or object.

The names load on first use, so ``import listen`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Block",
    "Episode",
    "Event",
    "ListenError",
    "RenderOptions",
    "Script",
    "__version__",
    "normalize",
    "render",
    "script_from_html",
    "script_from_source",
    "speak",
    "stream",
]

_HOMES = {
    "Article": "listen.models",
    "Block": "listen.models",
    "Episode": "listen.models",
    "Event": "listen.models",
    "RenderOptions": "listen.models",
    "Script": "listen.models",
    "ListenError": "listen.errors",
    "normalize": "listen.lang",
    "render": "listen.pipeline",
    "script_from_html": "listen.pipeline",
    "script_from_source": "listen.pipeline",
    "speak": "listen.pipeline",
    "stream": "listen.pipeline",
}

if TYPE_CHECKING:
    from listen.errors import ListenError
    from listen.lang import normalize
    from listen.models import Article, Block, Episode, Event, RenderOptions, Script
    from listen.pipeline import render, script_from_html, script_from_source, speak, stream


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'listen' has no attribute {name!r}")
