"""Who wrote the article: the people and organisations a page credits, checked as names.

Sources, most trusted first: the JSON-LD article's ``author`` (a string, an
object, a list, or an ``@id`` pointing into the ``@graph``; ``Person`` versus
``Organization``), the author ``<meta>`` tags (Dublin Core, ``author``,
``article:author``, Parse.ly, Sailthru...), then the byline markup of the
page (``rel=author``, ``itemprop=author``, ``.byline``/``.author`` boxes), but
never one inside comments, a form, a related-stories box or a photo credit.

A credit is only kept when it reads as a name: a label ("Name *", "Promoted
by", "Feed"), a handle, an e-mail, a URL, a date or a job title is dropped. A
wrong byline is worse than none, so when in doubt nothing is credited. A news
agency or the site itself given as author is the source, not a person.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from lxml import etree

from listen.lang import packs
from listen.text import squash

if TYPE_CHECKING:
    from listen.page_tree import TextSizes

MAX_AUTHORS = 6
_PACKS = packs()
_NAME_PARTICLES = set(
    "de da del della di du la le van von der den bin ibn al el dos das ter y e".split()
)
# "By" in languages that have no pack yet: Dutch, Scandinavian, Polish, "Autor:" (cs, pl,
# es, de), Russian, Indonesian, Turkish, Chinese and Japanese ("作者：", "记者 ").
_OTHER_PREFIXES = (
    "door",
    "av",
    "af",
    "przez",
    "autor",
    "автор",
    "oleh",
    "yazar",
    "作者",
    "记者",
    "記者",
    "撰文",
)
_PREFIXES = sorted(
    {w for p in _PACKS for w in p.byline.prefixes} | set(_OTHER_PREFIXES), key=len, reverse=True
)
_PREFIX_WORDS = "|".join(re.escape(w) for w in _PREFIXES)
BY_PREFIX = re.compile(rf"^({_PREFIX_WORDS})(?:\s*[:：]\s*|\s+)", re.I)
# "Tuesday 15 October 2019 by Bradley M. Kuhn": the name follows "by". Inside a line, a
# word that is also a name's particle ("Ana de la Torre", "Ursula von der Leyen") is no "by".
_MID_PREFIXES = [w for w in _PREFIXES if w.split()[-1] not in {*_NAME_PARTICLES, "av", "af"}]
_AFTER_BY = re.compile(
    rf"(?:^|\s)(?:{'|'.join(re.escape(w) for w in _MID_PREFIXES)})(?:\s*[:：]\s*|\s+)(\S.*)$",
    re.I,
)
# "and" in every language with a pack ("y", "e", "und", "et", "و"), and "with" in a few.
_AND_WORDS = sorted(
    {p.byline.and_.strip() for p in _PACKS}
    | {p.byline.and_before_i.strip() for p in _PACKS if p.byline.and_before_i}
    | {"&", "with", "con", "mit", "avec", "com"}
)
_JOINERS = "(?:" + "|".join(re.escape(w) for w in _AND_WORDS) + ")"
# "A, B and C", "A, B, and C", "أ، ب و ج": one name per piece.
_NAME_SPLIT = re.compile(rf"\s*[,;،]\s*(?:{_JOINERS}\s+)?|\s+{_JOINERS}\s+|\s+[|•·]\s+", re.I)
# Suffixes and degrees that follow a name after a comma: "John Smith, Jr.", "Jane Doe, MA".
_SUFFIXES = set("jr sr ii iii iv phd ph.d md ma ms msc mph rn mba".split())
# "A (avec B et C)" -> "A, B et C"; a parenthesis inside one name is left alone.
_WITH_ALSO = re.compile(rf"\s*\(\s*{_JOINERS}\s+([^)]*)\)", re.I)
_PARTICLES = _NAME_PARTICLES
# Words of a label or a job, never of a name: "By Name *", "Promoted by", "Games Editor".
_NOT_NAME_WORDS = set(
    """feed promoted posted sponsored staff editor editors contributor contributors
    writer writers reporter correspondent admin administrator team desk comments comment
    email e-mail subscribe follow share updated published photo photos photograph image
    video reply login guest anonymous user users member author authors by read more
    redacción rédaction redaktion redazione redação""".split()
)
# Where the writer's credit ends: "Written by A Edited by B", "By A Photographs by B".
_OTHER_ROLES = re.compile(
    r"\s+(?:edited|photos?|photographs?|photography|illustrations?|graphics|video|"
    r"additional reporting|translated|reviewed|fact-checked)\b.*$",
    re.I,
)
# "Jane Doe for The Guardian", "Jane Doe in Washington": the outlet or the place follows.
_FOR_OR_IN = re.compile(r"\s+(?:for|para|pour|für|in|en|à|aus|from)\s+(?=[A-Z]).*$")
# Who did something else than write: "Photograph by", "Illustration by", "Edited by".
_NOT_WRITER = re.compile(
    r"\b(?:photos?|photographs?|photography|pictures?|images?|illustrations?|graphics|video|"
    r"edited|translated|foto|fotos|fotografía|ilustración|illustration|bild|bilder)\b",
    re.I,
)
# News agencies credited as the author: they are the source of a story, not a person.
_AGENCIES = set(
    """afp ap reuters dpa efe ansa xinhua kyodo yonhap tass ria upi pa bloomberg anp apa sda
    ats belga lusa ctk pap mti ntb tt ritzau sapa aap cp ani pti ians wam spa mena qna kuna
    """.split()
) | {
    "associated press",
    "agence france-presse",
    "agence france presse",
    "europa press",
    "agencia efe",
    "press association",
    "thomson reuters",
}
_PERSON_TYPES = {"person"}
_STAFF = {
    "staff",
    "staff reports",
    "staff writer",
    "the editors",
    "editorial",
    "editorial staff",
    "newsroom",
    "redacción",
    "rédaction",
    "la rédaction",
    "redaktion",
    "redazione",
    "redação",
    "التحرير",
}
# Month and weekday names, "Updated"...: a credit of only these is a date ("March 25, 2015").
_DATE_WORDS = frozenset(
    w.casefold() for p in _PACKS for w in (*p.date_words, *(x for m in p.months for x in m.split()))
)


# Words of an outlet's or a company's name: "Guardian News and Media", "Washington Post".
_ORG_WORDS = set(
    """news media press group inc ltd llc gmbh corp corporation company times post journal
    magazine daily herald tribune gazette network tv radio agency newsroom online staff desk
    team developers blog foundation project projects institute university association council
    organization organisation works
    ministry department
    noticias prensa diario periódico revista zeitung nachrichten presse journal quotidien
    agência jornal""".split()
)


def is_agency(name: str) -> bool:
    """A news agency or an outlet, named where a person should be: the source.

    An outlet's name is short and written as a name: "Washington Post", "Guardian
    News and Media", not "New Yorkers post their feelings" (a related story's title).
    """
    if _fold_words(name) in _AGENCIES:
        return True
    words = name.split()
    if not 1 <= len(words) <= 6 or not plausible_org(name):
        return False
    acronym = len(words) > 1 and re.fullmatch(r"[A-Z]{3,5}", words[0])
    if acronym and words[1][:1].isupper() and not words[1].isupper():
        return True  # "CNN Business", "BBC News" ("Jean DUPONT" puts the capitals last)
    named = [w for w in words if w[:1].isupper() or w.casefold() in _ORG_JOINERS]
    return len(named) == len(words) and any(w.casefold() in _ORG_WORDS for w in words)


def _fold_words(text: str) -> str:
    return " ".join(re.findall(r"[\w-]+", text.casefold()))


def fold(text: str) -> str:
    """A name without case, spaces or punctuation, to compare."""
    return re.sub(r"\W+", "", text).casefold()


def split_names(text: str) -> list[str]:
    """ "By A, B and C" -> [A, B, C], in any language with a pack."""
    text = BY_PREFIX.sub("", squash(text)).strip(" ,;:|")
    text = _OTHER_ROLES.sub("", text)
    text = _FOR_OR_IN.sub("", text)
    text = _WITH_ALSO.sub(r", \1", text)
    text = re.sub(r"\s*[(<\[](?:https?://|www\.|@|mailto:)[^)>\]]*[)>\]]", "", text)  # "(http://…)"
    names: list[str] = []
    for raw in _NAME_SPLIT.split(text):
        piece = raw.strip(" ,;:|—–-")
        if piece and names and piece.casefold().rstrip(".") in _SUFFIXES:
            names[-1] += ", " + piece  # "John Smith, Jr." is one person
        elif piece.strip(" ."):
            names.append(piece.strip(" .—–-"))
    return names


def plausible_name(name: str) -> bool:
    """A person's name, not a label, a handle, an e-mail, a date or a sentence."""
    if not name or len(name) > 60 or re.search(r"[*@#<>{}=/\\|:\d&]|https?|www\.", name):
        return False
    words = name.split()
    if not 1 <= len(words) <= 6:
        return False
    folded = [w.strip(".,").casefold() for w in words]
    if folded[0] == "the":
        return False  # "The Verge", "The Editors": no person's name starts so
    if any(w in _NOT_NAME_WORDS for w in folded) or folded in (["name"], ["your", "name"]):
        return False  # "Name" alone is a form's label; "Creator Name" may be a name
    if max(len(w.strip(".")) for w in words) < 2:
        return False  # initials alone ("J J")
    if all(w in _DATE_WORDS for w in folded):
        return False  # "March", "Updated Tuesday"
    if any(re.search(r"[a-z][A-Z][a-z]+[A-Z]", w) for w in words):
        return False  # "AMournfulHowlInTheNight": a user's handle ("McDonald" is a name)
    if re.search(r"\w\.[a-z]{2,}\b", name):
        return False  # "ROBERTREICH.org": an address ("R.J. Eskow" is a name)
    cased = [w for w in words if len(w) > 1 and w[:1].isalpha() and w[:1].lower() != w[:1].upper()]
    # In scripts with capitals, every word but particles starts with one ("Mike Conley").
    return all(w[:1].isupper() or w.casefold() in _PARTICLES for w in cased)


