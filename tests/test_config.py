"""The SLA config: the shipped example is valid; a bad one names key, value and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.config import ConfigError, load_config, parse_config

EXAMPLE = Path("data/sla.toml").read_text()


def test_the_example_config_has_every_spec_default():
    cfg = load_config("data/sla.toml")
    assert cfg.reporting.timezone == "UTC"
    assert cfg.funnel.window_days == 90
    assert cfg.handoff.first_touch_hours == 24
    assert (cfg.cadence.min_attempts, cfg.cadence.window_days, cfg.cadence.min_gap_hours) == (
        6,
        14,
        4,
    )
    assert (cfg.recycle.after_attempts, cfg.recycle.grace_days, cfg.recycle.enroll_within_days) == (
        6,
        7,
        2,
    )
    assert cfg.goals.rate_window_months == 6
    assert cfg.stage_aliases == {"accepted": "sal"}
    assert len(cfg.content_hash) == 64


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "first_touch_hours = 24",
            "first_touch_hours = -3",
            "handoff.first_touch_hours = -3: Input should be greater than 0",
        ),
        (
            'timezone = "UTC"',
            'timezone = "Mars/Base"',
            "reporting.timezone = 'Mars/Base': unknown time zone",
        ),
        ("[funnel]", "[funnel]\nwindow_dayz = 3", "funnel.window_dayz: unknown key"),
        (
            'metric = "stale_leads"',
            'metric = "stale"',
            "kpis.sales[5].metric = 'stale': unknown metric 'stale'; allowed: visitors",
        ),
        (
            'buyer_stage = "awareness"',
            'buyer_stage = "curious"',
            "nurture.tracks[0].buyer_stage = 'curious': Input should be 'awareness'",
        ),
        ("[stages.customer]", "[stages.champion]", "unknown stage(s) ['champion']"),
        ('start = "08:00"', 'start = "19:00"', "must be before end"),
        (
            'track = "recycled-reengagement"',
            'track = "nope"',
            "recycle.track 'nope' is not a nurture",
        ),
        ("[sla]", "[sla\n", "not valid TOML"),
        (
            'label = "Cadence held"',
            'label = "Cadence held"\nlabel_fr = "Cadence tenue"',
            "kpis.sales[2].label_fr: no language 'fr': a text is English under its key and "
            "German under 'label_de'",
        ),
        (
            "target = 0.85",
            "target = 0.85\ntarget_de = 0.8",
            "kpis.sales[2].target_de: target is not a text: only definition, description, "
            "label, name, owners take a German variant",
        ),
        (
            'label_de = "Kadenz eingehalten"',
            'label_de = "  "',
            "kpis.sales[2].label_de = '  ': empty text; leave the key out",
        ),
        (
            'name_de = "Entscheidungshilfen"',
            "name_de = 3",
            "nurture.tracks[2].name_de = 3: Input should be a valid string",
        ),
        (
            'owners_de = ["Leitung Marketing", "Leitung Vertrieb"]',
            'owners_de = "Leitung"',
            "sla.owners_de = 'Leitung': Input should be a valid list",
        ),
    ],
)
def test_a_bad_value_gives_one_line_naming_key_value_and_what_is_allowed(old, new, expected):
    assert old in EXAMPLE
    with pytest.raises(ConfigError) as info:
        parse_config(EXAMPLE.replace(old, new, 1), source="sla.toml")
    assert any(expected in line for line in str(info.value).splitlines()), str(info.value)
    assert all(line.startswith("sla.toml: ") for line in str(info.value).splitlines())


def test_several_problems_give_one_line_each():
    text = EXAMPLE.replace("first_touch_hours = 24", "first_touch_hours = 0").replace(
        "min_attempts = 6", "min_attempts = 'six'"
    )
    with pytest.raises(ConfigError) as info:
        parse_config(text, source="x.toml")
    assert len(info.value.problems) == 2


def test_a_missing_file_is_named():
    with pytest.raises(ConfigError, match=r"nope\.toml: file not found"):
        load_config("nope.toml")


def test_every_text_may_have_a_german_variant_and_falls_back_to_english():
    cfg = load_config("data/sla.toml")
    assert cfg.stages["mql"].text("label", "de") == "Marketingqualifizierter Lead (MQL)"
    assert cfg.stages["lead"].text("label", "de") == "Lead"  # no label_de: the English one
    assert cfg.sla.text("owners", "de") == ["Leitung Marketing", "Leitung Vertrieb"]
    assert cfg.kpi_label("marketing", "mqls", "de") == "Gelieferte MQLs"
    assert cfg.kpi_label("marketing", "mqls") == "MQLs delivered"
    assert cfg.kpi_label("sales", "mqls") is None  # sales has no MQL KPI
    assert cfg.track_name("decision-proof", "de") == "Entscheidungshilfen"
    assert cfg.track_name("legacy-newsletter", "de") == "legacy-newsletter"  # not in the config
    with pytest.raises(KeyError, match="'target' is no text of Kpi"):
        cfg.kpis.sales[0].text("target", "de")


def test_a_config_without_german_texts_shows_english_everywhere():
    import re

    english = re.sub(r"^\w+_de = .*\n", "", EXAMPLE, flags=re.M)
    assert not re.search(r"^\w+_de =", english, flags=re.M)
    cfg = parse_config(english)
    assert cfg.stages["mql"].text("definition", "de") == cfg.stages["mql"].definition
    assert cfg.kpi_label("sales", "cadence_compliance", "de") == "Cadence held"
    assert cfg.track_name("decision-proof", "de") == "Decision: proof"  # the English label


@pytest.mark.parametrize(
    ("address", "ok"),
    [
        ("rep-03@example.com", True),
        ("erika.mustermann+sla@vertrieb.example.de", True),
        ("rep-03@", False),  # failed at send time with "IndexError: string index out of range"
        ("rep 04 <@example.com", False),  # was "sent" to a header no server delivers
        ("nobody", False),
        ("a@b", False),
        ("Erika <erika@example.com>", False),  # a display name: give the address only
    ],
)
def test_a_notify_address_must_be_a_plain_e_mail_address(address, ok):
    text = (
        Path("data/sla.toml").read_text(encoding="utf-8")
        + f'\n[notify.email]\nsender = "{address}"\n\n[[notify.recipients]]\nrep_id = "r1"\n'
        + f'email = "{address}"\n'
    )
    if ok:
        assert parse_config(text).notify.recipients[0].email == address
        return
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    lines = str(info.value).splitlines()
    assert any(
        "notify.email.sender" in line and f"{address!r} is not an e-mail address" in line
        for line in lines
    ), lines
    assert any("notify.recipients" in line and "is not an e-mail address" in line for line in lines)


HOLIDAYS_XX = ('holidays_country = "DE"', 'holidays_country = "XX"')
BUSINESS_HOURS = ("business_hours = false ", "business_hours = true ")


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        # crashed sla review and sla alerts with a traceback after `sla info` said valid
        ([HOLIDAYS_XX, BUSINESS_HOURS],
         "handoff.calendar.holidays_country 'XX' is not known to the holidays package"),
        ([HOLIDAYS_XX], None),  # without business hours no holiday is looked up
        ([BUSINESS_HOURS], None),
        ([("remql_window_days = 180", "remql_window_days = 1000000000")],
         "recycle.remql_window_days = 1000000000: Input should be less than or equal to 3650"),
        ([("first_touch_hours = 24", "first_touch_hours = 1e12")],
         "handoff.first_touch_hours = 1000000000000.0: Input should be less than or equal "
         "to 87600"),
    ],
)  # fmt: skip
def test_a_value_that_would_crash_a_command_later_is_refused_by_the_config(edits, expected):
    text = Path("data/sla.toml").read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    if expected is None:
        parse_config(text)
        return
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    assert expected in str(info.value), str(info.value)


# -- values that loaded without a word (audit 2026-12-06, M6) -------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # read as 1 h: handoff compliance 14.3 % instead of 78.6 %
        ("first_touch_hours = 24 ", "first_touch_hours = true ",
         "handoff.first_touch_hours = true: a number, not true or false"),
        ("mql_threshold = 60 ", 'mql_threshold = "60" ',
         "scoring.mql_threshold = '60': a number, not text: write it without quotes"),
        ("business_hours = false ", "business_hours = 0 ",
         "handoff.business_hours = 0: Input should be a valid boolean"),
        ("min_attempts = 6 ", "min_attempts = 5.5 ",
         "cadence.min_attempts = 5.5: a whole number (e.g. 6)"),
        # 90 % written as a percent: "First touch within SLA 78.6 % | 9,000.0 % | missed"
        ("target = 0.90", "target = 90",
         "kpis.sales[0].target = 90: a share: its target is between 0 and 1 (90 % is written 0.9)"),
        ("target = 0.015", "target = 1.5",
         "kpis.marketing[1].target = 1.5: a share: its target is between 0 and 1 "
         "(1.5 % is written 0.015)"),
        ("target = 0.90", "target = -0.5",
         "kpis.sales[0].target = -0.5: a target cannot be negative"),
        # "MQLs delivered 56 | -700 | met"
        ("target = 700", "target = -700",
         "kpis.marketing[0].target = -700: a target cannot be negative"),
        ("target = 700", "target = 0",
         "kpis.marketing[0].target = 0: 'at least 0' is always met; give the number the team "
         "commits to"),
        ("target = 8\n", "target = 0\n",
         "kpis.sales[1].target = 0: 'at most 0' is never met; give the most the team accepts"),
        ("mql_threshold = 60 ", "mql_threshold = 500 ",
         "scoring.mql_threshold = 500: no lead can reach it; a score is at most fit_cap + "
         "interest_cap = 50 + 60 = 110"),
        ("rate_window_months = 6 ", "rate_window_months = 600 ",
         "goals.rate_window_months = 600: Input should be less than or equal to 36"),
        ('version = "2026.2"', 'version = ""',
         "sla.version = '': empty version label; name the version (e.g. '2026.3'): reviews, "
         "packs and `sla config diff` refer to it"),
        ('version = "2026.2"', 'version = "  "',
         "sla.version = '  ': empty version label; name the version (e.g. '2026.3'): reviews, "
         "packs and `sla config diff` refer to it"),
        # two KPIs keyed alike: a changed target of the first was "no change" in every diff
        ('metric = "handoff_compliance"', 'metric = "cadence_compliance"',
         "kpis.sales[2].metric = 'cadence_compliance': sales has a KPI on it already "
         "(kpis.sales[0]); one KPI per team and metric"),
        ("\n[kpis]\n", '\n[[goals.segments]]\nby = "source"\nvalue = "webinar"\n'
         "kpis = { mql_to_sql = 30 }\n\n[kpis]\n",
         "goals.segments[0].kpis: mql_to_sql = 30: a share: its target is between 0 and 1 "
         "(30 % is written 0.3)"),
    ],
)  # fmt: skip
def test_a_value_that_loaded_silently_but_was_wrong_is_refused_with_one_exact_line(
    old, new, expected
):
    assert old in EXAMPLE, old
    with pytest.raises(ConfigError) as info:
        parse_config(EXAMPLE.replace(old, new, 1), source="sla.toml")
    assert str(info.value).splitlines() == [f"sla.toml: {expected}"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("target = 10\n", "target = 0\n"),  # at most 0 stale leads: none allowed
        ("target = 0.25", "target = 0"),  # at most 0 % of MQLs rejected
        ("target = 0.90", "target = 1"),  # every first touch in time
        ("mql_threshold = 60 ", "mql_threshold = 110 "),  # reachable: fit 50 + interest 60
        ("rate_window_months = 6 ", "rate_window_months = 36 "),
        ("first_touch_hours = 24 ", "first_touch_hours = 1.5 "),
        ('effective_from = "2026-01-01"', 'effective_from = "2099-01-01"'),  # not in force yet
        ('effective_from = "2026-01-01"', "effective_from = 2026-01-01"),  # a TOML date
    ],
)
def test_values_at_the_edges_stay_allowed(old, new):
    assert old in EXAMPLE, old
    parse_config(EXAMPLE.replace(old, new, 1))


def test_the_kinds_of_kpi_metrics_are_the_ones_the_pack_shows():
    from analytics.config import KPI_KINDS, KPI_METRICS
    from analytics.pack.formatting import metric_kind

    assert {m: metric_kind(m) for m in KPI_METRICS} == KPI_KINDS


def test_cli_refuses_a_config_that_loaded_silently_naming_file_key_and_value(tmp_path):
    from typer.testing import CliRunner

    from analytics.cli import app

    bad = tmp_path / "sla.toml"
    bad.write_text(EXAMPLE.replace("first_touch_hours = 24 ", "first_touch_hours = true ", 1))
    db = tmp_path / "w.duckdb"
    result = CliRunner().invoke(app, ["info", "--db", str(db), "--config", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: invalid SLA config, nothing done:",
        f"{bad}: handoff.first_touch_hours = true: a number, not true or false",
    ]
    assert not db.exists()
