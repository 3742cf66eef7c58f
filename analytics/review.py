"""The monthly sales-marketing review, assembled once for the CLI, the app and the pack.

:func:`build_review` cuts the data at ``as_of``, materialises the tables it needs once,
builds the MQL episodes once and assigns the sales touches to them once, then derives
every section of the review (funnel, handoff, cadence, recycling, nurture, goals, KPIs,
breach lists) from those shared intermediates and collects them together.

>>> from analytics.config import load_config
>>> from analytics.tables import Tables
>>> r = build_review(Tables.empty(), load_config("data/sla.toml"), month="2026-10")
>>> r.to_json_dict()["handoff"]
{'met': 0, 'missed': 0, 'pending': 0, 'compliance': None, 'median_hours_to_first_touch': None}
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl

from analytics import cadence as cad
from analytics import handoff as ho
from analytics import nurture as nu
from analytics.config import KPI_METRICS, SlaConfig
from analytics.episodes import episode_touches, mql_episodes, with_touch_stats
from analytics.funnel import (
    SEGMENT_COLUMNS,
    VOLUME_COLUMNS,
    check_segment,
    cohort_rates,
    lead_segments,
    monthly_volumes,
    period_rates,
    skipped_stages,
    velocity,
)
from analytics.goals import monthly_targets, pacing
from analytics.kpis import kpi_table
from analytics.stats import ratio
from analytics.tables import Tables
from analytics.timeframe import (
    Window,
    as_utc,
    format_utc,
    month_window,
    parse_month,
    shift_month,
)

#: Keys of the ``volumes`` object of ``sla review --json`` (spec/cli.md), in order.
JSON_VOLUMES: tuple[str, ...] = (
    "visitors", "leads", "mqls", "sals", "sqls", "opportunities", "recycled", "disqualified",
    "deals_won", "won_revenue",
)  # fmt: skip
JSON_CONVERSION: tuple[str, ...] = (
    "visitor_to_lead", "lead_to_mql", "mql_to_sql", "sql_to_opportunity", "opportunity_to_won",
)  # fmt: skip


def _clean(value: Any) -> Any:
    """A JSON-safe scalar: NaN / inf -> None, numpy-ish numbers -> Python."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):
        return format_utc(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _row(frame: pl.DataFrame) -> dict[str, Any]:
    return {k: _clean(v) for k, v in frame.row(0, named=True).items()} if frame.height else {}


def _records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in r.items()} for r in frame.iter_rows(named=True)]


@dataclass
class Review:
    """One month's review: every number of the monthly meeting, collected.

    Scalars are plain dicts (JSON-ready, None where a number cannot be computed);
    detail tables are polars DataFrames. See :func:`build_review`.
    """

    month: str
    as_of: datetime | None
    window: Window
    segment: dict[str, Any] | None
    volumes: dict[str, Any]
    previous_volumes: dict[str, Any]
    conversion: pl.DataFrame
    cohorts: pl.DataFrame
    velocity: pl.DataFrame
    skipped_stages: pl.DataFrame
    handoff: dict[str, Any]
    speed_to_lead: pl.DataFrame
    handoff_by_rep: pl.DataFrame
    handoff_by_team: pl.DataFrame
    handoff_by_week: pl.DataFrame
    acceptance: dict[str, Any]
    rejection_reasons: pl.DataFrame
    cadence: dict[str, Any]
    cadence_episodes: pl.DataFrame
    cadence_by_rep: pl.DataFrame
    channel_mix: pl.DataFrame
    gaps_by_rep: pl.DataFrame
    stall_reasons: pl.DataFrame
    recycling: dict[str, Any]
    recycled_enrollment: pl.DataFrame
    nurture_enrollments: pl.DataFrame
    nurture_exits: pl.DataFrame
    nurture_progression: pl.DataFrame
    remql: dict[str, Any]
    sales_triggered: pl.DataFrame
    unknown_tracks: pl.DataFrame
    targets: pl.DataFrame
    pacing: pl.DataFrame
    kpi_values: dict[str, Any]
    previous_kpi_values: dict[str, Any]
    kpis: pl.DataFrame
    breaches: dict[str, pl.DataFrame] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        """The ``sla review --json`` document (spec/cli.md); more keys than the spec, none renamed.

        Numbers that cannot be computed are None (JSON null), never NaN.
        """
        conv = {r["metric"]: r for r in _records(self.conversion)}
        return {
            "month": self.month,
            "as_of": format_utc(self.as_of),
            "volumes": {k: self.volumes.get(k) for k in (*JSON_VOLUMES, "customers")},
            "conversion": {k: conv.get(k, {}).get("rate") for k in JSON_CONVERSION},
            "handoff": {
                k: self.handoff.get(k)
                for k in ("met", "missed", "pending", "compliance", "median_hours_to_first_touch")
            },
            "cadence": {
                k: self.cadence.get(k) for k in ("judged", "held", "compliance", "attempts_per_mql")
            },
            "recycling": {k: self.recycling.get(k) for k in ("recycled", "premature", "stale")},
            "segment": self.segment,
            "conversion_counts": {
                k: {f: conv.get(k, {}).get(f) for f in ("x", "n", "rate", "ci_low", "ci_high")}
                for k in JSON_CONVERSION
            },
            "acceptance": dict(self.acceptance),
            "nurture": {
                "recycled_enrolled": {
                    k: self.recycling.get(f"enrollment_{k}")
                    for k in ("in_time", "late", "missing", "pending")
                },
                "remql": dict(self.remql),
            },
            "kpis": _records(self.kpis),
            "breaches": {name: frame.height for name, frame in self.breaches.items()},
        }


