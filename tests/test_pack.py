"""The monthly review pack: its numbers (from the Review), its tests, its three formats."""

from __future__ import annotations

import dataclasses
import html as html_lib
import io
import json
import math
import re
import string
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from statistics import NormalDist

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from review_support import daily_lead_events, daily_touches, footnoted_cells
from typer.testing import CliRunner

from analytics.cli import app
from analytics.config import load_config, parse_config
from analytics.pack import build_pack
from analytics.pack.compare import poisson_rate_test, two_proportion_test
from analytics.pack.formatting import (
    format_change,
    format_count,
    format_counts,
    format_decimal,
    format_p,
    format_share,
)
from analytics.pack.render import (
    PackRenderError,
    funnel_rows,
    html_to_pdf,
    render_html,
    render_markdown,
    render_pack,
)
from analytics.tables import Tables
from analytics.warehouse import connect_readonly, load_tables, write_tables
from analytics.warehouse.config_history import record_config_if_new, stored_configs

EXAMPLE = Path("data/sla.toml").read_text()
CFG = load_config("data/sla.toml")
AS_OF = datetime(2026, 11, 15, tzinfo=UTC)


# -- the tests of change ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "z", "p"),
    [
        # pooled p = 75/200 = .375; se = sqrt(.375 * .625 * (1/100 + 1/100)) = .068465
        # z = (.45 - .30) / .068465 = 2.1909; p = erfc(2.1909 / sqrt 2) = .02846
        (30, 100, 45, 100, 2.1909, 0.02846),
        # the fixture's lead -> MQL: 4/4 then 4/20; pooled 8/24; se = sqrt(2/9 * .3) = .2582
        # z = (.2 - 1) / .2582 = -3.0984; p = .001946
        (4, 4, 4, 20, -3.0984, 0.001946),
        # the fixture's speed to lead: 4/4 then 2/4; pooled .75; se = .30619; z = -1.63299
        (4, 4, 2, 4, -1.6330, 0.10247),
    ],
)
def test_two_proportion_z_test_by_hand(x1, n1, x2, n2, z, p):
    result = two_proportion_test(x1, n1, x2, n2)
    assert result.z == pytest.approx(z, abs=1e-4)
    assert result.p_value == pytest.approx(p, abs=1e-5)


@pytest.mark.parametrize(
    ("x1", "e1", "x2", "e2", "z"),
    [
        # equal exposure: p0 = .5, N = 240, z = (140 - 120) / sqrt(60) = 2.5820
        (100, 31, 140, 31, 2.5820),
        # the fixture's leads: 4 in 30 days, 20 in 31; p0 = 31/61; N = 24
        # z = (20 - 12.19672) / sqrt(24 * .508197 * .491803) = 7.80328 / 2.44916 = 3.1861
        (4, 30, 20, 31, 3.1861),
        # the same rate per day is no change
        (100, 30, 50, 15, 0.0),
    ],
)
def test_poisson_rate_test_by_hand(x1, e1, x2, e2, z):
    assert poisson_rate_test(x1, e1, x2, e2).z == pytest.approx(z, abs=1e-4)


@pytest.mark.parametrize(
    "args", [(0, 0, 3, 10), (0, 10, 0, 10), (10, 10, 5, 5), (3, 2, 1, 5), (1, 10, -1, 10)]
)
def test_a_proportion_test_without_variance_or_counts_is_undefined(args):
    assert two_proportion_test(*args).p_value is None


@given(
    st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
)
def test_swapping_the_months_negates_z_and_keeps_p(a, b):
    forward, backward = two_proportion_test(*a, *b), two_proportion_test(*b, *a)
    if forward.z is None:
        assert backward.z is None
    else:
        assert backward.z == pytest.approx(-forward.z, abs=1e-9)
        assert backward.p_value == pytest.approx(forward.p_value, abs=1e-12)
        # The two-sided p-value of a standard normal z (independent of math.erfc).
        tail = 2 * (1 - NormalDist().cdf(abs(forward.z)))
        assert forward.p_value == pytest.approx(tail, abs=1e-9)


# -- a hand-made warehouse -----------------------------------------------------------------


def _rows() -> dict[str, list[dict]]:
    """Two months, all windows closed at AS_OF (2026-11-15).

    September: L5..L8 become MQL, each touched by Ana 1 h later and reached.
      speed to lead 4/4, cadence 4/4, leads 4, MQLs 4.
    October:   L1 MQL 10-01 09:00, Ana touches after 1 h (connected)  -> met, held
               L2 MQL 10-02 09:00, Ben touches after 36 h (no answer) -> missed by 12 h, not held
               L3 MQL 10-05 09:00, Ben touches after 48 h (connected) -> missed by 24 h, held
               L4 MQL 10-06 09:00, Ana touches after 3 h (replied)    -> met, held
      speed to lead 2/4 = 50 %, both misses Ben's; cadence 3/4 = 75 %; median hours
      (1, 3, 36, 48) -> 19.5; plus 16 leads that never become MQL: leads 20, MQLs 4.
    Ana touches one of them (L9) every day until AS_OF: the touches are tracked, and so are
    the lifecycle events (L9's, of stage lead: they count nothing).
    """
    reps = [
        {"rep_id": "r1", "name": "Ana Alpha", "team": "sdr", "active": True},
        {"rep_id": "r2", "name": "Ben Beta", "team": "sdr", "active": True},
    ]
    leads, events, touches = [], [], []

    def mql(lead: str, owner: str, created: datetime, mql_at: datetime) -> None:
        leads.append(
            {"lead_id": lead, "created_at": created, "source": "email", "owner_rep_id": owner}
        )
        events.append({"lead_id": lead, "stage": "lead", "entered_at": created})
        events.append({"lead_id": lead, "stage": "mql", "entered_at": mql_at, "trigger": "form"})

    def touch(lead: str, rep: str, at: datetime, outcome: str) -> None:
        touches.append(
            {
                "touch_id": f"t-{lead}",
                "lead_id": lead,
                "rep_id": rep,
                "occurred_at": at,
                "channel": "phone",
                "outcome": outcome,
            }
        )

    for i, lead in enumerate(["L5", "L6", "L7", "L8"]):
        at = datetime(2026, 9, 1 + i, 9, tzinfo=UTC)
        mql(lead, "r1", at - timedelta(hours=1), at)
        touch(lead, "r1", at + timedelta(hours=1), "connected")
    october = [
        ("L1", "r1", 1, 1, "connected"),
        ("L2", "r2", 2, 36, "no_answer"),
        ("L3", "r2", 5, 48, "connected"),
        ("L4", "r1", 6, 3, "replied"),
    ]
    for lead, rep, day, hours, outcome in october:
        at = datetime(2026, 10, day, 9, tzinfo=UTC)
        mql(lead, rep, at - timedelta(hours=1), at)
        touch(lead, rep, at + timedelta(hours=hours), outcome)
    for i in range(16):
        created = datetime(2026, 10, 10, tzinfo=UTC) + timedelta(hours=i)
        lead = f"L{9 + i}"
        leads.append(
            {"lead_id": lead, "created_at": created, "source": "email", "owner_rep_id": "r1"}
        )
        events.append({"lead_id": lead, "stage": "lead", "entered_at": created})
    touches.extend(daily_touches("L9", "2026-10-10", "2026-11-14"))
    events.extend(daily_lead_events("L9", "2026-10-11", "2026-11-14"))  # so are the events
    return {"reps": reps, "leads": leads, "lifecycle_events": events, "sales_touches": touches}


def _variant(*replacements: tuple[str, str], source: str):
    text = EXAMPLE
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return parse_config(text, source=source)


