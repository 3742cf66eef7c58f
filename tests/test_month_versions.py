"""A month is judged by the SLA version in force on its first day, everywhere.

Audit 2026-12-06 H1, H2 and M7: every page, the KPI history, `sla info`, `sla alerts`,
`sla notify` and the stored results judge a month by the version recorded in the
warehouse that was in force on its first day (the config given where none is), as
`sla review` and the pack do; the alerts of the running month by that month's version.

The warehouse, by hand (as of 2026-11-20 12:00 UTC):

| lead | MQL (UTC) | first touch | hours |
|---|---|---|---|
| s1 | 2026-09-10 10:00 | 2026-09-10 20:00 | 10 |
| s2 | 2026-09-12 10:00 | 2026-09-12 12:00 | 2 |
| o1 | 2026-10-10 10:00 | 2026-10-10 20:00 | 10 |
| o2 | 2026-10-12 10:00 | 2026-10-12 12:00 | 2 |
| n1 | 2026-11-20 07:00 | none (5 h at as_of) | |

Lead z is touched every day at 12:00 (the touches are tracked up to as_of). Recorded
versions: 2026.2 (``data/sla.toml``: first touch within 24 h, KPI 90 %) from 2026-01-01
and 2026.3 (first touch within 4 h, KPI 50 %, revenue goal 100,000) from 2026-10-01. So
September's first touch is 2 / 2 = 100 % under 2026.2 (50 % under 2026.3), October's
1 / 2 = 50 % under 2026.3; n1 is 1 h overdue on a 4-h line, 19 h from its deadline on
the 24-h line (no alert within 8 h).
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from app_support import APP, metrics, tile_texts
from polars.testing import assert_frame_equal
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from analytics.cli import app as cli
from analytics.config import load_config
from analytics.review import build_review, kpi_history
from analytics.sla_versions import config_at, config_for_month
from analytics.tables import Tables
from analytics.warehouse import write_tables
from analytics.warehouse.config_history import record_config_if_new

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = (ROOT / "data" / "sla.toml").read_text(encoding="utf-8")
V1 = load_config(ROOT / "data" / "sla.toml")
AS_OF = datetime(2026, 11, 20, 12, tzinfo=UTC)
runner = CliRunner()


def variant(*replacements: tuple[str, str]) -> str:
    text = EXAMPLE
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def version(label: str, since: str, hours: int) -> tuple[tuple[str, str], ...]:
    return (
        ('version = "2026.2"', f'version = "{label}"'),
        ('effective_from = "2026-01-01"', f'effective_from = "{since}"'),
        ("first_touch_hours = 24 ", f"first_touch_hours = {hours} "),
    )


V2_TOML = variant(
    *version("2026.3", "2026-10-01", 4),
    (
        'label_de = "Erstkontakt im SLA"\ntarget = 0.90',
        'label_de = "Erstkontakt im SLA"\ntarget = 0.50',
    ),
    ("revenue_target_monthly = 1_000_000.0", "revenue_target_monthly = 100_000.0"),
)
#: A version taking effect inside the running month (M7) and one dated after it (H2).
NOV_TOML = variant(*version("2026.8", "2026-11-15", 4))
FUTURE_TOML = variant(*version("2027.1", "2027-01-01", 4))


def _leads_and_events() -> Tables:
    mqls = {
        "s1": ("2026-09-10T10:00:00Z", "2026-09-10T20:00:00Z"),
        "s2": ("2026-09-12T10:00:00Z", "2026-09-12T12:00:00Z"),
        "o1": ("2026-10-10T10:00:00Z", "2026-10-10T20:00:00Z"),
        "o2": ("2026-10-12T10:00:00Z", "2026-10-12T12:00:00Z"),
        "n1": ("2026-11-20T07:00:00Z", None),
    }
    days = (AS_OF.date() - date(2026, 8, 1)).days
    daily = [
        {"touch_id": f"z{d}", "lead_id": "z", "rep_id": "r1", "channel": "phone",
         "occurred_at": f"{date(2026, 8, 1) + timedelta(days=d)}T12:00:00Z",
         "outcome": "connected"}
        for d in range(days + 1)
    ]  # fmt: skip
    return Tables.from_rows(
        reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
        accounts=[{"account_id": "acc", "name": "Muster GmbH"}],
        leads=[
            {"lead_id": lead, "created_at": mql.replace("T10", "T06").replace("T07", "T06"),
             "source": "email", "owner_rep_id": "r1", "account_id": "acc"}
            for lead, (mql, _) in mqls.items()
        ] + [{"lead_id": "z", "created_at": "2026-08-01T06:00:00Z", "source": "email",
              "owner_rep_id": "r1", "account_id": "acc"}],
        lifecycle_events=[
            {"lead_id": lead, "stage": "mql", "entered_at": mql} for lead, (mql, _) in mqls.items()
        ],
        sales_touches=daily + [
            {"touch_id": f"t-{lead}", "lead_id": lead, "rep_id": "r1", "channel": "phone",
             "occurred_at": touch, "outcome": "no_answer"}
            for lead, (_, touch) in mqls.items() if touch
        ],
    )  # fmt: skip


TABLES = _leads_and_events()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("versions")
    paths = {}
    for name, text in (("v2", V2_TOML), ("nov", NOV_TOML), ("future", FUTURE_TOML)):
        paths[name] = folder / f"{name}.toml"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def _warehouse(folder: Path, *recorded: Path) -> Path:
    db = folder / "w.duckdb"
    frames = {name: lf.collect() for name, lf in TABLES.items()}
    write_tables(db, frames, source="test", config=V1)  # records 2026.2
    for path in recorded:
        assert record_config_if_new(db, load_config(path))
    return db


@pytest.fixture(scope="module")
def two_versions(files, tmp_path_factory) -> Path:
    """2026.2 from 2026-01-01 and 2026.3 from 2026-10-01 recorded."""
    return _warehouse(tmp_path_factory.mktemp("two"), files["v2"])


@pytest.fixture(scope="module")
def one_version(tmp_path_factory) -> Path:
    """2026.2 alone recorded."""
    return _warehouse(tmp_path_factory.mktemp("one"))


# -- the one rule ------------------------------------------------------------------------------


def test_a_month_is_judged_by_the_version_in_force_on_its_first_day(files):
    v2, nov = load_config(files["v2"]), load_config(files["nov"])
    # the fixture, as computed by hand: September 2 / 2 on 24 h, 1 / 2 on 4 h
    september = build_review(TABLES, V1, month="2026-09", as_of=AS_OF)
    assert (september.handoff["met"], september.handoff["missed"]) == (2, 0)
    strict = build_review(TABLES, v2, month="2026-09", as_of=AS_OF)
    assert (strict.handoff["met"], strict.handoff["missed"]) == (1, 1)
    assert TABLES.latest_timestamp() == AS_OF
    versions = [V1, v2, nov]
    judged = {m: config_for_month(versions, month=m, fallback=v2).sla.version
              for m in ("2026-09", "2026-10", "2026-11", "2026-12")}  # fmt: skip
    # 2026.8 takes effect on 2026-11-15: it judges December, not November (M7)
    assert judged == {"2026-09": "2026.2", "2026-10": "2026.3", "2026-11": "2026.3",
                      "2026-12": "2026.8"}  # fmt: skip


def test_the_alerts_use_the_version_of_their_month_with_the_given_recipients(files):
    future = load_config(files["future"])
    given = future.model_copy(update={"notify": future.notify.model_copy(update={"send": []})})
    used = config_at([V1], moment=AS_OF, fallback=given)
    assert used.sla.version == "2026.2" and used.handoff.first_touch_hours == 24
    assert used.notify == given.notify  # who is told is the file's, never recorded
    assert config_at([V1], moment=datetime(2027, 1, 1, tzinfo=UTC), fallback=given) is given


# -- the KPI history: each month by its own version ---------------------------------------------


def test_the_kpi_history_judges_each_month_by_its_own_version(files):
    v2 = load_config(files["v2"])
    history = kpi_history(TABLES, v2, month="2026-10", months=2, as_of=AS_OF, versions=[V1, v2])
    first = history.filter(pl.col("metric") == "handoff_compliance")
    assert first.select("month", "value", "target", "status", "previous").rows() == [
        ("2026-09", 1.0, 0.9, "met", None),
        # October under 2026.3 and its previous month under 2026.3 too, as build_review
        ("2026-10", 0.5, 0.5, "met", 0.5),
    ]
    for month in ("2026-09", "2026-10"):
        judge = config_for_month([V1, v2], month=month, fallback=v2)
        fresh = build_review(TABLES, judge, month=month, as_of=AS_OF).kpis
        rows = history.filter(pl.col("month") == month).drop("month", "running")
        if month == "2026-09":  # the history's first month has no previous month in it
            fresh = fresh.with_columns(pl.lit(None, dtype=pl.Float64).alias("previous"),
                                       pl.lit(None, dtype=pl.Float64).alias("change"))  # fmt: skip
        assert_frame_equal(rows, fresh.select(rows.columns), check_exact=True)


# -- the app: every page judges the month shown by its version ---------------------------------


def open_month(
    db: Path, config: Path, monkeypatch: pytest.MonkeyPatch, page: str, lang: str, month: str
) -> AppTest:
    monkeypatch.setenv("SLA_DB", str(db))
    monkeypatch.setenv("SLA_CONFIG", str(config))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["month"] = month
    at.query_params["lang"] = lang
    at.switch_page(f"views/{page}.py").run()  # as a link to the page opens it
    assert not at.exception, at.exception[0].value
    return at


def sidebar_version(at: AppTest) -> str:
    text = " ".join(c.value for c in at.sidebar.caption)
    return re.search(r"SLA[- ][Vv]ersion: (\S+)", text).group(1)


@pytest.mark.parametrize(
    ("lang", "value", "commitment"),
    [("en", "100.0 %", "SLA commitment ≥ 90.0 %"), ("de", "100,0 %", "SLA-Zusage ≥ 90,0 %")],
)
def test_the_overview_judges_a_month_by_its_version_and_the_sidebar_names_it(
    two_versions, files, monkeypatch, lang, value, commitment
):
    """The app's file is 2026.3; September is judged by 2026.2, as `sla review` judges it."""
    label = "First touch within SLA" if lang == "en" else "Erstkontakt im SLA"
    at = open_month(two_versions, files["v2"], monkeypatch, "overview", lang, "2026-09")
    texts = [text.replace("\xa0", " ") for text in tile_texts(at)[label]]
    assert texts[0] == value and commitment in texts, texts
    assert sidebar_version(at) == "2026.2"
    at = open_month(two_versions, files["v2"], monkeypatch, "overview", lang, "2026-10")
    texts = [text.replace("\xa0", " ") for text in tile_texts(at)[label]]
    assert texts[0] == value.replace("100", "50") and commitment.replace("90", "50") in texts
    assert sidebar_version(at) == "2026.3"


