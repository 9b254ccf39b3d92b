"""The places people listen from: playback queues, podcast feeds, and the Listen service.

queue.py     the persistent playback queue (SQLite, WAL): entries, claims, positions
sources.py   what `queue add` reads: article pages, RSS/Atom feeds, news sitemaps
workers.py   `queue render`: parallel, resumable renders of the queue
owners.py    who holds a claim, and whether that process still runs
playlist.py  the queue as an M3U8 playlist or a player's JSON document
feed.py      RSS 2.0 podcast feeds (itunes + Podcasting 2.0 namespaces)
server/      the HTTP service and the embeddable player behind the site's Listen button
"""
