"""Tiny hand-built warehouses for the saved-model tests (after the score audit's
``make_case.py``): ``n`` leads over 2025, one activity each, SQL 10 days after creation
for the leads a rule picks; one last activity and one last lead make the data run to
2026-09-01."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

TYPES = ("page_view", "content_download", "webinar_attended", "demo_request", "pricing_page_view")


def _is_sql(i: int, n: int, rule: str) -> bool:
    if rule == "oldhalf":  # only the older 60 %: the newest (test) leads hold no SQL
        return i < 0.6 * n and i % 4 == 0
    if rule == "mixed":  # every 7th, and half the demo requests: no feature tells it alone
        return i % 7 == 0 or (i % 5 == 3 and i % 2 == 0)
    if rule == "few":  # six SQLs, two of them among the newest 30 % (the test leads)
        return i in (3, 40, 80, 150, 250, 280)
    raise ValueError(f"unknown rule {rule!r}; allowed: oldhalf, mixed, few")


def write_case(folder: Path, *, n: int = 300, rule: str = "mixed", shift_days: float = 0) -> Path:
    """A canonical folder of ``n`` leads (created ``shift_days`` later than the default)."""
    folder.mkdir(parents=True, exist_ok=True)
    start = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=shift_days)

    def iso(t: datetime) -> str:
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")

    leads, events, acts = [], [], []
    for i in range(n):
        t = start + timedelta(days=365) * i / n
        lid = f"L{i:04d}"
        kind = ("organic", "vp"), ("email", "manager"), ("referral", "individual")
        source, seniority = kind[i % 3]
        leads.append({"lead_id": lid, "created_at": iso(t), "source": source,
                      "seniority": seniority, "country": "DE"})  # fmt: skip
        events.append({"lead_id": lid, "stage": "lead", "entered_at": iso(t)})
        acts.append({"activity_id": f"A{i}", "lead_id": lid, "occurred_at": iso(t),
                     "type": TYPES[i % 5]})  # fmt: skip
        if _is_sql(i, n, rule):
            sql_at = iso(t + timedelta(days=10))
            events.append({"lead_id": lid, "stage": "sql", "entered_at": sql_at})
    acts.append({"activity_id": "Aend", "lead_id": "L0000", "occurred_at": "2026-09-01T00:00:00Z",
                 "type": "page_view"})  # fmt: skip
    # a last lead, disqualified that day: the stage history runs to 2026-09-01 as well, so
    # the outcomes of 2025's leads are known (scoring.rules.outcomes_known_until)
    leads.append({"lead_id": "Lend", "created_at": "2026-09-01T00:00:00Z", "source": "organic",
                  "seniority": "vp", "country": "DE"})  # fmt: skip
    last_day = "2026-09-01T00:00:00Z"
    events.append({"lead_id": "Lend", "stage": "disqualified", "entered_at": last_day})
    for name, rows in (("leads", leads), ("lifecycle_events", events), ("activities", acts)):
        with open(folder / f"{name}.csv", "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    (folder / "reps.csv").write_text("rep_id,name,team,weekly_capacity\nR1,,sdr,40\n")
    return folder


def case_db(tmp: Path, *, rule: str = "mixed", shift_days: float = 0) -> Path:
    """A warehouse at ``tmp/wh.duckdb`` holding :func:`write_case`'s folder."""
    from analytics.config import load_config
    from analytics.warehouse.adapters import import_export

    db = tmp / "wh.duckdb"
    folder = write_case(tmp / "in", rule=rule, shift_days=shift_days)
    import_export(db, folder, config=load_config("data/sla.toml"))
    return db
