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
    assert text.splitlines()[-1] == (
        f"SLA config {a}: version 2026.3a ({h8(a)}), recorded above, retired: it judges no month"
    )
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


# -- a trial judges the month asked (H4) ----------------------------------------------------


def test_a_trial_with_no_record_judges_the_month_asked_and_says_instead_of_which_version(
    warehouse, tmp_path
):
    """A trial copied from data/sla.toml keeps 2026-01-01: the recorded 2026.3 (from
    2026-10-01) judged October instead, and nothing said so."""
    v3 = config_file(tmp_path, "v3.toml", *version("2026.3", "2026-10-01"), first_touch(4))
    assert review(warehouse, v3, "--month", "2026-10").exit_code == 0
    trial = config_file(
        tmp_path, "trial.toml", ('version = "2026.2"', 'version = "trial"'),
        ("\ntarget = 700\n", "\ntarget = 650\n"),
    )  # fmt: skip
    before = warehouse.read_bytes()
    result = review(warehouse, trial, "--month", "2026-10", "--no-record", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {k["metric"]: k["target"] for k in document["kpis"]}["mqls"] == 650
    assert document["sla"] == {
        "version": "trial",
        "name": BASE.sla.name,
        "content_hash": load_config(trial).content_hash,
        "effective_from": "2026-01-01",
        "source": str(trial),
        "given_config": True,
        "recorded": False,
        "in_force": True,
        "trial": True,
        "instead_of": {
            "version": "2026.3",
            "content_hash": load_config(v3).content_hash,
            "effective_from": "2026-10-01",
        },
        "changes_within": [],
        "zone_boundaries": [],  # one time zone: no month is cut in two
    }
    text = review(warehouse, trial, "--month", "2026-10", "--no-record")
    assert text.stdout.splitlines()[1] == (
        f"Judged by {trial} (not recorded: --no-record), version trial ({h8(trial)}, in force "
        f"from 2026-01-01), instead of recorded version 2026.3 ({h8(v3)}, in force from "
        "2026-10-01)"
    )
    assert warehouse.read_bytes() == before
    # with --record (the default) the recorded version judges October, and says so
    recorded_run = review(warehouse, v3, "--month", "2026-10", "--json")
    assert json.loads(recorded_run.stdout)["sla"]["version"] == "2026.3"


# -- sla review names the version that judged the month (M1) ---------------------------------


def test_review_names_the_version_that_judged_the_month_and_a_change_inside_it(warehouse, tmp_path):
    mid = config_file(tmp_path, "mid.toml", *version("2026.5", "2026-10-15"), first_touch(4))
    result = review(warehouse, mid, "--month", "2026-10")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:3] == [
        f"Judged by SLA version 2026.2 (46ee2f9e, in force from 2026-01-01); not by the given "
        f"config {mid} (version 2026.5, from 2026-10-15)",
        "Changed during 2026-10: version 2026.5 from 2026-10-15 (First touch within (hours) 24 "
        "-> 4); not applied here: the month is judged by the version in force on its first day",
    ]
    sla = json.loads(review(warehouse, mid, "--month", "2026-10", "--json").stdout)["sla"]
    assert {k: sla[k] for k in ("version", "content_hash", "effective_from", "source")} == {
        "version": "2026.2",
        "content_hash": BASE.content_hash,
        "effective_from": "2026-01-01",
        "source": "data/sla.toml",
    }
    assert (sla["given_config"], sla["recorded"], sla["in_force"], sla["trial"]) == (
        False, True, True, False,
    )  # fmt: skip
    (change,) = sla["changes_within"]
    assert (change["effective_from"], change["version_before"], change["version_after"]) == (
        "2026-10-15", "2026.2", "2026.5",
    )  # fmt: skip
    assert [c["text"] for c in change["changes"]][-1] == "First touch within (hours) 24 -> 4"
    # November: 2026.5 is in force on its first day, the given config
    sla = json.loads(review(warehouse, mid, "--month", "2026-11", "--json").stdout)["sla"]
    assert (sla["version"], sla["given_config"], sla["changes_within"]) == ("2026.5", True, [])


def test_a_month_before_the_first_version_is_judged_by_it_whatever_file_is_given(
    warehouse, tmp_path
):
    """Olist (2017-18): "version 2026.3 ... the earliest recorded", 60 MQLs with one file,
    700 with the other."""
    v3 = config_file(tmp_path, "v3.toml", *version("2026.3", "2026-10-01"),
                     ("\ntarget = 700\n", "\ntarget = 60\n"))  # fmt: skip
    assert review(warehouse, v3, "--month", "2026-10").exit_code == 0
    for given in (v3, Path("data/sla.toml")):
        result = review(warehouse, given, "--month", "2018-03", "--json")
        document = json.loads(result.stdout)
        assert {k["metric"]: k["target"] for k in document["kpis"]}["mqls"] == 700
        assert (document["sla"]["version"], document["sla"]["in_force"]) == ("2026.2", False)
    text = review(warehouse, v3, "--month", "2018-03").stdout.splitlines()[1]
    assert text == (
        "Judged by SLA version 2026.2 (46ee2f9e, in force from 2026-01-01), the earliest "
        f"recorded: no version was in force in 2018-03; not by the given config {v3} (version "
        "2026.3, from 2026-10-01)"
    )


def test_with_nothing_recorded_the_given_config_judges_and_the_review_says_so(tmp_path):
    db = tmp_path / "w.duckdb"
    write_tables(db, {}, source="test")  # no config: nothing recorded
    result = review(db, Path("data/sla.toml"), "--month", "2026-10", "--no-record")
    assert result.stdout.splitlines()[1] == (
        "Judged by data/sla.toml (not recorded: --no-record), version 2026.2 (46ee2f9e, in "
        "force from 2026-01-01); no SLA version is recorded in the warehouse"
    )


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "SLA version 2026.2, the earliest recorded (in force from 2026-01-01): no "
               "version was in force in November 2018, the month of the data's last timestamp."),
        ("de", "SLA-Version 2026.2, die früheste erfasste (gültig ab 01.01.2026): im November "
               "2018, dem Monat des letzten Zeitstempels der Daten, galt keine Version."),
    ],
)  # fmt: skip
def test_the_qualification_page_says_no_version_was_in_force_for_data_older_than_the_first(
    tmp_path, monkeypatch, lang, said
):
    """An export of 2017-18 (Olist) is scored by the earliest version, and the Lead
    qualification page says so as the Monthly review does, not "the one that judges"."""
    from datetime import UTC, datetime

    from app_support import open_page

    from analytics.demo import generate_demo

    db = tmp_path / "w.duckdb"
    end = datetime(2018, 11, 14, tzinfo=UTC)
    write_tables(db, generate_demo(BASE, leads=400, seed=5, end=end), source="test", config=BASE)
    at = open_page(db, monkeypatch, "qualification", lang)
    captions = " ".join(c.value for c in at.caption)
    assert said in captions