def sort_names(names: list[str], people: list[str], orgs: list[str], whole: str = "") -> None:
    """Add each name to ``people`` or, for an agency or an outlet, to ``orgs``.

    "Guardian News and Media" is one outlet, not two: when no piece of ``whole`` is a
    person, the whole credit is the organisation.
    """
    persons = [n for n in names if plausible_name(n) and not is_agency(n)]
    if whole and not persons and is_agency(whole) and plausible_org(whole):
        orgs.append(whole)
        return
    for name in names:
        if is_agency(name):
            orgs.append(name)
        elif name in persons and name not in people:
            people.append(name)


_STAFF_LAST = {"staff", "desk", "newsroom", "reporters", "correspondents"}  # "Our Foreign Staff"
_ORG_JOINERS = {"and", "&", "of", "for", "the", "y", "e", "et", "und", "de", "del", "la", "le"}


def is_staff(name: str) -> bool:
    """ "Staff", "Redacción", "The Editors": the site's own newsroom, not a name."""
    words = _fold_words(name).split()
    return " ".join(words) in _STAFF or (bool(words) and words[-1] in _STAFF_LAST)


def plausible_org(name: str) -> bool:
    """An organisation's name ("Contributors to Wikimedia projects", "Mac & i")."""
    return (
        bool(name)
        and len(name) <= 80
        and len(name.split()) <= 8
        and not re.search(r"[@<>{}=\\]|https?:|www\.|\.(?:com|org|net)/", name)
    )


