"""The meeting's screens: the Overview's first screen, KPI trends that fit, two panels
instead of a two-axis chart, no "-0.0 pp", no "2–2 %", `SLA_DB=... make run`, and no
heading alone at the bottom of a PDF page."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from app_support import static_table
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        (-0.04, "en", "±0.0 pp"),
        (0.0, "de", "±0,0 pp"),
        (-0.06, "en", "-0.1 pp"),
        (2.0, "en", "+2.0 pp"),
    ],
)
def test_a_change_that_rounds_to_nothing_has_no_sign(value, lang, text) -> None:
    from dashboard.ui import signed

    assert signed(value, lang, digits=1, unit=" pp") == text


@pytest.mark.parametrize(
    ("change", "lang", "text"),
    [(0.056, "en", "+5.6 pp"), (-0.042, "de", "-4,2 Pp."), (0.0004, "en", "±0.0 pp")],
)
def test_a_rate_tile_writes_its_change_as_the_kpi_tiles_do(change, lang, text) -> None:
    """The Lead management or Handoffs tile of a KPI and its KPI tile show one change one
    way (before: "↑ 5.6 pp" beside "↑ +5.6 pp")."""
    from dashboard.ui import fmt_change, rate_tile

    tile = rate_tile("Cadence held", 0.8, 8, 10, 0.5, 0.9, lang, delta=change)
    assert tile.delta == fmt_change("cadence_compliance", change, lang) == text


def test_rate_text_keeps_a_decimal_for_a_narrow_interval() -> None:
    from dashboard.i18n import rate_text

    assert rate_text(0.0171, 514, 30012, 0.0157, 0.0186, "en").endswith("95 % CI 1.6–1.9 %)")
    assert "2–2 %" not in rate_text(0.02, 60, 3000, 0.0155, 0.0249, "de")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(
    ("lang", "head", "row", "last"),
    [
        ("en", "<th>Rep</th><th class=\"num\" title=\"a &lt;hint&gt;\">MQL episodes</th>",
         "<td class=\"num\">1,234</td><td class=\"num\">12.3 %</td><td class=\"num\">1,234.6</td>",
         "<td class=\"num\" title=\"none &quot;decided&quot;\">–</td><td class=\"num\">2.0</td>"),
        ("de", "<th>Mitarbeiter</th><th class=\"num\" title=\"a &lt;hint&gt;\">MQL-Episoden</th>",
         "<td class=\"num\">1.234</td><td class=\"num\">12,3 %</td><td class=\"num\">1.234,6</td>",
         "<td class=\"num\" title=\"none &quot;decided&quot;\">–</td><td class=\"num\">2,0</td>"),
    ],
)  # fmt: skip
def test_a_static_table_escapes_the_data_and_writes_numbers_as_the_language(
    lang, head, row, last
) -> None:
    import polars as pl

    from dashboard.ui import html_table

    frame = pl.DataFrame(
        {
            "rep_name": ['<b>Ann</b> & "Co"', None],
            "episodes": [1234, 5],
            "compliance": [0.1234, None],
            "median_hours_to_first_touch": [1234.56, 2.0],
        }
    )
    shown = html_table(
        frame, lang, help={"episodes": "a <hint>"}, why_missing={"compliance": 'none "decided"'}
    )
    assert head in shown
    assert f"<tr><td>&lt;b&gt;Ann&lt;/b&gt; &amp; &quot;Co&quot;</td>{row}</tr>" in shown
    assert f'<tr><td>–</td><td class="num">5</td>{last}</tr>' in shown
    assert "<b>" not in shown


def test_a_charts_spec_has_screen_sized_labels_and_its_title_above_it() -> None:
    """:func:`dashboard.ui.chart_spec` writes the screen's label sizes into the spec as
    altair's ``configure_axis``, ``_legend`` and ``_title`` would (each replaces its part:
    the chart's own axis config goes), the German number and time locale, and the title
    as the text shown above the chart."""
    import altair as alt
    import polars as pl

    from dashboard.ui import chart_spec

    frame = pl.DataFrame({"month": ["2026-09", "2026-10"], "mqls": [1200, 950]})
    chart = (
        alt.Chart(frame, title="MQLs")
        .mark_bar()
        .encode(x="month:N", y="mqls:Q")
        .configure_axis(grid=False)
    )
    spec = chart_spec(chart, lg="de")
    assert spec["config"]["axis"] == {"labelLimit": 260, "labelFontSize": 13, "titleFontSize": 13}
    assert spec["config"]["legend"] == {"labelFontSize": 13, "titleFontSize": 13, "labelLimit": 260}
    assert spec["config"]["title"] == {"fontSize": 16, "anchor": "start"}
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert "title" not in spec and spec["usermeta"]["title"] == "MQLs"
    assert spec["datasets"] and spec["mark"] == {"type": "bar"}
    assert "locale" not in chart_spec(chart, lg="en")["config"]


def test_make_run_honours_sla_db(tmp_path) -> None:
    target = tmp_path / "mine.duckdb"  # missing: `make run` would build the demo there
    env = {k: v for k, v in os.environ.items() if k not in ("DB", "MAKEFLAGS")}
    out = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, env={**env, "SLA_DB": str(target)},
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert f"--db {target}" in out
    other = tmp_path / "given.duckdb"  # DB=... on the command line still wins
    out = subprocess.run(
        ["make", "-n", "run", f"DB={other}"], cwd=ROOT, env={**env, "SLA_DB": str(target)},
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert f"--db {other}" in out and str(target) not in out


def test_a_pdf_heading_takes_the_next_lines_with_it() -> None:
    template = (ROOT / "analytics" / "pack" / "templates" / "pack.html.j2").read_text()
    print_css = template[template.index("@media print") :]
    assert "h2::after, h3::after" in print_css and "margin-bottom: -8em" in print_css


# -- pages ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from datetime import UTC, datetime

    from analytics.config import load_config
    from analytics.demo import generate_demo
    from analytics.warehouse import write_tables

    db = tmp_path_factory.mktemp("screens") / "warehouse.duckdb"
    cfg = load_config(ROOT / "data" / "sla.toml")
    end = datetime(2026, 11, 20, tzinfo=UTC)
    write_tables(db, generate_demo(cfg, leads=2000, seed=1, end=end), source="test", config=cfg)
    return db


@pytest.fixture
def german(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SLA_DB", str(warehouse))
    monkeypatch.setenv("SLA_CONFIG", str(ROOT / "data" / "sla.toml"))
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["lang"] = "de"
    at.run()
    assert not at.exception, at.exception[0].value
    return at


def test_the_overview_opens_with_what_needs_attention_and_the_reps(german: AppTest) -> None:
    """First on the page: "Handlungsbedarf" (the goal pacing behind plan among the missed
    KPIs), then the reps' table; the goal pacing tiles and the scorecard come after."""
    heads = [h.value for h in german.subheader]
    assert heads[:2] == ["Handlungsbedarf", "Mitarbeiter diesen Monat"]
    assert heads.index("Zielerreichung") > 1
    attention = next(m.value for m in german.markdown if "des Solls" in m.value)
    assert "Gewonnener Umsatz" in attention  # the revenue pacing, the director's question
    table = static_table(german, "Offene Verstöße")
    assert list(table) == [
        "Mitarbeiter", "Erstkontakt (%)", "Kadenz (%)", "Liegengeblieben", "Offene Verstöße",
        "Erstkontakt fällig (MQLs des Monats)",
    ]  # fmt: skip
    assert all(v == "–" or v.endswith(" %") for v in table["Erstkontakt (%)"])


