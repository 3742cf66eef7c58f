"""Shared UI pieces: the sidebar (kept in the URL), the current view, and display helpers.

Pages hold UI only; this module holds the UI they share (no metric is computed here).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

import altair as alt
import polars as pl
import streamlit as st

from analytics import sla_history
from analytics.config import KPI_METRICS, SlaConfig
from analytics.funnel import VOLUME_COLUMNS
from analytics.goals import whole_need
from analytics.kpis import short_of
from analytics.pack.export import ColumnKind, Kinds
from analytics.pack.formatting import escape_markdown, format_metric
from analytics.pack.formatting import metric_kind as pack_metric_kind
from analytics.texts import TEXTS, metric_label, render, term
from analytics.timeframe import TimeframeError, parse_month
from dashboard import data
from dashboard.i18n import (
    LANGS,
    MONTH_NAMES,
    TEXT,
    Lang,
    column_label,
    day,
    moment,
    money,
    month_name,
    num,
    pct,
    rate_text,
    t,
)

#: One colour per SLA status, the same on every page and chart.
STATUS_COLORS: dict[str, str] = {
    "met": "#1a7f37",
    "at_risk": "#d97706",
    "missed": "#c62828",
    "pending": "#6b7280",
    "no_data": "#9ca3af",
}
#: Streamlit markdown badge colour per status.
_BADGE = {
    "met": "green",
    "at_risk": "orange",
    "missed": "red",
    "pending": "gray",
    "no_data": "gray",
}
STATUS_ORDER = ("met", "at_risk", "missed", "pending", "no_data")
#: Height of one bar of a horizontal bar chart (Streamlit's theme shrinks fixed heights).
BAR_STEP = alt.Step(36)
TEAM_COLORS = {"marketing": "#2563eb", "sales": "#7c3aed"}
LANG_NAMES = {"en": "English", "de": "Deutsch"}


# -- URL <-> widget state ------------------------------------------------------------------


def _from_url(key: str, allowed: list[str] | tuple[str, ...], default: str | None) -> None:
    """Seed a widget's state from the query parameter (a shared link) or the default."""
    current = st.session_state.get(key)
    if current is None or (current and current not in allowed):
        value = st.query_params.get(key)
        st.session_state[key] = value if value in allowed else default


#: Where the app keeps the view (the sidebar's month and segment filters, a page's choice)
#: across reruns and pages: a plain session-state entry, which Streamlit never drops
#: (see :func:`keep_choice`).
VIEW = "_view"
#: What a link asked for and the app could not show: key -> (asked, shown instead).
LINK_NOTICES = "_link_notices"


def keep_choice(key: str, options: list[str] | tuple[str, ...], default: str | None) -> None:
    """Set the state of the widget ``key``, before it is drawn (with no default or index of
    its own), to the view's value.

    The value is the widget's own when it is one of ``options`` (the user's choice), else
    the URL's (a shared link), else the one the app kept (:data:`VIEW`), else ``default``.
    The app keeps it because a widget's state alone does not survive a language switch
    (and, in the sidebar, a page change after it): the browser holds a select box's choice
    as the label it shows, so after the switch it sends back ``October 2026``, which the
    German box does not offer (Streamlit reads it as no choice); and a box the browser
    never drew (the segment filters, behind their closed popover) has no state in the
    browser, so Streamlit drops it as stale. Writing the value every run also sends the
    box its label in the current language. A link's value that is not allowed is
    replaced, and :data:`LINK_NOTICES` records it for :func:`link_notices` (never
    silently).
    """
    kept = st.session_state.setdefault(VIEW, {})
    value = st.session_state.get(key)
    if value not in options:
        asked = st.query_params.get(key)
        if asked in options:
            value = asked
        else:
            value = kept[key] if kept.get(key) in options else default
            if asked is not None:
                st.session_state.setdefault(LINK_NOTICES, {})[key] = (asked, value)
    st.session_state[key] = kept[key] = value


def _asked_month(asked: str, lg: Lang) -> str:
    """A month a link asked for, by name when it is a calendar month, else as written."""
    try:
        parse_month(asked)
    except TimeframeError:
        return f"“{asked}”"
    return month_name(asked, lg)


def link_notices(lg: Lang) -> None:
    """Say what a shared link asked for that this data does not have, and what is shown
    instead (a month outside the month picker, a filter value that does not occur), as
    long as that is what the sidebar shows."""
    notices = st.session_state.get(LINK_NOTICES) or {}
    kept = st.session_state.get(VIEW) or {}
    for key, (asked, shown) in list(notices.items()):
        if kept.get(key) != shown:  # the user chose another value: the notice is done
            del notices[key]
            continue
        if key == "month":
            found = data.months()
            text = t(
                "link_month",
                lg,
                asked=_asked_month(asked, lg),
                first=month_name(found[-1], lg) if found else "–",
                last=month_name(found[0], lg) if found else "–",
                shown=month_name(shown, lg) if shown else "–",
            )
        else:
            text = t("link_filter", lg, filter=t(key, lg), value=asked)
        st.warning(text, icon=":material/link_off:")


def _to_url(key: str, value: str | None, default: str | None = None) -> None:
    if value and value != default:
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    elif key in st.query_params:
        del st.query_params[key]


#: The app's few style rules for a shared screen: a tile's label and delta wrap onto a
#: second line instead of ending in "…" (a word is never broken), its value shrinks a
#: little on a narrow screen, and the page starts higher, so that the first screen holds
#: more. A row of ``sla-even`` is one line where its tiles fit (``--n`` of them, 10rem
#: each), else two even lines (``--half`` a line), never 5 + 1; ``sla-kpis`` bolds the
#: labels (the headings of the KPIs' cards).
SCREEN_CSS = """
<style>
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *,
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] * {
  white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; overflow-wrap: normal !important; word-break: normal !important;
  height: auto !important;
}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] > div {
  font-size: clamp(1.5rem, 2.1vw, 2.25rem) !important;
}
[data-testid="stMetricDelta"] { height: auto !important; max-width: 100%; }
[data-testid="stMetric"] [data-testid="stMarkdownContainer"],
[data-testid="stMetric"] [data-testid="stMarkdownContainer"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem !important; }
.sla-tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
  gap: 1rem; margin-bottom: 0.5rem; }
.sla-tile { border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem;
  padding: 0.75rem 1rem; }
.sla-tile-label { font-size: 0.875rem; }
.sla-tile-label[title] { cursor: help; text-decoration: underline dotted; }
.sla-tile-value { font-size: clamp(1.5rem, 2.1vw, 2.25rem); line-height: 1.3; }
.sla-tile-delta { font-size: 1rem; font-weight: 500; }
.sla-up { color: #09ab3b; } .sla-down { color: #ff2b2b; } .sla-flat { color: #808495; }
.sla-tile-note, .sla-tiles-note { font-size: 0.875rem; color: rgba(49, 51, 63, 0.6);
  margin-top: 0.4rem; }
.sla-tile-status { font-size: 0.875rem; margin-top: 0.4rem; }
.sla-badge { display: inline-block; padding: 0 0.375rem; border-radius: 0.5rem;
  font-weight: 500; white-space: nowrap; }
.sla-badge-green { color: #158237; background: rgba(33, 195, 84, 0.1); }
.sla-badge-orange { color: #e2660c; background: rgba(255, 164, 33, 0.1); }
.sla-badge-red { color: #bd4043; background: rgba(255, 43, 43, 0.09); }
.sla-badge-gray { color: rgba(49, 51, 63, 0.7); background: rgba(49, 51, 63, 0.08); }
.sla-kpis .sla-tile-label { font-weight: 600; }
.sla-even { grid-template-columns: repeat(auto-fit, minmax(max(8rem, min(
  max((100% - (var(--n) - 1) * 1rem) / var(--n), (var(--n) * 10rem - 1rem - 100%) * 999),
  (100% - (var(--half) - 1) * 1rem) / var(--half))), 1fr)); }
</style>
"""


#: The style of :func:`html_table`: the tiles' borders and greys, numbers right-aligned.
TABLE_CSS = """
<style>
.sla-table-wrap { overflow-x: auto; margin-bottom: 0.75rem; }
.sla-table { border-collapse: collapse; width: 100%; font-size: 0.875rem;
  font-variant-numeric: tabular-nums; }
.sla-table th { font-weight: 400; color: rgba(49, 51, 63, 0.6); text-align: left;
  vertical-align: bottom; padding: 0.45rem 0.75rem;
  border-bottom: 1px solid rgba(49, 51, 63, 0.2); }
.sla-table td { padding: 0.35rem 0.75rem; border-bottom: 1px solid rgba(49, 51, 63, 0.1); }
.sla-table th, .sla-table td { white-space: normal !important; }
.sla-table .num, .sla-table .right { text-align: right; }
.sla-table td.num { white-space: nowrap !important; }
.sla-table td:first-child { min-width: 8rem; }
.sla-table tbody tr:hover { background: rgba(49, 51, 63, 0.04); }
.sla-table [title] { cursor: help; text-decoration: underline dotted; }
</style>
"""