def test_the_kpi_trend_draws_each_month_against_its_own_target(two_versions, files, monkeypatch):
    import pyarrow as pa

    at = open_month(two_versions, files["v2"], monkeypatch, "kpis", "en", "2026-10")
    rows = []
    for element in at.get("vega_lite_chart"):
        named = {d.name: d for d in element.proto.datasets}
        if "panel" in named:
            rows += pa.ipc.open_stream(named["panel"].data.data).read_all().to_pylist()
    shown = {
        r["month_label"]: (r["shown"], r["target_shown"], r["status"])
        for r in rows
        if r["panel"].startswith("First touch within SLA")
    }
    # August has no MQL (no dot); September by 2026.2, October by 2026.3
    assert shown == {"Aug 26": (None, 90.0, "no_data"), "Sep 26": (100.0, 90.0, "met"),
                     "Oct 26": (50.0, 50.0, "met")}  # fmt: skip


def test_the_handoffs_page_counts_a_months_breaches_by_its_line(two_versions, files, monkeypatch):
    at = open_month(two_versions, files["v2"], monkeypatch, "handoffs", "en", "2026-09")
    assert metrics(at)["Breaches"] == "0"  # s1's 10 h are within September's 24 h
    titles = " ".join(m.value for m in at.markdown)
    assert "dashed: SLA 24 h" in titles