def _resolve_as_of(tables: Tables, as_of: datetime | None) -> datetime | None:
    if as_of is not None:
        return as_utc(as_of)
    latest = tables.latest_timestamp()
    return None if latest is None else as_utc(latest)


def _segment_tables(tables: Tables, segment: Mapping[str, Any], config: SlaConfig) -> Tables:
    """The tables restricted to the leads of a segment (e.g. ``{"source": "email"}``)."""
    for key in segment:
        check_segment(key)
    segs = lead_segments(tables.leads, tables.accounts, config=config)
    cond = pl.lit(True)
    for key, value in segment.items():
        values = list(value) if isinstance(value, list | tuple | set) else [value]
        cond = cond & pl.col(SEGMENT_COLUMNS[key]).is_in(values)
    ids = segs.filter(cond).select("lead_id")
    keep = lambda lf: lf.join(ids, on="lead_id", how="semi")  # noqa: E731
    if set(segment) == {"source"}:
        value = segment["source"]
        sources = list(value) if isinstance(value, list | tuple | set) else [value]
        traffic = tables.web_traffic.filter(pl.col("source").is_in(sources))
    else:  # anonymous visitors cannot be split by anything but source
        traffic = tables.web_traffic.filter(pl.lit(False))
    return Tables(
        accounts=tables.accounts,
        reps=tables.reps,
        leads=keep(tables.leads),
        lifecycle_events=keep(tables.lifecycle_events),
        activities=keep(tables.activities),
        sales_touches=keep(tables.sales_touches),
        nurture_enrollments=keep(tables.nurture_enrollments),
        opportunities=keep(tables.opportunities),
        web_traffic=traffic,
    )


def _materialise(t: Tables) -> Tables:
    """Collect every table once (activities: only rows with a buyer stage)."""
    activities = t.activities.filter(pl.col("buyer_stage").is_not_null())
    lazies = [
        t.accounts, t.reps, t.leads, t.lifecycle_events, activities, t.sales_touches,
        t.nurture_enrollments, t.opportunities, t.web_traffic,
    ]  # fmt: skip
    frames = pl.collect_all(lazies)
    names = [name for name, _ in t.items()]
    return Tables(**{n: f.lazy() for n, f in zip(names, frames, strict=True)})