#: Streamlit's file uploader writes its own English ("Upload", "200MB per file • CSV"):
#: in German the button says it in German and the limit is left to the label, which
#: already names it (there is no setting for the uploader's own words).
UPLOADER_CSS_DE = """
<style>
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {
  display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after {
  content: "Hochladen"; }
</style>
"""


def uploader_style(lg: Lang) -> None:
    """The file uploaders' own words in the page's language (:data:`UPLOADER_CSS_DE`)."""
    if lg == "de":
        st.html(UPLOADER_CSS_DE)


def screen_style() -> None:
    """Apply :data:`SCREEN_CSS` and :data:`TABLE_CSS` (a style block takes no room)."""
    st.html(SCREEN_CSS + TABLE_CSS)


def lang() -> Lang:
    """The UI language chosen in the sidebar (``en`` or ``de``)."""
    value = st.session_state.get("lang") or st.query_params.get("lang")
    return value if value in LANGS else "en"


def sidebar_language() -> Lang:
    """The language switch (top of the sidebar); returns the language."""
    _from_url("lang", LANGS, "en")
    st.sidebar.segmented_control(
        "Language · Sprache",  # one label in both languages: the widget keeps its identity
        LANGS,
        key="lang",
        format_func=LANG_NAMES.get,
        selection_mode="single",
    )
    if not st.session_state.get("lang"):  # a click on the selected option unselects it
        st.session_state["lang"] = "en"
    return lang()


def sidebar_filters() -> None:
    """Month picker and segment filters (source, country, team, owner), kept in the URL."""
    lg = lang()
    months = data.months()
    keep_choice("month", months, data.default_month())
    st.sidebar.selectbox(
        t("month", lg), months, key="month", format_func=lambda m: month_label(m, lg)
    )
    options = data.filter_options()
    names = data.rep_names()
    cfg = data.config()
    for key in data.FILTERS:
        keep_choice(key, ["", *options[key]], "")
    active = data.segment_filter({k: st.session_state.get(k) for k in data.FILTERS})
    # the filters open from one button that names what is set: a browser draws the four
    # select boxes only when it is opened (about half a second of every first visit)
    label = f"{t('filters', lg)}: {segment_text(active, lg, cfg) if active else t('all', lg)}"
    with st.sidebar.popover(label, icon=":material/filter_alt:", width="stretch"):
        for key in data.FILTERS:
            if key == "owner":
                fmt = lambda v: names.get(v, v) if v else t("all", lg)  # noqa: E731
            else:
                fmt = (lambda k: lambda v: cfg.display_name(k, v, lg) if v else t("all", lg))(key)
            st.selectbox(t(key, lg), ["", *options[key]], key=key, format_func=fmt)
    as_of = data.as_of()
    month = st.session_state.get("month")
    judge = data.month_config(month) if month else cfg  # the version that judges the month
    st.sidebar.caption(
        f"{t('as_of', lg)}: {moment(as_of, lg)}  \n"
        f"{t('sla_version', lg)}: {judge.sla.version}  \n{t('share_link', lg)}"
    )


def sync_url(*, filters: bool) -> None:
    """Write the sidebar's state into the URL (after ``st.navigation``, which clears it
    when the page changes), so that the address bar always opens the same view."""
    _to_url("lang", st.session_state.get("lang"), "en")
    if filters:
        _to_url("month", st.session_state.get("month"), None)
        for key in data.FILTERS:
            _to_url(key, st.session_state.get(key), "")


@dataclass(frozen=True)
class View:
    """What the sidebar selects: language, month, segment filters; as_of, and ``config``,
    the SLA version that judges the month (:func:`dashboard.data.month_config`; the file's
    config is :func:`dashboard.data.config`)."""

    lang: Lang
    month: str
    config: SlaConfig
    as_of: datetime | None
    segment: dict[str, str] = field(default_factory=dict)

    @property
    def segment_key(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self.segment.items()))


def view() -> View:
    """The current view (call on a page, after the sidebar was drawn by app.py)."""
    month = st.session_state.get("month") or data.default_month() or ""
    segment = data.segment_filter({k: st.session_state.get(k) for k in data.FILTERS})
    judge = data.month_config(month) if month else data.config()
    return View(lang(), month, judge, data.as_of(), segment)


def month_config() -> SlaConfig:
    """The SLA version that judges the month the sidebar shows (what its KPI targets,
    labels and statuses come from)."""
    return view().config


# -- display helpers ---------------------------------------------------------------------------


def header(title: str, v: View | None = None) -> None:
    """A concise page heading with the month, as_of and the active filters underneath."""
    st.title(title)
    if v is not None:
        bits = [month_label(v.month, v.lang), f"{t('as_of', v.lang)} {moment(v.as_of, v.lang)}"]
        if v.segment:
            bits.append(segment_text(v.segment, v.lang, v.config))
        st.caption(" · ".join(bits))
        link_notices(v.lang)


def segment_text(segment: dict[str, str], lg: Lang, cfg: SlaConfig) -> str:
    """The active segment filters as Markdown-safe text: ``Source: Webinar, Owner: Ann Lee``
    (reps by name, the config's display names for the rest)."""
    names = data.rep_names()
    return ", ".join(
        f"{t(k, lg)}: " + md(names.get(val, val) if k == "owner" else cfg.display_name(k, val, lg))
        for k, val in segment.items()
    )


def md(value: Any) -> str:
    """A data value (rep, track, campaign, reason, source or file name) as literal text for
    any Markdown the app draws (``st.markdown``, ``st.caption``, ``st.info``, headers, help
    texts): no link, image, HTML or list survives. Use it on every value that comes from
    the data, never on the app's own words.

    >>> md("[Bitte hier klicken](http://example.org)")
    '\\\\[Bitte hier klicken\\\\](http:\\\\/\\\\/example.org)'
    """
    return escape_markdown(value)


def month_label(month: str, lg: Lang) -> str:
    """A month's name; a running month says so: ``December 2026 · running (1 of 31 days)``."""
    if not month:
        return ""
    days = data.running_days(month)
    if days is None:
        return month_name(month, lg)
    running = render("coverage.running", lang=lg, days=days[0], total=days[1])
    return f"{month_name(month, lg)} · {running}"


def no_data(reason: str, *, container: Any = None) -> None:
    """The one empty state of every page: what the data cannot answer, in grey, and why
    (one sentence naming what is missing and how to import it)."""
    (container or st).markdown(f":gray[:material/block: {reason}]")


def bad_warehouse_name(schema: str, lang: str) -> str:
    """Why the warehouse file (``SLA_DB``) cannot be used: its name is the warehouse schema
    ``schema`` (state ``bad_name`` of :func:`dashboard.data.warehouse_state`)."""
    from analytics.warehouse.connection import SCHEMAS

    return t(
        "warehouse_bad_name", lang, path=data.db_path(), schema=schema, schemas=", ".join(SCHEMAS)
    )


#: A command-line option in a text (``--pipeline``).
_OPTION = re.compile(r"(?<![\w`-])(--[a-z][a-z-]*)")
#: The icon of each note of the imports (:func:`last_import_notes`).
_NOTE_ICONS = {"import.last_quarantined": ":material/block:"}


def last_import_notes(lg: Lang) -> None:
    """What was quarantined of the files behind the data, the latest import of each table
    (those rows are not counted on this page), and what the imports said of what the
    numbers include (deals of several pipelines all counted, amounts in several
    currencies), as the review pack says them
    (:func:`analytics.warehouse.facts.last_import_notes`); nothing when nothing was."""
    for note in data.last_import_notes():
        said = _OPTION.sub(r"`\1`", note.render(lang=lg))  # an option as code: no break after "--"
        st.warning(said, icon=_NOTE_ICONS.get(note.code, ":material/info:"))


def touches_note(review: Any, lg: Lang, *, container: Any = None) -> None:
    """When the sales touches stopped before ``as_of``: how many first touches and cadence
    windows are not judged, and why (:meth:`analytics.review.Review.touches_note`), as
    the empty state says what is missing; nothing while the touches are current."""
    if note := review.touches_note(lang=lg):
        no_data(note, container=container)


def lifecycle_note(review: Any, lg: Lang, *, container: Any = None) -> None:
    """When the lifecycle events stopped before ``as_of``: what of the month they leave
    uncounted, with the day of the last one (:meth:`analytics.review.Review.lifecycle_note`),
    as the empty state says what is missing; nothing while they are current."""
    if note := review.lifecycle_note(lang=lg):
        no_data(note, container=container)