def test_the_goals_page_plans_a_month_with_its_versions_goal(two_versions, files, monkeypatch):
    at = open_month(two_versions, files["v2"], monkeypatch, "goals", "en", "2026-09")
    assert any("The SLA says EUR 1,000,000" in c.value for c in at.caption)
    assert at.number_input(key="revenue_target").value == 1_000_000.0


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "September 2026 is judged by SLA version 2026.2 (in force from 2026-01-01)"),
        ("de", "September 2026 wird nach SLA-Version 2026.2 bewertet (gültig ab 01.01.2026)"),
    ],
)
def test_the_definitions_page_shows_the_version_of_the_month_and_names_the_file(
    two_versions, files, monkeypatch, lang, expected
):
    at = open_month(two_versions, files["v2"], monkeypatch, "definitions", lang, "2026-09")
    captions = " ".join(c.value for c in at.caption)
    assert expected in captions
    later = {"en": "holds a later version, 2026.3 (in force from 2026-10-01)",
             "de": "enthält eine spätere Version, 2026.3 (gültig ab 01.10.2026)"}  # fmt: skip
    assert later[lang] in captions
    # the month the file's version judges: nothing to add
    at = open_month(two_versions, files["v2"], monkeypatch, "definitions", lang, "2026-10")
    captions = " ".join(c.value for c in at.caption)
    assert "2026.3" in captions and later[lang] not in captions


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Today's MQL threshold and scoring points (Lead qualification, `sla score "
               "report`, notebook 03) are those of the version that judges November 2026, the "
               "month of the data's last timestamp: 2026.3, MQL threshold 60. `sla score report "
               "--no-record` tries the config file instead, as `sla review --no-record` does."),
        ("de", "Die heutige MQL-Schwelle und die Scoring-Punkte (Lead-Qualifizierung, `sla score "
               "report`, Notebook 03) sind die der Version, nach der November 2026 bewertet "
               "wird, der Monat des letzten Zeitstempels der Daten: 2026.3, MQL-Schwelle 60. "
               "`sla score report --no-record` probiert stattdessen die Konfigurationsdatei aus, "
               "wie `sla review --no-record`."),
    ],
)  # fmt: skip
def test_the_definitions_page_says_which_version_gives_todays_threshold(
    two_versions, monkeypatch, lang, expected
):
    """September is judged by 2026.2; today's threshold (as_of in November) by 2026.3,
    whatever month is shown and whichever file is given."""
    at = open_month(
        two_versions, ROOT / "data" / "sla.toml", monkeypatch, "definitions", lang, "2026-09"
    )
    captions = " ".join(c.value for c in at.caption)
    assert expected in captions, captions


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "These alerts use SLA version 2026.2 (in force from 2026-01-01), the one that "
               "judges November 2026"),
        ("de", "Diese Warnungen folgen SLA-Version 2026.2 (gültig ab 01.01.2026), nach der "
               "November 2026 bewertet wird"),
    ],
)  # fmt: skip
def test_the_at_risk_page_warns_by_the_version_in_force_not_a_future_file(
    one_version, files, monkeypatch, lang, expected
):
    at = open_month(one_version, files["future"], monkeypatch, "at_risk", lang, "2026-11")
    # n1: 5 h after its MQL, 19 h before its 24-h deadline: nothing within 8 h
    assert not at.dataframe, at.dataframe[0].value
    captions = " ".join(c.value for c in at.caption)
    assert expected in captions and "2027.1" in captions