def _month_frames(
    t: Tables,
    stats: pl.LazyFrame,
    touches: pl.LazyFrame,
    *,
    config: SlaConfig,
    month: str,
    as_of: datetime,
    detail: bool,
) -> dict[str, pl.LazyFrame]:
    """Every lazy frame of one month's review (``detail``: also the tables for people)."""
    tz = config.reporting.timezone
    window = month_window(month, timezone=tz)
    eps = stats.filter(window.contains("started_at"))
    m_touches = touches.join(
        eps.select("lead_id", "episode"), on=["lead_id", "episode"], how="semi"
    )
    volumes = monthly_volumes(t, config=config, month=month)
    speed = ho.speed_to_lead(eps, t.sales_touches, config=config, as_of=as_of)
    accepted = ho.acceptance(eps, t.lifecycle_events, as_of=as_of)
    cadence = cad.cadence_episodes(eps, m_touches, config=config, as_of=as_of)
    premature = ho.premature_recycles(stats.filter(window.contains("ended_at")), config=config)
    enrollment = ho.recycled_enrollment(
        t.lifecycle_events, t.nurture_enrollments, config=config, window=window, as_of=as_of
    )
    remqls = nu.remql(t.lifecycle_events, config=config, window=window, as_of=as_of)
    frames: dict[str, pl.LazyFrame] = {
        "volumes": volumes,
        "conversion": period_rates(volumes),
        "handoff": ho.handoff_summary(speed),
        "acceptance": ho.acceptance_summary(accepted),
        "cadence": cad.cadence_summary(cadence),
        "premature": premature,
        "enrollment": enrollment,
        "remql": nu.remql_rate(remqls, config=config, window=window, as_of=as_of),
    }
    if not detail:
        return frames
    gaps = cad.attempt_gaps(m_touches)
    frames.update(
        {
            "speed": speed,
            "handoff_by_rep": ho.handoff_by(speed, by="rep", reps=t.reps),
            "handoff_by_team": ho.handoff_by(speed, by="team", reps=t.reps),
            "handoff_by_week": ho.handoff_by(speed, by="week", timezone=tz),
            "handoff_breaches": ho.handoff_breaches(speed),
            "rejection_reasons": ho.rejection_reasons(accepted),
            "cadence_episodes": cadence,
            "cadence_by_rep": cad.cadence_by_rep(cadence, reps=t.reps),
            "channel_mix": cad.channel_mix(m_touches),
            "gaps_by_rep": cad.gap_summary(gaps, by=["rep_id"]),
            "stall_reasons": cad.stall_reasons(cadence, eps, m_touches),
            "never_contacted": cad.never_contacted(cadence, as_of=as_of),
            "cadence_breaches": cad.cadence_breaches(cadence),
            "stale": ho.stale_leads(stats, config=config, as_of=as_of),
            "cohorts": cohort_rates(t, config=config, month=month, as_of=as_of),
            "velocity": velocity(t, config=config, month=month),
            "skipped": skipped_stages(t, config=config, month=month),
            "nurture_enrollments": nu.enrollments_by_track(
                t.nurture_enrollments, config=config, window=window
            ),
            "nurture_exits": nu.exits_by_reason(t.nurture_enrollments, window=window),
            "nurture_progression": nu.stage_progression(
                t.nurture_enrollments, t.activities, window=window, as_of=as_of
            ),
            "sales_triggered": nu.sales_triggered_outcomes(
                nu.sales_triggered(
                    t.nurture_enrollments, t.lifecycle_events, config=config, window=window
                )
            ),
            "unknown_tracks": nu.unknown_tracks(t.nurture_enrollments, config=config),
            "targets": monthly_targets(t, config=config, month=month),
            "pacing": pacing(t, config=config, month=month, as_of=as_of),
        }
    )
    return frames


