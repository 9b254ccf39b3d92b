"""``listen serve`` and ``listen worker``: the Listen service, and render workers for it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from listen.cli import cli
from listen.cli.options import make_options, render_options
from listen.models import RenderOptions

db_option = click.option(
    "--db",
    metavar="URL",
    envvar="LISTEN_DB",
    help="The article library: sqlite:///PATH or postgresql://USER@HOST/DB "
    "(default: listen.sqlite3 in --data).",
)
voices_option = click.option(
    "--voice-for",
    "voices",
    multiple=True,
    metavar="LANG=ID",
    help="The voice profile for one language (repeatable), e.g. en=en-piper.",
)
media_option = click.option(
    "--media",
    "media_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where rendered files are written and served from, shared by every worker "
    "(default: --data).",
)

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "almayadeen-en-cia-drones.html"


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the database and the rendered files.",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="HOST",
    help="A host the service may fetch articles from (repeatable; *.example.org for subdomains).",
)
@click.option(
    "--allow-private",
    multiple=True,
    metavar="ADDRESS",
    help="A private address or network that may be fetched anyway (for tests: 127.0.0.1).",
)
@click.option(
    "--token",
    envvar="LISTEN_API_TOKEN",
    help="Bearer token for POST /v1/articles (or LISTEN_API_TOKEN).",
)
@click.option(
    "--broker",
    metavar="URL",
    help="redis://HOST:PORT/DB to share the job queue with `listen worker`s.",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(0, 64),
    help="Local render worker processes (0: only `listen worker`s render).",
)
@click.option("--public-url", metavar="URL", help="The service's public address, for feed links.")
@db_option
@media_option
@voices_option
@render_options(sidecars=False)
@click.option(
    "--demo/--no-demo",
    default=True,
    show_default=True,
    help="Prepare the sample article so /demo works at once.",
)
def serve_command(
    host: str,
    port: int,
    data_dir: Path,
    allow_hosts: tuple[str, ...],
    allow_private: tuple[str, ...],
    token: str | None,
    broker: str | None,
    workers: int,
    public_url: str | None,
    demo: bool,
    db: str | None,
    media_dir: Path | None,
    voices: tuple[str, ...],
    **flags: Any,
) -> None:
    """Serve the Listen API, the player and the feeds."""
    import uvicorn

    from listen.publish.server import Settings, create_app
    from listen.publish.server.jobs import check_broker

    check_broker(broker)
    settings = Settings(
        data_dir=data_dir,
        allow_hosts=allow_hosts,
        allow_private=allow_private,
        token=token,
        broker=broker,
        workers=workers,
        public_url=public_url,
        db=db,
        media_dir=media_dir,
        render=_options(flags, voices),
    )
    demo_url = _prepare_demo(settings) if demo else None
    app = create_app(settings, demo_url=demo_url)
    click.echo(
        f"Listen service on http://{host}:{port}/ (demo: http://{host}:{port}/demo)", err=True
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _prepare_demo(settings: object) -> str | None:
    """Submit the sample article as HTML, so the demo needs no fetch and no allow-list."""
    if not SAMPLE.is_file():
        return None
    from listen.models import Page
    from listen.pipeline import script_from_page
    from listen.publish.server.app import Service

    html = SAMPLE.read_text(encoding="utf-8")
    script, _ = script_from_page(Page(html=html, source=str(SAMPLE)))
    if not script.url:
        return None
    service = Service(settings)  # type: ignore[arg-type]
    service.submit(script, html, script.url, "html")
    return script.url


def _options(flags: dict[str, Any], voices: tuple[str, ...]) -> RenderOptions:
    pairs = []
    for item in voices:
        language, sep, voice = item.partition("=")
        if not sep or not language or not voice:
            raise click.BadParameter(f"{item!r} is not LANG=ID", param_hint="--voice-for")
        pairs.append((language.strip().lower(), voice.strip()))
    return replace(make_options(flags), voices=tuple(pairs))


@cli.command("worker")
@click.option(
    "--broker",
    metavar="URL",
    required=True,
    help="redis://HOST:PORT/DB, as given to `listen serve`.",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="This worker's own folder (the library is --db, the files --media).",
)
@db_option
@media_option
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Render processes on this machine.",
)
@voices_option
@render_options(sidecars=False)
def worker_command(
    broker: str,
    data_dir: Path,
    db: str | None,
    media_dir: Path | None,
    workers: int,
    voices: tuple[str, ...],
    **flags: Any,
) -> None:
    """Render articles from a shared job queue (one engine per process)."""
    from listen.publish.library import Library
    from listen.publish.server.jobs import HueyFeeder, check_broker, run_workers

    check_broker(broker)
    db_url = db or str(data_dir / "listen.sqlite3")
    with Library(db_url):  # an unusable database stops here, with one line
        pass
    media = (media_dir or data_dir).resolve()
    options = _options(flags, voices)
    run_workers(HueyFeeder(db_url, broker, data_dir, media, options), workers)
