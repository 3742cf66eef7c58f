"""The SLA as a living document: versions recorded, the one in force, readable diffs, CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from analytics.cli import app
from analytics.config import load_config, parse_config
from analytics.sla_history import changes_within, describe_changes, diff_configs, flatten_config
from analytics.sla_versions import config_in_force, with_settings
from analytics.warehouse import connect_readonly, write_tables
from analytics.warehouse.config_history import (
    ConfigVersionError,
    config_for_month,
    config_versions,
    record_config_if_new,
    record_config_version,
    resolve_config_version,
    stored_configs,
)
from analytics.warehouse.database import create_schema

EXAMPLE = Path("data/sla.toml").read_text()
BASE = load_config("data/sla.toml")
runner = CliRunner()


def variant(*replacements: tuple[str, str], source: str = "variant.toml"):
    """The example config with text replacements (a real file content: it has a hash)."""
    text = EXAMPLE
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return parse_config(text, source=source)


V3 = variant(
    ('version = "2026.2"', 'version = "2026.3"'),
    ('effective_from = "2026-01-01"', 'effective_from = "2026-09-01"'),
    ("mql_threshold = 60 ", "mql_threshold = 55 "),
)


# -- the diff ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings_", "expected"),
    [
        ({"scoring.mql_threshold": 55}, ["MQL threshold 60 -> 55"]),
        ({"handoff.first_touch_hours": 8}, ["First touch within (hours) 24 -> 8"]),
        ({"handoff.business_hours": True}, ["Count business hours only no -> yes"]),
        (
            {"cadence.channels": ["phone", "email"]},
            ["Cadence channels phone, email, video, social -> phone, email"],
        ),
        ({"goals.mql_target_monthly": 650}, ["MQLs a month (SLA commitment) 700 -> 650"]),
        (
            {"recycle.track": None},
            ["Nurture track for recycled leads recycled-reengagement -> (not set)"],
        ),
        (
            {"scoring.mql_threshold": 55, "cadence.min_attempts": 5},
            ["MQL threshold 60 -> 55", "Minimum attempts 6 -> 5"],
        ),
    ],
)
def test_a_changed_setting_reads_label_before_and_after(settings_, expected):
    assert describe_changes(BASE, with_settings(BASE, settings_)) == expected


def test_list_items_are_keyed_by_name_so_reordering_changes_nothing():
    data = BASE.model_dump(mode="json", exclude={"source", "content_hash"})
    data["nurture"]["tracks"] = list(reversed(data["nurture"]["tracks"]))
    data["kpis"]["sales"] = list(reversed(data["kpis"]["sales"]))
    assert diff_configs(BASE, data) == []


def test_a_kpi_target_change_and_a_removed_kpi_are_named_by_label():
    data = BASE.model_dump(mode="json", exclude={"source", "content_hash"})
    data["kpis"]["sales"] = [k for k in data["kpis"]["sales"] if k["metric"] != "stale_leads"]
    data["kpis"]["sales"][0]["target"] = 0.95  # handoff_compliance 0.9 -> 0.95
    changes = diff_configs(BASE, data)
    # a KPI removed is one change, not one per field (audit 2026-12-06 M5)
    assert [(c.key, c.kind) for c in changes] == [
        ("kpis.sales[handoff_compliance].target", "changed"),
        ("kpis.sales[stale_leads]", "removed"),
    ]
    assert changes[0].text == "First touch within SLA: target 90 % -> 95 %"
    assert changes[1].text == "KPI Stale leads (sales) removed (was: at most 10)"
    assert changes[1].before == {
        "metric": "stale_leads", "label": "Stale leads", "target": 10.0, "direction": "at_most"
    }  # fmt: skip
    assert changes[1].render(lang="de") == (
        "KPI Liegengebliebene Leads (Vertrieb) entfällt (bisher: höchstens 10)"
    )


def test_a_translation_is_not_a_change_of_the_agreement_but_its_english_text_is():
    german = variant(
        ('label_de = "Marketingqualifizierter Lead (MQL)"', 'label_de = "MQL (Marketing)"')
    )
    assert german.content_hash != BASE.content_hash
    assert diff_configs(BASE, german) == []
    english = variant(('label = "Marketing qualified lead (MQL)"', 'label = "MQL"'))
    assert [c.key for c in diff_configs(BASE, english)] == ["stages.mql.label"]


def test_bookkeeping_fields_are_not_part_of_the_agreement():
    assert "source" not in flatten_config(BASE)
    assert "content_hash" not in flatten_config(BASE)
    moved = BASE.model_copy(update={"source": "elsewhere.toml", "content_hash": "x"})
    assert diff_configs(BASE, moved) == []


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 100), st.integers(0, 100))
def test_the_diff_names_the_threshold_exactly_when_it_differs(a, b):
    old = with_settings(BASE, {"scoring.mql_threshold": a})
    new = with_settings(BASE, {"scoring.mql_threshold": b})
    texts = describe_changes(old, new)
    assert texts == ([] if a == b else [f"MQL threshold {a} -> {b}"])


def test_an_unknown_setting_is_named_with_the_known_ones():
    with pytest.raises(ValueError, match=r"'cadence.attempts'; cadence has: min_attempts"):
        with_settings(BASE, {"cadence.attempts": 5})


# -- the version in force ------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "fallback", "expected"),
    [
        (date(2026, 8, 1), V3, "2026.2"),  # v3 starts 09-01: v2 (from 01-01) judges August
        (date(2026, 9, 1), BASE, "2026.3"),  # from its first day on, v3
        (date(2026, 12, 1), BASE, "2026.3"),
        (date(2025, 12, 1), V3, "2026.2"),  # nothing in force yet: the earliest recorded
    ],
)
def test_a_month_is_judged_by_the_latest_version_effective_by_its_first_day(on, fallback, expected):
    assert config_in_force([BASE, V3], on=on, fallback=fallback).sla.version == expected


EARLIER = variant(  # not recorded, dated before every recorded version
    ('version = "2026.2"', 'version = "2025.9"'),
    ('effective_from = "2026-01-01"', 'effective_from = "2025-06-01"'),
    ("first_touch_hours = 24", "first_touch_hours = 2"),
)


@pytest.mark.parametrize("file", [BASE, V3, EARLIER], ids=["2026.2", "2026.3", "2025.9"])
@pytest.mark.parametrize("on", [date(2017, 3, 1), date(2025, 9, 1), date(2025, 12, 1)])
def test_a_month_before_the_first_recorded_version_is_judged_by_it_whatever_file_is_given(on, file):
    """Olist's 2017-18 months were judged by whatever file was passed ("60 MQLs" with one,
    "700" with another) and called "the earliest recorded"."""
    assert config_in_force([V3, BASE], on=on, fallback=file) is BASE  # recorded second
    assert config_in_force([BASE], on=on, fallback=file) is BASE


def test_the_given_config_judges_only_when_nothing_is_recorded():
    assert config_in_force([], on=date(2017, 3, 1), fallback=V3) is V3
    assert config_in_force([], on=date(2027, 3, 1), fallback=V3) is V3


def test_two_versions_of_one_day_are_judged_alike_whichever_recorded_one_is_given():
    """Old warehouses may hold two versions effective the same day: the one recorded later
    judges, also for the file of the other (it read 44.6 % or 55.4 % by the file passed)."""
    october = ('effective_from = "2026-01-01"', 'effective_from = "2026-10-01"')
    a = variant(october, ("first_touch_hours = 24", "first_touch_hours = 4"), source="a.toml")
    b = variant(october, ("first_touch_hours = 24", "first_touch_hours = 12"), source="b.toml")
    on = date(2026, 10, 1)
    for file in (a, b, BASE, V3):
        assert config_in_force([BASE, a, b], on=on, fallback=file) is b
    # a file not recorded still wins its own day: the file being edited
    edited = variant(october, ("first_touch_hours = 24", "first_touch_hours = 8"))
    assert config_in_force([BASE, a, b], on=on, fallback=edited) is edited


def test_a_change_inside_a_month_is_listed_with_before_and_after():
    mid = variant(
        ('effective_from = "2026-01-01"', 'effective_from = "2026-10-15"'),
        ("first_touch_hours = 24", "first_touch_hours = 12"),
    )
    found = changes_within(
        [BASE, mid], first_day=date(2026, 10, 1), last_day=date(2026, 10, 31), fallback=BASE
    )
    assert len(found) == 1
    assert found[0].before.handoff.first_touch_hours == 24
    assert found[0].after.handoff.first_touch_hours == 12
    assert found[0].lines == ["First touch within (hours) 24 -> 12 from 2026-10-15"]
    # The month before and the month after see no change inside them.
    for first, last in [
        (date(2026, 9, 1), date(2026, 9, 30)),
        (date(2026, 11, 1), date(2026, 11, 30)),
    ]:
        assert changes_within([BASE, mid], first_day=first, last_day=last, fallback=BASE) == []


# -- the warehouse -----------------------------------------------------------------


@pytest.fixture
def warehouse(tmp_path) -> Path:
    db = tmp_path / "w.duckdb"
    write_tables(db, {}, source="test", config=BASE)
    return db


def test_import_records_once_and_a_reading_command_records_a_new_version(warehouse):
    assert record_config_if_new(warehouse, BASE) is False  # recorded by write_tables
    assert record_config_if_new(warehouse, V3) is True
    assert record_config_if_new(warehouse, V3) is False
    con = connect_readonly(warehouse)
    try:
        versions = config_versions(con)
        configs = stored_configs(con)
    finally:
        con.close()
    assert versions["version"].to_list() == ["2026.2", "2026.3"]
    assert versions["effective_from"].to_list() == [date(2026, 1, 1), date(2026, 9, 1)]
    assert [c.content_hash for c in configs] == [BASE.content_hash, V3.content_hash]
    # What is read back is the same agreement, with its source.
    assert diff_configs(configs[1], V3) == []
    assert configs[1].source == "variant.toml"


def test_a_trial_review_with_no_record_leaves_the_warehouse_byte_identical(warehouse, tmp_path):
    trial = tmp_path / "trial.toml"
    trial.write_text(
        EXAMPLE.replace("\ntarget = 700\n", "\ntarget = 650\n", 1).replace(
            'version = "2026.2"', 'version = "2026.2-trial"', 1
        )
    )
    before = warehouse.read_bytes()
    args = ["review", "--month", "2026-10", "--db", str(warehouse), "--config", str(trial)]
    result = runner.invoke(app, [*args, "--no-record", "--json"])
    assert result.exit_code == 0, result.output
    assert warehouse.read_bytes() == before
    # the trial config judges the month all the same (it wins over a recorded tie)
    kpis = {k["metric"]: k for k in json.loads(result.stdout)["kpis"]}
    assert kpis["mqls"]["target"] == 650
    # without the switch it would be recorded: effective the day 2026.2 is, it is refused
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 2, result.output
    assert warehouse.read_bytes() == before


def test_recording_never_creates_a_warehouse(tmp_path):
    assert record_config_if_new(tmp_path / "none.duckdb", V3) is False
    assert not (tmp_path / "none.duckdb").exists()


def test_recording_leaves_an_open_reader_with_its_view(warehouse):
    reader = connect_readonly(warehouse)
    try:
        assert record_config_if_new(warehouse, V3) is True
        # The open read-only connection keeps the old file (swap, not write in place).
        assert reader.execute("SELECT count(*) FROM meta.config_versions").fetchone()[0] == 1
    finally:
        reader.close()


@pytest.fixture
def con():
    connection = duckdb.connect()
    create_schema(connection)
    record_config_version(connection, BASE)
    record_config_version(connection, V3)
    yield connection
    connection.close()


def test_a_version_is_found_by_label_or_hash_prefix(con):
    assert resolve_config_version(con, "2026.3").scoring.mql_threshold == 55
    assert resolve_config_version(con, BASE.content_hash[:6]).sla.version == "2026.2"


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("2027.1", r"no recorded SLA version '2027.1'; known: 2026.2 \(\w{8}, from 2026-01-01\)"),
        ("abc", r"no recorded SLA version 'abc'"),  # too short for a hash prefix
    ],
)
def test_an_unknown_version_names_the_known_ones(con, ref, message):
    with pytest.raises(ConfigVersionError, match=message):
        resolve_config_version(con, ref)


def _recorded_before_the_checks(con, config) -> None:
    """``config`` recorded as a warehouse of an older version did: without any check."""
    content = config.model_dump_json(
        exclude={"source", "content_hash", "access", "notify", "privacy"}
    )
    con.execute(
        "INSERT INTO meta.config_versions (content_hash, version, name, effective_from, source, "
        "content, first_used_at) VALUES (?, ?, ?, ?, ?, ?, now())",
        [config.content_hash, config.sla.version, config.sla.name, config.sla.effective_from,
         config.source, content],
    )  # fmt: skip


def test_an_ambiguous_version_label_asks_for_the_hash(con):
    # an old warehouse: a config edited in place was recorded as a second "2026.2"
    _recorded_before_the_checks(con, variant(("mql_threshold = 60 ", "mql_threshold = 65 ")))
    with pytest.raises(ConfigVersionError, match=r"'2026.2' names 2 recorded versions"):
        resolve_config_version(con, "2026.2")


# -- the CLI -----------------------------------------------------------------------


def test_cli_history_and_diff(warehouse, tmp_path):
    v3_file = tmp_path / "sla3.toml"
    v3_file.write_text(
        EXAMPLE.replace('version = "2026.2"', 'version = "2026.3"')
        .replace('effective_from = "2026-01-01"', 'effective_from = "2026-09-01"')
        .replace("mql_threshold = 60 ", "mql_threshold = 55 ")
    )
    assert record_config_if_new(warehouse, load_config(v3_file)) is True

    result = runner.invoke(app, ["config", "history", "--db", str(warehouse), "--json"])
    assert result.exit_code == 0, result.output
    history = json.loads(result.stdout)["versions"]
    assert [v["version"] for v in history] == ["2026.2", "2026.3"]
    assert history[0]["changes_from_previous"] == []
    assert [c["text"] for c in history[1]["changes_from_previous"]] == [
        "SLA version 2026.2 -> 2026.3",
        "Effective from 2026-01-01 -> 2026-09-01",
        "MQL threshold 60 -> 55",
    ]

    result = runner.invoke(app, ["config", "diff", "2026.2", "2026.3", "--db", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert "MQL threshold 60 -> 55 from 2026-09-01" in result.stdout

    # B may be a file not recorded yet (a proposal), A a hash prefix.
    result = runner.invoke(
        app,
        ["config", "diff", BASE.content_hash[:8], str(v3_file), "--db", str(warehouse), "--json"],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["to"]["version"] == "2026.3"
    assert document["changes"][-1] == {
        "key": "scoring.mql_threshold",
        "label": "MQL threshold",
        "before": 60.0,
        "after": 55.0,
        "kind": "changed",
        "text": "MQL threshold 60 -> 55",
    }

    result = runner.invoke(app, ["config", "diff", "1999", "2026.3", "--db", str(warehouse)])
    assert result.exit_code == 2
    assert "no recorded SLA version '1999'" in result.stderr


def test_cli_history_names_the_given_config_and_what_recording_it_would_change(warehouse, tmp_path):
    v3_file = tmp_path / "sla3.toml"
    v3_file.write_text(
        EXAMPLE.replace('version = "2026.2"', 'version = "2026.3"').replace(
            "mql_threshold = 60 ", "mql_threshold = 55 "
        )
    )
    args = ["config", "history", "--db", str(warehouse)]
    result = runner.invoke(app, [*args, "--config", str(v3_file), "--json"])
    assert result.exit_code == 0, result.output
    given = json.loads(result.stdout)["config"]
    assert (given["path"], given["version"], given["recorded"]) == (str(v3_file), "2026.3", False)
    assert [c["text"] for c in given["changes_from_latest"]] == [
        "SLA version 2026.2 -> 2026.3",
        "MQL threshold 60 -> 55",
    ]
    result = runner.invoke(app, [*args, "--config", str(v3_file)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-2:] == [
        f"SLA config {v3_file}: version 2026.3 ({load_config(v3_file).content_hash[:8]}), not "
        f"recorded yet (`sla review` records it); against 2026.2 ({BASE.content_hash[:8]}) it "
        "changes:",
        "  MQL threshold 60 -> 55",
    ]
    # the example file is the version recorded by the import
    result = runner.invoke(app, [*args, "--config", "data/sla.toml", "--json"])
    given = json.loads(result.stdout)["config"]
    assert (given["recorded"], given["changes_from_latest"]) == (True, [])
    # an invalid config is named, nothing done
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.replace("first_touch_hours = 24", "first_touch_hourz = 24"))
    result = runner.invoke(app, [*args, "--config", str(bad)])
    assert result.exit_code == 2
    assert "handoff.first_touch_hourz: unknown key" in result.stderr


def test_cli_diff_compares_with_the_given_config_when_b_is_left_out(warehouse, tmp_path):
    v3_file = tmp_path / "sla3.toml"
    v3_file.write_text(EXAMPLE.replace("mql_threshold = 60 ", "mql_threshold = 55 "))
    args = ["config", "diff", "2026.2", "--db", str(warehouse), "--config", str(v3_file)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["to"]["source"] == str(v3_file)
    assert [c["text"] for c in document["changes"]] == ["MQL threshold 60 -> 55"]
    result = runner.invoke(app, ["config", "diff", "2026.2", "--db", str(warehouse)])
    assert result.exit_code == 0, result.output  # the example file: the version recorded
    assert result.stdout.splitlines()[-1] == "no change in the agreement"


def test_cli_history_says_so_when_a_version_changes_nothing_in_the_agreement(warehouse):
    # a new version whose only difference is a German label
    german = variant(
        ('label_de = "Marketingqualifizierter Lead (MQL)"', 'label_de = "MQL (Marketing)"'),
        ('version = "2026.2"', 'version = "2026.2-de"'),
        ('effective_from = "2026-01-01"', 'effective_from = "2026-03-01"'),
    )
    assert record_config_if_new(warehouse, german) is True
    result = runner.invoke(app, ["config", "history", "--db", str(warehouse)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    changed = lines.index("2026.2-de (from 2026-03-01) changed:")
    assert lines[changed + 1] == "  no change in the agreement"


@pytest.mark.parametrize(
    ("month", "expected"), [("2026-08", "2026.2"), ("2026-09", "2026.3"), ("2027-01", "2026.3")]
)
def test_the_warehouse_names_the_version_that_judges_a_month(con, month, expected):
    # recorded: 2026.2 from 2026-01-01 and 2026.3 (threshold 55) from 2026-09-01
    assert config_for_month(con, BASE, month=month).sla.version == expected


def test_a_version_recorded_in_an_old_config_format_is_left_out_not_a_crash(con):
    con.execute(
        "INSERT INTO meta.config_versions VALUES ('deadbeef00', '2025.1', 'old', "
        'DATE \'2025-01-01\', \'old.toml\', \'{"sla": {"name": "old"}, "renamed": 1}\', '
        "TIMESTAMPTZ '2025-01-01 00:00:00+00')"
    )
    assert [c.sla.version for c in stored_configs(con)] == ["2026.2", "2026.3"]
    with pytest.raises(ConfigVersionError, match=r"'2025.1' \(deadbeef\) does not fit today's"):
        resolve_config_version(con, "2025.1")