# -- the command line ------------------------------------------------------------------------


def alerts_json(db: Path, config: Path) -> tuple[dict, str]:
    args = ["alerts", "--db", str(db), "--config", str(config), "--json"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def test_sla_alerts_use_the_version_in_force_and_say_so(one_version, files):
    doc, said = alerts_json(one_version, files["future"])
    assert doc["sla_version"] == "2026.2"
    assert [a["lead_id"] for a in doc["alerts"] if a["kind"] == "first_touch"] == []
    assert "These alerts use SLA version 2026.2" in said and "2027.1" in said
    doc, said = alerts_json(one_version, ROOT / "data" / "sla.toml")
    assert doc["sla_version"] == "2026.2" and said == ""


def test_sla_alerts_and_the_running_months_review_apply_one_version(files, tmp_path):
    """M7: 2026.8 (4 h) takes effect on 2026-11-15, inside the running month: November is
    judged by 2026.2 (24 h), so are its alerts; n1 is pending in both, not overdue."""
    db = _warehouse(tmp_path, files["nov"])
    doc, said = alerts_json(db, files["nov"])
    assert [a["lead_id"] for a in doc["alerts"] if a["kind"] == "first_touch"] == []
    assert "2026.8" in said
    args = ["review", "--month", "2026-11", "--db", str(db), "--config", str(files["nov"]),
            "--json"]  # fmt: skip
    review = json.loads(runner.invoke(cli, args).stdout)
    assert (review["handoff"]["missed"], review["handoff"]["pending"]) == (0, 1)
    # the given file older than the version in force: the alerts use the recorded one
    (tmp_path / "v2").mkdir()
    db = _warehouse(tmp_path / "v2", files["v2"])
    doc, said = alerts_json(db, ROOT / "data" / "sla.toml")
    first = [(a["lead_id"], a["status"], a["line_hours"]) for a in doc["alerts"]
             if a["kind"] == "first_touch"]  # fmt: skip
    assert first == [("n1", "overdue", 4.0)] and "2026.3" in said


def test_sla_notify_plans_by_the_version_in_force(one_version, files, tmp_path):
    config = tmp_path / "future-notify.toml"
    config.write_text(
        FUTURE_TOML.split("\n[notify]\n")[0]
        + '\n[notify]\nsend = ["at_risk_digest"]\n\n[notify.email]\nhost = "127.0.0.1"\n'
        + 'sender = "sla@example.com"\n\n[[notify.recipients]]\nrep_id = "r1"\n'
        + 'email = "rita@example.com"\n',
        encoding="utf-8",
    )
    args = ["notify", "--db", str(one_version), "--config", str(config), "--dry-run", "--json"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["messages"] == []  # n1 is not due within 8 h on 24 h
    assert "These alerts use SLA version 2026.2" in result.stderr


def test_sla_info_names_the_version_in_force_at_as_of(two_versions):
    args = ["info", "--db", str(two_versions), "--config", str(ROOT / "data" / "sla.toml")]
    doc = json.loads(runner.invoke(cli, [*args, "--json"]).stdout)
    assert doc["config"] == str(ROOT / "data" / "sla.toml")
    assert (doc["sla_version"], doc["sla_effective_from"], doc["sla_month"]) == (
        "2026.3",
        "2026-10-01",
        "2026-11",
    )
    assert doc["config_version"] == "2026.2"
    text = runner.invoke(cli, args).stdout
    assert "SLA version in force for 2026-11: 2026.3" in " ".join(text.split())


def test_the_at_risk_page_and_sla_alerts_agree_on_a_copy_with_a_later_version(
    two_versions, tmp_path, monkeypatch
):
    """The file given is 2026.2; November is judged by 2026.3 (4 h): n1 is overdue on the
    page as in `sla alerts`."""
    db = tmp_path / "w.duckdb"
    shutil.copy(two_versions, db)
    at = open_month(db, ROOT / "data" / "sla.toml", monkeypatch, "at_risk", "en", "2026-11")
    listed = at.dataframe[0].value
    assert listed["lead_id"].to_list() == ["n1"]
    assert listed["alert_status"].to_list() == ["overdue"]