def all_clear(kpis: pl.DataFrame, lg: Lang, *, segmented: bool = False) -> None:
    """What "needs attention" says when nothing does: an all-clear only for the KPIs that
    were judged. A KPI without data is in none of met / at risk / missed
    (spec/coverage.md), so when none could be judged there is no all-clear, and when some
    could not, the all-clear says how many it leaves out. ``segmented``: the KPIs are a
    segment's (nothing judged is then no case to import data for)."""
    unknown = kpis.filter(pl.col("status") == "no_data").height
    if unknown == kpis.height:
        no_data(t("nothing_judged_segment" if segmented else "nothing_judged", lg))
    elif unknown:
        st.success(t("nothing_attention_but", lg, n=unknown))
    else:
        st.success(t("nothing_attention", lg))


def missing(
    review: Any, group: str, lg: Lang, *, container: Any = None, period: str = "month"
) -> bool:
    """Show :func:`no_data` when the month's data cannot answer measure ``group`` (over
    the pacing ``period`` up to the month: ``quarter``, every month of it so far).

    Returns True when it could not (the caller skips the section), False otherwise.
    """
    if review.measurable_over(group, period):
        return False
    no_data(review.period_reason(group, period, lang=lg), container=container)
    return True


#: The app's pages by the key of :data:`analytics.coverage.GROUPS`' ``pages``.
_PAGE_KEYS = {
    "overview": "nav_overview", "goals": "nav_goals", "qualification": "nav_qualification",
    "handoffs": "nav_handoffs", "nurturing": "nav_nurturing", "management": "nav_management",
    "kpis": "nav_kpis", "review": "nav_review",
}  # fmt: skip


def coverage_table(frame: pl.DataFrame, lg: Lang) -> None:
    """The Data page's "What your data can answer": measure, the pages it feeds, yes (from
    when to when) or no, and what to import to fill it."""
    from analytics.coverage import GROUPS, reason

    rows = []
    for r in frame.iter_rows(named=True):
        group = r["group"]
        if not r["measurable"]:
            answer, todo = t("cov_no", lg), reason(group, frame, lang=lg)
        elif r["from"] is None:
            answer, todo = t("cov_yes", lg), ""
        else:
            answer = t("cov_yes_from", lg, start=day(r["from"], lg), end=day(r["to"], lg))
            todo = ""
        pages = GROUPS[group].pages if group in GROUPS else ()
        rows.append(
            {
                t("c_measure", lg): render(f"coverage.group.{group}", lang=lg),
                t("c_pages", lg): ", ".join(t(_PAGE_KEYS[p], lg) for p in pages),
                t("c_answerable", lg): answer,
                t("c_to_import", lg): todo,
            }
        )
    text_table(pl.DataFrame(rows))


def kpi_reason(row: dict[str, Any], review: Any, lg: Lang) -> str | None:
    """Why a KPI is not judged, in the UI language (None when it is)."""
    return review.kpi_reason(row, lang=lg)


def badge(status: str | None, lg: Lang) -> str:
    """Markdown badge in the status colour: met green, at risk amber, missed red."""
    status = status or "no_data"
    return f":{_BADGE.get(status, 'gray')}-badge[{t(status, lg)}]"


def _pp(lg: Lang) -> str:
    """Percentage points as the language writes them (``pp``, ``Pp.``), as in the pack."""
    return render("unit.pp", lang=lg)


def _rate_delta(delta: float | None, lg: Lang) -> str | None:
    """A change of a rate (a share) as percentage points with its sign, as the KPI tiles
    write it (:func:`fmt_change`): ``+2.5 pp``, ``±0.0 pp``; None when unknown."""
    return None if delta is None else signed(delta * 100, lg, digits=1, unit=f" {_pp(lg)}")


@dataclass(frozen=True)
class Tile:
    """One tile of :func:`tiles`: a label, a number in big type and what goes with it.

    ``tone``: how the delta is coloured (``normal``: up is good, ``inverse``: up is bad,
    ``off``: grey, neither; ``good`` / ``bad``: a verdict, not a change, green / red without
    an arrow); ``help`` shows on hovering the label; ``note`` is the line
    under the tile (a caption); ``badge``: a status and its words (``("met", "met")``),
    drawn as :func:`badge` draws it, with the text ``beside`` after it.
    """

    label: str
    value: str
    delta: str | None = None
    tone: Literal["normal", "inverse", "off", "good", "bad"] = "normal"
    help: str | None = None
    note: str | None = None
    badge: tuple[str, str] | None = None
    beside: str | None = None


def rate_tile(
    label: str,
    rate: float | None,
    x: int | None,
    n: int | None,
    low: float | None,
    high: float | None,
    lg: Lang,
    *,
    delta: float | None = None,
    help: str | None = None,
) -> Tile:
    """A rate as a :class:`Tile`: the rate, its count and 95 % interval below;
    ``delta`` (a share) in percentage points."""
    return Tile(
        label,
        pct(rate, lg),
        delta=_rate_delta(delta, lg),
        help=help,
        note=rate_text(rate, x, n, low, high, lg),
    )


def _delta_look(delta: str, tone: str) -> tuple[str, str]:
    """(colour class, arrow) of a tile's delta: a verdict (``good`` / ``bad``) has its
    colour and no arrow; a change has the arrow of its sign, coloured by the tone."""
    if tone in ("good", "bad"):
        return ("sla-up" if tone == "good" else "sla-down"), ""
    down, flat = delta.startswith("-"), delta.startswith("±")
    arrow = "" if flat else ("↓ " if down else "↑ ")
    if flat or tone == "off":
        return "sla-flat", arrow
    good = down if tone == "inverse" else not down
    return ("sla-up" if good else "sla-down"), arrow


def tiles_html(row: list[Tile], *, note: str | None = None, kind: str = "") -> str:
    """A row of tiles as one HTML block (texts escaped); ``note`` is a line under the row.

    A delta's arrow follows its sign; its colour follows the sign and the tile's tone.

    Parameters
    ----------
    row : the tiles, left to right (they wrap onto a second line on a narrow screen).
    note : a caption under the whole row, or None.
    kind : other classes of the row (``sla-even``, ``sla-kpis``), or "".

    Returns
    -------
    str : ``<div class="sla-tiles">`` holding one ``<div class="sla-tile">`` per tile.

    >>> row = tiles_html([Tile("MQLs", "1,204", delta="-12", tone="inverse", help="vs. 60")])
    >>> row.startswith('<div class="sla-tiles"><div class="sla-tile"><div class="sla-tile-label"')
    True
    >>> '<div class="sla-tile-delta sla-up">↓ -12</div>' in row  # fewer is good here
    True
    >>> '<div class="sla-tile-delta sla-down">85 % of pace</div>' in tiles_html(
    ...     [Tile("Leads", "120", delta="85 % of pace", tone="bad")])
    True
    """
    parts = []
    for tile in row:
        title = f' title="{html.escape(tile.help)}"' if tile.help else ""
        cells = [
            f'<div class="sla-tile-label"{title}>{html.escape(tile.label)}</div>',
            f'<div class="sla-tile-value">{html.escape(tile.value)}</div>',
        ]
        if tile.delta is not None:
            colour, arrow = _delta_look(tile.delta, tile.tone)
            cells.append(
                f'<div class="sla-tile-delta {colour}">{arrow}{html.escape(tile.delta)}</div>'
            )
        if tile.badge is not None:
            status, words = tile.badge
            pill = f'<span class="sla-badge sla-badge-{_BADGE.get(status, "gray")}">'
            beside = f" {html.escape(tile.beside)}" if tile.beside else ""
            cells.append(
                f'<div class="sla-tile-status">{pill}{html.escape(words)}</span>{beside}</div>'
            )
        if tile.note:
            cells.append(f'<div class="sla-tile-note">{html.escape(tile.note)}</div>')
        parts.append(f'<div class="sla-tile">{"".join(cells)}</div>')
    tail = f'<div class="sla-tiles-note">{html.escape(note)}</div>' if note else ""
    # a row of a kind knows its length: all tiles on a line when they fit, else half a line
    style = f' style="--n: {len(row)}; --half: {(len(row) + 1) // 2}"' if kind else ""
    cls = f"sla-tiles {kind}".strip()
    return f'<div class="{cls}"{style}>{"".join(parts)}</div>{tail}'


