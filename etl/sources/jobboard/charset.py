"""Turn the bytes of a stored HTML page into text, with a stated encoding.

The order of trust is the one the issue fixes and browsers roughly follow: a
byte-order mark (unambiguous), the HTTP ``Content-Type`` charset, the
``<meta>`` charset of the page, then statistical detection. A declared charset
that does not decode the bytes is distrusted and the next source is tried,
because boards that re-encode pages but keep an old header are common.

ISO-8859-1 and ASCII labels are read as Windows-1252, as the WHATWG Encoding
standard prescribes: pages labelled Latin-1 routinely contain the
Windows-1252 bytes for ``€`` (0x80), ``’`` (0x92) and ``œ`` (0x9C).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_DETECTABLE = ["cp1252", "iso8859_15", "cp1256", "iso8859_6", "cp1250", "cp1251", "mac_roman",
               "utf_16", "utf_32"]
_WINDOWS_1252_ALIASES = {"latin_1", "iso8859-1", "ascii", "iso-8859-1", "us-ascii", "cp819"}


def _canonical(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _WINDOWS_1252_ALIASES or label in _WINDOWS_1252_ALIASES:
        return "cp1252"
    return name


def header_charset(headers: Mapping[str, str] | None) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == "content-type":
            match = re.search(r"charset\s*=\s*([^;\s]+)", value, re.I)
            return match.group(1).strip("\"'") if match else None
    return None


def meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:8192])
    return match.group(1).decode("ascii", "replace") if match else None


def decode_html(body: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str, str]:
    """Return ``(text, encoding, how)`` where ``how`` says which source won."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(enc, errors="replace"), enc, "bom"
    candidates = (
        ("header", _canonical(header_charset(headers))),
        ("meta", _canonical(meta_charset(body))),
    )
    for how, enc in candidates:
        if enc is None:
            continue
        try:
            return body.decode(enc), enc, how
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        return body.decode("utf-8"), "utf-8", "utf-8"
    except UnicodeDecodeError:
        pass
    detected = _detect(body)
    if detected:
        return body.decode(detected, errors="replace"), detected, "detected"
    return body.decode("cp1252", errors="replace"), "cp1252", "fallback"


def _detect(body: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - requests always brings it
        return None
    # Restricted to the single-byte families of the languages we read (French,
    # English, Portuguese, Arabic …): on short pages unrestricted detection
    # happily "finds" CJK encodings in accented Latin text.
    best = from_bytes(body, cp_isolation=_DETECTABLE).best()
    if best is None:
        return None
    found = _canonical(best.encoding)
    if found and found != "cp1252":
        try:
            if body.decode("cp1252") == str(best):
                return "cp1252"  # identical text: prefer the web's default legacy charset
        except UnicodeDecodeError:
            pass
    return found