def _str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return squash(value)
    if isinstance(value, dict):
        name = _str(value.get("name") or value.get("@value"))
        if name is None and (value.get("givenName") or value.get("familyName")):
            given, family = _str(value.get("givenName")), _str(value.get("familyName"))
            name = " ".join(n for n in (given, family) if n) or None
        return name
    return None


def kinds(item: Any) -> set[str]:
    """A JSON-LD object's ``@type``s, lower-cased (a string or a list of them)."""
    kind = item.get("@type") if isinstance(item, dict) else None
    return {k.lower() for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}


def jsonld_people(
    value: Any, ids: Mapping[str, dict[str, Any]] | None = None
) -> tuple[list[str], list[str]]:
    """JSON-LD ``author``: a name, an object, an ``@id`` or a list -> (people, organisations)."""
    people: list[str] = []
    orgs: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and set(item) <= {"@id", "@type"} and ids:
            item = ids.get(str(item.get("@id")), item)  # {"@id": ".../#/schema/person/1"}
        kind = kinds(item)
        text = _str(item) or ""
        if not text or text.startswith(("http://", "https://", "@")):
            continue
        if kind and not kind & _PERSON_TYPES:
            if plausible_org(text) and text not in orgs:
                orgs.append(text)
            continue
        sort_names(split_names(text), people, orgs, text)
    return people, orgs


# Meta tags that name the author, most specific first.
_AUTHOR_TAGS = (
    "dc.creator",
    "dc:creator",
    "dcterm:creator",
    "dcterms.creator",
    "author",
    "article:author",
    "og:article:author",
    "parsely-author",
    "sailthru.author",
    "byl",
    "cxenseparse:author",
)
_SITE_SEPARATOR = re.compile(r"\s+[|–—-]\s+")
_LAST_FIRST = re.compile(r"^([^,]+),\s*([^,]+)$")


