"""What the AppTest tests share: the numbers and words a page shows, whether it draws them
as ``st.metric`` or as one HTML row of tiles (``dashboard.ui.tiles``)."""

from __future__ import annotations

import html
import re

from streamlit.testing.v1 import AppTest

_TILE = re.compile(
    r'<div class="sla-tile-label"(?: title="([^"]*)")?>([^<]*)</div>'
    r'<div class="sla-tile-value">([^<]*)</div>'
)


def tiles(at: AppTest) -> dict[str, str]:
    """Label -> value of every tile drawn with ``ui.tiles`` (one HTML element a row)."""
    return {
        html.unescape(label): html.unescape(value)
        for e in at.get("html")
        for _, label, value in _TILE.findall(e.proto.body)
    }


def tile_texts(at: AppTest) -> dict[str, list[str]]:
    """Label -> the texts of its tile, in order (value, delta, status, commitment, note)."""
    out = {}
    for e in at.get("html"):
        for tile in e.proto.body.split('<div class="sla-tile">')[1:]:
            texts = [html.unescape(w).strip() for w in re.split(r"<[^>]+>", tile)]
            label, *rest = [w for w in texts if w]
            out[label] = rest
    return out


def html_text(at: AppTest) -> str:
    """The words of every ``st.html`` element (tiles: labels, values, deltas, notes, help)."""
    bodies = [e.proto.body for e in at.get("html") if "<style" not in e.proto.body]
    words = [
        re.sub(r"<[^>]+>", "\n", b) + "\n" + "\n".join(re.findall(r'title="([^"]*)"', b))
        for b in bodies
    ]
    return html.unescape("\n".join(words))


def metrics(at: AppTest) -> dict[str, str]:
    """Label -> value of every number a page shows: its metrics and its tiles."""
    return {**{m.label: m.value for m in at.metric}, **tiles(at)}


def choose_tab(at: AppTest, key: str, label: str) -> AppTest:
    """Choose the tab ``label`` of the tabs ``key`` drawn on demand (``ui.tabs_on_demand``)
    and rerun, as a click on it does."""
    at.session_state[key] = label
    at.run()
    assert not at.exception, at.exception[0].value
    return at
