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