def tiles(row: list[Tile], *, note: str | None = None, kind: str = "") -> None:
    """A row of tiles drawn as one element (:func:`tiles_html`), not a column, a metric
    and a caption per tile: where a fragment redraws the row on every slider step, the
    browser renders one element instead of about fifteen. ``kind``: classes of the row
    (``sla-even``: all tiles on one line when they fit 10rem each, else in two even lines;
    ``sla-kpis``: the labels in bold, as headings of the KPIs' cards)."""
    st.html(tiles_html(row, note=note, kind=kind))


def signed(value: float | None, lg: Lang, *, digits: int = 0, unit: str = "") -> str | None:
    """A delta text with its sign (``+12``, ``-3.5 pp``); None when unknown."""
    if value is None:
        return None
    if round(value, digits) == 0:  # no "-0.0 pp" with a red arrow: no change is no change
        return f"±{num(0.0, lg, digits=digits)}{unit}"
    sign = "+" if value > 0 else ""
    return f"{sign}{num(value, lg, digits=digits)}{unit}"


def export_headers(frame: pl.DataFrame, lg: Lang) -> dict[str, str]:
    """Column name -> header of a download: the on-screen label, times in the reporting zone."""
    cfg = data.config()
    zone = cfg.reporting.timezone
    return {
        name: column_label(name, lg, currency=cfg.reporting.currency).replace("(UTC)", f"({zone})")
        for name in frame.columns
    }


def download(
    frame: pl.DataFrame,
    name: str,
    lg: Lang,
    *,
    key: str | None = None,
    stacked: bool = False,
    kinds: Kinds | None = None,
) -> None:
    """Downloads of a table (of leads, or any table) for Excel: ``.xlsx`` and CSV.

    The files hold what the screen shows (words, not codes; headers in the UI language,
    times in the reporting time zone, rounded) plus the ids; German CSV is written with
    ``;``, decimal commas and a byte order mark. Built on click, not on every rerun.
    ``stacked``: one button under the other, for a narrow column (side by side, a quarter
    of the page at 1280 px cuts the labels). ``kinds``: how number columns whose name does
    not tell are written, one kind or one per row (:func:`kpi_download`).
    """
    from analytics.pack.export import csv_bytes, xlsx_bytes

    shown = display_frame(frame, lg)
    headers = export_headers(frame, lg)
    zone = data.config().reporting.timezone
    key = key or f"dl-{name}"
    rows = f"({num(frame.height, lg)} {t('one_row' if frame.height == 1 else 'rows', lg)})"
    left, right = (st.container(), st.container()) if stacked else st.columns(2)
    left.download_button(
        f"{t('download_xlsx', lg)} {rows}",
        lambda: xlsx_bytes({name: shown}, lang=lg, headers=headers, timezone=zone, kinds=kinds),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}-xlsx",
        icon=":material/table_view:",
        disabled=frame.is_empty(),
        width="stretch",
    )
    right.download_button(
        f"{t('download_csv', lg)} {rows}",
        lambda: csv_bytes(shown, lang=lg, headers=headers, timezone=zone, kinds=kinds),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=key,
        icon=":material/download:",
        disabled=frame.is_empty(),
        width="stretch",
    )


_DE_NUMBERS = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " €"]}
#: d3's German time locale: month axes read "Okt 2026", not "Oct 2026".
_DE_TIME = {
    "dateTime": "%A, der %e. %B %Y, %X",
    "date": "%d.%m.%Y",
    "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
    "shortDays": ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
    "months": MONTH_NAMES["de"],
    "shortMonths": ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov",
                    "Dez"],
}  # fmt: skip


def chart_spec(c: Any, *, lg: Lang | None = None) -> dict[str, Any]:
    """An altair chart's Vega-Lite spec as :func:`chart` shows it: labels large enough for
    a shared screen, numbers in the language's format (default: the UI language).

    Building altair objects costs tens of milliseconds a chart; a page that redraws a
    chart on every slider move builds the spec once (cached) and passes what changes as
    named ``datasets`` to :func:`show_spec`.
    """
    # the spec without altair's JSON-schema validation (about 50 ms a chart on every rerun);
    # the charts are built by this code, so a mistake shows in the tests' screenshots
    spec = c.to_dict(validate=False)
    # configured in the spec, as altair's configure_axis, _legend and _title would (each
    # replaces its part of the config), without the deep copy of the chart each one makes
    spec["config"] = {
        **spec.get("config", {}),
        "axis": {"labelLimit": 260, "labelFontSize": 13, "titleFontSize": 13},
        "legend": {"labelFontSize": 13, "titleFontSize": 13, "labelLimit": 260},
        "title": {"fontSize": 16, "anchor": "start"},
    }
    if (lg or lang()) == "de":  # axis numbers as 2.500 and 0,5, like the rest of a German screen
        spec.setdefault("config", {})["locale"] = {"number": _DE_NUMBERS, "time": _DE_TIME}
    # the title is shown above the chart as text of the page (:func:`show_spec`): it wraps
    # on a narrow screen where a chart's own title would be cut off with "…"
    title = spec.pop("title", None)
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(title)
    if title:
        spec["usermeta"] = {**spec.get("usermeta", {}), "title": title}
    return spec


def show_spec(
    spec: dict[str, Any],
    *,
    datasets: dict[str, pl.DataFrame] | None = None,
    width: Literal["stretch", "content"] = "stretch",
) -> None:
    """Show a spec from :func:`chart_spec`, full width, with ``datasets`` filling (or
    replacing) its named data sources (``alt.NamedData(name)`` in the chart); ``width``
    ``"content"`` for panels of a fixed size (a concat of charts)."""
    if datasets:
        named = {name: frame.to_dicts() for name, frame in datasets.items()}
        spec = {**spec, "datasets": {**spec.get("datasets", {}), **named}}
    title = spec.get("usermeta", {}).get("title")
    if title:
        st.markdown(f"**{md(title)}**")
    st.vega_lite_chart(spec, width=width)


def chart(c: Any) -> None:
    """An altair chart, full width, with labels large enough for a shared screen."""
    show_spec(chart_spec(c))


_TIME_FORMAT = {"en": "YYYY-MM-DD HH:mm", "de": "DD.MM.YYYY HH:mm"}
_DATE_FORMAT = {"en": "YYYY-MM-DD", "de": "DD.MM.YYYY"}


def _column_config(frame: pl.DataFrame, lg: Lang) -> dict[str, Any]:
    """Every column labelled in the UI language (:data:`dashboard.i18n.COLUMNS`); times and
    dates in the language's format. Numbers get no format here: :func:`table` shows them as
    the language writes them (``90,2 %``, ``1.234,5``), sorted by their value."""
    currency = data.config().reporting.currency
    config: dict[str, Any] = {}
    for name, dtype in frame.schema.items():
        label = column_label(name, lg, currency=currency)
        if dtype.is_numeric():
            config[name] = st.column_config.NumberColumn(label)
        elif isinstance(dtype, pl.Datetime):
            config[name] = st.column_config.DatetimeColumn(label, format=_TIME_FORMAT[lg])
        elif dtype == pl.Date:
            config[name] = st.column_config.DateColumn(label, format=_DATE_FORMAT[lg])
        else:
            config[name] = st.column_config.Column(label)
    return config


def display_texts(frame: pl.DataFrame, lg: Lang) -> dict[int, list[str]]:
    """Column position -> every cell as text of the language, for the columns a table shows
    as text: numbers (``90,2 %``, ``2.772,1``, ``429.423``: one decimal, the same in the
    whole column) and text ('–' for a missing value). Times, dates and booleans keep the
    grid's own cells."""
    from analytics.pack.export import column_kind, column_texts

    return {
        i: column_texts(frame.get_column(name), lg)
        for i, (name, dtype) in enumerate(frame.schema.items())
        if column_kind(name, dtype) in ("share", "decimal", "count", "text")
        and not isinstance(dtype, pl.List | pl.Struct | pl.Array)
    }


def _styled(frame: pl.DataFrame, lg: Lang) -> Any:
    """The frame for ``st.dataframe`` with the cells of :func:`display_texts` as display
    values: the grid sorts by the numbers and shows them as the language writes them.

    Streamlit reads a pandas Styler's display values from ``_translate``; building them
    with the Styler's own formatters costs ~0.1 ms a cell (seconds for a list of leads),
    so the texts are made in one pass here and handed over in the shape Streamlit reads.
    """
    texts = display_texts(frame, lg)
    styler = frame.to_pandas().style
    body = [
        [{"id": f"row{r}_col{c}", "display_value": cells[r]} for c, cells in texts.items()]
        for r in range(frame.height)
    ]
    styler._compute = lambda: styler  # type: ignore[method-assign]
    styler._translate = lambda *_args, **_kw: {"body": body}  # type: ignore[method-assign]
    return styler


