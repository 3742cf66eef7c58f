"""Numbers of the review as people read them (the pack's templates only display these).

Each function writes English (``1,234``, ``4.2 pp``) or, with ``lang="de"``, German
(``1.234``, ``4,2 Pp.``) numbers; the words they use are texts of :mod:`analytics.texts`.

>>> format_metric("handoff_compliance", 0.923), format_metric("mqls", 1234.0)
('92.3 %', '1,234')
>>> format_change("handoff_compliance", 0.0425), format_change("mqls", -12.0)
('+4.2 pp', '-12')
>>> format_change("handoff_compliance", 0.0425, lang="de"), format_count(1234, "de")
('+4,2 Pp.', '1.234')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from analytics.texts import Lang, localize, number, p_value, percent, render

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

#: Shown where a number cannot be computed (in English; :func:`no_data` in any language).
NO_DATA = render("no_data")


def no_data(lang: Lang = "en") -> str:
    """What a number that cannot be computed reads as: ``–`` in every language.

    >>> no_data(), no_data("de")
    ('–', '–')
    """
    return render("no_data", lang=lang)


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
    ('41,183 EUR', '–')
    >>> format_metric("handoff_compliance", 0.923, lang="de"), format_metric("mqls", 1e3, lang="de")
    ('92,3 %', '1.000')
    >>> format_metric("premature_recycles", 5 * 3 / 31)  # a pro-rated target
    '0.5'
    """
    if value is None:
        return no_data(lang)
    kind = metric_kind(metric)
    if kind == "rate":
        return percent(value, lang, digits=1)
    if kind == "count":  # a pro-rated target is no whole count: 5 x 3/31 reads 0.5, not 0
        return number(value, lang, digits=0 if float(value).is_integer() else 1)
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


def format_change(
    metric: str, change: float | None, *, currency: str = "EUR", lang: Lang = "en"
) -> str:
    """A change between two months: percentage points for rates, signed otherwise.

    >>> format_change("median_hours_to_first_touch", 0.66), format_change("mqls", None)
    ('+0.7 h', '–')
    >>> format_change("won_revenue", -1234.0, lang="de"), format_change("mqls", 1500, lang="de")
    ('-1.234 EUR', '+1.500')
    >>> format_change("handoff_compliance", -0.0004), format_change("handoff_compliance", 0.0)
    ('±0.0 pp', '±0.0 pp')
    """
    if change is None:
        return no_data(lang)
    kind = metric_kind(metric)
    shown = change * 100 if kind == "rate" else change
    if round(shown, 0 if kind in ("count", "money") else 1) == 0:  # never "-0.0 pp"
        change = 0.0
    if kind == "rate":
        return localize(f"{change * 100:+.1f} ", lang).replace("+0.0", "±0.0").replace(
            "+0,0", "±0,0"
        ) + render("unit.pp", lang=lang)
    if kind == "count":
        return localize(f"{round(change):+,}", lang)
    if kind == "money":
        return localize(f"{change:+,.0f} {currency}", lang)
    if kind == "hours":
        return localize(f"{change:+.1f} h", lang)
    return localize(f"{change:+.1f}", lang)


def format_share(value: float | None, lang: Lang = "en", *, digits: int = 0) -> str:
    """A share as a whole percentage (for sentences): ``23 %``; ``digits`` decimals.

    >>> format_share(0.2345), format_share(None), format_share(12.5, "de")
    ('23 %', '–', '1.250 %')
    >>> format_share(0.2345, digits=1), format_share(0.2345, "de", digits=1)
    ('23.4 %', '23,4 %')
    """
    if value is None:
        return no_data(lang)
    return f"{value * 100:.{digits}f} %" if lang == "en" else percent(value, lang, digits=digits)


def format_count(value: float | None, lang: Lang = "en") -> str:
    """A count, rounded to a whole number: ``1,234`` / ``1.234``.

    >>> format_count(1234.4), format_count(1234.4, "de"), format_count(None)
    ('1,234', '1.234', '–')
    """
    return no_data(lang) if value is None else number(round(value), lang)


def format_decimal(value: float | None, lang: Lang = "en", *, digits: int = 1) -> str:
    """A number with one decimal (per day, per MQL): ``6664.3`` / ``6.664,3``; ``digits``
    decimals.

    >>> format_decimal(6664.29), format_decimal(6664.29, "de"), format_decimal(None, "de")
    ('6664.3', '6.664,3', '–')
    >>> format_decimal(0.0333, digits=3)
    '0.033'
    """
    if value is None:
        return no_data(lang)
    return f"{value:.{digits}f}" if lang == "en" else number(value, lang, digits=digits)


