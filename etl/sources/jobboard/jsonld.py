"""Read the JSON-LD blocks that real job boards actually publish.

Google's job-search guidelines made ``JobPosting`` JSON-LD near universal, but
what boards emit is often not valid JSON: raw newlines and tabs inside strings
(pasted descriptions), ``//`` and ``/* */`` comments left by templates, the
whole block HTML-escaped by a CMS (``&quot;``), trailing commas, several
objects one after another, ``<!-- -->`` or CDATA wrappers. Each repair below is
tried only when the stricter reading failed, so valid JSON is never altered.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

_WRAPPERS = re.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")
_BAD_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _strip_comments_and_trailing_commas(text: str) -> str:
    """Remove JS comments and trailing commas outside of JSON strings."""
    out: list[str] = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if ch == '"':
                in_string = False
            i += 1
            continue
        if ch == '"':
            in_string = True
            out.append(ch)
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end == -1 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end == -1 else end + 2
        elif ch == ",":
            j = i + 1
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j < n and text[j] in "}]":
                i += 1  # drop the trailing comma
            else:
                out.append(ch)
                i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _decode_all(text: str) -> list[Any]:
    """Decode one or several concatenated JSON values; raise on failure."""
    decoder = json.JSONDecoder(strict=False)
    values: list[Any] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " \t\r\n;,":
            i += 1
        if i >= n:
            break
        value, i = decoder.raw_decode(text, i)
        values.append(value)
    if not values:
        raise ValueError("empty JSON-LD block")
    return values


def load_jsonld(raw: str) -> tuple[list[Any], list[str]]:
    """Parse one ``<script type="application/ld+json">`` body.

    Returns ``(values, repairs)``: the decoded top-level values and the names
    of the repairs that were needed. Raises ``ValueError`` naming the first
    JSON error when no repair works.
    """
    text = raw.strip()
    # The wrapper pattern scans the whole text; look only when one can be there.
    if text.startswith(("<!", "//")) or text.endswith(("-->", "]]>")):
        text = _WRAPPERS.sub("", text).strip()
    attempts: list[tuple[str, Any]] = [
        ("none", lambda t: t),
        ("control-characters", lambda t: _BAD_CONTROL.sub(" ", t)),
        ("comments/trailing-commas", lambda t: _strip_comments_and_trailing_commas(_BAD_CONTROL.sub(" ", t))),
        ("html-unescape", lambda t: html.unescape(_BAD_CONTROL.sub(" ", t))),
        (
            "html-unescape+comments",
            lambda t: _strip_comments_and_trailing_commas(html.unescape(_BAD_CONTROL.sub(" ", t))),
        ),
    ]
    first_error: Exception | None = None
    for name, fix in attempts:
        try:
            values = _decode_all(fix(text))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            first_error = first_error or exc
            continue
        return values, ([] if name == "none" else [name])
    raise ValueError(f"invalid JSON-LD ({first_error})")


def type_names(node: dict[str, Any]) -> set[str]:
    """Bare schema.org type names of a node (``schema:JobPosting`` → ``JobPosting``)."""
    raw = node.get("@type", node.get("type"))
    items = raw if isinstance(raw, list) else [raw]
    names = set()
    for item in items:
        if isinstance(item, str) and item:
            names.add(re.split(r"[/#:]", item)[-1])
    return names


def collect_nodes(values: list[Any]) -> list[dict[str, Any]]:
    """Every object in the values, depth first (covers ``@graph``, arrays, nesting)."""
    out: list[dict[str, Any]] = []
    stack: list[Any] = list(reversed(values))
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if id(item) in seen:
                continue
            seen.add(id(item))
            out.append(item)
            stack.extend(reversed(list(item.values())))
    return out


class NodeIndex:
    """Resolves ``{"@id": ...}`` references to the node that defines that id."""

    def __init__(self, nodes: list[dict[str, Any]]) -> None:
        self._by_id: dict[str, dict[str, Any]] = {}
        for node in nodes:
            node_id = node.get("@id")
            if isinstance(node_id, str) and len(node) > 1:
                # Keep the richest definition when an id appears several times.
                old = self._by_id.get(node_id)
                if old is None or len(node) > len(old):
                    self._by_id[node_id] = node

    def resolve(self, value: Any, depth: int = 0) -> Any:
        if depth > 5:
            return value
        if isinstance(value, dict):
            ref = value.get("@id")
            if isinstance(ref, str) and set(value) <= {"@id", "@type"} and ref in self._by_id:
                return self.resolve(self._by_id[ref], depth + 1)
            return value
        if isinstance(value, list):
            return [self.resolve(v, depth + 1) for v in value]
        return value