def _kind_word(kind: str, lg: Lang) -> str:
    """A breach kind as its title (``Speed to lead missed``), a tested change's kind in words."""
    if f"breach.title.{kind}" in TEXTS:
        return term("breach.title", kind, lang=lg)
    return term("change_kind", kind, lang=lg)


#: Columns whose values are codes, and their words in the UI language: SLA statuses and
#: enrolment statuses (the app's words), the library's vocabularies, the config's names.
_VALUE_WORDS: dict[str, Any] = {
    "status": lambda v, lg: t(v, lg) if v in _STATUS_WORDS else v,
    "end_stage": lambda v, lg: term("stage", v, lang=lg),
    "buyer_stage": lambda v, lg: term("buyer_stage", v, lang=lg),
    "channel": lambda v, lg: term("channel", v, lang=lg),
    "track": lambda v, lg: data.config().track_name(v, lg),
    "kind": _kind_word,
    "outcome": lambda v, lg: t(f"exit_{v}", lg) if f"exit_{v}" in _EXIT_WORDS else v,
    "part": lambda v, lg: term("split", v, lang=lg),
    # codes of the data, by the config's display names ([names.<column>], with _de)
    **{
        column: (lambda c: lambda v, lg: data.config().display_name(c, v, lg))(column)
        for column in ("source", "team", "industry", "country", "seniority", "role")
    },
    "table_name": lambda v, lg: term("table", v, lang=lg),
}
_STATUS_WORDS = frozenset({*STATUS_ORDER, "in_time", "late", "missing"})
_EXIT_WORDS = frozenset(k for k in TEXT if k.startswith("exit_"))


def display_frame(frame: pl.DataFrame, lg: Lang) -> pl.DataFrame:
    """The frame as shown: codes in words of the UI language (status ``at risk``, channel
    ``Telefon``, a track by its name in the config, a breach kind by its title, a source or
    team by its display name in the config), yes / no in words (``besser`` / ``schlechter``
    for ``is_better``)."""
    words = []
    for column, word in _VALUE_WORDS.items():
        if frame.schema.get(column) == pl.String:
            values = frame[column].drop_nulls().unique().to_list()
            mapping = {v: word(v, lg) for v in values}
            words.append(pl.col(column).replace(mapping))
    for column, dtype in frame.schema.items():
        if dtype == pl.Boolean:
            yes, no = (
                (render("pack.better", lang=lg), render("pack.worse", lang=lg))
                if column == "is_better"
                else (render("yes", lang=lg), render("no", lang=lg))
            )
            shown = pl.when(pl.col(column)).then(pl.lit(yes)).otherwise(pl.lit(no))
            words.append(
                pl.when(pl.col(column).is_null()).then(None).otherwise(shown).alias(column)
            )
    return frame.with_columns(words) if words else frame


