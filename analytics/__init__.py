"""SLA Analytics: run a B2B sales & marketing SLA on data.

The library an analyst imports. Every function takes polars LazyFrames (data first,
options keyword-only) and returns LazyFrames; collect at the edge.

>>> import analytics
>>> tables = analytics.Tables.empty()
>>> config = analytics.load_config("data/sla.toml")
>>> review = analytics.build_review(tables, config, month="2026-10")
>>> review.to_json_dict()["volumes"]["mqls"]
0

Open the warehouse with :func:`analytics.warehouse.connect_readonly` and
:func:`analytics.warehouse.load_tables`; scoring lives in :mod:`analytics.scoring`
(it imports scikit-learn, so it is not imported here).
"""

from analytics.cadence import cadence_episodes, cadence_summary
from analytics.config import ConfigError, SlaConfig, load_config
from analytics.episodes import mql_episodes
from analytics.funnel import cohort_rates, monthly_volumes, period_rates, velocity
from analytics.goals import pacing, reverse_funnel
from analytics.handoff import handoff_summary, speed_to_lead
from analytics.kpis import kpi_table
from analytics.review import Review, build_review
from analytics.stats import rate_columns, wilson
from analytics.tables import Tables
from analytics.timeframe import month_window

__all__ = [
    "ConfigError",
    "Review",
    "SlaConfig",
    "Tables",
    "build_review",
    "cadence_episodes",
    "cadence_summary",
    "cohort_rates",
    "handoff_summary",
    "kpi_table",
    "load_config",
    "month_window",
    "monthly_volumes",
    "mql_episodes",
    "pacing",
    "period_rates",
    "rate_columns",
    "reverse_funnel",
    "speed_to_lead",
    "velocity",
    "wilson",
]
