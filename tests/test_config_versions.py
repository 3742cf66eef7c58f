"""Recording SLA versions (audit 2026-12-06): one version per label and per day, retiring a
version recorded by mistake, backdated versions named, a trial that judges the month asked,
and `sla review` naming the version that judged the month."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analytics.cli import app
from analytics.config import load_config
from analytics.warehouse import connect_readonly, write_tables
from analytics.warehouse.config_history import config_versions, stored_configs

EXAMPLE = Path("data/sla.toml").read_text(encoding="utf-8")
BASE = load_config("data/sla.toml")  # 2026.2 from 2026-01-01, hash 46ee2f9e
runner = CliRunner()


def config_file(folder: Path, name: str, *replacements: tuple[str, str]) -> Path:
    """The example config with text replacements, written to ``folder/name``."""
    text = EXAMPLE
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def version(label: str, day: str) -> tuple[tuple[str, str], tuple[str, str]]:
    return (
        ('version = "2026.2"', f'version = "{label}"'),
        ('effective_from = "2026-01-01"', f'effective_from = "{day}"'),
    )


def first_touch(hours: int) -> tuple[str, str]:
    return ("first_touch_hours = 24 ", f"first_touch_hours = {hours} ")


@pytest.fixture
def warehouse(tmp_path) -> Path:
    db = tmp_path / "w.duckdb"
    write_tables(db, {}, source="test", config=BASE)  # records 2026.2
    return db


def review(db: Path, config: Path, *args: str):
    return runner.invoke(app, ["review", "--db", str(db), "--config", str(config), *args])


def recorded(db: Path) -> list[str]:
    con = connect_readonly(db)
    try:
        return config_versions(con)["version"].to_list()
    finally:
        con.close()


def h8(path: Path) -> str:
    return load_config(path).content_hash[:8]


# -- one version per label (M9) -------------------------------------------------------------


def test_a_config_edited_in_place_keeping_its_label_is_refused_bump_the_version(
    warehouse, tmp_path
):
    """It became a second "2026.2"; then `sla config diff 2026.2` refused as ambiguous."""
    edited = config_file(tmp_path, "live.toml", first_touch(12))
    before = warehouse.read_bytes()
    result = review(warehouse, edited, "--month", "2026-10")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: the SLA config cannot be recorded in {warehouse}, nothing done:",
        f"{edited}: sla.version = '2026.2': names other content already recorded (46ee2f9e, in "
        "force from 2026-01-01); bump sla.version for the changed agreement (and set "
        "sla.effective_from to the day it takes effect)",
    ]
    assert result.stdout == ""
    assert warehouse.read_bytes() == before
    diff = runner.invoke(app, ["config", "diff", "2026.2", "--db", str(warehouse), "--config",
                               str(edited)])  # fmt: skip
    assert diff.exit_code == 0, diff.output
    assert diff.stdout.splitlines()[-1] == "  First touch within (hours) 24 -> 12 from 2026-01-01"


# -- one version per day (H5, M4) -----------------------------------------------------------


def test_a_second_version_taking_effect_the_same_day_is_refused_naming_both(warehouse, tmp_path):
    """The later recorded silently judged the months the other had judged, for everyone."""
    a = config_file(tmp_path, "sameA.toml", *version("2026.3a", "2026-10-01"), first_touch(4))
    b = config_file(tmp_path, "sameB.toml", *version("2026.3b", "2026-10-01"), first_touch(12))
    assert review(warehouse, a, "--month", "2026-10").exit_code == 0
    before = warehouse.read_bytes()
    result = review(warehouse, b, "--month", "2026-10")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: the SLA config cannot be recorded in {warehouse}, nothing done:",
        f"{b}: sla.effective_from = 2026-10-01: recorded SLA version 2026.3a ({h8(a)}) takes "
        "effect that day already, and 2026.3b would judge its months instead; one version per "
        "day: give 2026.3b the day it takes effect, or, if 2026.3a was recorded by mistake, "
        "withdraw it first (sla config retire 2026.3a)",
    ]
    assert warehouse.read_bytes() == before
    # an import records its config too: refused before any row is read
    data = tmp_path / "in"
    data.mkdir()
    (data / "leads.csv").write_text("lead_id,created_at,source\nL1,2026-10-05T09:00:00Z,email\n")
    result = runner.invoke(app, ["import", str(data), "--db", str(warehouse), "--config", str(b)])
    assert result.exit_code == 2
    assert "takes effect that day already" in result.stderr
    assert result.stderr.rstrip().endswith("; nothing was imported")
    assert warehouse.read_bytes() == before
    assert recorded(warehouse) == ["2026.2", "2026.3a"]


# -- retiring a version recorded by mistake (H5) --------------------------------------------


def test_a_version_recorded_by_mistake_is_retired_kept_in_the_history_and_judges_no_month(
    warehouse, tmp_path
):
    a = config_file(tmp_path, "sameA.toml", *version("2026.3a", "2026-10-01"), first_touch(4))
    b = config_file(tmp_path, "sameB.toml", *version("2026.3b", "2026-10-01"), first_touch(12))
    assert review(warehouse, a, "--month", "2026-10").exit_code == 0
    args = ["--db", str(warehouse), "--config", str(a)]
    result = runner.invoke(app, ["config", "retire", "2026.3a", "--reason", "a typo", *args])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"retired SLA version 2026.3a ({h8(a)}, in force from 2026-10-01) in {warehouse}: it "
        "judges no month now",
        "from 2026-10-01 on: version 2026.2 (46ee2f9e, in force from 2026-01-01)",
        f"{a} is this version: `sla review` refuses to record it again; give its rules a new "
        "sla.version",
    ]
    con = connect_readonly(warehouse)
    try:
        assert [c.sla.version for c in stored_configs(con)] == ["2026.2"]
    finally:
        con.close()
    history = runner.invoke(app, ["config", "history", "--json", *args])
    versions = {v["version"]: v for v in json.loads(history.stdout)["versions"]}
    assert (versions["2026.3a"]["retired_reason"], versions["2026.2"]["retired_at"]) == (
        "a typo",
        None,
    )
    assert versions["2026.3a"]["retired_at"].startswith(date.today().isoformat()[:4])
    text = runner.invoke(app, ["config", "history", *args]).stdout
    assert f"2026.3a (from 2026-10-01) was retired on {date.today().isoformat()} (a typo): it " \
        "judges no month" in text  # fmt: skip
    # the other version of that day is recorded now; the retired one does not come back
    assert review(warehouse, b, "--month", "2026-10").exit_code == 0
    again = review(warehouse, a, "--month", "2026-10")
    assert again.exit_code == 2
    assert (
        f"{a}: SLA version 2026.3a ({h8(a)}, in force from 2026-10-01) was retired on "
        f"{date.today().isoformat()} (a typo) and judges no month; to use its rules again, "
        "record them under a new sla.version"
    ) in again.stderr
    twice = runner.invoke(app, ["config", "retire", "2026.3a", *args])
    assert twice.exit_code == 2
    assert "was retired on" in twice.stderr and "already" in twice.stderr
    unknown = runner.invoke(app, ["config", "retire", "1999.1", *args])
    assert unknown.exit_code == 2
    assert "no recorded SLA version '1999.1'" in unknown.stderr
    assert recorded(warehouse) == ["2026.2", "2026.3a", "2026.3b"]


def test_an_old_warehouse_with_two_versions_of_one_day_is_warned_about_in_the_history(
    warehouse, tmp_path
):
    from analytics.warehouse.database import updating

    a = load_config(config_file(tmp_path, "a.toml", *version("2026.3a", "2026-10-01")))
    b = load_config(
        config_file(tmp_path, "b.toml", *version("2026.3b", "2026-10-01"), first_touch(12))
    )
    with updating(warehouse, keep_results=True) as con:  # as recorded before the checks
        for config in (a, b):
            content = config.model_dump_json(exclude={"source", "content_hash", "access",
                                                      "notify", "privacy"})  # fmt: skip
            con.execute(
                "INSERT INTO meta.config_versions (content_hash, version, name, effective_from, "
                "source, content, first_used_at) VALUES (?, ?, ?, ?, ?, ?, now())",
                [config.content_hash, config.sla.version, config.sla.name,
                 config.sla.effective_from, config.source, content],
            )  # fmt: skip
    result = runner.invoke(app, ["config", "history", "--db", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: 2026.3a, 2026.3b all take effect on 2026-10-01: 2026.3b (recorded last) "
        "judges its months; withdraw the one recorded by mistake with `sla config retire "
        "VERSION`"
    ]


# -- a backdated version (L5) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "day", "warning"),
    [
        ("2026.4", "2026-08-01",
         "warning: SLA version 2026.4 is backdated: it re-judges 2026-08 to 2026-09 (judged by "
         "2026.2 until now)"),
        ("2026.4", "2026-08-15",  # its first whole month is September
         "warning: SLA version 2026.4 is backdated: it re-judges 2026-09 (judged by 2026.2 "
         "until now)"),
        ("2025.9", "2025-06-01",  # the earliest now: it judges every month before 2026.2 too
         "warning: SLA version 2025.9 is backdated: it re-judges every month up to 2025-12 "
         "(judged by 2026.2 until now)"),
        ("2027.1", "2099-01-01", None),  # after the latest: not backdated
    ],
)  # fmt: skip
def test_a_backdated_version_is_recorded_with_a_warning_naming_the_months_it_rejudges(
    warehouse, tmp_path, label, day, warning
):
    later = config_file(tmp_path, "v3.toml", *version("2026.3", "2026-10-01"), first_touch(4))
    assert review(warehouse, later, "--month", "2026-10").exit_code == 0
    backdated = config_file(tmp_path, "v4.toml", *version(label, day), first_touch(8))
    result = review(warehouse, backdated, "--month", "2026-10")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    yet = " (not in force yet)" if day > date.today().isoformat() else ""
    assert lines[0] == (
        f"recorded SLA version {label} ({h8(backdated)}, in force from {day}{yet}) in {warehouse}"
    )
    assert lines[1:] == ([warning] if warning else [])