def screen_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame without the ids that have a name beside them (``owner_rep_id`` next to
    ``owner_rep_id_name``, ``rep_id`` next to ``rep_name``): ids stay in downloads only."""
    ids = [
        c
        for c in frame.columns
        if f"{c}_name" in frame.columns or (c.endswith("_id") and f"{c[:-3]}_name" in frame.columns)
    ]
    return frame.drop(ids) if ids else frame


#: Tables up to this many rows are shown whole (Streamlit's "auto" height shows ten).
WHOLE_TABLE_ROWS = 25


def table(frame: pl.DataFrame, *, height: int | str = "auto", **kwargs: Any) -> None:
    """A table of any width with human column labels in the UI language (CSV downloads keep
    the stable column names); shares in percent, decimals and times readable, a missing
    value as '–', and every row in view when there are few."""
    lg = lang()
    frame = screen_columns(frame)
    if height == "auto" and 10 < frame.height <= WHOLE_TABLE_ROWS:
        height = 38 + 35 * frame.height
    column_config = _column_config(frame, lg)
    for name, extra in kwargs.pop("column_config", {}).items():
        if isinstance(extra, dict) and not extra.get("label") and name in column_config:
            extra = {**extra, "label": column_config[name].get("label")}
        column_config[name] = extra
    st.dataframe(
        _styled(display_frame(frame, lg), lg),
        width="stretch",
        hide_index=True,
        height=height,
        column_config=column_config,
        placeholder="–",
        **kwargs,
    )


def formatted(frame: pl.DataFrame, lg: Lang) -> pl.DataFrame:
    """A small table as text for :func:`text_table`: labels and words of the UI language,
    numbers as the language writes them (one decimal, ``12,3 %``)."""
    shown = screen_columns(display_frame(frame, lg))
    texts = display_texts(shown, lg)
    currency = data.config().reporting.currency
    return pl.DataFrame(
        {
            column_label(name, lg, currency=currency): texts.get(i, shown[name].to_list())
            for i, name in enumerate(shown.columns)
        }
    )


def text_table(frame: pl.DataFrame) -> None:
    """A small table of text already formatted for the screen (this month beside the last,
    the KPI list): static HTML, lighter for the browser to redraw on every rerun than a
    data grid, and easy to read across a room. Tables of leads use :func:`table`."""
    st.table(frame, hide_index=True, border="horizontal")


def footnotes(notes: list[tuple[str, str]]) -> None:
    """The reasons marked in the table above, each once, as the pack lists them below its
    tables (:meth:`analytics.pack.render.Footnotes.flush`: ``(mark, reason)`` in order); a
    caption line each, nothing without notes."""
    if notes:
        st.caption("  \n".join(f"{mark} {md(reason)}" for mark, reason in notes))


def html_table(
    frame: pl.DataFrame,
    lg: Lang,
    *,
    help: dict[str, str] | None = None,
    why_missing: dict[str, str] | None = None,
    right: tuple[str, ...] = (),
) -> str:
    """A small table as one static HTML ``<table>`` (every text escaped), shown as
    :func:`table` shows it: labels, words and numbers of the language (``1.234,5``,
    ``12,3 %``), ids beside names left out, a missing value as '–'.

    Parameters
    ----------
    frame : the table, stable column names (a handful of rows: no sorting, no scrolling).
    lg : the language.
    help : column -> a hint on its header (shown on hover).
    why_missing : column -> why a value of it can be missing (on hover over its '–').
    right : text columns aligned right, as numbers are (``81,3 % (768 / 945)``).

    Returns
    -------
    str : ``<div class="sla-table-wrap"><table class="sla-table">``; number cells (and their
    headers) of class ``num``.
    """
    from analytics.pack.export import column_kind

    shown = screen_columns(display_frame(frame, lg))
    texts = display_texts(shown, lg)
    currency = data.config().reporting.currency
    help, why_missing = help or {}, why_missing or {}
    head, columns = [], []
    for i, (name, dtype) in enumerate(shown.schema.items()):
        numeric = column_kind(name, dtype) in ("share", "decimal", "count")
        cls = ' class="num"' if numeric else ' class="right"' if name in right else ""
        tip = f' title="{html.escape(help[name])}"' if name in help else ""
        label = html.escape(column_label(name, lg, currency=currency))
        head.append(f"<th{cls}{tip}>{label}</th>")
        if i in texts:
            cells = texts[i]
        elif isinstance(dtype, pl.Datetime | pl.Date):
            when = day if dtype == pl.Date else moment
            # a moment breaks between its day and its time only, never before its zone
            cells = ["\u00a0".join(when(v, lg).rsplit(" ", 1)) for v in shown[name].to_list()]
        else:
            cells = ["–" if v is None else str(v) for v in shown[name].to_list()]
        why = f' title="{html.escape(why_missing[name])}"' if name in why_missing else ""
        columns.append([f"<td{cls}{why if c == '–' else ''}>{html.escape(c)}</td>" for c in cells])
    rows = "".join(f"<tr>{''.join(r)}</tr>" for r in zip(*columns, strict=True))
    return (
        f'<div class="sla-table-wrap"><table class="sla-table"><thead><tr>{"".join(head)}'
        f"</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def static_table(
    frame: pl.DataFrame,
    *,
    help: dict[str, str] | None = None,
    why_missing: dict[str, str] | None = None,
    right: tuple[str, ...] = (),
    whole: bool = False,
) -> None:
    """A small table (a handful of rows) drawn as one HTML element (:func:`html_table`,
    with ``help``, ``why_missing`` and ``right``): the browser draws it in a fraction of a
    data grid's time. A table longer than :data:`WHOLE_TABLE_ROWS` (a per-rep table of a
    large team) is a :func:`table`, unless ``whole`` (a table of a bounded length, such as
    the review pack's top breaches); lists of leads are a :func:`long_table`."""
    if frame.height > WHOLE_TABLE_ROWS and not whole:
        table(frame)
    else:
        st.html(html_table(frame, lang(), help=help, why_missing=why_missing, right=right))


#: The rows of a long list drawn on arrival: its first (the lists put their worst first).
PREVIEW_ROWS = 10


@st.fragment
def long_table(frame: pl.DataFrame, *, key: str, preview: int = PREVIEW_ROWS) -> None:
    """A list of leads or episodes, which may be long. Empty, the word "None."; up to
    :data:`WHOLE_TABLE_ROWS` rows, all of them as a :func:`static_table`; longer, its
    first ``preview`` rows so, a line saying how many there are, and the whole list as a
    sortable, searchable grid (:func:`table`) in an expander drawn only when opened.

    A data grid is the heaviest element a page draws: on a first visit chromium loads and
    starts its script before drawing it (0.3-0.5 s of a page at 1M leads). The lists are
    ordered worst first (the most hours over, the most attempts short), so the rows a
    meeting reads are on the screen at once. It is a fragment: opening the expander
    reruns this table alone, wherever it is called.

    Parameters
    ----------
    frame : the whole list, in the order to show.
    key : the expander's widget key (unique on the page).
    preview : how many of the first rows a long list shows on arrival.
    """
    lg = lang()
    if not frame.height:
        st.caption(t("list_empty", lg))
        return
    if frame.height <= WHOLE_TABLE_ROWS:
        static_table(frame)
        return
    static_table(frame.head(preview))
    total = num(frame.height, lg)
    st.caption(t("preview_note", lg, n=num(preview, lg), total=total))
    whole = st.expander(t("preview_all", lg, total=total), key=key, on_change="rerun")
    if whole.open:
        with whole:
            table(frame)


def unavailable(what: str, lg: Lang) -> None:
    """Say precisely which library function a section waits for."""
    st.info(t("not_available", lg, what=what), icon=":material/hourglass_empty:")


#: A count axis: whole-number ticks only (no 0.1, 0.2, ... when the counts are small), their
#: digits grouped as the language groups them (1,000 / 1.000).
COUNT_AXIS = alt.Axis(tickMinStep=1, format=",d")


def terms(
    frame: pl.DataFrame,
    column: str,
    kind: str,
    lg: Lang,
    *,
    missing: str | None = None,
    where: pl.Expr | None = None,
) -> pl.DataFrame:
    """``column``'s codes as words of the library's vocabulary ``kind`` (``reason``,
    ``channel`` ...), in the UI language; nulls as ``missing``; only rows ``where`` holds."""
    values = frame.filter(where) if where is not None else frame
    mapping = {v: capital(term(kind, v, lang=lg)) for v in values[column].drop_nulls().unique()}
    shown = pl.col(column).replace(mapping)
    if where is not None:
        shown = pl.when(where).then(shown).otherwise(pl.col(column))
    if missing is not None:
        shown = shown.fill_null(missing)
    return frame.with_columns(shown.alias(column))


def capital(word: str) -> str:
    """A word as a label starts: ``kein Budget`` -> ``Kein Budget``."""
    return word[:1].upper() + word[1:]


def labelled(frame: pl.DataFrame, column: str, lg: Lang) -> pl.DataFrame:
    """``column`` in words of the UI language (for a chart axis, legend or tooltip)."""
    return frame.with_columns(display_frame(frame.select(column), lg)[column])


def status_legend(lg: Lang, **kwargs: Any) -> alt.Legend:
    """A status legend without title that reads ``at risk`` / ``gefährdet``, not ``at_risk``."""
    words = ", ".join(f"'{s}': '{t(s, lg)}'" for s in STATUS_ORDER)
    return alt.Legend(title=None, labelExpr=f"({{{words}}})[datum.label] || datum.label", **kwargs)


def with_status_label(frame: pl.DataFrame, lg: Lang) -> pl.DataFrame:
    """Add ``status_label``: the status in words of the UI language (for tooltips)."""
    words = {s: t(s, lg) for s in STATUS_ORDER}
    return frame.with_columns(pl.col("status").replace(words).alias("status_label"))


def status_scale() -> alt.Scale:
    """Altair colour scale: met green, at risk amber, missed red, pending grey."""
    return alt.Scale(domain=list(STATUS_ORDER), range=[STATUS_COLORS[s] for s in STATUS_ORDER])


def fmt_day(value: Any, lg: Lang) -> str:
    return day(value, lg)


# -- metric values ----------------------------------------------------------------------------

#: Metrics that are shares (shown in percent, changes in percentage points).
#: The KPIs and volumes that are rates (shown in percent), by the pack's one rule of how
#: a metric is shown (:func:`analytics.pack.formatting.metric_kind`).
RATE_METRICS = frozenset(
    m for m in (*KPI_METRICS, *VOLUME_COLUMNS, "customers") if pack_metric_kind(m) == "rate"
)
#: Metrics shown with one decimal (hours, attempts per MQL), and the unit after them.
_DECIMALS = {
    m: 1 for m in (*KPI_METRICS, *VOLUME_COLUMNS) if pack_metric_kind(m) in ("hours", "number")
}
_UNITS = {m: " h" for m in _DECIMALS if pack_metric_kind(m) == "hours"}


def fmt_metric(metric: str, value: float | None, lg: Lang, *, currency: str = "EUR") -> str:
    """A KPI or volume value in its unit, as the pack writes it
    (:func:`analytics.pack.formatting.format_metric`: percent, hours, a count, a pro-rated
    target with a decimal); money as the app writes it (``EUR 1,234`` in English)."""
    if metric == "won_revenue":
        from dashboard.i18n import money

        return money(value, lg, currency=currency)
    return format_metric(metric, value, currency=currency, lang=lg)


def fmt_change(metric: str, change: float | None, lg: Lang) -> str | None:
    """A change in the metric's unit (percentage points for rates); None when unknown."""
    if change is None:
        return None
    if metric in RATE_METRICS:
        return signed(change * 100, lg, digits=1, unit=f" {_pp(lg)}")
    return signed(change, lg, digits=_DECIMALS.get(metric, 0), unit=_UNITS.get(metric, ""))


def metric_kind(metric: str) -> ColumnKind:
    """How a KPI's numbers are written in a file, by the rule of :func:`fmt_metric`: a rate
    as a share (percent), hours and attempts per MQL with one decimal, the rest whole."""
    return {"rate": "share", "hours": "decimal", "number": "decimal"}.get(
        pack_metric_kind(metric), "count"
    )


#: The number columns of a KPI table, each row in its metric's unit (:func:`metric_kind`).
KPI_NUMBERS = ("value", "target", "previous", "change", "full_target")


def kpi_download(review: Any, lg: Lang) -> tuple[pl.DataFrame, dict[str, list[ColumnKind]]]:
    """The KPI table as its downloads hold it, and the kind of each row's numbers.

    Words of the UI language where the screen shows words (team, the KPI's label, the
    direction, the status and why a KPI is not judged, the unit); the numbers raw, each
    row written in its metric's unit (:func:`metric_kind`: ``1.8 %``, not ``0.0``).
    """
    currency = data.config().reporting.currency

    def unit(metric: str) -> str:
        if metric == "won_revenue":
            return currency
        if metric in _UNITS:
            return _UNITS[metric].strip()  # h
        if metric_kind(metric) == "share":
            return "%"
        return column_label("attempts", lg) if metric == "attempts_per_mql" else t("c_count", lg)

    kpis = review.kpis
    rows = [
        {
            "team": t(r["team"], lg),
            "metric": r["metric"],
            "label": kpi_label(r, lg),
            "direction": t(f"direction_{r['direction']}", lg),
            "unit": unit(r["metric"]),
            **{name: r[name] for name in KPI_NUMBERS},
            "status": t(r["status"] or "no_data", lg),
            "reason": kpi_reason(r, review, lg),
        }
        for r in kpis.iter_rows(named=True)
    ]  # fmt: skip
    schema = {
        "team": pl.String, "metric": pl.String, "label": pl.String, "direction": pl.String,
        "unit": pl.String, **dict.fromkeys(KPI_NUMBERS, pl.Float64), "status": pl.String,
        "reason": pl.String,
    }  # fmt: skip
    kinds = [metric_kind(m) for m in kpis["metric"]]
    # a rate's change is in percentage points (+2.6 pp, as on screen), not a share
    changes = ["points" if k == "share" else k for k in kinds]
    by_column = {name: changes if name == "change" else kinds for name in KPI_NUMBERS}
    return pl.DataFrame(rows, schema=schema), by_column


def rate_counts(review: Any, metric: str) -> tuple[Any, Any, Any, Any] | None:
    """(x, n, ci_low, ci_high) behind a rate of the review (:meth:`Review.rate_counts`, with
    its 95 % Wilson interval); None for a metric that is no rate."""
    from analytics.stats import wilson

    counts = review.rate_counts(metric)
    return None if counts is None else (*counts, *wilson(*counts))


def metric_detail(review: Any, metric: str, lg: Lang) -> str:
    """The count and interval under a rate (``41 / 120, 95 % CI 26–43 %``), else ''."""
    counts = rate_counts(review, metric)
    if counts is None:
        if metric == "mql_attainment":
            mqls = review.volumes.get("mqls")
            return f"{num(mqls, lg)} / {num(review_target_mqls(review), lg)} MQLs"
        return ""
    x, n, low, high = counts
    from analytics.stats import ratio

    text = rate_text(ratio(x, n), x, n, low, high, lg)
    return text[text.find("(") + 1 : -1] if "(" in text else text


def review_target_mqls(review: Any) -> float:
    """The MQL commitment of the SLA version that judges the review's month."""
    return data.month_config(review.window.label).goals.mql_target_monthly


def kpi_tile(row: dict[str, Any], review: Any, lg: Lang) -> Tile:
    """One SLA promise as a :class:`Tile`: label, value in big type, the change against
    the previous month (coloured by the KPI's direction), the status badge with the SLA
    commitment, the counts and interval underneath; a KPI the data cannot judge shows
    the badge "no data" and why (its value "–" when it cannot be computed).

    ``row`` is a row of a KPI table (``team``, ``metric``, ``label``, ``value``, ``change``,
    ``target``, ``direction``, ``status``).
    """
    metric = row["metric"]
    tile = Tile(
        kpi_label(row, lg),
        fmt_metric(metric, row["value"], lg),
        delta=fmt_change(metric, row.get("change"), lg),
        tone="inverse" if row["direction"] == "at_most" else "normal",
    )
    why = kpi_reason(row, review, lg)
    if why is not None:
        return replace(tile, badge=("no_data", t("no_data", lg)), note=why)
    sign = "≥" if row["direction"] == "at_least" else "≤"
    target = f"{sign} {fmt_metric(metric, row['target'], lg)}".replace(" ", "\u00a0")  # one line
    status = row["status"] or "no_data"
    return replace(
        tile,
        badge=(status, t(status, lg)),
        beside=f"{t('sla_commitment', lg)} {target}",
        note=metric_detail(review, metric, lg) or None,
    )


def comparison_note(review: Any, lg: Lang) -> None:
    """What the KPIs' previous month and change compare with (the month as judged by its
    own SLA version), and each KPI whose change is not computed because the SLA measures
    it differently now, with why (:mod:`analytics.comparison`)."""
    label = review.comparison_label(lang=lg, month_text=lambda m: month_name(m, lg))
    if not label:  # a running month is compared with nothing (its tiles say so)
        return
    unlike = [
        f"{kpi_label(r, lg)}: {why}"
        for r in review.kpis.iter_rows(named=True)
        if (why := review.change_reason(r["metric"], lang=lg))
    ]
    st.caption(" ".join([label, *(f"{md(u)}." for u in unlike)]))


def kpi_tiles(rows: list[dict[str, Any]], review: Any, lg: Lang) -> None:
    """A team's KPIs (:func:`kpi_tile`) as one row of tiles: one element for the browser
    to draw instead of four or five per KPI."""
    tiles([kpi_tile(row, review, lg) for row in rows], kind="sla-kpis sla-even")


def attention_items(kpis: pl.DataFrame, limit: int = 3) -> pl.DataFrame:
    """The promises furthest from their targets: missed before at risk, largest gap first."""
    gap = ((pl.col("value") - pl.col("target")) / pl.col("target")).abs()
    return (
        kpis.filter(pl.col("status").is_in(["missed", "at_risk"]))
        .with_columns(gap.alias("gap"), (pl.col("status") == "missed").alias("is_missed"))
        .sort(["is_missed", "gap"], descending=[True, True], nulls_last=True, maintain_order=True)
        .head(limit)
    )


#: Pacing stages that can need attention, in the order of the goal.
PACED_STAGES = ("won_revenue", "sqls", "mqls", "leads")


def attention_with_pacing(
    kpis: pl.DataFrame, pacing: pl.DataFrame, config: SlaConfig, *, limit: int = 5
) -> list[dict[str, Any]]:
    """What needs attention, largest miss first: the month's goal pacing behind plan
    (revenue at 72 % of pace) beside the KPIs missed or at risk.

    A stage's pace below ``1 - at_risk_margin`` is missed, below 1 at risk; its gap is
    ``1 - pace``. Each item is a KPI row (``kind = "kpi"``) or a pacing row
    (``kind = "pacing"``) with ``status`` and ``gap``.
    """
    margin = config.kpis.at_risk_margin
    items = [{**r, "kind": "kpi"} for r in attention_items(kpis, limit=limit).iter_rows(named=True)]
    for r in pacing.iter_rows(named=True):
        pace = r.get("pace")
        if r["stage"] not in PACED_STAGES or pace is None or pace >= 1:
            continue
        status = "missed" if short_of(pace, 1 - margin) else "at_risk"
        items.append({**r, "kind": "pacing", "status": status, "gap": 1 - pace})
    items.sort(key=lambda i: (i["status"] != "missed", -(i.get("gap") or 0)))
    return items[:limit]


def attention_line(item: dict[str, Any], review: Any, lg: Lang) -> str:
    """One line of "Needs attention" (Markdown): the status, what, the number against its
    target (the SLA commitment, or the pace the revenue goal needs) and the counts."""
    if item["kind"] == "pacing":
        stage = item["stage"]
        currency = data.config().reporting.currency
        value = (
            (lambda x: money(x, lg, currency=currency))
            if stage == "won_revenue"
            else (lambda x: num(x, lg))
        )
        return (
            f"{badge(item['status'], lg)} **{metric_name(stage, lg)}** ({t('goal_pacing', lg)}): "
            f"{t('of_pace', lg, share=pct(item['pace'], lg, digits=0))} · {value(item['actual'])} "
            f"/ {t('expected_to_date', lg)} {value(whole_need(stage, item['expected_to_date']))}"
        )
    sign = "≥" if item["direction"] == "at_least" else "≤"
    detail = metric_detail(review, item["metric"], lg)
    return (
        f"{badge(item['status'], lg)} **{md(kpi_label(item, lg))}** ({t(item['team'], lg)}): "
        f"{fmt_metric(item['metric'], item['value'], lg)} · {t('sla_commitment', lg)} {sign} "
        f"{fmt_metric(item['metric'], item['target'], lg)}"
        + (f" · :small[{detail}]" if detail else "")
    )


def drawn_arrows(text: str) -> str:
    """``text`` with its ASCII arrows drawn, as the UI writes a conversion (the library, the
    CLI and the pack keep ``->``).

    >>> drawn_arrows("Lead -> MQL")
    'Lead → MQL'
    """
    return text.replace("->", "→")


def metric_name(metric: str, lg: Lang = "en") -> str:
    """A readable name of a metric key (``mql_to_sql`` -> ``MQL → SQL``): the library's, its
    arrows drawn."""
    return drawn_arrows(metric_label(metric, lang=lg))


def kpi_label(row: dict[str, Any], lg: Lang) -> str:
    """A KPI's label in the UI language: its ``label_de`` in German when it has one, its
    arrows drawn (``Lead → MQL``) on the cards, the trend panels and the tables alike.

    ``row`` is a row of a KPI table (``team``, ``metric``, ``label``; ``month`` in a trend):
    its label is the version's that judged its month, which may be a KPI the config file
    no longer has; its translation is that version's, else the file's or another recorded
    version's for the same words (:func:`analytics.sla_history.kpi_label`).
    """
    month = row.get("month") or st.session_state.get("month") or data.default_month()
    configs = [data.month_config(month)] if month else []
    configs += [data.config(), *reversed(data.versions())]  # the latest recorded first
    return drawn_arrows(
        sla_history.kpi_label(row["team"], row["metric"], row["label"], configs, lang=lg)
    )


def with_kpi_labels(kpis: pl.DataFrame, lg: Lang) -> pl.DataFrame:
    """A KPI table (or trend) with ``label`` in the UI language (from the SLA config)."""
    if kpis.is_empty():
        return kpis
    key = pl.concat_str("team", pl.lit(" "), "metric")
    labels = {
        f"{team} {metric}": kpi_label({"team": team, "metric": metric, "label": label}, lg)
        for team, metric, label in kpis.select("team", "metric", "label").unique().iter_rows()
    }
    return kpis.with_columns(key.replace_strict(labels, return_dtype=pl.String).alias("label"))


def with_status(frame: pl.DataFrame, metric: str, value: str = "compliance") -> pl.DataFrame:
    """Add ``status`` (met / at risk / missed) of a per-rep or per-week rate against its KPI."""
    from analytics.kpis import kpi_status

    cfg = month_config()
    kpi = next((k for _, k in cfg.all_kpis if k.metric == metric), None)
    if kpi is None:
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias("status"))
    return frame.with_columns(
        kpi_status(
            pl.col(value), pl.lit(kpi.target), pl.lit(kpi.direction), margin=cfg.kpis.at_risk_margin
        ).fill_null("no_data")
    )