def told_apart(
    before: float | None,
    after: float | None,
    write: Callable[..., str],
    lang: Lang = "en",
    *,
    digits: int,
    most: int = 3,
) -> tuple[str, str]:
    """Two values of a change written with the fewest decimals, from ``digits`` up to
    ``most``, that tell them apart and write neither as zero unless it is: a change the
    meeting is told of never reads "from 2 % to 2 %" or "from 0.0 a day". Equal values
    (or unknown ones) are written with ``digits``.

    Parameters
    ----------
    before, after : the two values (None: unknown).
    write : a formatter taking ``(value, lang, digits=...)``, e.g. :func:`format_share`.

    Returns
    -------
    tuple[str, str] : the two texts.

    >>> told_apart(0.021, 0.018, format_share, digits=0)
    ('2.1 %', '1.8 %')
    >>> told_apart(1 / 30, 1 / 5, format_decimal, "de", digits=1)
    ('0,03', '0,20')
    >>> told_apart(0.5, 0.5, format_share, digits=0)
    ('50 %', '50 %')
    """
    for places in range(digits, most + 1):
        texts = write(before, lang, digits=places), write(after, lang, digits=places)
        if before is None or after is None or before == after:
            return texts
        zero = write(0.0, lang, digits=places)
        values = zip((before, after), texts, strict=True)
        as_zero = any(value != 0 and text == zero for value, text in values)
        if texts[0] != texts[1] and not as_zero:
            return texts
    return texts


def format_counts(x: float | None, n: float | None, lang: Lang = "en") -> str:
    """A rate's counts: ``36 / 39`` (empty when unknown).

    >>> format_counts(36, 39), format_counts(None, 3), format_counts(1234, 2000, "de")
    ('36 / 39', '', '1.234 / 2.000')
    """
    if x is None or n is None:
        return ""
    return render("counts", lang=lang, x=x, n=n)


def format_p(p: float | None, lang: Lang = "en") -> str:
    """A p-value with three significant digits: ``p = 0.0285``, ``p < 0.001``.

    >>> format_p(0.02846), format_p(0.0497), format_p(0.5), format_p(0.00002), format_p(None)
    ('p = 0.0285', 'p = 0.0497', 'p = 0.5', 'p < 0.001', '–')
    """
    return p_value(p, lang)


#: Characters that start Markdown (CommonMark, GFM, Streamlit) syntax anywhere in a line:
#: escapes, code, emphasis, links and images, strikethrough, table cells, math, and the
#: ``@`` of an e-mail address (GFM links it).
_MD_INLINE = re.compile(r"([\\`*_\[\]~|$!@])")
#: A ``<`` that would start an HTML tag, comment or autolink.
_MD_TAG = re.compile(r"<(?=[A-Za-z/!?])")
#: What starts a block at the beginning of a line: heading, quote, setext, list item, rule.
_MD_BLOCK = re.compile(r"^(\s*)(#|>|=|[-+](?=\s|$|-))")
_MD_ORDERED = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)")
#: Bare addresses that GFM and Streamlit turn into links (``http://``, ``www.``).
_MD_AUTOLINK = re.compile(r"(?<=:)//|(?<=\bwww)\.", re.IGNORECASE)


def escape_markdown(value: Any) -> str:
    """A data value as literal text inside Markdown: one line, no syntax left active.

    Every character that could start a link, image, emphasis, code, table cell, math,
    HTML tag, heading, list or quote is escaped, so a rep, track, campaign, reason or
    source name reads exactly as it was written and never becomes a link or a pixel.
    The one escaping of the project: the app (``dashboard.ui.md``) and the Markdown
    pack use it.

    Parameters
    ----------
    value : Any
        Printed with ``str``; ``None`` is the empty string.

    Returns
    -------
    str
        Line breaks become spaces; the text renders as ``value`` wherever it stands.

    >>> print(escape_markdown("[Bitte hier klicken](http://example.org)"))
    \\[Bitte hier klicken\\](http:\\/\\/example.org)
    >>> print(escape_markdown("![](x.png) <script>a|b</script> *1_2*"))
    \\!\\[\\](x.png) &lt;script>a\\|b&lt;/script> \\*1\\_2\\*
    >>> print(escape_markdown("# 1. = -50.0 pp"))
    \\# 1. = -50.0 pp
    >>> print(escape_markdown("=SUM(A1)"))
    \\=SUM(A1)
    >>> print(escape_markdown("-50.0 pp"))
    -50.0 pp
    >>> print(escape_markdown("max@example.org"))
    max\\@example.org
    """
    if value is None:
        return ""
    text = " ".join(str(value).splitlines())
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_TAG.sub("&lt;", text)
    text = _MD_AUTOLINK.sub(lambda m: "\\/\\/" if m.group() == "//" else "\\.", text)
    text = _MD_BLOCK.sub(r"\1\\\2", text, count=1)
    return _MD_ORDERED.sub(r"\1\\\2", text, count=1)


__all__ = [
    "NO_DATA",
    "MetricKind",
    "MetricValue",
    "escape_markdown",
    "format_change",
    "format_count",
    "format_counts",
    "format_decimal",
    "format_metric",
    "format_p",
    "format_share",
    "metric_kind",
    "no_data",
    "told_apart",
]
