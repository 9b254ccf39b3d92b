"""What Apple Podcasts and Spotify accept: categories, artwork, and the warnings a feed earns.

Apple files a show under one of its categories (spelled as Apple spells them: case
matters to Apple) and rejects a feed whose ``itunes:category`` is not on the list;
Spotify and most other apps read the same list. A show without square JPEG or PNG
artwork of 1400 to 3000 px is rejected too, so ``listen feed build`` writes a default
one beside the media when none is set.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from listen.errors import ArtworkError
from listen.export import atomic_path

if TYPE_CHECKING:
    from listen.publish.feed import Channel, FeedItem

DESCRIPTION_LIMIT = 4000  # characters; Apple cuts (and may reject) longer descriptions

APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": (
        "Careers",
        "Entrepreneurship",
        "Investing",
        "Management",
        "Marketing",
        "Non-Profit",
    ),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health",
        "Fitness",
        "Medicine",
        "Mental Health",
        "Nutrition",
        "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary",
        "Personal Journals",
        "Philosophy",
        "Places & Travel",
        "Relationships",
    ),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}


def apple_category(value: str) -> tuple[str, ...] | str:
    """``"News > Politics"`` (any case, "and" for "&") -> ``("News", "Politics")`` as Apple
    spells it; a subcategory alone finds its parent. Otherwise a message saying what is
    close, to put in an error."""
    parts = [" ".join(p.replace(" and ", " & ").split()) for p in value.split(">")]
    parts = [p for p in parts if p]
    folded = {name.casefold(): name for name in APPLE_CATEGORIES}
    children = {
        child.casefold(): (parent, child)
        for parent, subs in APPLE_CATEGORIES.items()
        for child in subs
    }
    if len(parts) == 1 and parts[0].casefold() in children and parts[0].casefold() not in folded:
        return children[parts[0].casefold()]
    if 1 <= len(parts) <= 2 and parts[0].casefold() in folded:
        parent = folded[parts[0].casefold()]
        if len(parts) == 1:
            return (parent,)
        subs = {s.casefold(): s for s in APPLE_CATEGORIES[parent]}
        if parts[1].casefold() in subs:
            return (parent, subs[parts[1].casefold()])
        close = difflib.get_close_matches(parts[1], APPLE_CATEGORIES[parent], n=3)
        known = ", ".join(close or APPLE_CATEGORIES[parent]) or "none"
        return f"{parent} has no subcategory {parts[1]!r} (Apple's: {known})"
    names = [*APPLE_CATEGORIES, *(c for subs in APPLE_CATEGORIES.values() for c in subs)]
    close = difflib.get_close_matches(value.strip(), names, n=3)
    return f"{value!r} is not an Apple Podcasts category" + (
        f" (did you mean {', '.join(close)}?)" if close else " (e.g. News, News > Politics)"
    )


def artwork_name(channel_title: str) -> str:
    """The default artwork's file name, beside the media."""
    from listen.text import slugify

    return f"{slugify(channel_title) or 'podcast'}.artwork.png"


def write_default_artwork(folder: Path, channel_title: str) -> Path:
    """The default square artwork (the show's name on a plain background) in ``folder``,
    written atomically and only when it changes; its path."""
    from listen.artwork import default_artwork

    path = Path(folder) / artwork_name(channel_title)
    data = default_artwork(channel_title)
    try:
        if path.read_bytes() == data:
            return path
    except OSError:
        pass
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def check_artwork_file(path: Path) -> None:
    """A local artwork file that Apple and Spotify accept, else an ``ArtworkError`` saying why."""
    from listen.artwork import check_artwork

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ArtworkError(f"cannot read the artwork {path}: {exc.strerror}") from None
    check_artwork(data, str(path))


def warnings(channel: Channel, items: Sequence[FeedItem]) -> list[str]:
    """What Apple Podcasts or Spotify would reject or flag in this feed, one line each."""
    found: list[str] = []
    if not channel.image:
        found.append("no artwork: Apple Podcasts rejects a show without itunes:image")
    if not channel.email:
        found.append(
            "no owner e-mail: Spotify and Apple send the ownership check there (set email)"
        )
    if len(channel.description) > DESCRIPTION_LIMIT:
        found.append(f"the description is over Apple's {DESCRIPTION_LIMIT} characters")
    if channel.description.strip() == channel.title.strip():
        found.append("the description only repeats the title: say what the show is")
    if not channel.base_url.startswith("https://"):
        found.append("the media are not served over https: Apple and Spotify want https")
    for item in items:
        if item.audio_bytes <= 0:
            found.append(f"{item.title!r}: the enclosure has no length")
        if item.duration_ms <= 0:
            found.append(f"{item.title!r}: no duration")
        if len(item.summary or "") > DESCRIPTION_LIMIT:
            found.append(f"{item.title!r}: the description is over {DESCRIPTION_LIMIT} characters")
    return found
