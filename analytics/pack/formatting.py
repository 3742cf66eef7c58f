"""Numbers of the review as people read them (the pack's templates only display these).

>>> format_metric("handoff_compliance", 0.923), format_metric("mqls", 1234.0)
('92.3 %', '1,234')
>>> format_change("handoff_compliance", 0.0425), format_change("mqls", -12.0)
('+4.2 pp', '-12')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from analytics.texts import Lang, number, percent

MetricKind = Literal["rate", "count", "money", "hours", "number"]

_COUNTS = {
    "visitors", "leads", "mqls", "sals", "sqls", "opportunities", "customers", "recycled",
    "disqualified", "deals_won", "premature_recycles", "stale_leads",
}  # fmt: skip
_KINDS: dict[str, MetricKind] = {
    **dict.fromkeys(_COUNTS, "count"),
    "won_revenue": "money",
    "median_hours_to_first_touch": "hours",
    "attempts_per_mql": "number",
}

#: Shown where a number cannot be computed.
NO_DATA = "n/a"


def metric_kind(metric: str) -> MetricKind:
    """How a metric is shown: a rate (share), a count, money, hours or a plain number.

    >>> metric_kind("mql_to_sql"), metric_kind("stale_leads"), metric_kind("won_revenue")
    ('rate', 'count', 'money')
    """
    return _KINDS.get(metric, "rate")


def format_metric(
    metric: str, value: float | None, *, currency: str = "EUR", lang: Lang = "en"
) -> str:
    """A metric's value: ``92.3 %``, ``1,234``, ``41,183 EUR``, ``3.6 h``, ``3.4``.

    ``lang="de"`` writes German separators (``92,3 %``, ``1.234``).

    >>> format_metric("won_revenue", 41183.3, currency="EUR"), format_metric("mqls", None)
    ('41,183 EUR', 'n/a')
    >>> format_metric("handoff_compliance", 0.923, lang="de"), format_metric("mqls", 1e3, lang="de")
    ('92,3 %', '1.000')
    """
    if value is None:
        return NO_DATA
    kind = metric_kind(metric)
    if kind == "rate":
        return percent(value, lang, digits=1)
    if kind == "count":
        return number(value, lang)
    if kind == "money":
        return f"{number(value, lang)} {currency}"
    if kind == "hours":
        return f"{number(value, lang, digits=1)} h"
    return number(value, lang, digits=1)


@dataclass(frozen=True)
class MetricValue:
    """A metric's value as a parameter of a text (:mod:`analytics.texts`): rendered in the
    text's language by :func:`format_metric`.

    >>> MetricValue("attempts_per_mql", 3.25).render(lang="de")
    '3,2'
    """

    metric: str
    value: float | None
    currency: str = "EUR"

    def render(self, *, lang: Lang = "en") -> str:
        return format_metric(self.metric, self.value, currency=self.currency, lang=lang)


def format_change(metric: str, change: float | None, *, currency: str = "EUR") -> str:
    """A change between two months: percentage points for rates, signed otherwise.

    >>> format_change("median_hours_to_first_touch", 0.66), format_change("mqls", None)
    ('+0.7 h', 'n/a')
    """
    if change is None:
        return NO_DATA
    kind = metric_kind(metric)
    if kind == "rate":
        return f"{change * 100:+.1f} pp"
    if kind == "count":
        return f"{round(change):+,}"
    if kind == "money":
        return f"{change:+,.0f} {currency}"
    if kind == "hours":
        return f"{change:+.1f} h"
    return f"{change:+.1f}"


def format_share(value: float | None) -> str:
    """A share as a whole percentage (for sentences): ``23 %``.

    >>> format_share(0.2345), format_share(None)
    ('23 %', 'n/a')
    """
    return NO_DATA if value is None else f"{value * 100:.0f} %"


def format_counts(x: float | None, n: float | None) -> str:
    """A rate's counts: ``36 / 39`` (empty when unknown).

    >>> format_counts(36, 39), format_counts(None, 3)
    ('36 / 39', '')
    """
    if x is None or n is None:
        return ""
    return f"{round(x):,} / {round(n):,}"


def format_p(p: float | None) -> str:
    """A p-value with three significant digits: ``p = 0.0285``, ``p < 0.001``.

    >>> format_p(0.02846), format_p(0.0497), format_p(0.5), format_p(0.00002), format_p(None)
    ('p = 0.0285', 'p = 0.0497', 'p = 0.5', 'p < 0.001', 'n/a')
    """
    if p is None:
        return NO_DATA
    return "p < 0.001" if p < 0.001 else f"p = {p:.3g}"


__all__ = [
    "NO_DATA",
    "MetricKind",
    "MetricValue",
    "format_change",
    "format_counts",
    "format_metric",
    "format_p",
    "format_share",
    "metric_kind",
]
