"""The web player's words, made from the language packs: ``static/messages.js``.

    python -m listen.lang.player --write     rewrite messages.js from the packs
    python -m listen.lang.player --check     exit 1 if messages.js differs from them

The player is static files, so its words are a generated ES module (one
``MESSAGES`` object literal, one entry per pack that has messages); the packs'
``messages.toml`` files are the source, and a test keeps the two equal.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from . import packs

MESSAGES_JS = (
    Path(__file__).resolve().parent.parent / "publish" / "server" / "static" / "messages.js"
)


def messages_js() -> str:
    lines = [
        "// The player's words, by language code. Made from listen/lang/<code>/messages.toml by",
        "// `python -m listen.lang.player --write`: edit those files, not this one.",
        "export const MESSAGES = {",
    ]
    for pack in packs():
        if not pack.messages:
            continue
        lines.append(f"  {pack.code}: {{")
        lines += [
            f"    {k}: {json.dumps(v, ensure_ascii=False)}," for k, v in pack.messages.items()
        ]
        lines.append("  },")
    lines.append("};")
    return "\n".join(lines) + "\n"


def write(path: Path = MESSAGES_JS) -> None:
    """Write atomically: the service may be serving the file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(messages_js())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--write"]:
        write()
        return 0
    if args == ["--check"]:
        same = MESSAGES_JS.read_text(encoding="utf-8") == messages_js()
        print("messages.js matches the packs" if same else "messages.js differs: run --write")
        return 0 if same else 1
    print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
    print("usage: python -m listen.lang.player --write | --check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
