"""What the AppTest tests share: the numbers and words a page shows, whether it draws them
as ``st.metric`` or as one HTML row of tiles (``dashboard.ui.tiles``)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

_ROOT = Path(__file__).resolve().parent.parent
#: The app's entry point and the SLA config it reads by default, as AppTest runs them.
APP = str(_ROOT / "dashboard" / "app.py")
CONFIG = _ROOT / "data" / "sla.toml"

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


def open_list(at: AppTest, key: str) -> AppTest:
    """Open the expander ``key`` whose content is drawn only when open (a long list's whole
    grid, ``ui.long_table``; the Data page's load log) and rerun, as a click on it does."""
    at.session_state[key] = True
    at.run()
    assert not at.exception, at.exception[0].value
    return at


_TABLE = re.compile(r'<table class="sla-table">(.*?)</table>', re.S)
_HEAD = re.compile(r"<th((?: [^>]*)?)>(.*?)</th>")
_ROW = re.compile(r"<tr>(.*?)</tr>")
_CELL = re.compile(r"<td[^>]*>(.*?)</td>")


def _parsed(body: str) -> list[tuple[str, bool, list[str]]]:
    """One ``ui.html_table`` (the inside of its ``<table>``) as its columns: (label, a
    number column?, cells)."""
    head, _, rows = body.partition("</thead>")
    cells = [[html.unescape(c) for c in _CELL.findall(r)] for r in _ROW.findall(rows)]
    return [
        (html.unescape(label), 'class="num"' in attrs, [row[i] for row in cells])
        for i, (attrs, label) in enumerate(_HEAD.findall(head))
    ]


def _columns(at: AppTest) -> list[list[tuple[str, bool, list[str]]]]:
    """Every ``ui.static_table`` as its columns: (label, a number column?, cells)."""
    return [_parsed(b) for e in at.get("html") for b in _TABLE.findall(e.proto.body)]


def static_tables(at: AppTest) -> list[dict[str, list[str]]]:
    """Every table drawn with ``ui.static_table`` (one HTML element a table): its column
    label -> the column's cells as shown (``1,234``, ``12.3 %``, ``–``)."""
    return [{label: cells for label, _, cells in table} for table in _columns(at)]


def static_table(at: AppTest, label: str) -> dict[str, list[str]]:
    """The first ``ui.static_table`` with a column labelled ``label``."""
    found = [table for table in static_tables(at) if label in table]
    assert found, f"no table with a column {label!r}"
    return found[0]


def static_number_columns(at: AppTest) -> list[tuple[str, list[str]]]:
    """(label, cells) of the number columns (headers of class ``num``) of every
    ``ui.static_table``."""
    return [(label, cells) for table in _columns(at) for label, num, cells in table if num]


#: A footnote mark (``analytics.pack.render.Footnotes``): a superscript number.
MARK = "[⁰¹²³⁴⁵⁶⁷⁸⁹]+"


def _in_order(node) -> list:
    """The elements under ``node`` (a block) in the order the page draws them: text tables
    (``st.table``), static tables (``st.html``) and captions."""
    found = []
    for child in getattr(node, "children", {}).values():
        kind = getattr(child, "type", None)
        if kind in ("table", "caption") or (kind == "html" and _TABLE.search(child.proto.body)):
            found.append(child)
        found += _in_order(child)
    return found


def _records(element) -> list[dict[str, str]]:
    """The rows of a text table or a static table: column label -> cell as shown."""
    if element.type == "table":
        return element.value.to_dict("records")
    columns = _parsed(_TABLE.search(element.proto.body)[1])
    return [
        dict(zip([c[0] for c in columns], row, strict=True))
        for row in zip(*(c[2] for c in columns), strict=True)
    ]


def noted_tables(at: AppTest) -> list[tuple[list[dict[str, str]], list[tuple[str, str]]]]:
    """Every ``ui.text_table`` (``st.table``) and ``ui.static_table`` (``st.html``) as its
    rows (column -> cell as shown, a mark and all: ``–¹``, ``Visitors¹``) and the notes
    listed below it (``ui.footnotes``): (mark, reason) in order, Markdown's escapes undone;
    no notes, an empty list."""
    elements = _in_order(at.main)
    tables = []
    for element, after in zip(elements, [*elements[1:], None], strict=True):
        if element.type == "caption":
            continue
        lines = after.value.split("  \n") if after is not None and after.type == "caption" else []
        notes = [re.fullmatch(rf"({MARK}) (.*)", line, flags=re.S) for line in lines]
        listed = [(n[1], re.sub(r"\\(.)", r"\1", n[2])) for n in notes] if all(notes) else []
        tables.append((_records(element), listed))
    return tables


def footnoted_rows(at: AppTest) -> list[dict[str, str]]:
    """The rows of every ``ui.text_table`` and ``ui.static_table``, a marked cell with its
    note written out (``–: No web traffic was imported ...``), as
    ``review_support.footnoted_cells`` reads the pack."""
    rows = []
    for records, listed in noted_tables(at):
        notes = dict(listed)
        for record in records:
            rows.append({})
            for column, cell in record.items():
                marked = re.fullmatch(rf"(.*?)({MARK})", cell, flags=re.S)
                rows[-1][column] = f"{marked[1]}: {notes[marked[2]]}" if marked else cell
    return rows


def count(text: str) -> int:
    """A count as shown in either language (``1,234`` / ``1.234``) as a number."""
    return int(text.replace(",", "").replace(".", ""))


def open_page(
    db: Path, monkeypatch: pytest.MonkeyPatch, page: str, lang: str, *, config: Path = CONFIG
) -> AppTest:
    """The app on warehouse ``db`` (SLA config ``config``), opened in ``lang`` at
    ``views/<page>.py`` as a link to it opens (``?lang=de``); it drew without an exception.
    (The language switch and the menu are tested as a user clicks them in test_app.)"""
    monkeypatch.setenv("SLA_DB", str(db))
    monkeypatch.setenv("SLA_CONFIG", str(config))
    return page_at(page, lang)


def page_at(page: str, lang: str) -> AppTest:
    """The app on the warehouse and config the environment names (``SLA_DB``,
    ``SLA_CONFIG``), opened in ``lang`` at ``views/<page>.py`` as :func:`open_page` opens
    it; it drew without an exception."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.switch_page(f"views/{page}.py").run()  # (no page drawn before it)
    assert not at.exception, at.exception[0].value
    return at
