"""The HTTP service and player behind the site's Listen button.

settings.py  Settings, one frozen value
app.py       create_app(settings): the Starlette app and its routes
jobs.py      Huey carries render jobs (SQLite or Redis); HueyFeeder feeds listen.runtime's
             workers, which claim each article in the library (publish/library.py)
guard.py     the allow-list and the private-address refusal (SSRF)
ratelimit.py per-client token buckets
static/      player.js, player.css, demo.html
"""

from listen.publish.server.app import create_app
from listen.publish.server.settings import Settings

__all__ = ["Settings", "create_app"]
