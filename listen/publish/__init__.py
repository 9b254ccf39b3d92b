"""The places people listen from: playback queues, podcast feeds, and the Listen service.

    queue.py    the persistent playback queue (SQLite, WAL) and its M3U8 / JSON exports
    feed.py     RSS 2.0 podcast feeds (itunes + Podcasting 2.0 namespaces)
    server/     the HTTP service and the embeddable player behind the site's Listen button
"""