def kpi_target(metric: str) -> float | None:
    """The target of the KPI on ``metric`` of the SLA version that judges the month shown
    (None when no KPI measures it)."""
    return next((k.target for _, k in month_config().all_kpis if k.metric == metric), None)


def panel_title(title: str) -> list[str]:
    """A panel's title in lines, its explanation in brackets on a line of its own: a title
    wider than its panel would widen the whole view (a concat of panels) beyond the page at
    1280 px.

    >>> panel_title("SQLs per month by threshold (band: estimate's range)")
    ['SQLs per month by threshold', "(band: estimate's range)"]
    """
    head, bracket, rest = title.partition(" (")
    return [head, bracket.strip() + rest] if bracket else [title]


def rep_rate_chart(
    frame: pl.DataFrame, metric: str, *, title: str, x_title: str
) -> alt.LayerChart | None:
    """A per-rep compliance table (``rep_id``, ``rep_name``, ``compliance``, counts,
    interval) as :func:`rate_bars` against the KPI target of ``metric``: leads without an
    owner on a row of their own, coloured by status. None for an empty table."""
    lg = lang()
    by_rep = with_status(unassigned(frame, lg), metric).rename({"compliance": "rate"})
    if not by_rep.height:
        return None
    return rate_bars(
        by_rep.with_columns(pl.coalesce("rep_name", "rep_id").alias("rep")),
        category="rep",
        title=title,
        x_title=x_title,
        target=kpi_target(metric),
    )


