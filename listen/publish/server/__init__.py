"""The HTTP service and player behind the site's Listen button.

settings.py  Settings, one frozen value
app.py       create_app(settings): the Starlette app and its routes
store.py     the articles table (SQLite, WAL), shared with the workers
jobs.py      Huey: the render task, SQLite or Redis storage, the worker pool
guard.py     the allow-list and the private-address refusal (SSRF)
ratelimit.py per-client token buckets
static/      player.js, player.css, demo.html
"""

from listen.publish.server.app import create_app
from listen.publish.server.settings import Settings

__all__ = ["Settings", "create_app"]
