"""What every export may hold: characters XML 1.0 allows, and at most ``MAX_EXPORT_BYTES``.

Why the characters: term text may hold control characters (``term: "Ctl\\x01"`` is valid
YAML), and XML 1.0 forbids C0 controls other than tab, line feed and carriage return,
and U+FFFE/U+FFFF, even as character references; ElementTree writes them as they are,
so the GraphML and GEXF files were not well-formed and no XML reader opened them.
They are replaced with U+FFFD and counted, and the command says how many.

Why the budget: one export of a hostile glossary printed a gigabyte. The loader's
budgets (compiler.load.limits) bound what one file can add; this bounds the whole.
"""
from __future__ import annotations

import re
from typing import Any, Callable

MAX_EXPORT_BYTES = 1 << 30  # bytes written per export (1 GiB)

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same in UTF-8 (surrogates as "surrogatepass" encodes them): C0 bytes are always
# characters of their own, and EF/ED only ever start a sequence, so no match splits one.
_XML_FORBIDDEN_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]|\xed[\xa0-\xbf][\x80-\xbf]")
REPLACEMENT = "\ufffd"


class ExportTooLarge(Exception):
    """An export passed ``MAX_EXPORT_BYTES``; what was written so far is incomplete."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the export is larger than {limit:,} bytes (the budget of bytes per export); it was stopped")
        self.limit = limit


class XmlText:
    """Makes text XML 1.0 can hold, counting the characters it replaced."""

    def __init__(self) -> None:
        self.replaced = 0

    def __call__(self, value: Any) -> Any:
        """``value`` with forbidden characters replaced when it is text; other values as they are."""
        if type(value) is not str or _XML_FORBIDDEN.search(value) is None:
            return value
        text, n = _XML_FORBIDDEN.subn(REPLACEMENT, value)
        self.replaced += n
        return text


class Sink:
    """A byte writer that keeps to the budget and, for XML, replaces forbidden characters.

    ``write`` takes whole encoded strings (never a piece of a character), the way the
    exporters hand them over; a file object's ``write`` or any callable goes in ``out``."""

    def __init__(self, out: Callable[[bytes], Any], *, xml: bool = False, limit: int | None = None) -> None:
        self.out, self.xml = out, xml
        self.limit = MAX_EXPORT_BYTES if limit is None else limit
        self.written = 0
        self.replaced = 0

    def write(self, data: bytes) -> int:
        if self.xml and _XML_FORBIDDEN_BYTES.search(data) is not None:
            data, n = _XML_FORBIDDEN_BYTES.subn(REPLACEMENT.encode("utf-8"), data)
            self.replaced += n
        self.written += len(data)
        if self.written > self.limit:
            raise ExportTooLarge(self.limit)
        self.out(data)
        return len(data)


def check_size(data: bytes, limit: int | None = None) -> bytes:
    """``data``, or ExportTooLarge when it passes the budget (for exports made whole in memory)."""
    limit = MAX_EXPORT_BYTES if limit is None else limit
    if len(data) > limit:
        raise ExportTooLarge(limit)
    return data


__all__ = ["MAX_EXPORT_BYTES", "ExportTooLarge", "XmlText", "Sink", "check_size"]
