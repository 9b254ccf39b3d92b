"""``listen serve`` and ``listen worker``: the Listen service, and render workers for it.

Both check what they need before they start, and say in one line what is missing:
the ``[serve]`` extra, a reachable broker, a free port. The port is bound
before the service is announced, and SIGTERM ends the service within a few
seconds, however slowly the pages it is fetching arrive.
"""

from __future__ import annotations

import socket
import time
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import Any

import click

from listen.cli import cli
from listen.cli.options import make_options, render_options
from listen.errors import ListenError
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
SERVE_EXTRA = "pip install 'listen-aloud[serve]'"
GRACE_S = 3  # how long in-flight requests may finish after SIGTERM
BROKER_SCHEMES = ("redis://", "rediss://", "unix://")


def require_serve_extra() -> None:
    """The service's packages, or a one-line error naming the extra that installs them."""
    missing = []
    for module in ("starlette", "uvicorn", "huey", "prometheus_client"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise ListenError(
            f"the Listen service needs {', '.join(missing)}, which are not installed",
            hint=f"install the serve extra: {SERVE_EXTRA}",
        )


def check_broker(broker: str) -> None:
    """Connect to the Redis broker once; a one-line error if it does not answer."""
    if not broker.startswith(BROKER_SCHEMES):
        raise ListenError(f"unsupported broker {broker!r}", hint="use redis://HOST:PORT/DB")
    try:
        import redis
    except ImportError:
        raise ListenError(
            "a redis:// broker needs the redis package", hint=f"install it: {SERVE_EXTRA}"
        ) from None
    try:
        client = redis.Redis.from_url(broker, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError) as exc:
        raise ListenError(
            f"cannot reach the broker {broker}: {_why(exc)}",
            hint="start Redis there, or check --broker",
        ) from None


def _why(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, or a one-line error (the port is taken, ...)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ListenError(f"cannot listen on {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        hint = "stop what is using it, or pass another --port" if port else None
        raise ListenError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}", hint=hint
        ) from None
    sock.set_inheritable(True)
    return sock


def _forwarded_ips(values: tuple[str, ...]) -> list[str]:
    """``--forwarded-allow-ips`` values, each possibly a comma list, as uvicorn takes them."""
    import ipaddress

    ips = [v.strip() for value in values for v in value.split(",") if v.strip()]
    for ip in ips:
        if ip == "*":
            continue
        try:
            ipaddress.ip_network(ip, strict=False)
        except ValueError:
            raise click.BadParameter(
                f"{ip!r} is not an IP address or network", param_hint="--forwarded-allow-ips"
            ) from None
    return ips


@cli.command("serve", short_help="Serve the Listen API, the player and the feeds.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="TCP port to listen on (1-65535).",
)
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
@click.option(
    "--channel",
    "channel_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The feeds' channel settings (TOML, as for `listen feed build --config`).",
)
@db_option
@media_option
@voices_option
@render_options(sidecars=False, opus=False)
@click.option(
    "--forwarded-allow-ips",
    "forwarded",
    multiple=True,
    metavar="IPS",
    help="Proxies whose X-Forwarded-For is trusted (repeatable or comma-separated; "
    "default: none, so every client is its own socket address).",
)
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
    channel_file: Path | None,
    forwarded: tuple[str, ...],
    demo: bool,
    db: str | None,
    media_dir: Path | None,
    voices: tuple[str, ...],
    **flags: Any,
) -> None:
    """Serve the Listen API, the player and the feeds."""
    require_serve_extra()
    proxies = _forwarded_ips(forwarded)
    if channel_file is not None:
        from listen.publish.feed import Channel

        Channel.from_toml(channel_file, {"title": "-", "base_url": "http://-/"})  # fails early
    if broker:
        check_broker(broker)
    from listen import tidy
    from listen.publish.server import Settings

    tidy.sweep(data_dir, media_dir)
    settings = Settings(
        data_dir=data_dir,
        allow_hosts=allow_hosts,
        allow_private=allow_private,
        token=token,
        broker=broker,
        workers=workers,
        public_url=public_url,
        channel_file=channel_file,
        db=db,
        media_dir=media_dir,
        render=_options(flags, voices),
    )
    sock = bind(host, port)
    try:
        _serve(sock, host, settings, proxies, demo)
    finally:
        sock.close()


def _serve(sock: socket.socket, host: str, settings: Any, proxies: list[str], demo: bool) -> None:
    import uvicorn

    from listen import fetch
    from listen.publish.server import create_app

    demo_url = _prepare_demo(settings) if demo else None
    app = create_app(settings, demo_url=demo_url)

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            fetch.abort_all()  # a page trickling in must not hold the shutdown
            app.state.service.cpu.close()  # nor a page being read
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        app,
        log_level="warning",
        # Only configured proxies may say who the client is: otherwise a rotating
        # X-Forwarded-For from anywhere would escape every rate limit.
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        timeout_graceful_shutdown=GRACE_S,
    )
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    click.echo(
        f"Listen service on http://{shown}:{port}/ (demo: http://{shown}:{port}/demo)", err=True
    )
    Server(config).run(sockets=[sock])


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
    # The service offers every article as Ogg Opus beside the MP3 (the player's first source).
    return replace(make_options(flags), voices=tuple(pairs), opus=True)


def wait_for_broker(broker: str, *, first: float = 1.0, most: float = 30.0) -> None:
    """Retry the broker with exponential backoff, saying so once, until it answers."""
    delay, said = first, False
    while True:
        try:
            check_broker(broker)
            if said:
                click.echo("the broker answers; starting", err=True)
            return
        except ListenError as exc:
            if "unsupported broker" in str(exc) or "needs the redis package" in str(exc):
                raise
            if not said:
                click.echo(f"warning: {exc.one_line()}; retrying with backoff", err=True)
                said = True
        time.sleep(delay)
        delay = min(most, delay * 2)


@cli.command("worker", short_help="Render articles from a shared job queue.")
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
@render_options(sidecars=False, opus=False)
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
    if not broker.startswith(BROKER_SCHEMES):
        raise ListenError(f"unsupported broker {broker!r}", hint="use redis://HOST:PORT/DB")
    require_serve_extra()
    from listen import tidy
    from listen.publish.library import Library
    from listen.publish.server.jobs import HueyFeeder, run_workers

    tidy.sweep(data_dir, media_dir)
    db_url = db or str(data_dir / "listen.sqlite3")
    with Library(db_url):  # an unusable database stops here, with one line
        pass
    wait_for_broker(broker)
    media = (media_dir or data_dir).resolve()
    options = _options(flags, voices)
    run_workers(HueyFeeder(db_url, broker, data_dir, media, options), workers)
