"""The review pack as a document: HTML (self-contained, print-ready), PDF and Markdown.

Templates (jinja2, autoescaped) live in ``analytics/pack/templates``; they only display
what :class:`~analytics.pack.build.ReviewPack` holds, through the formatting filters of
:mod:`analytics.pack.formatting`. Charts are Vega-Lite specs built with altair and
rendered to inline SVG by vl-convert (no network, no JavaScript). The PDF is the HTML
printed by a real browser engine: Debian's ``chromium`` in headless mode.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Literal

import polars as pl

from analytics.pack.build import BREACH_TITLES, ReviewPack
from analytics.pack.compare import METRIC_LABELS
from analytics.pack.formatting import (
    NO_DATA,
    format_change,
    format_counts,
    format_metric,
    format_p,
    format_share,
)

PackFormat = Literal["html", "pdf", "md"]
PACK_FORMATS: tuple[str, ...] = ("html", "pdf", "md")

#: Funnel stages in order, with the conversion rate from each to the next.
FUNNEL: tuple[tuple[str, str, str | None], ...] = (
    ("visitors", "Visitors", "visitor_to_lead"),
    ("leads", "Leads", "lead_to_mql"),
    ("mqls", "MQLs", "mql_to_sql"),
    ("sals", "SALs", None),
    ("sqls", "SQLs", "sql_to_opportunity"),
    ("opportunities", "Opportunities", "opportunity_to_won"),
    ("deals_won", "Deals won", None),
    ("won_revenue", "Won revenue", None),
)

STAGE_LABELS: dict[str, str] = {stage: label for stage, label, _ in FUNNEL}


#: The charts' font (installed with chromium on Debian; the page's first choice too).
CHART_FONT = "DejaVu Sans"


class PackRenderError(RuntimeError):
    """The pack cannot be rendered in the asked format (e.g. no chromium for PDF)."""


# -- view data (reshaping only: every number comes from the pack) ----------------------


def funnel_rows(pack: ReviewPack) -> list[dict[str, Any]]:
    """The funnel table: stage, this month, previous month, conversion to the next stage."""
    conversion = {r["metric"]: r for r in pack.review.conversion.iter_rows(named=True)}
    rows = []
    for stage, label, rate in FUNNEL:
        conv = conversion.get(rate) if rate else None
        rows.append(
            {
                "stage": stage,
                "label": label,
                "value": pack.review.volumes.get(stage),
                "previous": pack.previous.volumes.get(stage),
                "rate_name": METRIC_LABELS.get(rate, "") if rate else "",
                "rate": conv,
            }
        )
    return rows


def pacing_rows(pack: ReviewPack) -> list[dict[str, Any]]:
    """The goal-pacing table of the review, month first, then the quarter."""
    frame = pack.review.pacing
    if frame.is_empty():
        return []
    order = {"month": 0, "quarter": 1}
    rows = frame.to_dicts()
    rows.sort(key=lambda r: order.get(r["period"], 9))
    for r in rows:
        r["label"] = STAGE_LABELS.get(r["stage"], r["stage"])
    return rows


def breach_groups(pack: ReviewPack) -> list[dict[str, Any]]:
    """The top breaches grouped by kind, with how many there are in all."""
    groups = []
    for kind, title in BREACH_TITLES.items():
        rows = pack.breaches.filter(pl.col("kind") == kind).to_dicts()
        total = pack.breach_totals.get(kind, 0)
        if total:
            groups.append({"kind": kind, "title": title, "rows": rows, "total": total})
    return groups


def change_sentence(row: dict[str, Any]) -> str:
    """A tested change in words: ``Speed-to-lead compliance rose from 75 % (21 / 28) ...``."""
    verb = {"up": "rose", "down": "fell", "same": "stayed"}.get(row["direction"] or "", "changed")
    if row["kind"] == "rate":
        counts = format_counts(row["previous_x"], row["previous_n"])
        before = f"{format_share(row['previous'])} ({counts})"
        after = (
            f"{format_share(row['current'])} ({format_counts(row['current_x'], row['current_n'])})"
        )
        test = "two-proportion z-test"
    else:
        before = f"{row['previous_x']:,} ({row['previous']:.1f} a day)"
        after = f"{row['current_x']:,} ({row['current']:.1f} a day)"
        test = "Poisson rate test per elapsed day"
    return f"{row['label']} {verb} from {before} to {after}; {test}, {format_p(row['p_value'])}"


# -- charts --------------------------------------------------------------------------


def chart_specs(pack: ReviewPack) -> dict[str, dict[str, Any]]:
    """Vega-Lite specs (altair) of the pack's charts, by name: funnel, pacing, handoff_by_rep."""
    import altair as alt

    specs: dict[str, dict[str, Any]] = {}
    stages = [s for s, _, _ in FUNNEL if s not in ("visitors", "won_revenue")]
    prev_label = pack.previous.month
    funnel = pl.DataFrame(
        [
            {"stage": STAGE_LABELS[s], "month": label, "count": volumes.get(s) or 0}
            for s in stages
            for label, volumes in (
                (prev_label, pack.previous.volumes),
                (pack.month, pack.review.volumes),
            )
        ]
    )
    order = [STAGE_LABELS[s] for s in stages]
    specs["funnel"] = (
        alt.Chart(funnel, title="Funnel volumes")
        .mark_bar()
        .encode(
            y=alt.Y("stage:N", sort=order, title=None),
            yOffset=alt.YOffset("month:N", sort=[prev_label, pack.month]),
            x=alt.X("count:Q", title="leads"),
            color=alt.Color(
                "month:N",
                sort=[prev_label, pack.month],
                scale=alt.Scale(range=["#b8c4d6", "#2f5d8a"]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
        )
        .properties(width=440, height=220)
        .to_dict()
    )
    pacing = pack.review.pacing.filter(
        (pl.col("period") == "month") & pl.col("pace").is_not_null()
    ).with_columns(pl.col("stage").replace_strict(STAGE_LABELS, default=pl.col("stage")))
    if pacing.height:
        bars = (
            alt.Chart(pacing, title="Pace to goal this month (1 = on track)")
            .mark_bar(color="#2f5d8a")
            .encode(
                y=alt.Y("stage:N", sort=None, title=None),
                x=alt.X("pace:Q", title="actual / expected to date"),
            )
        )
        rule = alt.Chart(pl.DataFrame({"x": [1.0]})).mark_rule(color="#c0392b").encode(x="x:Q")
        specs["pacing"] = (bars + rule).properties(width=440, height=160).to_dict()
    by_rep = pack.review.handoff_by_rep.filter(pl.col("n") > 0)
    if by_rep.height:
        by_rep = by_rep.with_columns(pl.col("rep_name").fill_null(pl.col("rep_id")).alias("rep"))
        base = alt.Chart(by_rep, title="Speed to lead by rep (95 % Wilson interval)")
        points = base.mark_point(filled=True, color="#2f5d8a").encode(
            y=alt.Y("rep:N", sort="x", title=None),
            x=alt.X("compliance:Q", title="first touch in time", scale=alt.Scale(domain=[0, 1])),
        )
        bars = base.mark_rule(color="#2f5d8a").encode(y="rep:N", x="ci_low:Q", x2="ci_high:Q")
        specs["handoff_by_rep"] = (
            (bars + points).properties(width=440, height=18 * by_rep.height).to_dict()
        )
    return specs


def chart_svgs(pack: ReviewPack) -> dict[str, str]:
    """The charts as inline SVG (vl-convert; no network access, no scripts)."""
    import vl_convert

    svgs = {}
    for name, spec in chart_specs(pack).items():
        # The page's font, so that the browser's text fits the box vl-convert measured.
        spec = {**spec, "padding": 8, "config": {**spec.get("config", {}), "font": CHART_FONT}}
        svg = vl_convert.vegalite_to_svg(spec)
        svgs[name] = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    return svgs


# -- templates -----------------------------------------------------------------------


def _amount(value: float | None, unit: str) -> str:
    """A breach's size: whole attempts, tenths of hours and days.

    >>> _amount(4.0, "attempts short"), _amount(26.04, "hours over"), _amount(None, "x")
    ('4 attempts short', '26.0 hours over', '')
    """
    if value is None:
        return ""
    return f"{value:.0f} {unit}" if "attempts" in unit else f"{value:.1f} {unit}"


def _environment(*, markdown: bool):
    import jinja2

    filters = {
        "metric": lambda v, m, c="EUR": format_metric(m, v, currency=c),
        "change": lambda v, m, c="EUR": format_change(m, v, currency=c),
        "share": format_share,
        "p": format_p,
        "counts": lambda r: format_counts(r.get("x"), r.get("n")) if r else "",
        "count": lambda v: NO_DATA if v is None else f"{round(v):,}",
        "num1": lambda v: NO_DATA if v is None else f"{v:.1f}",
        "amount": _amount,
        "label": lambda m: METRIC_LABELS.get(m, m),
        "status": lambda s: {"met": "met", "at_risk": "at risk", "missed": "missed"}.get(
            s, "no data" if s is None else s
        ),
    }
    if markdown:
        env = jinja2.Environment(
            loader=jinja2.PackageLoader("analytics.pack", "templates"),
            autoescape=False,
            finalize=_markdown_escape,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
    else:
        env = jinja2.Environment(
            loader=jinja2.PackageLoader("analytics.pack", "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
    env.filters.update(filters)
    return env


#: A ``<`` that would start an HTML tag or comment in Markdown.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def _markdown_escape(value: Any) -> Any:
    """Escape every value a Markdown template prints: no HTML, no broken table cells.

    >>> _markdown_escape("a|b <script> p < 0.001 & more")
    'a\\\\|b &lt;script> p < 0.001 & more'
    """
    if value is None:
        return ""
    if isinstance(value, str):
        value = _TAG_START.sub("&lt;", value)
        return value.replace("|", "\\|").replace("\n", " ")
    return value


def _context(pack: ReviewPack, *, charts: bool) -> dict[str, Any]:
    review = pack.review
    return {
        "pack": pack,
        "review": review,
        "previous": pack.previous,
        "config": pack.config,
        "currency": pack.currency,
        "as_of": review.as_of.strftime("%Y-%m-%d %H:%M UTC") if review.as_of else NO_DATA,
        "segment": ", ".join(f"{k} = {v}" for k, v in (review.segment or {}).items()),
        "funnel": funnel_rows(pack),
        "pacing": pacing_rows(pack),
        "breach_groups": breach_groups(pack),
        "significant": [
            {**r, "sentence": change_sentence(r)} for r in pack.significant.iter_rows(named=True)
        ],
        "tests": pack.changes.to_dicts(),
        "charts": chart_svgs(pack) if charts else {},
        "teams": [("marketing", "Marketing's"), ("sales", "Sales'")],
    }


def render_html(pack: ReviewPack, *, charts: bool = True) -> str:
    """One self-contained HTML file (inline CSS and SVG, print CSS, nothing loaded).

    Parameters
    ----------
    pack : ReviewPack
    charts : bool, default True
        Embed the charts (SVG via vl-convert).
    """
    from markupsafe import Markup

    context = _context(pack, charts=charts)
    context["charts"] = {name: Markup(svg) for name, svg in context["charts"].items()}
    return _environment(markdown=False).get_template("pack.html.j2").render(**context)


def render_markdown(pack: ReviewPack) -> str:
    """The pack as GitHub-flavoured Markdown for a wiki (tables; charts left out)."""
    return (
        _environment(markdown=True)
        .get_template("pack.md.j2")
        .render(**_context(pack, charts=False))
    )


def find_chromium() -> str:
    """The chromium executable, or :class:`PackRenderError` naming what is missing."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise PackRenderError(
        "PDF needs the program `chromium` (Debian's headless browser), which is not installed; "
        "install it with `apt-get install --no-install-recommends chromium` (or `make chromium`), "
        "or use --format html and print that"
    )


def html_to_pdf(html: str, *, chromium: str | None = None, timeout: float = 120) -> bytes:
    """Print HTML to PDF with headless chromium (A4, no header or footer).

    Parameters
    ----------
    html : str
        A self-contained document (it is loaded from a temporary file, offline).
    chromium : str, optional
        The browser executable (default: ``chromium`` on the PATH).
    timeout : float, default 120
        Seconds before giving up.

    Raises
    ------
    PackRenderError
        When chromium is missing, fails or times out.
    """
    browser = chromium or find_chromium()
    with tempfile.TemporaryDirectory(prefix="sla-pack-") as tmp:
        source = Path(tmp) / "pack.html"
        target = Path(tmp) / "pack.pdf"
        source.write_text(html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=timeout,
                env={**os.environ, "HOME": tmp},
                check=False,
            )
        except FileNotFoundError:
            raise PackRenderError(
                f"PDF needs the program {browser!r}, which was not found"
            ) from None
        except subprocess.TimeoutExpired:
            raise PackRenderError(f"{browser} did not print the PDF within {timeout:g} s") from None
        if not target.exists() or target.stat().st_size == 0:
            tail = "\n".join(done.stderr.strip().splitlines()[-5:])
            raise PackRenderError(f"{browser} printed no PDF (exit {done.returncode}): {tail}")
        return target.read_bytes()


def render_pack(pack: ReviewPack, *, fmt: PackFormat = "html") -> str | bytes:
    """The pack in ``fmt``: ``html`` and ``md`` as text, ``pdf`` as bytes.

    Raises
    ------
    ValueError
        For an unknown format (the message lists the allowed ones).
    PackRenderError
        For PDF without chromium.
    """
    if fmt == "html":
        return render_html(pack)
    if fmt == "md":
        return render_markdown(pack)
    if fmt == "pdf":
        return html_to_pdf(render_html(pack))
    raise ValueError(f"unknown pack format {fmt!r}; allowed: {', '.join(PACK_FORMATS)}")


__all__ = [
    "PACK_FORMATS",
    "PackFormat",
    "PackRenderError",
    "breach_groups",
    "change_sentence",
    "chart_specs",
    "chart_svgs",
    "find_chromium",
    "funnel_rows",
    "html_to_pdf",
    "pacing_rows",
    "render_html",
    "render_markdown",
    "render_pack",
]
