"""The places people listen from: playback queues, podcast feeds, and the Listen service.

library.py   the one article store (queue, feeds, service): entries, aliases, claims, leases
schema.py    its schema and migrations, written once for both backends
sqlite_store.py, postgres_store.py   the backends: SQLite (the default) and PostgreSQL
sources.py   what `queue add` reads: article pages, RSS/Atom feeds, news sitemaps
workers.py   rendering claimed entries: `queue render` and the service's workers
owners.py    who holds a claim, and whether that process still runs
playlist.py  the queue as an M3U8 playlist or a player's JSON document
items.py     feed items of ready entries, for `feed build` and the service
feed.py      RSS 2.0 podcast feeds (itunes + Podcasting 2.0 namespaces)
server/      the HTTP service and the embeddable player behind the site's Listen button
"""