def rep_rate_bars(frame: pl.DataFrame, metric: str, *, title: str, x_title: str) -> None:
    """Draw :func:`rep_rate_chart` full width (nothing for an empty table)."""
    bars = rep_rate_chart(frame, metric, title=title, x_title=x_title)
    if bars is not None:
        chart(bars)


def rate_bars(
    frame: pl.DataFrame,
    *,
    category: str,
    title: str,
    x_title: str,
    target: float | None = None,
    sort: list[str] | None = None,
) -> alt.LayerChart:
    """Horizontal bars of a rate per category with 95 % interval whiskers, coloured by status."""
    lg = lang()
    tooltip = [
        alt.Tooltip(f"{category}:N", title=column_label(category, lg)),
        alt.Tooltip("rate_pct:Q", title=t("c_rate_pct", lg), format=".1f"),
        alt.Tooltip("x:Q", title=t("c_count", lg), format=","),
        alt.Tooltip("n:Q", title=t("c_of", lg), format=","),
        alt.Tooltip("ci_low_pct:Q", title=t("c_ci_from", lg), format=".0f"),
        alt.Tooltip("ci_high_pct:Q", title=t("c_ci_to", lg), format=".0f"),
        alt.Tooltip("status_label:N", title=t("status", lg)),
    ]
    shown = with_status_label(frame, lg).with_columns(
        (pl.col("rate") * 100).alias("rate_pct"),
        (pl.col("ci_low") * 100).alias("ci_low_pct"),
        (pl.col("ci_high") * 100).alias("ci_high_pct"),
    )
    order = (
        sort
        or shown.sort("rate", descending=True, nulls_last=True, maintain_order=True)[
            category
        ].to_list()
    )
    base = alt.Chart(shown).encode(y=alt.Y(f"{category}:N", title=None, sort=order))
    bars = base.mark_bar().encode(
        x=alt.X("rate_pct:Q", title=x_title, scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("status:N", scale=status_scale(), legend=status_legend(lg)),
        tooltip=tooltip,
    )
    whiskers = base.mark_rule(color="#111827").encode(x="ci_low_pct:Q", x2="ci_high_pct:Q")
    layers = [bars, whiskers]
    if target is not None:
        layers.append(
            alt.Chart(pl.DataFrame({"t": [target * 100]}))
            .mark_rule(color="#111827", strokeDash=[6, 3], strokeWidth=2)
            .encode(x="t:Q", tooltip=[alt.Tooltip("t:Q", title=t("c_target_pct", lg))])
        )
    return alt.layer(*layers).properties(title=title, height=BAR_STEP)


def named(frame: pl.DataFrame, column: str = "owner_rep_id") -> pl.DataFrame:
    """Add the rep's name next to a rep id column."""
    if column not in frame.columns:
        return frame
    names = data.rep_names()
    unassigned = render("coverage.unassigned", lang=lang())
    return frame.with_columns(
        pl.col(column)
        .replace_strict(names, default=pl.col(column), return_dtype=pl.String)
        .fill_null(unassigned)
        .alias(f"{column}_name")
    )


def change_of(review: Any, metric: str) -> float | None:
    """This month's value minus the previous month's (None when either is unknown)."""
    now, before = review.kpi_values.get(metric), review.previous_kpi_values.get(metric)
    return None if now is None or before is None else now - before


def delta_of(review: Any, metric: str) -> float | None:
    """The change of a rate metric as a share (for :func:`rate_tile`)."""
    return change_of(review, metric)


def unassigned(frame: pl.DataFrame, lg: Lang) -> pl.DataFrame:
    """A per-rep table with its row of leads without an owner (``rep_id`` null) named
    "unassigned" in ``lg``: counted on its own, never mixed into a rep (spec/coverage.md)."""
    if "rep_id" not in frame.columns or "rep_name" not in frame.columns:
        return frame
    label = render("coverage.unassigned", lang=lg)
    return frame.with_columns(
        pl.when(pl.col("rep_id").is_null())
        .then(pl.lit(label))
        .otherwise(pl.col("rep_name"))
        .alias("rep_name")
    )


def breach_labels(review: Any, lists: dict[str, tuple[str, str]], lg: Lang) -> list[str]:
    """The labels of breach-list tabs (label -> (breach key, download name)) with their
    counts; a list the month's data cannot answer counts "–", never 0 (spec/coverage.md)."""
    counts = review.breach_counts()
    return [
        f"{label} ({'–' if counts[key] is None else num(counts[key], lg)})"
        for label, (key, _) in lists.items()
    ]


def breach_tab(review: Any, key: str, name: str, lg: Lang, month: str) -> None:
    """One breach-list tab: its table and download, or the one sentence of :func:`missing`
    when the month's data cannot answer it (no empty table)."""
    if (why := review.breach_reason(key, lang=lg)) is not None:
        no_data(why)
        return
    frame = named(named(review.breaches[key]), "rep_id")
    long_table(frame, key=f"all-{name}")
    download(frame, f"{name}-{month}", lg, key=f"dl-{name}")


@st.fragment
def breach_lists(
    review: Any,
    lists: dict[str, tuple[str, str]],
    lg: Lang,
    month: str,
    *,
    key: str,
    extra: tuple[str, Callable[[], None]] | None = None,
) -> None:
    """Breach lists as tabs (label -> (breach key, download name), :func:`breach_tab`),
    with their counts in the labels; only the chosen tab's table is drawn, so a first
    visit draws one grid, not one per list. Choosing a tab reruns this fragment alone.

    Parameters
    ----------
    review : the month's review.
    lists : tab label -> (breach key, download name), in order.
    lg, month : the UI language and the month (the downloads' names).
    key : the tabs' widget key (the chosen tab's label in ``st.session_state[key]``).
    extra : a last tab (label, what draws it), or None.
    """
    parts: dict[str, Callable[[], None]] = {
        label: (lambda b=breach, n=name: breach_tab(review, b, n, lg, month))
        for label, (breach, name) in zip(
            breach_labels(review, lists, lg), lists.values(), strict=True
        )
    }
    if extra is not None:
        parts[extra[0]] = extra[1]
    tabs_on_demand(parts, key=key)


def tabs_on_demand(parts: dict[str, Callable[[], None]], *, key: str) -> None:
    """Tabs of which only the chosen one is drawn (the first on arrival): a browser draws
    every tab's elements, hidden or not, so a first visit would pay for all of them.
    Choosing a tab reruns the script, or only the fragment this is called in.

    Parameters
    ----------
    parts : tab label -> what draws the tab's content, in order.
    key : the tabs' widget key (the chosen tab's label in ``st.session_state[key]``).
    """
    for tab, draw in zip(
        st.tabs(list(parts), key=key, on_change="rerun"), parts.values(), strict=True
    ):
        if tab.open:
            with tab:
                draw()