def test_kpi_trends_are_a_panel_per_kpi_with_german_months(german: AppTest) -> None:
    german.switch_page("views/kpis.py").run()
    assert not german.exception, german.exception[0].value
    specs = [json.loads(c.proto.spec) for c in german.get("vega_lite_chart")]
    # one view per team, two panels of a fixed width a row (they fit 1280 px: test_browser)
    assert len(specs) == 2 and all(s["columns"] == 2 for s in specs)
    assert all(s["resolve"]["scale"]["y"] == "independent" for s in specs)  # each its scale
    months = {m for s in specs for m in s["spec"]["layer"][0]["encoding"]["x"]["sort"]}
    assert "Okt 26" in months and not any(m[:4].isdigit() for m in months)


def test_the_threshold_what_if_has_panels_not_two_axes(german: AppTest) -> None:
    german.switch_page("views/qualification.py").run()
    assert not german.exception, german.exception[0].value
    specs = [json.loads(c.proto.spec) for c in german.get("vega_lite_chart")]
    # the three what-if panels are one view (a concat), each panel with its own title and axis
    panels = next(s["concat"] for s in specs if "concat" in s)
    titles = [" ".join(p.get("title")) for p in panels]  # in lines: each fits its panel
    assert titles[0] == "MQLs pro Monat je Schwelle" and len(titles) == 3
    assert titles[1] == "SQLs pro Monat je Schwelle (Band: Spanne der Schätzung)"
    assert titles[2] == "Vertriebsauslastung je Schwelle (rote Linie: volle Kapazität)"
    nested = specs + panels
    assert not any(s.get("resolve", {}).get("scale", {}).get("y") == "independent" for s in nested)


def test_the_review_pages_notes_give_the_right_reason(german: AppTest) -> None:
    """Stale leads are counted at the moment judged only: their previous month read "Nothing
    to measure this month (no cases)" although it had a count."""
    from app_support import MARK, footnoted_rows, noted_tables

    german.switch_page("views/review.py").run()
    assert not german.exception, german.exception[0].value
    rows = footnoted_rows(german)
    stale = [r for r in rows if r.get("Kennzahl") == "Liegengebliebene Leads"]
    said = "–: Nur zum Stichtag gezählt: ein vergangener Monat hat keinen Wert."
    assert stale and said in stale[0].values()
    known = [
        row
        for records, _ in noted_tables(german)
        for row in records
        if row.get("Kennzahl") == "Gelieferte MQLs"
    ]
    assert known and not [c for c in known[0].values() if re.search(f"{MARK}$", c)]  # no note
