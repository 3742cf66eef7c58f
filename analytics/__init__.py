"""SLA Analytics: run a B2B sales & marketing SLA on data.

The library an analyst imports. Every function takes polars LazyFrames (data first,
options keyword-only) and returns LazyFrames; collect at the edge.

>>> import analytics
>>> tables = analytics.Tables.empty()
>>> config = analytics.load_config("data/sla.toml")
>>> review = analytics.build_review(tables, config, month="2026-10")
>>> print(review.to_json_dict()["volumes"]["mqls"])  # no data answers nothing: null, not 0
None

Open the warehouse with :func:`analytics.warehouse.connect_readonly` and
:func:`analytics.warehouse.load_tables`; scoring lives in :mod:`analytics.scoring`
(it imports scikit-learn, so it is not imported here).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Where each exported name lives. Imported on first use, so that `import analytics.cli`
# (and with it every `sla` command) does not pay for modules it does not need.
_EXPORTS: dict[str, str] = {
    "ConfigError": "analytics.config",
    "Review": "analytics.review",
    "SlaConfig": "analytics.config",
    "Tables": "analytics.tables",
    "build_review": "analytics.review",
    "cadence_episodes": "analytics.cadence",
    "cadence_summary": "analytics.cadence",
    "cohort_rates": "analytics.funnel",
    "handoff_summary": "analytics.handoff",
    "kpi_table": "analytics.kpis",
    "load_config": "analytics.config",
    "month_window": "analytics.timeframe",
    "monthly_volumes": "analytics.funnel",
    "mql_episodes": "analytics.episodes",
    "pacing": "analytics.goals",
    "period_rates": "analytics.funnel",
    "rate_columns": "analytics.stats",
    "reverse_funnel": "analytics.goals",
    "speed_to_lead": "analytics.handoff",
    "velocity": "analytics.funnel",
    "wilson": "analytics.stats",
}

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'analytics' has no attribute {name!r}")


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
