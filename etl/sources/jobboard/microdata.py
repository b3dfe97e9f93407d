"""Extract schema.org microdata items as JSON-LD-shaped dicts.

Older boards and several public employment services mark their offer pages
with ``itemscope``/``itemprop`` instead of JSON-LD. Turning each item into the
same dict shape as a JSON-LD node lets one field extractor serve both.

Values follow the WHATWG microdata rules (``content`` of ``meta``, ``href`` of
links, ``datetime`` of ``time`` …) except ``description``, whose inner HTML is
kept so that the description keeps its paragraphs and lists.
"""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup, Tag

_URL_ATTRS = {"a": "href", "area": "href", "link": "href", "img": "src", "audio": "src",
              "video": "src", "source": "src", "iframe": "src", "embed": "src", "track": "src",
              "object": "data"}
_HTML_PROPS = {"description", "responsibilities", "qualifications", "skills"}


def _value(el: Tag, name: str) -> Any:
    if el.has_attr("content"):
        return el["content"]
    tag = el.name.lower()
    if tag in _URL_ATTRS and el.has_attr(_URL_ATTRS[tag]):
        return el[_URL_ATTRS[tag]]
    if tag == "time" and el.has_attr("datetime"):
        return el["datetime"]
    if tag in ("data", "meter") and el.has_attr("value"):
        return el["value"]
    if name in _HTML_PROPS:
        return el.decode_contents().strip()
    return el.get_text(" ", strip=True)


def _item(el: Tag) -> dict[str, Any]:
    item: dict[str, Any] = {}
    itemtype = el.get("itemtype")
    if itemtype:
        item["@type"] = itemtype.split() if isinstance(itemtype, str) else list(itemtype)
    if el.get("itemid"):
        item["@id"] = el["itemid"]
    _collect(el, item)
    # Single values unwrapped, as JSON-LD would write them.
    return {k: (v[0] if isinstance(v, list) and len(v) == 1 and k != "@type" else v)
            for k, v in item.items()}


def _collect(node: Tag, item: dict[str, Any]) -> None:
    for child in node.children:
        if not isinstance(child, Tag):
            continue
        props = child.get("itemprop")
        if props:
            names = props.split() if isinstance(props, str) else list(props)
            for name in names:
                value = _item(child) if child.has_attr("itemscope") else _value(child, name)
                item.setdefault(name, []).append(value)
            if child.has_attr("itemscope"):
                continue
        elif child.has_attr("itemscope"):
            continue  # an unrelated, separate item
        _collect(child, item)


def microdata_items(soup: BeautifulSoup) -> list[dict[str, Any]]:
    """All top-level microdata items (those that are not a property of another)."""
    items = []
    for el in soup.find_all(attrs={"itemscope": True}):
        if el.has_attr("itemprop"):
            continue
        items.append(_item(el))
    return items


def find_typed(items: list[Any], type_name: str) -> list[dict[str, Any]]:
    """Items of a type, searched through nested property values too."""
    found: list[dict[str, Any]] = []
    stack = list(items)
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            types = item.get("@type") or []
            if any(str(t).rstrip("/").split("/")[-1] == type_name for t in types):
                found.append(item)
            else:
                stack.extend(v for k, v in item.items() if k != "@type")
    return found
