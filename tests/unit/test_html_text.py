"""The fast description reader (lxml walk) gives the text BeautifulSoup gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.normalise.html_text import _soup_text, markup_text
from etl.normalise.vacancy import html_to_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PAGES = sorted(p for p in FIXTURES.rglob("*.htm*"))

EDGE_CASES = [
    "a<br>b<br/>c",
    "<ul><li>x</li><li>y <b>z</b></li></ul>tail",
    "<script>var x = 1</script><p>t</p><!-- a comment --><style>p {}</style>",
    "<template><p>hidden</p></template>shown",
    "<div><p>a</p>b</div>c",
    "<table><tr><td>a</td><td>b</td></tr></table>",
    "<li>a<li>b",
    "x < y and <b>z</b>",
    "<p>café &amp; co&nbsp;!</p>",
    '<?xml version="1.0" encoding="utf-8"?><p>declared</p>',
    "<html><body><p>x</p></body></html> after the end",
    "<h2>Profil</h2><ol><li>Bac+2</li><li>3 ans</li></ol>",
]


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


@pytest.mark.parametrize("markup", EDGE_CASES)
def test_same_text_as_beautifulsoup_on_edge_cases(markup: str) -> None:
    assert _tidy(markup_text(markup)) == _tidy(_soup_text(markup))


def test_same_text_as_beautifulsoup_on_every_fixture_page() -> None:
    assert PAGES, "no HTML fixtures found"
    for page in PAGES:
        markup = page.read_bytes().decode("utf-8", errors="replace")
        assert _tidy(markup_text(markup)) == _tidy(_soup_text(markup)), page.name


def test_blocks_and_list_items_on_their_own_lines() -> None:
    text = html_to_text("<p>Missions :</p><ul><li>Tenir la caisse</li><li>Ranger</li></ul>"
                        "<script>track()</script>Contact<br>RH")
    assert text == "Missions :\n- Tenir la caisse\n- Ranger\n\nContact\nRH"