def _summaries(
    frames: Mapping[str, pl.DataFrame], config: SlaConfig, *, stale: int | None
) -> dict[str, dict[str, Any]]:
    """The scalar sections of one month from its collected frames."""
    volumes = _row(frames["volumes"].drop("month"))
    for key in VOLUME_COLUMNS:
        volumes.setdefault(key, None)
    handoff = _row(frames["handoff"])
    cadence = _row(frames["cadence"])
    acceptance = _row(frames["acceptance"])
    premature = frames["premature"]
    status_counts = dict(frames["enrollment"].group_by("status").len().iter_rows())
    recycling = {
        "recycled": volumes.get("recycled"),
        "recycled_episodes": premature.height,
        "premature": int(premature["is_premature"].sum()) if premature.height else 0,
        "stale": stale,
        **{f"enrollment_{s}": int(status_counts.get(s, 0)) for s in ho.EnrollmentStatus.__args__},
    }
    judged_enrollment = sum(status_counts.get(s, 0) for s in ("in_time", "late", "missing"))
    recycling["enrolled_in_time_rate"] = ratio(status_counts.get("in_time", 0), judged_enrollment)
    remql = _row(frames["remql"])
    conv = {r["metric"]: r for r in _records(frames["conversion"])}
    kpi = {
        **{k: volumes.get(k) for k in VOLUME_COLUMNS if k != "customers"},
        **{k: conv.get(k, {}).get("rate") for k in JSON_CONVERSION},
        "mql_attainment": ratio(volumes.get("mqls"), config.goals.mql_target_monthly),
        "mql_rejection_rate": acceptance.get("rejection_rate"),
        "handoff_compliance": handoff.get("compliance"),
        "median_hours_to_first_touch": handoff.get("median_hours_to_first_touch"),
        "cadence_compliance": cadence.get("compliance"),
        "attempts_per_mql": cadence.get("attempts_per_mql"),
        "premature_recycles": recycling["premature"],
        "stale_leads": stale,
        "recycled_enrolled_in_time": recycling["enrolled_in_time_rate"],
        "remql_rate": remql.get("rate"),
    }
    kpi = {k: kpi.get(k) for k in KPI_METRICS}
    return {
        "volumes": volumes,
        "handoff": handoff,
        "cadence": cadence,
        "acceptance": acceptance,
        "recycling": recycling,
        "remql": remql,
        "kpi": kpi,
    }


def _without_visitors(frames: dict[str, pl.DataFrame]) -> None:
    """Anonymous visitors cannot be split by a lead attribute: null, not 0."""
    frames["volumes"] = frames["volumes"].with_columns(pl.lit(None, pl.Int64).alias("visitors"))
    visitors = pl.col("metric") == "visitor_to_lead"
    frames["conversion"] = frames["conversion"].with_columns(
        pl.when(~visitors).then(pl.col(c)).alias(c) for c in ("n", "rate", "ci_low", "ci_high")
    )