def _inverted(value: str) -> str | None:
    """ "Jong, Michiel de" -> "Michiel de Jong" when a tag holds one person, last name first."""
    match = _LAST_FIRST.match(value)
    if not match:
        return None
    last, first = (g.strip() for g in match.groups())
    if len(last.split()) == 1 and len(first.split()) <= 3:
        return f"{first} {last}"
    return None


def meta_people(tags: Mapping[str, list[str]], sites: list[str]) -> tuple[list[str], list[str]]:
    """The people (and agencies) the author ``<meta>`` tags name, and Parse.ly's JSON."""
    for key in _AUTHOR_TAGS:
        values = [v for v in tags.get(key, []) if not v.startswith(("http://", "https://", "@"))]
        people: list[str] = []
        orgs: list[str] = []
        for value in values:
            pieces = [v for v in _SITE_SEPARATOR.split(value) if not is_site(v, sites)]
            if not pieces:  # the site named as the author: the source
                orgs.append(value)
                continue
            if len(pieces) == 1:
                value = pieces[0]  # "Jane Doe | The Daily Planet" -> "Jane Doe"
            inverted = _inverted(value) if len(values) > 1 else None
            candidates = [inverted] if inverted else split_names(value)
            one_each = len(candidates) == 2 and all(len(n.split()) == 1 for n in candidates)
            if len(values) == 1 and (one_each or not all(plausible_name(n) for n in candidates)):
                # "Kooman, F." or "Smith, John" alone: one person, last name first, not two
                inverted = _inverted(value)
                candidates = [inverted] if inverted else candidates
            sort_names(candidates, people, orgs, value)
        if people or orgs:
            return people, orgs
    for key in ("parsely-page", "parsely-metadata"):
        for page in tags.get(key, []):
            try:
                data = json.loads(page)
            except ValueError:
                continue
            if isinstance(data, dict):
                people, orgs = jsonld_people(data.get("authors") or data.get("author"))
                if people or orgs:
                    return people, orgs
    return [], []


_BYLINE_CLASS = re.compile(r"author|byline|(^|[-_ ])by([-_ ]|$)", re.I)
_BYLINE_XPATH = etree.XPath(
    "//*[@rel='author' or contains(@itemprop, 'author') or @class]"
    "[not(self::link or self::meta or self::script or self::style)]"
)
# Boxes whose names are not the article's writer: commenters, related stories, sign-ups.
# Matched on whole parts of a class or id ("comment-list", "c-related-list", "most-popular"),
# so that "hasnt-bio" or "sidebar-primary" on <body> does not hide the real byline.
_ELSEWHERE = re.compile(
    r"(^|[-_])(comments?|respond|repl(y|ies)|discussion|related|recommend(ed|ations)?|"
    r"popular|trending|most|teasers?|promos?|newsletter|signup|login|more-from|read-next|"
    r"recirc|outbrain|taboola)([-_]|$)",
    re.I,
)


def _elsewhere(el: etree._Element) -> bool:
    """Inside comments, a form, a related box or a photo: not the article's writer."""
    for anc in el.iterancestors():
        if anc.tag in ("body", "html"):
            return False
        if anc.tag in ("form", "footer", "figure", "figcaption", "nav"):
            return True
        names = (anc.get("class", "") + " " + anc.get("id", "")).split()
        if any(_ELSEWHERE.search(name) for name in names):
            return True
    return False


_DATES = frozenset(w for w in _DATE_WORDS if len(w) >= 4)
_JOBS = set(
    """staff senior chief contributing special writer reporter correspondent editor columnist
    contributor producer""".split()
)
_DATE_CUT = re.compile(r"\s+(?:[|•·—–-]|Updated|Published|on)\s+")


