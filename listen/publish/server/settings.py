"""The Listen service's settings: one frozen value, built by the CLI or by a test."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from listen.models import RenderOptions


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    allow_hosts: tuple[
        str, ...
    ] = ()  # hosts the service may fetch; "*.example.org" matches subdomains
    allow_private: tuple[
        str, ...
    ] = ()  # addresses or networks that may be fetched anyway (tests: 127.0.0.1)
    token: str | None = None  # bearer token for write endpoints; None refuses every write
    broker: str | None = None  # redis://... to share the job queue between machines
    workers: int = 2  # local render worker processes (0: rely on `listen worker` elsewhere)
    public_url: str | None = (
        None  # the service's own address, for feeds (default: from the request)
    )
    max_body_bytes: int = 12 * 1024 * 1024  # a POSTed page: 10 MB of HTML plus JSON overhead
    max_page_bytes: int = 10 * 1024 * 1024
    fetch_timeout_s: float = 20.0  # no byte from the page's server for this long
    fetch_deadline_s: float = 30.0  # a whole fetch, however slowly the server trickles
    failure_ttl_s: float = 120.0  # a URL whose fetch failed is not fetched again for this long
    fetch_slots: tuple[int, int] = (16, 4)  # fetches at once: in all, and to one host
    # Processes that read pages (and build feeds) beside the web process; a page that takes
    # longer than page_deadline_s to read is stopped and refused.
    cpu_processes: int = 2
    page_deadline_s: float = 30.0
    heavy_threads: int = 16  # fetches and extractions at once (the thread pool holds 40)
    read_rate: tuple[int, float] = (240, 60.0)  # requests per window (seconds), per client
    write_rate: tuple[int, float] = (30, 60.0)
    guess_rate: tuple[int, float] = (10, 600.0)  # wrong tokens per client before writes stop
    recheck_s: float = (
        600.0  # how long /v1/listen trusts a ready render before re-fetching the page
    )
    site_name: str | None = None  # feed title when no article names its site
    # The podcast channel's settings, the TOML file that `listen feed build --config` reads.
    channel_file: Path | None = None
    player_download: bool = True  # the player offers "Download MP3" (LISTEN_PLAYER_DOWNLOAD=0)
    # The article library: sqlite:///PATH or postgresql://... (default: a file in data_dir)
    db: str | None = None
    media_dir: Path | None = None  # where workers write and the service reads (default: data_dir)
    # How articles are rendered: voice per language (``voices``), bitrate, loudness, limits;
    # with an Ogg Opus copy beside each MP3, which the player and the feeds offer first.
    render: RenderOptions = field(default_factory=lambda: RenderOptions(opus=True))

    @property
    def db_url(self) -> str:
        return self.db or os.environ.get("LISTEN_DB") or str(self.data_dir / "listen.sqlite3")

    @property
    def media(self) -> Path:
        return (self.media_dir or self.data_dir).resolve()

    def with_env(self) -> Settings:
        """Settings where the environment fills what the caller left unset."""
        from dataclasses import replace

        download = os.environ.get("LISTEN_PLAYER_DOWNLOAD", "").lower() not in ("0", "false", "no")
        return replace(
            self,
            token=self.token or os.environ.get("LISTEN_API_TOKEN") or None,
            player_download=self.player_download and download,
        )
