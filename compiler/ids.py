"""What makes a valid id, in one place.

Ids become URLs and file names, so an id is 1-200 characters with no white space,
no control character, none of ``/ \\ % ? # :``, and does not start with ``.``.
Unicode letters (``DYNA-Γ-001``) are fine. The schema carries the same rule as a
pattern for editors; this module gives the plain-words reason.
"""
from __future__ import annotations

import re
import unicodedata

MAX_ID_LENGTH = 200
_FORBIDDEN = {"/": "a slash `/`", "\\": "a backslash `\\`", "%": "a percent sign `%`", "?": "a question mark `?`",
              "#": "a hash `#`", ":": "a colon `:`"}
ID_PATTERN = r"^(?!\.)[^\s/\\%?#:\u0000-\u001f\u007f-\u009f]{1,200}$"


def id_problem(value: object) -> str | None:
    """Why ``value`` is not a valid id, in plain words; None when it is valid."""
    if not isinstance(value, str):
        return f"an id must be text, not {type(value).__name__}"
    if not value:
        return "the id is empty"
    if len(value) > MAX_ID_LENGTH:
        return f"the id is {len(value):,} characters long; the limit is {MAX_ID_LENGTH}"
    if value.startswith("."):
        return "the id starts with `.`"
    for ch in value:
        if ch in _FORBIDDEN:
            return f"the id contains {_FORBIDDEN[ch]}"
        if ch.isspace():
            return "the id contains white space"
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            return f"the id contains the control or invisible character U+{ord(ch):04X}"
    return None


def fallback_id(stem: str) -> str:
    """A valid stand-in id from a file name, for terms whose own id is missing or invalid."""
    cleaned = re.sub(r"[\s/\\%?#:\x00-\x1f\x7f-\x9f]+", "_", stem).lstrip(".") or "unnamed"
    return cleaned[:MAX_ID_LENGTH]
