"""One stable, safe file name (slug) per id.

Why a module of its own: the slug is the only place where text from a term file
becomes part of a path on disk and of a URL. Every rule that keeps the site inside
OUT lives here, so it can be tested on its own: a slug is built from an allow-list
of characters (Unicode letters, digits, marks, ``-`` and ``_``), so ``..``, ``/``,
``\\``, ``:``, NUL and look-alike dots (``．``, ``․``) can never survive; reserved
names (``CON``, ``index``...) and collisions (``Action`` vs ``ACTION`` on a
case-insensitive disk) get distinct, deterministic suffixes.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import quote

MAX_SLUG = 96

# Windows device names (any extension is still the device) and the site's own pages.
_DEVICE_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_SITE_NAMES = {"index", "404", "search", "graph", "checks", "problems", "wanted", "sitemap", "assets",
               "terms", "modules", "missing", "search-index", "graph-data"}
RESERVED = frozenset(_DEVICE_NAMES | _SITE_NAMES)

_KEEP_CATEGORIES = ("L", "N", "M")  # letters, numbers, combining marks


def _keep(ch: str) -> bool:
    if ch in "-_":
        return True
    if ch.isascii():
        return ch.isalnum()
    return unicodedata.category(ch)[0] in _KEEP_CATEGORIES


# The ASCII case of the loop in natural_slug, as two regular expressions (C speed, not a Python loop):
# a run of other characters becomes "-" after a kept character other than "-", else nothing.
_ASCII_RUN_AFTER_KEPT = re.compile(r"(?<=[A-Za-z0-9_])[^A-Za-z0-9_-]+")
_ASCII_RUN = re.compile(r"[^A-Za-z0-9_-]+")


def natural_slug(ident: str) -> str:
    """The readable slug of ``ident`` before collisions are resolved.

    Runs of characters outside the allow-list become one ``-``; leading and
    trailing ``-``/``_`` are trimmed; an empty result becomes ``x``. Long ids are
    cut and given a short hash so that two long ids sharing a prefix stay apart.
    """
    if ident.isascii():
        slug = _ASCII_RUN.sub("", _ASCII_RUN_AFTER_KEPT.sub("-", ident)).strip("-_")
    else:
        out: list[str] = []
        for ch in unicodedata.normalize("NFC", ident):
            if _keep(ch):
                out.append(ch)
            elif out and out[-1] != "-":
                out.append("-")
        slug = "".join(out).strip("-_")
    if len(slug) > MAX_SLUG:
        digest = hashlib.sha1(ident.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        slug = slug[:MAX_SLUG].rstrip("-_") + "-" + digest
    return slug or "x"


def is_safe_slug(slug: str) -> bool:
    """True when ``slug`` can only name a file directly inside its folder."""
    return bool(slug) and all(_keep(c) for c in slug) and slug.casefold() not in RESERVED


def href(slug: str) -> str:
    """The percent-encoded form of a slug for use in an ``href``."""
    return quote(slug, safe="-_")


@dataclass(frozen=True)
class SlugClash:
    """Why an id did not get its natural slug (turned into a diagnostic by the caller)."""

    ident: str
    slug: str
    natural: str
    reason: str  # "collision" | "reserved"
    other: str | None = None  # the id that kept the natural slug, for collisions


def assign_slugs(idents: Iterable[str], taken: Iterable[str] = ()) -> tuple[dict[str, str], list[SlugClash]]:
    """Give each id a distinct slug; ``taken`` slugs (already used in the folder) are avoided.

    Comparison is case-insensitive (``casefold``), because macOS and Windows disks
    are. Deterministic: among ids sharing a natural slug, the one equal to it (or
    the smallest in sorted order) keeps it; the others get ``-2``, ``-3``... in
    sorted order. A reserved name always gets a suffix.
    """
    ids = sorted(set(idents))
    used = {t.casefold() for t in taken}
    slug_of = {ident: natural_slug(ident) for ident in ids}  # once per id: the slow step on the largest glossaries
    groups: dict[str, list[str]] = {}
    for ident in ids:
        groups.setdefault(slug_of[ident].casefold(), []).append(ident)
    result: dict[str, str] = {}
    clashes: list[SlugClash] = []
    pending: list[tuple[str, str, str, str | None]] = []
    for key in sorted(groups):
        members = groups[key]
        if key in RESERVED or key in used:
            for ident in members:
                pending.append((ident, slug_of[ident], "reserved" if key in RESERVED else "collision", None))
            continue
        keeper = next((m for m in members if m == slug_of[m]), members[0])
        result[keeper] = slug_of[keeper]
        used.add(key)
        for ident in members:
            if ident != keeper:
                pending.append((ident, slug_of[ident], "collision", keeper))
    for ident, natural, reason, other in pending:
        n = 2
        while f"{natural}-{n}".casefold() in used or f"{natural}-{n}".casefold() in RESERVED:
            n += 1
        slug = f"{natural}-{n}"
        used.add(slug.casefold())
        result[ident] = slug
        clashes.append(SlugClash(ident, slug, natural, reason, other))
    return result, clashes