def _slower_handoff(effective: str):
    """Version 2026.3: first touch within 48 h instead of 24, from ``effective``."""
    return _variant(
        ('version = "2026.2"', 'version = "2026.3"'),
        ('effective_from = "2026-01-01"', f'effective_from = "{effective}"'),
        ("first_touch_hours = 24", "first_touch_hours = 48"),
        source=f"sla-{effective}.toml",
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("pack") / "w.duckdb"
    tables = Tables.from_rows(**_rows())
    frames = {name: lf.collect() for name, lf in tables.items()}
    write_tables(db, frames, source="test_pack fixture", config=CFG)
    return db


def _pack(db: Path, month: str, config=CFG, *, as_of: datetime = AS_OF):
    con = connect_readonly(db)
    try:
        return build_pack(
            load_tables(con), config, month=month, as_of=as_of, versions=stored_configs(con)
        )
    finally:
        con.close()


@pytest.fixture(scope="module")
def pack(warehouse):
    return _pack(warehouse, "2026-10")


def text_of(document: str) -> str:
    """The visible text of an HTML document, whitespace collapsed."""
    body = re.sub(r"<style.*?</style>", " ", document, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", body)))


# -- the pack's content ----------------------------------------------------------------


def test_the_pack_takes_the_months_numbers_from_the_review(pack):
    assert pack.review.handoff["met"] == 2 and pack.review.handoff["missed"] == 2
    kpis = {r["metric"]: r for r in pack.kpis.iter_rows(named=True)}
    # October 2/4 against September 4/4 (each judged by its own SLA: the same here).
    assert kpis["handoff_compliance"]["value"] == 0.5
    assert kpis["handoff_compliance"]["previous"] == 1.0
    assert kpis["handoff_compliance"]["status"] == "missed"
    assert kpis["cadence_compliance"]["value"] == 0.75
    assert kpis["median_hours_to_first_touch"]["value"] == pytest.approx(19.5)
    assert kpis["mqls"]["value"] == 4 and kpis["mqls"]["previous"] == 4
    # Stale leads are counted at as_of: no "previous month" value.
    assert kpis["stale_leads"]["previous"] is None


def test_scorecards_list_each_promise_with_target_actual_counts_and_status(pack):
    sales = {r.metric: r for r in pack.scorecards["sales"]}
    row = sales["handoff_compliance"]
    assert row.promise == "First sales touch within 24 h of the MQL"
    assert (row.target_text(), row.actual_text(), row.counts, row.status) == (
        "≥ 90.0 %",
        "50.0 %",
        "2 / 4",
        "missed",
    )
    marketing = {r.metric: r for r in pack.scorecards["marketing"]}
    # A core promise without a KPI: actual shown, no target, no status.
    enrolled = marketing["recycled_enrolled_in_time"]
    assert (enrolled.target, enrolled.status) == (None, None)


def test_top_breaches_name_lead_rep_and_by_how_much(pack):
    handoff = pack.breaches.filter(pl.col("kind") == "handoff")
    assert handoff.select("lead_id", "rep_name", "amount").rows() == [
        ("L3", "Ben Beta", 24.0),  # 48 h - 24 h
        ("L2", "Ben Beta", 12.0),  # 36 h - 24 h
    ]
    cadence = pack.breaches.filter(pl.col("kind") == "cadence")
    assert cadence.select("lead_id", "rep_id", "amount").rows() == [("L2", "r2", 5.0)]  # 1 of 6


def _quiet_owner_pack():
    """October's breaches of owners without an MQL episode in October (audit L3).

    r2 (Ben Beta) owns S1 and S2, MQL on 1 Sep, six unanswered attempts 2-7 Sep: stale at
    AS_OF; and P, MQL on 28 Sep, recycled on 3 Oct without an attempt: premature. r3 (no
    name: "Rep 1") owns S3, stale as S1. Only r1's L1 becomes MQL in October.
    """
    reps = [
        {"rep_id": "r1", "name": "Ana Alpha", "team": "sdr"},
        {"rep_id": "r2", "name": "Ben Beta", "team": "sdr"},
        {"rep_id": "r3", "name": None, "team": "sdr"},
    ]
    owners = {"L1": "r1", "S1": "r2", "S2": "r2", "P": "r2", "S3": "r3", "Z": "r1"}
    # L1 is created in October: the data's leads reach the month, so its MQLs are known
    created = {k: "2026-10-01T08:00:00Z" if k == "L1" else "2026-08-01T00:00:00Z" for k in owners}
    leads = [
        {"lead_id": k, "created_at": created[k], "source": "email", "owner_rep_id": v}
        for k, v in owners.items()
    ]
    events = [
        {"lead_id": "L1", "stage": "mql", "entered_at": "2026-10-01T09:00:00Z"},
        {"lead_id": "P", "stage": "mql", "entered_at": "2026-09-28T09:00:00Z"},
        {"lead_id": "P", "stage": "recycled", "entered_at": "2026-10-03T09:00:00Z",
         "actor_rep_id": "r2"},
        *({"lead_id": s, "stage": "mql", "entered_at": "2026-09-01T09:00:00Z"}
          for s in ("S1", "S2", "S3")),
    ]  # fmt: skip
    touches = [
        {"touch_id": "L1-1", "lead_id": "L1", "rep_id": "r1", "channel": "phone",
         "occurred_at": "2026-10-01T10:00:00Z", "outcome": "connected"},
        *({"touch_id": f"{s}-{d}", "lead_id": s, "rep_id": owners[s], "channel": "phone",
           "occurred_at": f"2026-09-0{d}T09:00:00Z", "outcome": "no_answer"}
          for s in ("S1", "S2", "S3") for d in range(2, 8)),
        *daily_touches("Z", "2026-08-01", "2026-11-14"),
    ]  # fmt: skip
    tables = Tables.from_rows(reps=reps, leads=leads, lifecycle_events=events,
                              sales_touches=touches)  # fmt: skip
    return build_pack(tables, CFG, month="2026-10", as_of=AS_OF)


def test_a_breach_names_its_rep_without_an_episode_of_the_month():
    """The rep of a breach row whose owner had no MQL episode in the month was "–" on the
    Monthly review page and its id in the pack, though the rep has a name (audit L3)."""
    from analytics.pack.build import action_items
    from analytics.pack.render import pack_breaches

    pack = _quiet_owner_pack()
    assert pack.review.handoff_by_rep["rep_id"].to_list() == ["r1"]  # r2, r3: no episode
    expected = [
        ("premature_recycles", "P", "r2", "Ben Beta"),
        ("stale_leads", "S1", "r2", "Ben Beta"),
        ("stale_leads", "S2", "r2", "Ben Beta"),
        ("stale_leads", "S3", "r3", "Rep 1"),
    ]
    for lang in ("en", "de"):
        got = pack_breaches(pack, lang=lang).sort("kind", "lead_id")
        assert got.select("kind", "lead_id", "rep_id", "rep_name").rows() == expected
    # 3 stale leads are within the KPI (at most 10): the rule, asked without KPIs, names him
    items = action_items(
        pack.review, pack.kpis.head(0), pack.changes.head(0), pack.config, names=pack.rep_names
    )
    (stale,) = [a for a in items if a.metric == "stale_leads"]
    assert "; 67 % of them are Ben Beta's (2 of 3)" in stale.text
    markdown = render_markdown(pack)
    assert "Ben Beta" in markdown and "Rep 1" in markdown
    assert not re.search(r"\| r[23] \|", markdown), markdown  # ids in the downloads only


def test_changes_since_last_month_are_tested_not_eyeballed(pack):
    changes = {r["metric"]: r for r in pack.changes.iter_rows(named=True)}
    assert changes["lead_to_mql"]["p_value"] == pytest.approx(0.001946, abs=1e-5)
    assert changes["lead_to_mql"]["is_significant"] and changes["lead_to_mql"]["is_better"] is False
    # 4/4 -> 2/4 looks dramatic but is not significant with four MQLs a month.
    assert changes["handoff_compliance"]["p_value"] == pytest.approx(0.10247, abs=1e-5)
    assert not changes["handoff_compliance"]["is_significant"]
    # Leads per elapsed day: 4 in 30 days -> 20 in 31.
    assert changes["leads"]["is_significant"] and changes["leads"]["is_better"] is True
    assert set(pack.significant["metric"]) == {"lead_to_mql", "leads"}


def test_action_items_follow_the_rules_with_the_number_behind_each(pack):
    # no MQL -> SQL item: the fixture never records an sql event, so the rate is unknown
    assert [a.metric for a in pack.actions] == [
        "handoff_compliance",
        "cadence_compliance",
        "mqls",
        "median_hours_to_first_touch",
        "attempts_per_mql",
        "lead_to_mql",
    ]
    first = pack.actions[0]
    assert first.text.startswith(
        "Speed to lead missed for 50 % of MQLs; 100 % of them are Ben Beta's (2 of 2)"
    )
    assert first.evidence == "2 of 4 MQLs not touched within 24 h"
    assert pack.actions[1].evidence.startswith("3 of 4 held")
    assert "two-proportion test p = 0.00195" in pack.actions[-1].evidence
    # the rates with the one decimal the pages show them with (not "15 % -> 9 %")
    assert re.match(r"\d+\.\d % \(\d+ / \d+\) -> \d+\.\d % ", pack.actions[-1].evidence)


def test_action_items_render_in_german_with_german_numbers(pack):
    """The same items, code and parameters, in German words; the English stays the JSON's."""
    first, cadence, *_, worse = pack.actions
    assert first.code == "action.handoff"
    assert first.render(lang="de") == (
        "Reaktionszeit verfehlt bei 50 % der MQLs; 100 % davon bei Ben Beta (2 von 2): "
        "Routing und Abdeckung prüfen",
        "2 von 4 MQLs nicht innerhalb von 24 h kontaktiert",
    )
    assert cadence.render(lang="de")[1].startswith("3 von 4 eingehalten (mindestens 6 Versuche")
    assert worse.render(lang="de")[0] == (
        "Lead -> MQL: seit dem Vormonat schlechter; Ursache klären"
    )
    assert "Test auf zwei Anteile p = 0,00195" in worse.render(lang="de")[1]
    missed = next(a for a in pack.actions if a.code == "action.kpi_missed")
    text, evidence = missed.render(lang="de")
    assert text.startswith(CFG.kpi_label(missed.team, missed.metric, "de") + ": Ziel verfehlt")
    assert " gegenüber Ziel " in evidence
    assert first.to_json_dict()["text"] == first.text and first.to_json_dict()["code"] == first.code
    assert first.to_json_dict(lang="de")["evidence"].startswith("2 von 4")


def test_top_breaches_in_german_keep_the_numbers(pack):
    from analytics.pack.build import top_breaches

    german = top_breaches(pack.review, pack.config, names=pack.rep_names, lang="de")
    assert german.drop("unit", "detail").equals(pack.breaches.drop("unit", "detail"))
    late = german.filter(pl.col("lead_id") == "L3").row(0, named=True)
    assert (late["unit"], late["detail"]) == (
        "Stunden über der Frist",
        "Erstkontakt nach 48,0 h (24,0 h über 24 h)",
    )


@pytest.mark.parametrize(
    ("over", "end_stage", "lang", "detail"),
    [
        (3.0, "disqualified", "en",
         "no touch before it ended (disqualified), 3.0 h past the 24 h promise"),
        (3.0, "disqualified", "de",
         "kein Kontakt bis zum Ende (disqualifiziert), 3,0 h nach Ablauf der Zusage von 24 h"),
        (0.0, "recycled", "en", "no touch; it ended (recycled) before the 24 h promise ran out"),
        (0.0, "recycled", "de", "kein Kontakt; vor Ablauf der Zusage von 24 h beendet (recycelt)"),
        (144.0, None, "en", "no touch yet, 144.0 h past the 24 h promise"),
    ],
)  # fmt: skip
def test_an_untouched_breach_says_whether_the_episode_ended(over, end_stage, lang, detail):
    from analytics.pack.build import _breach_rows

    frame = pl.DataFrame(
        {"lead_id": ["L1"], "owner_rep_id": ["r1"], "first_touch_at": [None],
         "hours_to_first_touch": [None], "hours_over": [over], "end_stage": [end_stage]},
        schema_overrides={"first_touch_at": pl.Datetime("us", "UTC"),
                          "hours_to_first_touch": pl.Float64, "end_stage": pl.String},
    )  # fmt: skip
    (row,) = _breach_rows("handoff", frame, CFG, lang)
    assert (row["amount"], row["detail"]) == (over, detail)


# -- the three formats -------------------------------------------------------------------

EXPECTED_TEXT = [
    "Monthly SLA review: 2026-10",
    "First sales touch within 24 h of the MQL",
    "50.0 %",
    "2 / 4",
    "Ben Beta",
    "24.0 hours over",
    "Speed to lead missed for 50 % of MQLs",
    "2 of 4 MQLs not touched within 24 h",
    "Lead -> MQL fell from 100 % (4 / 4) to 20 % (4 / 20)",
    "Meeting notes",
    "version 2026.2",
]


@pytest.fixture(scope="module")
def html(pack) -> str:
    return render_html(pack)


def test_html_holds_the_expected_numbers(html):
    text = text_of(html)
    for expected in EXPECTED_TEXT:
        assert expected in text, expected
    # funnel and speed by rep; no pacing chart: the revenue is unknown (no amounts), and
    # the other stages have no targets
    assert html.count("<svg") == 2
    assert "@media print" in html


def test_html_loads_nothing_from_the_network(html):
    assert not re.search(r"""(?:src|href|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"@import|<link\b|<script\b|<iframe\b|<img\b", html, re.I)
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", html, re.I)


def test_markdown_holds_the_expected_numbers_in_tables(pack):
    md = render_markdown(pack)
    for expected in EXPECTED_TEXT:
        assert expected in md, expected
    assert (
        "| sales | First touch within SLA | 50.0 % | 100.0 % | -50.0 pp | ≥ 90.0 % | missed |" in md
    )
    assert "<" not in md.replace("p < 0.001", "")


def test_markdown_escapes_data_that_would_break_a_table_or_inject_html(pack):
    import dataclasses

    from analytics.texts import Text

    words = Text("action.kpi_missed", {"kpi": "x | y <script>alert(1)</script>"})
    evil = dataclasses.replace(pack.actions[0], message=words)
    md = render_markdown(dataclasses.replace(pack, actions=[evil]))
    assert "x \\| y &lt;script>alert(1)&lt;/script>" in md


#: Data values a hostile export could carry (a rep, track, campaign or reason name), and
#: what the Markdown pack must print for them: literal text, no link, pixel, tag or list.
HOSTILE = [
    (
        "[Bitte hier klicken](http://example.org)",
        "\\[Bitte hier klicken\\](http:\\/\\/example.org)",
    ),
    ("![](http://example.org/pixel.png)", "\\!\\[\\](http:\\/\\/example.org/pixel.png)"),
    ("<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"),
    ('=HYPERLINK("http://x")', '=HYPERLINK("http:\\/\\/x")'),
    ("*bold* _it_ `code` ~~gone~~ $x$", "\\*bold\\* \\_it\\_ \\`code\\` \\~\\~gone\\~\\~ \\$x\\$"),
]


@pytest.mark.parametrize(("value", "printed"), HOSTILE)
def test_markdown_prints_hostile_data_values_as_literal_text(pack, value, printed):
    import dataclasses

    from analytics.texts import Text

    words = Text("action.kpi_missed", {"kpi": value})
    evil = dataclasses.replace(pack.actions[0], message=words)
    md = render_markdown(dataclasses.replace(pack, actions=[evil]))
    assert printed in md
    assert not re.search(r"(?<!\\)\]\(|(?<!\\)!\[|<script", md)


@pytest.mark.parametrize(("value", "printed"), HOSTILE[:3])
def test_html_prints_hostile_data_values_as_text(pack, value, printed):
    import dataclasses

    from analytics.texts import Text

    words = Text("action.kpi_missed", {"kpi": value})
    evil = dataclasses.replace(pack.actions[0], message=words)
    page = render_html(dataclasses.replace(pack, actions=[evil]), charts=False)
    assert html_lib.escape(value, quote=False) in page
    assert not re.search(r"<script|<img|href=\"http", page)


def test_html_loads_nothing_runs_no_script_and_allows_only_inline_styles_and_data_images(html):
    policy = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert policy == ["default-src 'none'; style-src 'unsafe-inline'; img-src data:"]
    assert html.index("Content-Security-Policy") < html.index("<style>")


@pytest.mark.browser
def test_pdf_is_printed_with_javascript_switched_off():
    import shutil

    from pypdf import PdfReader

    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (make test installs it)")
    page = (
        '<p id="x">printed as written</p>'
        '<script>document.getElementById("x").textContent = "script ran";</script>'
    )
    reader = PdfReader(io.BytesIO(html_to_pdf(page)))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "printed as written" in text
    assert "script ran" not in text


def test_an_unknown_format_names_the_allowed_ones(pack):
    with pytest.raises(ValueError, match=r"unknown pack format 'docx'; allowed: html, pdf, md, x"):
        render_pack(pack, fmt="docx")


def test_pdf_without_chromium_names_the_missing_program(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(PackRenderError, match=r"PDF needs the program `chromium`"):
        html_to_pdf("<p>x</p>")


@pytest.mark.browser
def test_pdf_is_printed_by_chromium_and_holds_the_expected_numbers(html):
    import shutil

    from pypdf import PdfReader

    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (make test installs it)")
    pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    for expected in EXPECTED_TEXT:
        assert expected in text, expected
    assert len(reader.pages) >= 2


# -- the pack in German ------------------------------------------------------------------

#: The same places as EXPECTED_TEXT, in German words, numbers and dates (written by hand).
EXPECTED_GERMAN = [
    "SLA-Monatsbesprechung: 2026-10",
    "Example AG: SLA zwischen Marketing und Vertrieb: Version 2026.2 (gültig ab 01.01.2026)",
    "Datenstand 15.11.2026 00:00 UTC",
    "Erster Vertriebskontakt innerhalb von 24 h nach dem MQL",
    "50,0 %",
    "2 / 4",
    "Ben Beta",
    "24,0 Stunden über der Frist",
    "Erstkontakt nach 48,0 h (24,0 h über 24 h)",
    "5 Versuche zu wenig",
    "Reaktionszeit verfehlt bei 50 % der MQLs",
    "2 von 4 MQLs nicht innerhalb von 24 h kontaktiert",
    "Lead -> MQL: gesunken von 100 % (4 / 4) auf 20 % (4 / 20); z-Test für zwei Anteile, "
    "p = 0,00195 (schlechter)",
    "Leads: gestiegen von 4 (0,1 pro Tag) auf 20 (0,6 pro Tag)",
    "Reaktionszeit: 2 erfüllt, 2 verfehlt, 0 offen; Median 19,5 h bis zum Erstkontakt.",
    "Zusagen des Vertriebs",
    "Besprechungsnotizen",
    "Version 2026.2",
    "Keine Änderung.",
]


def _english_words() -> list[str]:
    """The English words of the pack's texts (runs of 8 characters or more)."""
    from analytics.texts import TEXTS

    words = []
    for code, (en, _) in TEXTS.items():
        if code.startswith(("pack.", "promise.", "status.", "period.")):
            for literal, *_ in string.Formatter().parse(en):
                words += [w for w in re.split(r"[^\w' ]+", literal) if len(w.strip()) >= 8]
    return sorted({w.strip() for w in words} - {"Opportunities"})


@pytest.fixture(scope="module")
def german_md(pack) -> str:
    return render_markdown(pack, lang="de")


def test_the_pack_in_german_has_german_words_numbers_and_dates(pack, german_md):
    html_text = text_of(render_html(pack, charts=False, lang="de"))
    for expected in EXPECTED_GERMAN:
        assert expected in german_md, expected
        assert expected in html_text, expected
    assert (
        "| Vertrieb | Erstkontakt im SLA | 50,0 % | 100,0 % | -50,0 Pp. | ≥ 90,0 % | verfehlt |"
        in german_md
    )
    # unknown revenue (no opportunities): no actual and no "expected to date", but the reason
    # (once below the table, every row it explains marked)
    goals = german_md.split("\n## ")[1]
    assert "| Monat | Gewonnener Umsatz¹ | – | 1.000.000 EUR | – | – |" in goals
    assert "\n- ¹ Es wurden keine Opportunities importiert: opportunities importieren.\n" in goals
    assert goals.count("Es wurden keine Opportunities importiert") == 1
    # a need unknown because the revenue is: the reason beside it, not a bare "–"
    assert "| Monat | MQLs¹ | 4 | – | – | – | 4 | – |" in goals
    kpis = german_md.split("\n## ")[3]
    assert "| Marketing | Besucher -> Lead | – | – | – | ≥ 1,5 % | keine Daten¹ |" in kpis
    assert (
        "\n- ¹ Es wurde kein Web-Traffic importiert: web\\_traffic importieren (Besucher je Tag "
        "und Quelle).\n"
    ) in kpis
    assert '<html lang="de">' in render_html(pack, charts=False, lang="de")


def test_the_pack_in_german_shows_no_english_words_of_the_pack(pack, german_md):
    english = _english_words()
    assert {"Proposed action items", "Speed to lead", "Meeting notes", "no target"} <= set(english)
    html_text = text_of(render_html(pack, charts=False, lang="de"))
    assert not [w for w in english if w in german_md]
    assert not [w for w in english if w in html_text]
    for english_only in ("n/a", " pp", "no data", "/day", "2026-10-01", "Ben Beta's"):
        assert english_only not in german_md, english_only


def test_the_charts_in_german_have_german_titles_and_numbers(pack):
    from analytics.pack.render import chart_svgs

    svgs = chart_svgs(pack, lang="de")
    assert "Reaktionszeit je Mitarbeiter (95-%-Wilson-Intervall)" in svgs["handoff_by_rep"]
    assert ">0,2</text>" in svgs["handoff_by_rep"]  # the axis in German numbers
    assert "Volumina im Funnel" in svgs["funnel"] and "Funnel volumes" not in svgs["funnel"]
    # the fixture has no opportunities: deals won are unknown, drawn in neither language
    assert "Gewonnene Deals" not in svgs["funnel"] and "Deals won" not in svgs["funnel"]


def test_english_is_the_default_and_an_unknown_language_is_named(pack):
    assert render_markdown(pack) == render_markdown(pack, lang="en")
    with pytest.raises(ValueError, match=r"unknown language 'fr'; allowed: en, de"):
        render_pack(pack, fmt="md", lang="fr")


@pytest.mark.parametrize(
    ("function", "args", "en", "de"),
    [
        (format_change, ("handoff_compliance", -0.5), "-50.0 pp", "-50,0 Pp."),
        (format_change, ("mqls", 1234.0), "+1,234", "+1.234"),
        (format_change, ("won_revenue", -4321.5), "-4,322 EUR", "-4.322 EUR"),
        (format_change, ("median_hours_to_first_touch", 1234.56), "+1234.6 h", "+1234,6 h"),
        (format_change, ("mqls", None), "–", "–"),
        (format_share, (0.2345,), "23 %", "23 %"),
        (format_share, (12.345,), "1234 %", "1.234 %"),
        (format_count, (1234.4,), "1,234", "1.234"),
        (format_decimal, (6664.29,), "6664.3", "6.664,3"),
        (format_counts, (1234, 2000), "1,234 / 2,000", "1.234 / 2.000"),
        (format_p, (0.00195,), "p = 0.00195", "p = 0,00195"),
        (format_p, (None,), "–", "–"),
    ],
)
def test_numbers_of_the_pack_in_each_language(function, args, en, de):
    assert function(*args) == en
    assert function(*args, lang="de") == de


# -- the SLA as a living document in the pack ----------------------------------------------


def test_a_new_version_from_the_second_month_judges_it_and_shows_in_its_pack(warehouse, tmp_path):
    db = tmp_path / "w.duckdb"
    db.write_bytes(warehouse.read_bytes())
    assert record_config_if_new(db, _slower_handoff("2026-10-01")) is True

    september = _pack(db, "2026-09")
    assert september.config.sla.version == "2026.2"
    assert september.sla_changes == []

    october = _pack(db, "2026-10")
    assert october.config.sla.version == "2026.3"
    assert october.previous_config.sla.version == "2026.2"
    assert october.sla_changes == ["First touch within (hours) 24 -> 48 from 2026-10-01"]
    assert october.sla_change_lines(lang="de") == [
        "Erstkontakt innerhalb von (Stunden) 24 -> 48 ab 01.10.2026"
    ]
    german = render_markdown(october, lang="de")
    assert "- Erstkontakt innerhalb von (Stunden) 24 -> 48 ab 01.10.2026" in german
    assert "### Geändert seit der letzten Besprechung (2026-09, Version 2026.2)" in german
    # Judged by 48 h, the 36 h and 48 h first touches are in time: 4/4.
    assert october.review.handoff["met"] == 4
    text = text_of(render_html(october))
    assert "First touch within (hours) 24 -> 48 from 2026-10-01" in text
    assert "version 2026.3" in text
    assert "First touch within (hours) 24 -> 48 from 2026-10-01" in render_markdown(october)


def test_a_change_inside_the_month_is_shown_with_before_and_after(warehouse, tmp_path):
    db = tmp_path / "w.duckdb"
    db.write_bytes(warehouse.read_bytes())
    record_config_if_new(db, _slower_handoff("2026-10-04"))
    october = _pack(db, "2026-10")
    # The month is judged by the version in force on its first day.
    assert october.config.sla.version == "2026.2"
    assert october.sla_changes == []
    assert len(october.in_month) == 1
    change = october.in_month[0]
    assert change.change.lines == ["First touch within (hours) 24 -> 48 from 2026-10-04"]
    split = change.split
    assert split["first_day"].to_list() == [date(2026, 10, 1), date(2026, 10, 4)]
    # before: L1 met, L2 missed over 3 days; after: L3 missed, L4 met over 28 days.
    assert split.select("part", "days", "mql_episodes", "handoff_met", "handoff_judged").rows() == [
        ("before", 3.0, 2, 1, 2),
        ("after", 28.0, 2, 1, 2),
    ]
    assert split["mqls_per_day"].to_list() == pytest.approx([2 / 3, 2 / 28])
    md = render_markdown(october)
    assert "Changed during 2026-10: version 2026.3 from 2026-10-04" in md
    assert "| before | 2026-10-01 – 2026-10-03 | 2 | 0.7 | 50.0 % (1 / 2) |" in md
    german = render_markdown(october, lang="de")
    assert "Geändert im Monat 2026-10: Version 2026.3 ab 04.10.2026" in german
    assert "- Erstkontakt innerhalb von (Stunden) 24 -> 48 ab 04.10.2026" in german
    assert "| davor | 01.10.2026 – 03.10.2026 | 2 | 0,7 | 50,0 % (1 / 2) |" in german
    assert "SLA-Version 2026.3 trat am 04.10.2026 in Kraft" in german
    assert math.isclose(split["handoff_compliance"][1], 0.5)
    document = json.loads(json.dumps(october.to_json_dict()))
    [in_month] = document["sla"]["changes_in_month"]
    assert in_month["effective_from"] == "2026-10-04"
    assert in_month["split"][1]["first_day"] == "2026-10-04"
    assert document["review"]["handoff"]["met"] == 2


# -- sla review --format / --out -----------------------------------------------------------

runner = CliRunner()


def test_cli_writes_the_pack_in_the_format_of_the_suffix(warehouse, tmp_path):
    out = tmp_path / "review.md"
    args = ["review", "--month", "2026-10", "--as-of", "2026-11-15T00:00:00Z"]
    result = runner.invoke(app, [*args, "--db", str(warehouse), "--out", str(out)])
    assert result.exit_code == 0, result.output
    md = out.read_text(encoding="utf-8")
    for expected in EXPECTED_TEXT:
        assert expected in md, expected
    assert f"written to {out}" in result.stderr

    result = runner.invoke(app, [*args, "--db", str(warehouse), "--format", "html"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert "Ben Beta" in result.stdout


def test_cli_writes_the_pack_in_the_language_asked_for(warehouse, pack, tmp_path):
    out = tmp_path / "besprechung.md"
    args = ["review", "--month", "2026-10", "--as-of", "2026-11-15T00:00:00Z", "--lang", "de"]
    result = runner.invoke(app, [*args, "--db", str(warehouse), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == render_pack(pack, fmt="md", lang="de")
    assert out.read_text(encoding="utf-8") != render_pack(pack, fmt="md", lang="en")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--format", "docx"], "--format 'docx' is not known; allowed: html, pdf, md, xlsx"),
        (["--out", "pack.txt"], "cannot tell the format from the suffix; add --format"),
        (["--format", "pdf"], "--format pdf needs --out FILE"),
        (["--format", "md", "--json"], "--json prints the review's JSON; --format/--out"),
        (["--out", "/nonexistent/dir/pack.md"], "--out /nonexistent/dir/pack.md: cannot write"),
        (["--out", "pack.md", "--lang", "fr"], "--lang 'fr' is not known; allowed: en, de"),
        (["--lang", "de"], "--lang is the review pack's language: add --out FILE or --format"),
    ],
)
def test_cli_pack_usage_errors_exit_2_naming_the_option(warehouse, extra, message):
    result = runner.invoke(app, ["review", "--month", "2026-10", "--db", str(warehouse), *extra])
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_cli_pdf_without_chromium_exits_2_naming_the_program(warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    out = tmp_path / "pack.pdf"
    args = ["review", "--month", "2026-10", "--db", str(warehouse), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "PDF needs the program `chromium`" in result.stderr
    assert not out.exists()


def test_cli_review_judges_each_month_by_its_sla_and_records_a_new_config(warehouse, tmp_path):
    db = tmp_path / "w.duckdb"
    db.write_bytes(warehouse.read_bytes())
    v3 = tmp_path / "sla3.toml"
    v3.write_text(
        EXAMPLE.replace('version = "2026.2"', 'version = "2026.3"')
        .replace('effective_from = "2026-01-01"', 'effective_from = "2026-10-01"')
        .replace("first_touch_hours = 24", "first_touch_hours = 48")
    )
    args = ["review", "--as-of", "2026-11-15T00:00:00Z", "--db", str(db), "--json"]
    # Reviewing with the new file records it (through a swapped copy) ...
    result = runner.invoke(app, [*args, "--month", "2026-10", "--config", str(v3)])
    assert result.exit_code == 0, result.output
    assert "recorded SLA version 2026.3" in result.stderr
    assert json.loads(result.stdout)["handoff"]["met"] == 4  # judged by 48 h
    # ... so October is judged by it even with the old file given, September by the old one.
    result = runner.invoke(app, [*args, "--month", "2026-10"])
    assert json.loads(result.stdout)["handoff"]["met"] == 4
    assert "recorded" not in result.stderr
    history = runner.invoke(app, ["config", "history", "--db", str(db), "--json"])
    assert [v["version"] for v in json.loads(history.stdout)["versions"]] == ["2026.2", "2026.3"]


@pytest.mark.parametrize("day", [2, 3, 5, 6, 7, 15, 31])
def test_the_split_at_any_day_partitions_the_months_episodes(pack, day):
    from analytics.pack.build import split_review

    split = split_review(pack.review, on=date(2026, 10, day))
    # Every October episode (L1..L4) is in exactly one part; the days add up to 31.
    assert split["mql_episodes"].sum() == pack.review.handoff["episodes"] == 4
    assert split["handoff_judged"].sum() == 4 and split["handoff_met"].sum() == 2
    assert split["days"].sum() == pytest.approx(31.0)
    assert split["last_day"][0] == date(2026, 10, day - 1)


def test_significant_changes_by_p_value_ties_in_the_changes_order(pack):
    # a large month's p-values underflow to 0: those keep the order of the tested metrics
    changes = pl.DataFrame(
        {
            "metric": ["visitors", "leads", "mqls", "sqls", "deals_won"],
            "is_significant": [True, True, True, True, False],
            "p_value": [0.0, 0.01, 0.0, 0.0, 0.2],
        }
    )
    got = dataclasses.replace(pack, changes=changes).significant
    assert got["metric"].to_list() == ["visitors", "mqls", "sqls", "leads"]


# -- did the warnings work? ----------------------------------------------------------------


def _send_log() -> pl.DataFrame:
    """L1 and L4 (Ana, both met) and L2 (Ben, missed) warned before their deadline; L3 (Ben)
    only after it (not counted); a send after AS_OF is not known at the review."""
    rows = []
    for lead, mql_day, sent_after_h in (("L1", 1, 0), ("L2", 2, 1), ("L3", 5, 30), ("L4", 6, 2)):
        if sent_after_h is None:
            continue
        mql_at = datetime(2026, 10, mql_day, 9, tzinfo=UTC)
        rows.append(
            {"kind": "new_mql", "lead_id": lead, "episode": 1, "status": "sent",
             "sent_at": mql_at + timedelta(hours=sent_after_h),
             "deadline_at": mql_at + timedelta(hours=24)}
        )  # fmt: skip
    rows.append(
        {"kind": "alert.first_touch.at_risk", "lead_id": "L4", "episode": 1, "status": "sent",
         "sent_at": AS_OF + timedelta(days=1), "deadline_at": AS_OF + timedelta(days=2)}
    )  # fmt: skip
    return pl.DataFrame(rows)


@pytest.fixture(scope="module")
def warned_pack(warehouse):
    con = connect_readonly(warehouse)
    try:
        return build_pack(load_tables(con), CFG, month="2026-10", as_of=AS_OF,
                          notifications=_send_log())  # fmt: skip
    finally:
        con.close()


def test_the_pack_says_per_rep_how_many_warned_episodes_were_touched_in_time(warned_pack):
    w = warned_pack.review.warnings
    assert w.select("rep_name", "warned", "met", "missed", "pending").rows() == [
        ("Ana Alpha", 2, 2, 0, 0),
        ("Ben Beta", 1, 0, 1, 0),
    ]
    md, de = render_markdown(warned_pack), render_markdown(warned_pack, lang="de")
    assert "### Did the warnings work?" in md
    assert (
        "- Ana Alpha: warned about 2 episodes before their deadline; 2 of them were touched "
        "in time (0 missed, 0 still open)." in md
    )
    assert "### Haben die Warnungen gewirkt?" in de
    assert (
        "- Ben Beta: vor Ablauf der Frist zu 1 Episode gewarnt; rechtzeitig kontaktiert: 0 "
        "(1 verfehlt, 0 noch offen)." in de
    )
    html = text_of(render_html(warned_pack, charts=False, lang="de"))
    assert "Ben Beta: vor Ablauf der Frist zu 1 Episode gewarnt" in html
    assert "- Ben Beta: warned about 1 episode before its deadline; touched in time: 0" in md


def test_without_a_send_log_the_warnings_section_says_so_in_one_sentence(pack):
    assert pack.review.warnings is None
    sentence = (
        "No send log of sla notify for this warehouse: whether warnings helped cannot be said."
    )
    assert sentence in render_markdown(pack)
    assert sentence in text_of(render_html(pack, charts=False))
    assert "Kein Sendeprotokoll von sla notify zu diesem Warehouse" in render_markdown(
        pack, lang="de"
    )


def test_the_workbook_has_the_warnings_per_rep_or_why_there_are_none(pack, warned_pack):
    from analytics.pack.export import pack_sheets

    sheet = pack_sheets(warned_pack, lang="de")["Haben die Warnungen gewirkt?"]
    assert sheet.rows() == [("Ana Alpha", 2, 2, 0, 0, 1.0), ("Ben Beta", 1, 0, 1, 0, 0.0)]
    assert sheet.columns[:3] == ["Mitarbeiter", "Vor der Frist gewarnt", "Rechtzeitig kontaktiert"]
    empty = pack_sheets(pack)["Did the warnings work?"]
    assert empty.item().startswith("No send log of sla notify")


@pytest.mark.parametrize(
    ("lang", "detail"),
    [
        ("en", "not in nurture 5.5 days after the recycle (3.5 over 2)"),
        ("de", "5,5 Tage nach dem Recycling nicht im Nurturing (3,5 über 2)"),
    ],
)
def test_a_recycled_lead_never_enrolled_is_late_by_the_days_since(lang, detail):
    """Not '–' days over: at as_of its promise ran out 3.5 days ago, and counting."""
    from analytics.pack.build import _breach_rows

    recycled = datetime(2026, 10, 20, 12, tzinfo=UTC)
    frame = pl.DataFrame(
        {"lead_id": ["L1"], "recycled_at": [recycled], "enrolled_at": [None],
         "days_to_enroll": [None], "status": ["missing"]},
        schema_overrides={"enrolled_at": pl.Datetime("us", "UTC"), "days_to_enroll": pl.Float64},
    )  # fmt: skip
    as_of = recycled + timedelta(days=5, hours=12)
    (row,) = _breach_rows("recycled_not_enrolled", frame, CFG, lang, as_of=as_of)
    assert (row["amount"], row["detail"]) == (3.5, detail)


def test_volumes_worse_by_the_same_numbers_are_one_action_item(pack):
    """Olist: every closed deal is an SQL, an opportunity and a won deal at once, so the
    three volumes fall 207 -> 122 together: one item naming all three, not three items."""
    from analytics.pack.build import action_items

    def row(metric: str, before: int, after: int) -> dict:
        return {"metric": metric, "kind": "count", "previous_x": before, "current_x": after,
                "previous": before / 30, "current": after / 31, "p_value": 0.001,
                "is_significant": True, "is_better": False}  # fmt: skip

    changes = pl.DataFrame(
        [row("sqls", 207, 122), row("opportunities", 207, 122), row("deals_won", 207, 122),
         row("leads", 900, 700)]
    )  # fmt: skip
    items = action_items(pack.review, pack.kpis.head(0), changes, pack.config, names=pack.rep_names)
    worse = [i for i in items if i.code in ("action.worse", "action.worse_together")]
    assert [(i.code, i.metric) for i in worse] == [
        ("action.worse_together", "sqls"), ("action.worse", "leads"),
    ]  # fmt: skip
    assert worse[0].text.startswith(
        "SQLs, Opportunities, Deals won got worse since last month, by the same numbers"
    )
    assert (
        worse[0]
        .render(lang="de")[0]
        .startswith(
            "SQLs, Opportunities, Gewonnene Deals: seit dem Vormonat um dieselben Zahlen schlechter"
        )
    )


# -- what the data cannot measure: said, never a verdict (spec/coverage.md) ----------------

TOUCHES = "No sales touches were imported: import sales_touches (calls, e-mails, meetings)."


@pytest.fixture(scope="module")
def untouched_pack():
    """The fixture's leads and lifecycle events only: no touches, traffic, deals, nurture."""
    rows = _rows()
    tables = Tables.from_rows(leads=rows["leads"], lifecycle_events=rows["lifecycle_events"])
    return build_pack(tables, CFG, month="2026-10", as_of=AS_OF)


def test_without_touches_the_pack_says_which_breaches_cannot_be_measured(untouched_pack):
    from analytics.pack.export import pack_sheets

    assert set(untouched_pack.breach_totals.values()) == {None}
    sentences = [
        f"Speed to lead missed, Cadence not held, Never contacted: not measurable this month. "
        f"{TOUCHES}",
        "Recycled too early, Stale leads: not measurable this month. Recycling needs sales "
        "touches and recycled lifecycle events: import both.",
        "Recycled, not enrolled in nurture in time: not measurable this month. No nurture "
        "enrollments were imported: import nurture_enrollments.",
    ]
    html = text_of(render_html(untouched_pack, charts=False))
    md = render_markdown(untouched_pack).replace("\\_", "_")
    for document in (html, md):
        assert "No breach" not in document
        assert all(s in document for s in sentences)
    assert pack_sheets(untouched_pack)["Top breaches"].to_series().to_list() == sentences
    de = render_markdown(untouched_pack, lang="de").replace("\\_", "_")
    assert "Kein Verstoß" not in de
    assert (
        "Reaktionszeit verfehlt, Kadenz nicht eingehalten, Nie kontaktiert: in diesem Monat "
        "nicht messbar. Es wurden keine Vertriebskontakte importiert" in de
    )
    assert pack_sheets(untouched_pack, lang="de")["Größte Verstöße"].height == 3


@pytest.mark.parametrize(
    ("totals", "sentences"),
    [
        # every kind measured, none breached: the one case that is "no breach"
        ({"handoff": 0, "cadence": 0, "premature_recycles": 0},
         ["No breach of the SLA this month."]),
        # measured ones without a breach, one unknown: never "no breach" of the SLA
        (
            {"handoff": 0, "cadence": 0, "premature_recycles": None},
            ["No breach this month among the promises the data can measure.",
             "Recycled too early: not measurable this month. Recycling needs sales touches and "
             "recycled lifecycle events: import both."],
        ),
    ],
)  # fmt: skip
def test_no_breach_is_said_only_when_every_kind_was_measured(pack, totals, sentences):
    from analytics.pack.export import pack_sheets

    quiet = dataclasses.replace(pack, breaches=pack.breaches.head(0), breach_totals=totals)
    assert pack_sheets(quiet)["Top breaches"].to_series().to_list() == sentences
    md = render_markdown(quiet)
    assert all(s in md for s in sentences)
    assert ("No breach of the SLA" in md) == (None not in totals.values())


def test_the_workbook_lists_breaches_and_then_why_a_kind_is_unknown(pack):
    from analytics.pack.export import pack_sheets

    sheet = pack_sheets(pack)["Top breaches"]
    assert sheet.columns == ["KPI", "Lead", "Rep", "Detail"]
    listed = sheet.filter(pl.col("Lead").is_not_null())
    assert listed["Lead"].to_list() == ["L3", "L2", "L2"]  # handoff, then cadence
    unknown = sheet.filter(pl.col("Lead").is_null())["Detail"].to_list()
    assert [s.split(":")[0] for s in unknown] == [
        "Recycled too early, Stale leads", "Recycled, not enrolled in nurture in time",
    ]  # fmt: skip


def test_a_metric_the_data_cannot_measure_gets_no_significance_test(untouched_pack):
    from analytics.pack.export import pack_sheets

    # lead -> MQL 4/4 then 4/20, leads 4 then 20, MQLs 4 then 4: the only three the fixture
    # can measure in both months (no traffic, touches, SQL / SAL events or opportunities)
    assert untouched_pack.changes["metric"].to_list() == ["lead_to_mql", "leads", "mqls"]
    assert "_3 changes tested at the 5 % level" in render_markdown(untouched_pack)
    assert "3 changes tested" in text_of(render_html(untouched_pack, charts=False))
    sheet = pack_sheets(untouched_pack)["What changed since last month"]
    assert sheet.height == 3 and not sheet["Change"].str.contains("– \\(\\)").any()
    assert "3 Veränderungen auf dem Signifikanzniveau" in render_markdown(untouched_pack, lang="de")


def test_the_workbook_gives_the_same_reasons_and_no_target_as_the_markdown(untouched_pack):
    from analytics.pack.export import pack_sheets

    md = render_markdown(untouched_pack).replace("\\_", "_")
    sheets = pack_sheets(untouched_pack)
    kpis = dict(sheets["KPIs"].select("KPI", "Status").rows())
    assert kpis["First touch within SLA"] == f"no data: {TOUCHES}"
    assert kpis["Lead -> MQL"] == "met"
    cards = dict(sheets["SLA scorecards"].select("Promise", "Status").rows())
    nurture = "Recycled leads in a nurture track within 2 days"
    assert cards[nurture] == (
        "no target: No nurture enrollments were imported: import nurture_enrollments."
    )
    assert cards["First sales touch within 24 h of the MQL"] == f"no data: {TOUCHES}"
    cells = footnoted_cells(md)
    for status in (*kpis.values(), *cards.values()):
        assert status in cells  # the markdown's very words
    funnel = dict(sheets["Funnel"].select("Stage", "Why unknown").rows())
    traffic = "No web traffic was imported: import web_traffic (visitors per day and source)."
    assert funnel["Visitors"] == traffic and funnel["Leads"] is None
    assert funnel["Deals won"] == "No opportunities were imported: import opportunities."
    assert f"Visitors: {traffic}" in cells
    de = dict(
        pack_sheets(untouched_pack, lang="de")["SLA-Scorecards"].select("Zusage", "Status").rows()
    )
    assert de["Recycelte Leads innerhalb von 2 Tagen in einem Nurture-Track"].startswith(
        "kein Ziel: Es wurden keine Nurturing-Einschreibungen importiert"
    )


def test_the_workbook_shows_signed_changes_without_an_apostrophe(pack):
    from tests.test_export import read_xlsx

    book = read_xlsx(render_pack(pack, fmt="xlsx"))
    change = [row[4] for row in book["KPIs"][1:]]
    assert "+0" in change and "-50.0 pp" in change  # MQLs 4 -> 4; speed to lead 100 -> 50 %
    assert not any(str(c).startswith("'") for row in book["KPIs"] for c in row)


def test_the_funnel_chart_leaves_out_volumes_the_data_cannot_count(pack):
    """A volume the data cannot count is "–" with its reason in the table above the chart:
    the chart draws no bar for it rather than a bar of 0 (spec/coverage.md)."""
    import dataclasses

    from analytics.pack.render import chart_specs

    def bars(p) -> dict[tuple[str, str], int]:
        spec = chart_specs(p).get("funnel")
        if spec is None:
            return {}
        (values,) = spec["datasets"].values()
        return {(v["stage"], v["month"]): v["count"] for v in values}

    assert bars(pack)[("Leads", "2026-10")] == pack.review.volumes["leads"]
    unknown = dict.fromkeys(pack.review.volumes)
    blind = dataclasses.replace(
        pack,
        review=dataclasses.replace(pack.review, volumes={**pack.review.volumes, "leads": None}),
    )
    drawn = bars(blind)
    assert ("Leads", "2026-10") not in drawn and ("Leads", "2026-09") in drawn
    assert ("MQLs", "2026-10") in drawn
    nothing = dataclasses.replace(
        blind,
        review=dataclasses.replace(pack.review, volumes=unknown),
        previous=dataclasses.replace(pack.previous, volumes=unknown),
    )
    assert bars(nothing) == {}  # no chart at all, never a row of zero bars


def test_the_mql_pace_action_counts_whole_mqls_as_the_pacing_table(pack):
    """646.09 MQLs needed are 647 in the pacing table; the action item said 646."""
    import dataclasses

    from analytics.pack.build import action_items

    pacing = pl.DataFrame(
        {"period": ["month"], "stage": ["mqls"], "actual": [51.0], "target": [646.09],
         "expected_to_date": [646.09], "pace": [51 / 646.09], "forecast": [51.0]}
    )  # fmt: skip
    review = dataclasses.replace(pack.review, pacing=pacing)
    items = action_items(review, pack.kpis, pack.changes, CFG, names=pack.rep_names)
    (item,) = [i for i in items if i.metric == "mqls"]
    assert item.evidence == "51 MQLs vs 647 expected to date (month target 647, forecast 51)"


@pytest.fixture(scope="module")
def running(warehouse):
    """October judged on 15 October: a running month (15 of 31 days)."""
    return _pack(warehouse, "2026-10", as_of=datetime(2026, 10, 15, tzinfo=UTC))


def test_a_running_months_promise_is_the_months_not_its_pro_rated_share(running):
    """Its MQLs are judged against 338.7, and the promise read "Deliver 338.709677 MQLs a
    month"."""
    assert running.review.running
    (mqls,) = [r for r in running.scorecards["marketing"] if r.metric == "mqls"]
    assert mqls.target == pytest.approx(700 * 15 / 31)  # what the month is judged against
    assert mqls.promise_words.render() == "Deliver 700 MQLs a month"
    assert mqls.promise_words.render(lang="de") == "700 MQLs im Monat liefern"


def test_a_running_months_pack_says_it_is_not_compared(pack, running):
    """The header said "compared with 2026-09" above a column of unexplained "–"."""
    from analytics.pack.render import render_markdown

    assert "running: not compared with 2026-09" in render_markdown(running)
    assert "laufend: nicht mit 2026-09 verglichen" in render_markdown(running, lang="de")
    assert "compared with 2026-09" in render_markdown(pack)  # a month that has ended


def test_a_month_before_the_first_sla_version_says_no_version_was_in_force(warehouse):
    """Olist's 2018 months read "judged by the SLA in force then (version 2026.2)" beside
    "in force from 2026-01-01"."""
    from analytics.config import parse_config
    from analytics.pack.render import render_markdown

    text = Path("data/sla.toml").read_text(encoding="utf-8")
    later = parse_config(
        text.replace('effective_from = "2026-01-01"', 'effective_from = "2026-10-01"')
    )
    con = connect_readonly(warehouse)
    try:
        p = build_pack(load_tables(con), later, month="2026-10", as_of=AS_OF, versions=[])
    finally:
        con.close()
    md = render_markdown(p)
    assert "2026-09 is judged by version 2026.2, the earliest recorded (in force from " in md
    assert "no version was in force then." in md
    assert "2026-09 is judged by the SLA in force then" not in md


def test_the_pack_says_why_a_rate_above_100_percent_has_no_interval():
    # one MQL, three SQLs: two leads skipped the MQL status (a Salesforce export)
    tables = Tables.from_rows(
        leads=[
            {"lead_id": f"S{i}", "created_at": "2026-10-01T08:00:00Z", "source": "email"}
            for i in (1, 2, 3)
        ],
        lifecycle_events=[
            {"lead_id": "S1", "stage": "mql", "entered_at": "2026-10-01T09:00:00Z"},
            *(
                {"lead_id": f"S{i}", "stage": "sql", "entered_at": "2026-10-02T09:00:00Z"}
                for i in (1, 2, 3)
            ),
        ],
    )
    pack = build_pack(tables, CFG, month="2026-10", as_of=AS_OF)
    rows = {r["stage"]: r for r in funnel_rows(pack, lang="de")}
    assert rows["mqls"]["rate"]["rate"] == 3.0
    assert rows["mqls"]["rate_reason"].startswith("Mehr SQLs (3) als MQLs (1) in diesem Monat")
    assert rows["leads"]["rate_reason"] is None  # 1 / 3 is a share
    text = render_markdown(pack)
    assert "| ≥ 30.0 % | – | 3 / 1 | no data² |" in text  # ¹: no web traffic
    (status,) = [c for c in footnoted_cells(text) if c.startswith("no data: More SQLs (3) ")]
    assert status.startswith("no data: More SQLs (3) than MQLs (1) this month")


def _change(kind: str, direction: str, before: float, after: float, counts) -> dict:
    """A row of the pack's tested changes (``ReviewPack.changes``)."""
    (px, pn), (cx, cn) = counts
    return {"metric": "deals_won" if kind == "count" else "visitor_to_lead", "kind": kind,
            "direction": direction, "previous": before, "current": after,
            "previous_x": px, "previous_n": pn, "current_x": cx, "current_n": cn,
            "p_value": 0.04}  # fmt: skip


@pytest.mark.parametrize(
    ("row", "lang", "told"),
    [
        # the demo's November: one deal in each month, 1/30 then 1/25 a day ("0.0 to 0.0")
        (_change("count", "up", 1 / 30, 1 / 25, ((1, 30), (1, 25))), "en",
         "Deals won rose from 1 (0.03 a day) to 1 (0.04 a day)"),
        (_change("rate", "down", 0.0214, 0.0176, ((214, 10_000), (176, 10_000))), "de",
         "gesunken von 2,1 % (214 / 10.000) auf 1,8 % (176 / 10.000)"),
        (_change("rate", "down", 0.25, 0.1, ((1, 4), (1, 10))), "en",
         "fell from 25 % (1 / 4) to 10 % (1 / 10)"),  # apart already: whole percentages
    ],
)  # fmt: skip
def test_a_tested_change_is_never_written_as_no_change(row, lang, told):
    """Rounding does not hide a change the meeting is told of (audit "numbers agree", L3)."""
    from analytics.pack.render import change_sentence

    assert told in change_sentence(row, lang=lang)