def build_review(
    tables: Tables,
    config: SlaConfig,
    *,
    month: str,
    as_of: datetime | None = None,
    segment: dict | None = None,
) -> Review:
    """Assemble the month's review (spec/metrics.md, every section).

    Parameters
    ----------
    tables : Tables
        The warehouse tables (lazy; each is read once).
    config : SlaConfig
        The SLA in force.
    month : str
        ``YYYY-MM``, a calendar month in ``config.reporting.timezone``.
    as_of : datetime, optional
        The moment of judgement (default: the latest timestamp in the data; for an empty
        warehouse the end of the month). Anything later is ignored.
    segment : dict, optional
        Restrict to the leads of a segment, e.g. ``{"source": "email"}`` or
        ``{"size_band": ["250-999", "1000+"]}`` (keys: :data:`analytics.funnel.SEGMENTS`).
        Visitors split only by source; for other segments they are null.

    Returns
    -------
    Review
        Scalars and detail frames; ``to_json_dict()`` is the ``sla review --json`` document.

    Raises
    ------
    analytics.timeframe.TimeframeError
        For a month that is not ``YYYY-MM``.
    ValueError
        For an unknown segment key.
    """
    parse_month(month)
    tz = config.reporting.timezone
    window = month_window(month, timezone=tz)
    if segment:
        for key in segment:
            check_segment(key)
    resolved = _resolve_as_of(tables, as_of)
    judge_at = resolved if resolved is not None else window.end
    t = tables.until(judge_at)
    if segment:
        t = _segment_tables(t, segment, config)
    t = _materialise(t)

    # Shared intermediates: every episode, then the touches of the episodes that matter
    # (those of this and the previous month, those ending in them, and the open ones).
    episodes = mql_episodes(t.lifecycle_events, t.leads).collect()
    prev = shift_month(month, -1)
    span = month_window(prev, timezone=tz)
    lo, hi = span.start_lit, window.end_lit
    relevant = episodes.lazy().filter(
        pl.col("ended_at").is_null()
        | pl.col("started_at").is_between(lo, hi, closed="left")
        | pl.col("ended_at").is_between(lo, hi, closed="left")
    )
    touches = episode_touches(relevant, t.sales_touches, as_of=judge_at).collect()
    stats = with_touch_stats(relevant, touches.lazy()).collect()

    current = _month_frames(
        t, stats.lazy(), touches.lazy(), config=config, month=month, as_of=judge_at, detail=True
    )
    previous = _month_frames(
        t, stats.lazy(), touches.lazy(), config=config, month=prev, as_of=judge_at, detail=False
    )
    names = list(current) + [f"prev:{k}" for k in previous]
    collected = dict(
        zip(names, pl.collect_all([*current.values(), *previous.values()]), strict=True)
    )
    cur = {k: v for k, v in collected.items() if not k.startswith("prev:")}
    old = {k.removeprefix("prev:"): v for k, v in collected.items() if k.startswith("prev:")}
    if segment and set(segment) != {"source"}:
        _without_visitors(cur)
        _without_visitors(old)

    stale_frame = cur["stale"]
    now = _summaries(cur, config, stale=stale_frame.height)
    before = _summaries(old, config, stale=None)
    kpis = kpi_table(now["kpi"], before["kpi"], config=config).collect()
    premature = cur["premature"]
    enrollment = cur["enrollment"]
    breaches = {
        "handoff": cur["handoff_breaches"],
        "cadence": cur["cadence_breaches"],
        "never_contacted": cur["never_contacted"],
        "premature_recycles": premature.filter(pl.col("is_premature")).sort(
            "attempts_short", "lead_id", descending=[True, False]
        ),
        "stale_leads": stale_frame,
        "recycled_not_enrolled": enrollment.filter(pl.col("status").is_in(["late", "missing"])),
    }
    return Review(
        month=window.label,
        as_of=resolved,
        window=window,
        segment=dict(segment) if segment else None,
        volumes=now["volumes"],
        previous_volumes=before["volumes"],
        conversion=cur["conversion"].drop("month"),
        cohorts=cur["cohorts"],
        velocity=cur["velocity"],
        skipped_stages=cur["skipped"],
        handoff=now["handoff"],
        speed_to_lead=cur["speed"],
        handoff_by_rep=cur["handoff_by_rep"],
        handoff_by_team=cur["handoff_by_team"],
        handoff_by_week=cur["handoff_by_week"],
        acceptance=now["acceptance"],
        rejection_reasons=cur["rejection_reasons"],
        cadence=now["cadence"],
        cadence_episodes=cur["cadence_episodes"],
        cadence_by_rep=cur["cadence_by_rep"],
        channel_mix=cur["channel_mix"],
        gaps_by_rep=cur["gaps_by_rep"],
        stall_reasons=cur["stall_reasons"],
        recycling=now["recycling"],
        recycled_enrollment=enrollment,
        nurture_enrollments=cur["nurture_enrollments"],
        nurture_exits=cur["nurture_exits"],
        nurture_progression=cur["nurture_progression"],
        remql=now["remql"],
        sales_triggered=cur["sales_triggered"],
        unknown_tracks=cur["unknown_tracks"],
        targets=cur["targets"],
        pacing=cur["pacing"],
        kpi_values=now["kpi"],
        previous_kpi_values=before["kpi"],
        kpis=kpis,
        breaches=breaches,
    )


def review_sections() -> Sequence[str]:
    """The top-level keys of :meth:`Review.to_json_dict` that spec/cli.md fixes."""
    return ("month", "as_of", "volumes", "conversion", "handoff", "cadence", "recycling")


__all__ = ["JSON_CONVERSION", "JSON_VOLUMES", "Review", "build_review", "review_sections"]