def markup_people(
    tree: etree._Element,
    sizes: TextSizes | None,
    date_tail: re.Pattern[str],
    seen: list[str],
    near: etree._Element | None = None,
) -> tuple[list[str], list[str]]:
    """The names in the page's byline markup (its lines are added to ``seen`` to drop them).

    Of several bylines, the one nearest the headline ``near`` is the article's (a
    strip of other stories may come first); without a headline, the first. An
    element marked as the author (``rel``/``itemprop``) goes before one whose class
    says so, and within a byline box its innermost name is read ("Tech Insider Alex
    Perry 1 day ago" holds ``<span itemprop=author>Alex Perry</span>``).
    """
    found: list[tuple[etree._Element, bool, tuple[list[str], list[str]]]] = []
    for el in _BYLINE_XPATH(tree):
        is_marked = el.get("rel") == "author" or "author" in el.get("itemprop", "").split()
        if not (is_marked or _BYLINE_CLASS.search(el.get("class", ""))):
            continue
        if sizes is not None and sizes.of(el) > 200:
            continue  # an author box with a biography, or a whole header
        text = squash(el.text_content())
        if not text and is_marked:  # <span itemprop=author><meta itemprop=name content=…>
            text = squash(" ".join(el.xpath(".//meta[@itemprop='name']/@content")))
        if not text or len(text.split()) > 12:
            continue
        seen.append(text)
        if _elsewhere(el):
            continue
        if not is_marked and any(
            _BYLINE_CLASS.search(d.get("class", "")) or d.get("rel") == "author"
            for d in el.iter()
            if d is not el and isinstance(d.tag, str) and squash(d.text_content())
        ):
            continue  # the box around a byline: its inner element says it more precisely
        names = _names_in(text, date_tail)
        if names[0] or names[1]:
            found.append((el, is_marked, names))
    if not found:
        return [], []
    if near is None or len(found) == 1:
        return min(found, key=lambda f: not f[1])[2]  # the first marked one, or the first
    lines = [near.sourceline, *(f[0].sourceline for f in found)]
    if None not in lines and len(set(lines)) == len(lines):
        position = {el: el.sourceline or 0 for el in [near, *(f[0] for f in found)]}
    else:  # a page written on one line: count the elements
        position = {el: i for i, el in enumerate(tree.iter())}
    here = position.get(near, 0)
    return min(found, key=lambda f: (abs(position.get(f[0], 0) - here), not f[1]))[2]


def _names_in(text: str, date_tail: re.Pattern[str]) -> tuple[list[str], list[str]]:
    after_by = _AFTER_BY.search(text)
    if after_by:
        if _NOT_WRITER.search(text[: after_by.start(1)]):
            return [], []  # "Photograph by Jane Doe": a credit, but not for the words
        text = after_by.group(1)
    text = _DATE_CUT.split(text)[0]
    if is_staff(text):
        return [], [text]  # "Our Foreign Staff": the newsroom, not "Our Foreign"
    words = text.split()
    # "Joe Wee Monday, February 29": a capitalised weekday or "Updated" ends the name.
    dated = next(
        (i for i, w in enumerate(words) if w[:1].isupper() and w.casefold().strip(",") in _DATES),
        None,
    )
    if dated is not None and dated >= 2:
        words = words[:dated]
        text = " ".join(words).rstrip(",")
    job = next((i for i, w in enumerate(words) if w.casefold().strip(",") in _JOBS), None)
    if job is not None and job >= 2:
        text = " ".join(words[:job]).rstrip(",")  # "Jane Doe Staff Writer" -> "Jane Doe"
    text = date_tail.split(text)[0]  # "By Nathan Willis March 25, 2015"
    text = re.sub(r",\s*(CNN|Reuters|AP|AFP)$", "", text)
    people: list[str] = []
    orgs: list[str] = []
    sort_names(split_names(text), people, orgs, text)
    return people, orgs


def is_site(name: str, site_names: Iterable[str]) -> bool:
    """The site's own name, or a shorter or longer form of it ("Verge" of "The Verge",
    "Washington Post"), compared word by word ("Timothy Smith" is not "Time")."""
    words = {w for w in _fold_words(name).split() if w not in _ORG_JOINERS}
    for site in site_names:
        if fold(site) == fold(name):
            return True
        theirs = {w for w in _fold_words(site).split() if w not in _ORG_JOINERS}
        if len(theirs) > 4:
            continue  # "SIMPLYFOUND.COM | BY: JOE WEE" names its author too
        small = min(len("".join(words)), len("".join(theirs)))
        if words and theirs and (words <= theirs or theirs <= words) and small >= 3:
            return True
    return False


def without_sites(
    people: Iterable[str], orgs: list[str], sites: list[str], persons: set[str]
) -> list[str]:
    """The people who are not the site itself ("By The Daily Planet"); those join ``orgs``.

    A name the JSON-LD says is a ``Person`` stays a person even when it is also the
    publisher's name (a personal blog: "Haki Benita" publishes Haki Benita).
    """
    kept = []
    for name in people:
        if is_site(name, sites) and name not in persons:
            orgs.append(name)
        else:
            kept.append(name)
    return kept[:MAX_AUTHORS]
