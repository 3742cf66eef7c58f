"""A realistic demo data set: a DACH B2B company's marketing and sales, 18 months of it.

:func:`generate_demo` simulates every canonical table (:mod:`analytics.schema`) from one
seed. A latent buying propensity per lead drives who the lead is (industry, size,
seniority, role, source), how it engages (activities and their buyer stage; volume is
partly plain curiosity), whether the rule score of the SLA config makes it an MQL, how
sales works it and whether it buys. So the config's lead score carries real signal, and
a model that also learns what the points get wrong (sources, public sector, very large
companies, C-levels) beats it.

The story the data tells (for the monthly review and the demo):

- Seasonality: summer (Jul/Aug) and December dips, spikes at Hannover Messe (April)
  and it-sa (October), mostly as ``event`` leads; slow growth over the 18 months.
- Reps with habits: ``rep-03`` is exemplary; ``rep-04`` is slow to respond (about half
  of its MQLs miss the 24 h first touch) and spaces attempts widely; ``rep-05`` hands a
  fifth of its unanswered leads back after 2-3 attempts (premature recycles);
  ``rep-08`` left the company five months before the end (inactive, still owns old
  leads). Overall about 17 % of MQLs miss the first-touch SLA.
- Funnel rates near published B2B benchmarks: visitor -> lead about 2 %, lead -> MQL
  about 22 %, MQL -> SQL about 38 %, SQL -> opportunity about 55 %, win rate about 22 %.
  At the default 50,000 leads: about 2,800 leads and 700 MQLs a month and won revenue
  around the shipped 1 M EUR target (deals of about 33 k EUR on average).
- What a CRM shows at ``end``: the lifecycle is simulated to its end and then cut, so
  recent MQLs wait for a touch, deals closing later are still open and nurture tracks
  running past ``end`` have no exit yet.

Everything is vectorised with numpy (no per-lead Python loop): one million leads take
well under a minute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import polars as pl

from analytics.config import SlaConfig
from analytics.schema import (
    ACTIVITY_TYPES,
    BUYER_STAGES,
    CHANNELS,
    OUTCOMES,
    ROLES,
    SENIORITIES,
    SOURCES,
    STAGES,
)
from analytics.tables import Tables

__all__ = ["generate_demo"]

HOUR = 3_600_000_000  # microseconds
DAY = 24 * HOUR
MINUTE = HOUR // 60
HISTORY_DAYS = 548  # about 18 months
OPEN_HOUR, CLOSE_HOUR = 7, 17  # UTC office hours (08/09-18/19 in Berlin)

# --- vocabularies -----------------------------------------------------------------------
SOURCE_SHARE = np.array([0.27, 0.19, 0.09, 0.06, 0.10, 0.07, 0.03, 0.06, 0.10, 0.03])
#: True effect of a source on buying propensity (the rule score ignores sources).
SOURCE_EFFECT = np.array([0.0, 0.15, -0.5, -0.45, 0.0, 0.75, 0.4, 0.65, 0.2, -0.55])
#: Visitor -> lead conversion by source (web_traffic is derived from it).
SOURCE_CONVERSION = np.array([0.018, 0.026, 0.011, 0.009, 0.035, 0.028, 0.06, 0.03, 0.016, 0.012])

INDUSTRY_SHARE = {
    "software": 0.16,
    "manufacturing": 0.2,
    "machinery": 0.14,
    "automotive": 0.09,
    "logistics": 0.1,
    "financial_services": 0.09,
    "healthcare": 0.08,
    "retail": 0.08,
    "public_sector": 0.06,
}
#: How far the truth departs from the config's fit points (what a model can learn).
INDUSTRY_TWIST = {
    "retail": 0.5,
    "public_sector": -0.7,
    "healthcare": 0.25,
    "software": 0.15,
    "automotive": -0.2,
}
INDUSTRY_WORD = {
    "software": ("Software", "Digital", "Data Systems", "IT-Systeme"),
    "manufacturing": ("Fertigung", "Werke", "Industrie", "Produktion"),
    "machinery": ("Maschinenbau", "Anlagenbau", "Antriebstechnik"),
    "automotive": ("Automotive", "Fahrzeugtechnik", "Zulieferteile"),
    "logistics": ("Logistik", "Spedition", "Transport"),
    "financial_services": ("Finanz", "Versicherung", "Leasing"),
    "healthcare": ("Medizintechnik", "Klinikservice", "Pharma"),
    "retail": ("Handel", "Versand", "Warenhaus"),
    "public_sector": ("Stadtwerke", "Verwaltungsdienste", "Verkehrsbetriebe"),
}
_STEMS = """
    Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter
    Klein Wolf Neumann Schwarz Zimmermann Braun Krüger Hartmann Lange Werner Krause Lehmann
    Huber Gruber Steiner Moser Brunner Keller Baumann Frei Alpen Rhein Donau Isar Elbe Main
    Bodensee Nordstern Tirol Zürich Schwaben Franken Westfalen Allgäu Hanse Rhön
    """
NAME_STEMS = tuple(_STEMS.split())
COUNTRIES = ("DE", "AT", "CH", "NL", "FR", "IT", "PL", "US")
COUNTRY_SHARE = np.array([0.66, 0.14, 0.12, 0.03, 0.015, 0.015, 0.015, 0.005])
COUNTRY_TWIST = {"CH": 0.25, "AT": -0.1}
LEGAL_FORM = {
    "DE": ("GmbH", "AG", "GmbH & Co. KG", "SE"),
    "AT": ("GmbH", "AG"),
    "CH": ("AG", "GmbH", "SA"),
    "NL": ("B.V.",),
    "FR": ("SAS",),
    "IT": ("S.r.l.",),
    "PL": ("Sp. z o.o.",),
    "US": ("Inc.",),
}
SIZE_SHARE = (0.35, 0.32, 0.2, 0.13)
SIZE_TWIST = (-0.3, 0.1, 0.25, -0.45)

SENIORITY_SHARE = np.array([0.07, 0.07, 0.15, 0.36, 0.35])
SENIORITY_TWIST = {"c_level": -0.45, "director": 0.15, "vp": 0.1}
ROLE_GIVEN_SENIORITY = np.array(
    [
        [0.70, 0.25, 0.03, 0.02],
        [0.60, 0.33, 0.05, 0.02],
        [0.40, 0.45, 0.10, 0.05],
        [0.12, 0.50, 0.30, 0.08],
        [0.02, 0.15, 0.58, 0.25],
    ]
)
JOB_TITLES = {
    "c_level": ("Geschäftsführer", "CEO", "CTO", "CFO", "COO"),
    "vp": ("VP Sales", "VP Engineering", "Head of Operations", "VP Supply Chain"),
    "director": (
        "Director IT",
        "Leiter Produktion",
        "Director Marketing",
        "Bereichsleiter Einkauf",
    ),
    "manager": (
        "IT-Manager",
        "Produktionsleiter",
        "Marketing Manager",
        "Teamleiter Logistik",
        "Einkaufsmanager",
    ),
    "individual": (
        "Ingenieur",
        "Projektingenieur",
        "Sachbearbeiterin Einkauf",
        "Data Analyst",
        "Entwickler",
        "Werkstudent",
    ),
}

A = {name: i for i, name in enumerate(ACTIVITY_TYPES)}
#: Activity type mix by buyer stage (rows: awareness, consideration, decision).
TYPE_MIX = np.zeros((3, len(ACTIVITY_TYPES)))
for _row, _mix in enumerate(
    (
        {
            "page_view": 0.45,
            "email_open": 0.3,
            "email_click": 0.12,
            "content_download": 0.1,
            "form_submit": 0.03,
        },
        {
            "page_view": 0.22,
            "email_click": 0.15,
            "email_open": 0.1,
            "content_download": 0.2,
            "webinar_attended": 0.12,
            "pricing_page_view": 0.13,
            "event_attended": 0.03,
            "form_submit": 0.05,
        },
        {
            "pricing_page_view": 0.37,
            "page_view": 0.15,
            "email_click": 0.1,
            "webinar_attended": 0.1,
            "content_download": 0.1,
            "form_submit": 0.15,
            "event_attended": 0.03,
        },
    )
):
    for _name, _p in _mix.items():
        TYPE_MIX[_row, A[_name]] = _p
ASSETS = {
    "page_view": (
        "/",
        "/produkt",
        "/loesungen/fertigung",
        "/kunden",
        "/blog/oee-steigern",
        "/blog/predictive-maintenance",
        "/ueber-uns",
    ),
    "pricing_page_view": ("/preise",),
    "content_download": (
        "Whitepaper: Predictive Maintenance",
        "Guide: OEE in 30 Tagen",
        "Benchmark-Report Fertigung 2026",
        "Checkliste: Digitale Fabrik",
        "Case Study: Maschinenbau Mittelstand",
    ),
    "webinar_attended": (
        "Webinar: KI in der Produktion",
        "Webinar: Live-Demo",
        "Webinar: Kundenstimmen aus der Schweiz",
    ),
    "email_open": ("Newsletter", "Produkt-Update", "Einladung Webinar"),
    "email_click": ("Newsletter", "Produkt-Update", "Einladung Webinar"),
    "form_submit": ("/kontakt", "/whitepaper", "/newsletter"),
    "demo_request": ("/demo",),
    "contact_request": ("/kontakt",),
    "event_attended": ("Roadshow München", "Anwendertreffen Wien", "Hannover Messe", "it-sa"),
}

OUT = {name: i for i, name in enumerate(OUTCOMES)}
NOTES: dict[str, tuple[str | None, ...]] = {
    "connected": (
        "asked to call back in Q1",
        "interested, wants pricing",
        "evaluating, call in 2 weeks",
        None,
        None,
    ),
    "no_answer": ("no answer, try again Thursday", None, None, None, None, None, None),
    "no_reply": ("no reply yet", None, None, None, None, None),  # e-mail, social
    "voicemail": ("left voicemail", "left voicemail", None),
    "replied": ("replied: send more information", "replied: not now, maybe next year", None),
    "meeting_booked": ("discovery call booked", "demo booked", None),
    "bounced": ("email bounced", None),
}

S = {name: i for i, name in enumerate(STAGES)}
TRIGGERS = (
    None,
    "score_threshold",
    "demo_request",
    "contact_request",
    "sales_accept",
    "manual",
    "attempts_exhausted",
    "closed_won",
    "form_submit",
    "event_attended",
)
TR = {name: i for i, name in enumerate(TRIGGERS)}
REASONS = (
    None,
    "no_response",
    "not_ready",
    "no_budget",
    "competitor",
    "student",
    "wrong_company",
    "no_need",
    "no_project",
)
RE = {name: i for i, name in enumerate(REASONS)}
LOSS_REASONS = ("price", "competitor", "no_decision", "timing")

#: (rep_id, name, team, weekly capacity per 50k leads, active)
REPS = (
    ("rep-01", "Lena Hoffmann", "marketing", None, True),
    ("rep-02", "Jonas Weber", "marketing", None, True),
    ("rep-03", "Anna Schmidt", "sdr", 45, True),
    ("rep-04", "Max Bauer", "sdr", 40, True),
    ("rep-05", "Sophie Wagner", "sdr", 40, True),
    ("rep-06", "Felix Becker", "sdr", 40, True),
    ("rep-07", "Laura Fischer", "sdr", 35, True),
    ("rep-08", "Tobias Schulz", "sdr", 35, False),
    ("rep-09", "Katharina Meyer", "ae", 12, True),
    ("rep-10", "Stefan Koch", "ae", 12, True),
    ("rep-11", "Julia Richter", "ae", 10, True),
)
SDRS = np.array([2, 3, 4, 5, 6, 7])  # indices into REPS
AES = np.array([8, 9, 10])
LEFT_REP = 7  # rep-08 left the company ...
LEFT_DAYS_BEFORE_END = 150  # ... this many days before the end


@dataclass(frozen=True)
class Habit:
    """How an SDR works an MQL."""

    touch_median_h: float  # median hours from MQL to first touch (before office hours)
    touch_sigma: float
    attempts: tuple[int, int]  # planned attempts when unanswered, inclusive range
    gap_days: float  # mean days between attempts
    grace_days: tuple[float, float]  # days after the last attempt until recycling
    p_forgotten: float  # share of MQLs first touched only days later
    p_early: float  # share of unanswered leads handed back after 2-3 attempts
    p_stale: float  # unanswered leads left hanging for weeks before a clean-up
    weekend: float  # chance of working on a weekend day
    reach_bonus: float  # on the log-odds of reaching a lead per attempt


HABITS = {
    2: Habit(0.8, 0.8, (7, 9), 1.6, (5, 7), 0.0, 0.0, 0.0, 0.8, 0.25),  # rep-03 exemplary
    3: Habit(16.0, 0.9, (6, 7), 3.2, (8, 14), 0.04, 0.03, 0.05, 0.0, -0.1),  # rep-04 slow
    4: Habit(2.5, 0.9, (6, 8), 1.5, (5, 8), 0.01, 0.2, 0.01, 0.5, 0.0),  # rep-05 recycles early
    5: Habit(2.5, 1.0, (6, 8), 2.0, (5, 8), 0.01, 0.0, 0.01, 0.5, 0.0),  # rep-06
    6: Habit(3.0, 1.0, (6, 8), 2.2, (5, 8), 0.01, 0.01, 0.01, 0.5, 0.0),  # rep-07
    7: Habit(3.5, 1.1, (6, 8), 2.4, (6, 10), 0.02, 0.02, 0.02, 0.4, 0.0),  # rep-08
}
MAX_ATTEMPTS = 9


def _habit(rep: np.ndarray, field: str, index: int | None = None) -> np.ndarray:
    """A habit of each episode's SDR (a neutral default for non-SDRs)."""
    default = HABITS[5]
    values = []
    for r in range(len(REPS)):
        value = getattr(HABITS.get(r, default), field)
        values.append(value if index is None else value[index])
    return np.array(values, dtype=float)[rep]


# --- small vectorised helpers -----------------------------------------------------------
def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _choice(rng: np.random.Generator, n: int, p: Sequence[float] | np.ndarray) -> np.ndarray:
    """``n`` draws from the categories ``0..len(p)-1`` with probabilities ``p``."""
    cdf = np.cumsum(np.asarray(p, dtype=float))
    return np.minimum(np.searchsorted(cdf / cdf[-1], rng.random(n), side="right"), len(cdf) - 1)


def _choice_rows(rng: np.random.Generator, rows: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """One draw per element: ``probs[rows[i]]`` is the distribution of draw ``i``."""
    cdf = np.cumsum(probs, axis=1)
    cdf = cdf / cdf[:, -1:]
    u = rng.random(len(rows))
    out = np.empty(len(rows), dtype=np.int64)
    for row in range(probs.shape[0]):  # a handful of rows, each vectorised
        sel = rows == row
        out[sel] = np.searchsorted(cdf[row], u[sel], side="right")
    return np.minimum(out, probs.shape[1] - 1)


def _pick(values: Sequence[str | None], codes: np.ndarray) -> pl.Series:
    """Strings by code (``values[code]``), as a polars Series."""
    return pl.Series(list(values), dtype=pl.String).gather(pl.Series(codes, dtype=pl.UInt32))


def _pick_within(
    rng: np.random.Generator,
    groups: dict[str, Sequence[str | None]],
    keys: Sequence[str],
    key_codes: np.ndarray,
) -> pl.Series:
    """For each element, a random value of ``groups[keys[key_code]]`` (a flat lookup)."""
    flat: list[str | None] = []
    offsets, sizes = [], []
    for key in keys:
        values = groups.get(key, (None,))
        offsets.append(len(flat))
        sizes.append(len(values))
        flat.extend(values)
    off = np.array(offsets)[key_codes]
    size = np.array(sizes)[key_codes]
    return _pick(flat, off + (rng.random(len(key_codes)) * size).astype(np.int64))


def _ids(prefix: str, n: int, width: int) -> pl.Series:
    width = max(width, len(str(n)))
    return pl.select(
        pl.concat_str(pl.lit(prefix), pl.int_range(1, n + 1).cast(pl.String).str.zfill(width))
    ).to_series()


def _timestamps(us: np.ndarray) -> pl.Series:
    return pl.Series(us.astype(np.int64)).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


def _office(
    rng: np.random.Generator, t: np.ndarray, *, weekend: float | np.ndarray = 0.0
) -> np.ndarray:
    """Move moments outside office hours to the next opening (plus a few minutes)."""
    day = t // DAY
    tod = t - day * DAY
    jitter = (rng.gamma(1.5, 25, len(t)) * MINUTE).astype(np.int64)
    opening = OPEN_HOUR * HOUR + jitter
    out = np.where(tod < OPEN_HOUR * HOUR, day * DAY + opening, t)
    out = np.where(tod >= CLOSE_HOUR * HOUR, (day + 1) * DAY + opening, out)
    day = out // DAY
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    shift = np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))
    move = (shift > 0) & (rng.random(len(t)) >= weekend)
    return np.where(move, (day + shift) * DAY + np.maximum(opening, out - day * DAY), out)


def _time_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    """Office-heavy times of day (UTC), in microseconds."""
    hours = np.where(
        rng.random(n) < 0.85, np.clip(rng.normal(11.0, 2.8, n), 5.5, 20.5), rng.random(n) * 24
    )
    return (hours * HOUR).astype(np.int64)


def _segment_starts(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts)[:-1]])


class _Events:
    """Lifecycle events collected as code arrays."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, lead, stage, at, trigger=0, actor=-1, reason=0) -> None:
        n = len(lead)
        if n == 0:
            return
        full = [
            np.broadcast_to(np.asarray(v), (n,)).astype(np.int64)
            for v in (lead, stage, at, trigger, actor, reason)
        ]
        self.parts.append(tuple(full))

    def arrays(self) -> list[np.ndarray]:
        if not self.parts:
            return [np.empty(0, dtype=np.int64) for _ in range(6)]
        return [np.concatenate([p[i] for p in self.parts]) for i in range(6)]


# --- the generator ----------------------------------------------------------------------
def generate_demo(
    config: SlaConfig,
    *,
    leads: int = 50_000,
    seed: int = 7,
    end: datetime | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, pl.DataFrame]:
    """Simulate a DACH B2B company's marketing and sales data for about 18 months.

    Parameters
    ----------
    config : SlaConfig
        The SLA config: its fit and interest points and MQL threshold decide when a
        lead becomes an MQL (``score_threshold``), its nurture tracks name the
        enrollments and ``recycle.track`` receives recycled leads.
    leads : int, default 50_000
        Number of leads (about 2,800 a month at the default; everything scales with it).
    seed : int, default 7
        Seed of ``numpy.random.default_rng``: the same ``(seed, leads, end)`` gives the
        same frames.
    end : datetime, optional
        The last moment of data (naive means UTC); default today 00:00 UTC. Nothing in
        the data is later; the history starts about 548 days earlier.
    progress : callable, optional
        Called as ``progress(step_name, fraction_done)`` between steps.

    Returns
    -------
    dict[str, polars.DataFrame]
        One frame per canonical table (``accounts``, ``reps``, ``leads``,
        ``lifecycle_events``, ``activities``, ``sales_touches``, ``nurture_enrollments``,
        ``opportunities``, ``web_traffic``), each with exactly the columns and dtypes of
        :mod:`analytics.schema`. Ids: accounts ``A00001``, reps ``rep-01``, leads
        ``L0000001``, activities ``E00000001``, touches ``T0000001``, enrollments
        ``N0000001``, opportunities ``O000001``.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> from analytics.config import load_config
    >>> from analytics.schema import TABLES
    >>> demo = generate_demo(load_config("data/sla.toml"), leads=300, seed=1,
    ...                      end=datetime(2026, 6, 1, tzinfo=UTC))
    >>> sorted(demo) == sorted(TABLES)
    True
    >>> demo["leads"].height, demo["reps"]["rep_id"][0]
    (300, 'rep-01')
    >>> demo["lifecycle_events"]["entered_at"].max() <= datetime(2026, 6, 1, tzinfo=UTC)
    True
    """
    if isinstance(leads, bool) or not isinstance(leads, int) or leads < 1:
        raise ValueError(f"leads must be a positive integer, got {leads!r}")
    if end is None:
        now = datetime.now(UTC)
        end = datetime(now.year, now.month, now.day, tzinfo=UTC)
    elif end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    end_us = int(end.astimezone(UTC).timestamp() * 1_000_000)
    gen = _Generator(config, np.random.default_rng(seed), leads, end_us, progress)
    return gen.run()


#: Above this many leads the demo is generated in independent chunks of this size.
CHUNK_LEADS = 2_000_000
_SHARED_IDS = ("rep_id", "owner_rep_id", "actor_rep_id")


def generate_demo_chunks(
    config: SlaConfig,
    *,
    leads: int = 50_000,
    seed: int = 7,
    end: datetime | None = None,
    chunk_leads: int | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> Iterator[dict[str, pl.DataFrame]]:
    """The demo in pieces of at most ``chunk_leads`` leads (default :data:`CHUNK_LEADS`).

    Up to ``chunk_leads`` leads this yields :func:`generate_demo`'s frames unchanged.
    Above, chunk ``i`` is an independent demo of the same company's sales team (seed
    ``seed + i``) whose ids, but the reps', are prefixed ``c<i>.``; ``reps`` comes with
    the first chunk only, and ``web_traffic`` (visitors of all chunks, summed per date
    and source) with the last. Appending the chunks gives one consistent data set; one
    chunk of 2M leads peaks at about 3.5 GB.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> from analytics.config import load_config
    >>> chunks = list(generate_demo_chunks(load_config("data/sla.toml"), leads=250,
    ...     seed=1, end=datetime(2026, 6, 1, tzinfo=UTC), chunk_leads=100))
    >>> [c["leads"].height for c in chunks], chunks[1]["leads"]["lead_id"][0]
    ([100, 100, 50], 'c1.L0000001')
    >>> ["reps" in c for c in chunks], ["web_traffic" in c for c in chunks]
    ([True, False, False], [False, False, True])
    """
    chunk_leads = CHUNK_LEADS if chunk_leads is None else chunk_leads
    if leads <= chunk_leads:
        yield generate_demo(config, leads=leads, seed=seed, end=end, progress=progress)
        return
    firsts = range(0, leads, chunk_leads)
    traffic: list[pl.DataFrame] = []
    for i, first in enumerate(firsts):

        def step(name: str, fraction: float, i: int = i) -> None:
            if progress:
                progress(f"chunk {i + 1}/{len(firsts)}: {name}", (i + fraction) / len(firsts))

        size = min(chunk_leads, leads - first)
        frames = generate_demo(config, leads=size, seed=seed + i, end=end, progress=step)
        traffic.append(frames.pop("web_traffic"))
        if i > 0:
            del frames["reps"]
        prefix = pl.lit(f"c{i}.")
        chunk = {
            name: frame.with_columns(
                pl.concat_str(prefix, pl.col(c)).alias(c)
                for c in frame.columns
                if c.endswith("_id") and c not in _SHARED_IDS
            )
            for name, frame in frames.items()
        }
        del frames  # only one chunk alive at a time: the next is built after this one is gone
        if i == len(firsts) - 1:
            chunk["web_traffic"] = (
                pl.concat(traffic)
                .group_by("date", "source")
                .agg(pl.col("visitors").sum(), pl.col("sessions").sum())
                .sort("date", "source")
                .select(traffic[0].columns)
                .cast(traffic[0].schema)
            )
        yield chunk
        del chunk


class _Generator:
    """The simulation, step by step; state lives in numpy arrays on ``self``."""

    def __init__(
        self,
        config: SlaConfig,
        rng: np.random.Generator,
        n: int,
        end_us: int,
        progress: Callable[[str, float], None] | None,
    ) -> None:
        self.cfg = config
        self.rng = rng
        self.n = n
        self.end = end_us
        self.end_day = (end_us - 1) // DAY
        self.start_day = self.end_day - HISTORY_DAYS + 1
        self.start = self.start_day * DAY
        self.progress = progress
        self.scale = n / 50_000
        self.left_at = end_us - LEFT_DAYS_BEFORE_END * DAY
        self.events = _Events()
        self.touch_parts: list[tuple[np.ndarray, ...]] = []
        self.enroll_parts: list[tuple[np.ndarray, ...]] = []
        self.extra_activity_parts: list[tuple[np.ndarray, ...]] = []
        self._tracks()

    def _step(self, name: str, fraction: float) -> None:
        if self.progress is not None:
            self.progress(name, fraction)

    def run(self) -> dict[str, pl.DataFrame]:
        steps = (
            ("calendar", self._calendar),
            ("accounts", self._accounts),
            ("leads", self._leads),
            ("activities", self._activities),
            ("mql", self._first_mqls),
            ("sales", self._sales),
            ("opportunities", self._opportunities),
            ("nurture", self._nurture),
            ("web_traffic", self._web_traffic),
            ("tables", self._tables),
        )
        for i, (name, step) in enumerate(steps):
            self._step(name, i / len(steps))
            step()
        self._step("done", 1.0)
        return self.frames

    def _assigned_at(
        self, leads: pl.DataFrame, events: pl.DataFrame, touches: pl.DataFrame, end: pl.Expr
    ) -> pl.Series:
        """When each lead's owner was assigned (``leads.assigned_at``): routing takes a few
        minutes (median 15, a long tail of hours) after the first MQL, and is done before
        the first touch after it; a lead never handed over is assigned at creation. Null
        when it would fall after ``end`` or the lead has no owner."""
        utc = pl.Datetime("us", "UTC")
        minutes = self.rng.lognormal(np.log(15.0), 1.3, leads.height)
        mql = (
            events.filter(pl.col("stage") == "mql")
            .group_by("lead_id")
            .agg(pl.col("entered_at").min().alias("_mql"))
        )
        after = (
            touches.select("lead_id", "occurred_at")
            .join(mql, on="lead_id")
            .filter(pl.col("occurred_at") >= pl.col("_mql"))
            .group_by("lead_id")
            .agg(pl.col("occurred_at").min().alias("_touch"))
        )
        delay = pl.duration(microseconds=pl.Series(minutes * 60e6).cast(pl.Int64))
        frame = (
            leads.select("lead_id", "created_at", "owner_rep_id")
            .join(mql, on="lead_id", how="left", maintain_order="left")
            .join(after, on="lead_id", how="left", maintain_order="left")
            .with_columns(delay.alias("_delay"))
        )
        start = pl.coalesce("_mql", "created_at")
        # routing ends before the first touch (at most 90 % of the way to it)
        room = (pl.col("_touch") - pl.col("_mql")) * 0.9
        short = pl.col("_touch").is_not_null() & (room < pl.col("_delay"))
        at = start + pl.when(short).then(room).otherwise(pl.col("_delay"))
        return frame.select(
            pl.when(pl.col("owner_rep_id").is_not_null() & (at <= end))
            .then(at)
            .cast(utc)
            .alias("assigned_at")
        )["assigned_at"]

    # -- config-derived lookups -------------------------------------------------------
    def _tracks(self) -> None:
        by_stage: dict[str, str] = {}
        recycle = self.cfg.recycle.track
        for track in self.cfg.nurture.tracks:
            if track.name != recycle:
                by_stage.setdefault(track.buyer_stage, track.name)
        for track in self.cfg.nurture.tracks:
            by_stage.setdefault(track.buyer_stage, track.name)
        names = [by_stage.get(s, f"{s}-nurture") for s in BUYER_STAGES]
        self.track_names: list[str] = [*names, recycle or "recycled-nurture", "legacy-newsletter"]

    def _fit_points(self, dimension: str, keys: Sequence[str]) -> np.ndarray:
        table = self.cfg.scoring.fit.get(dimension, {})  # type: ignore[call-overload]
        return np.array([float(table.get(k, 0.0)) for k in keys] + [0.0])  # last: unknown

    # -- steps ------------------------------------------------------------------------
    def _calendar(self) -> None:
        days = np.arange(self.start_day, self.end_day + 1)
        dates = days.astype("datetime64[D]")
        months = dates.astype("datetime64[M]").astype(int) % 12 + 1
        dom = (dates - dates.astype("datetime64[M]")).astype(int) + 1
        weekday = (days + 3) % 7
        weight = np.array([1.0, 1.0, 1.0, 0.95, 0.85, 0.22, 0.18])[weekday]
        season = np.array([1.0, 1.05, 1.1, 1.05, 1.0, 0.95, 0.72, 0.62, 1.05, 1.1, 1.05, 0.82])
        weight = weight * season[months - 1]
        holidays = ((months == 12) & (dom >= 22)) | ((months == 1) & (dom <= 2))
        weight = np.where(holidays, weight * 0.3, weight)
        weight = weight * (1.0 + 0.25 * (days - self.start_day) / HISTORY_DAYS)  # growth
        # trade fairs: Hannover Messe (third full week of April), it-sa (second week of Oct.)
        fair = np.zeros(len(days), dtype=np.int64)  # 0 none, 1 Hannover Messe, 2 it-sa
        hm = (months == 4) & (dom >= 15) & (dom <= 21) & (weekday < 5)
        itsa = (months == 10) & (dom >= 7) & (dom <= 10) & (weekday < 5)
        fair[hm], fair[itsa] = 1, 2
        follow = ((months == 4) & (dom > 21) & (dom <= 28)) | (
            (months == 10) & (dom > 10) & (dom <= 17)
        )
        boost = np.where(fair > 0, 1.7, np.where(follow, 1.15, 1.0))
        self.day_weight = weight * boost
        self.day_boost = boost
        self.fair = fair
        self.days = days

    def _accounts(self) -> None:
        rng = self.rng
        n_acc = max(1, round(self.n / 3.6))
        fit = self.cfg.scoring.fit
        industries = list(fit.get("industry", {})) or list(INDUSTRY_SHARE)
        share = np.array([INDUSTRY_SHARE.get(k, 0.06) for k in industries])
        industry = _choice(rng, n_acc, share)
        industry = np.where(rng.random(n_acc) < 0.03, len(industries), industry)  # unknown
        bands = self.cfg.segments.size_bands
        band_share = np.array(SIZE_SHARE if len(bands) == 4 else [1.0] * len(bands))
        band = _choice(rng, n_acc, band_share)
        lows = np.array([max(b.min_employees, 3) for b in bands], dtype=float)
        highs = np.append(lows[1:], lows[-1] * 25)
        employees = np.exp(
            np.log(lows[band]) + rng.random(n_acc) * np.log(highs[band] / lows[band])
        )
        employees = np.minimum(np.floor(employees), highs[band] - 1).astype(np.int64)
        country = _choice(rng, n_acc, COUNTRY_SHARE)
        revenue = np.round(employees * rng.lognormal(np.log(190_000), 0.45, n_acc), -3)
        self.industries, self.bands = industries, [b.label for b in bands]
        self.acc_industry, self.acc_band, self.acc_country = industry, band, country
        # truth: config fit points (centred) plus a twist a model can learn
        ind_w = self._truth("industry", industries, INDUSTRY_TWIST)
        size_w = self._truth(
            "size_band", self.bands, dict(zip(self.bands, SIZE_TWIST, strict=False))
        )
        self.acc_effect = ind_w[industry] + size_w[band] + rng.normal(0, 0.45, n_acc)
        # more leads from bigger companies
        self.acc_weight = rng.lognormal(0, 0.8, n_acc) * (1 + np.log10(employees + 1) / 2)
        word_keys = [*industries, "unknown"]
        words = {k: INDUSTRY_WORD.get(k, ("Gruppe", "Holding", "Services")) for k in word_keys}
        words["unknown"] = ("Gruppe", "Holding", "Services")
        legal = _pick_within(rng, dict(LEGAL_FORM), COUNTRIES, country)
        name = pl.select(
            pl.concat_str(
                _pick(NAME_STEMS, (rng.random(n_acc) * len(NAME_STEMS)).astype(np.int64)),
                pl.lit(" "),
                _pick_within(rng, words, word_keys, industry),
                pl.lit(" "),
                legal,
            )
        ).to_series()
        self.accounts = pl.DataFrame(
            {
                "account_id": _ids("A", n_acc, 5),
                "name": name,
                "industry": _pick([*industries, None], industry),
                "employees": employees,
                "country": _pick(COUNTRIES, country),
                "annual_revenue": pl.Series(revenue).set(pl.Series(rng.random(n_acc) < 0.05), None),
            }
        )

    def _truth(self, dimension: str, keys: Sequence[str], twist: dict[str, float]) -> np.ndarray:
        """The true effect of a fit attribute: config points (centred) plus a twist."""
        points = self._fit_points(dimension, keys)
        known = points[:-1]
        centred = (points - (known.mean() if len(known) else 0.0)) * 0.035
        centred[-1] = -0.2  # unknown value
        return centred + np.array([twist.get(k, 0.0) for k in keys] + [0.0])

    def _leads(self) -> None:
        rng, n = self.rng, self.n
        day_idx = _choice(rng, n, self.day_weight)
        created = self.days[day_idx] * DAY + _time_of_day(rng, n)
        created = np.minimum(created, self.end - 1_000_000)
        order = np.argsort(created, kind="stable")
        created, day_idx = created[order], day_idx[order]
        source = _choice(rng, n, SOURCE_SHARE)
        boost = self.day_boost[day_idx]
        to_event = (self.fair[day_idx] > 0) & (rng.random(n) < (boost - 1) / boost)
        source = np.where(to_event, SOURCES.index("event"), source)
        account = _choice(rng, n, self.acc_weight)
        no_account = rng.random(n) < 0.02
        seniority = _choice(rng, n, SENIORITY_SHARE)
        role = _choice_rows(rng, seniority, ROLE_GIVEN_SENIORITY)
        seniority = np.where(rng.random(n) < 0.04, len(SENIORITIES), seniority)
        role = np.where(rng.random(n) < 0.07, len(ROLES), role)
        country = np.where(
            rng.random(n) < 0.97, self.acc_country[account], _choice(rng, n, COUNTRY_SHARE)
        )
        # the latent buying propensity
        sen_w = self._truth("seniority", SENIORITIES, SENIORITY_TWIST)
        role_w = self._truth("role", ROLES, {})
        country_w = self._truth("country", COUNTRIES, COUNTRY_TWIST)
        acc_effect = np.where(no_account, -0.4, self.acc_effect[account])
        self.z = (
            acc_effect
            + sen_w[seniority]
            + role_w[role]
            + country_w[country]
            + SOURCE_EFFECT[source]
            + rng.normal(0, 0.75, n)
        )
        self.z -= np.median(self.z)
        # rule-score fit points, as the config computes them
        industry = np.where(no_account, len(self.industries), self.acc_industry[account])
        band = np.where(no_account, len(self.bands), self.acc_band[account])
        fit = (
            self._fit_points("industry", self.industries)[industry]
            + self._fit_points("size_band", self.bands)[band]
            + self._fit_points("country", COUNTRIES)[country]
            + self._fit_points("seniority", SENIORITIES)[seniority]
            + self._fit_points("role", ROLES)[role]
        )
        self.fit = np.minimum(fit, self.cfg.scoring.fit_cap)
        self.created, self.source, self.lead_day = created, source, day_idx
        self.account = np.where(no_account, -1, account)
        self.seniority, self.role, self.country = seniority, role, country
        # owner at creation: an SDR active then (rep-08 only before leaving)
        self.owner = self._assign_sdr(created)

    def _assign_sdr(self, at: np.ndarray) -> np.ndarray:
        weights = np.array([1.0 if i != LEFT_REP else 0.9 for i in SDRS])
        sdr = SDRS[_choice(self.rng, len(at), weights)]
        others = SDRS[SDRS != LEFT_REP]
        late = (sdr == LEFT_REP) & (at >= self.left_at)
        sdr[late] = others[(self.rng.random(late.sum()) * len(others)).astype(np.int64)]
        return sdr

    def _activities(self) -> None:
        rng, n = self.rng, self.n
        z = self.z
        # how much a lead engages: partly buying propensity, partly plain curiosity
        # (students and researchers read a lot and buy nothing); what it looks at
        # (buyer stage) follows the propensity
        curiosity = rng.normal(0, 0.7, n)
        lam = np.minimum(2.4 * np.exp(0.3 * z + 0.45 * curiosity), 40.0)
        count = 1 + rng.poisson(lam)
        total = int(count.sum())
        lead = np.repeat(np.arange(n), count)
        starts = _segment_starts(count)
        pos = np.arange(total) - np.repeat(starts, count)
        # spacing: engaged leads come back sooner
        gap_mean = np.repeat(9.0 * np.exp(-0.35 * z), count)
        gaps = rng.gamma(0.7, gap_mean / 0.7)
        gaps[pos == 0] = 0.0
        csum = np.cumsum(gaps)
        offset_days = csum - np.repeat(csum[starts], count)
        created = self.created[lead]
        t = created + (offset_days * DAY).astype(np.int64)
        later = pos > 0
        t_day = t // DAY
        t_new = t_day * DAY + _time_of_day(rng, total)
        weekday = (t_day + 3) % 7
        weekend_shift = np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))
        weekend_shift = np.where(rng.random(total) < 0.8, weekend_shift, 0)
        t_new = t_new + weekend_shift * DAY
        t = np.where(later, np.maximum(t_new, created + 60_000_000 * pos), created)
        # buyer stage and type
        frac = pos / np.maximum(np.repeat(count, count) - 1, 1)
        intent = 0.85 * z[lead] + 1.1 * frac + rng.normal(0, 0.8, total)
        stage = np.where(intent < 0.6, 0, np.where(intent < 1.6, 1, 2))
        kind = _choice_rows(rng, stage, TYPE_MIX)
        # the first activity is how the person became a lead
        first_kind = np.where(
            self.source == SOURCES.index("event"),
            A["event_attended"],
            np.array([A["form_submit"], A["content_download"], A["webinar_attended"]])[
                _choice(rng, n, [0.45, 0.4, 0.15])
            ],
        )
        kind[starts] = first_kind
        stage[starts] = np.where(first_kind == A["content_download"], 0, 1)
        # demo and contact requests, more likely the higher the propensity
        asks = rng.random(n) < _sigmoid(-3.9 + 1.1 * z)
        at_first = rng.random(n) < 0.3
        ask_pos = np.where(
            at_first | (count == 1), 0, 1 + (rng.random(n) * (count - 1)).astype(np.int64)
        )
        ask_idx = (starts + ask_pos)[asks]
        kind[ask_idx] = np.where(
            rng.random(len(ask_idx)) < 0.6, A["demo_request"], A["contact_request"]
        )
        stage[ask_idx] = 2
        order = np.lexsort((t, lead))
        keep = t[order] <= self.end
        order = order[keep]
        self.act_lead, self.act_time = lead[order], t[order]
        self.act_kind, self.act_stage = kind[order], stage[order]
        self.first_stage = stage[starts]

    def _first_mqls(self) -> None:
        """The first MQL of each lead: score threshold crossed or a request."""
        cfg = self.cfg.scoring
        lead, t, kind = self.act_lead, self.act_time, self.act_kind
        points = np.array([float(cfg.interest.points.get(k, 0.0)) for k in ACTIVITY_TYPES])
        caps = np.array([float(cfg.interest.caps.get(k, np.inf)) for k in ACTIVITY_TYPES])
        # running count of the same type per lead (for the per-type caps)
        key = lead * len(ACTIVITY_TYPES) + kind
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        new_group = np.concatenate([[True], sorted_key[1:] != sorted_key[:-1]])
        idx = np.arange(len(key))
        group_start = np.maximum.accumulate(np.where(new_group, idx, 0))
        nth = np.empty(len(key), dtype=np.int64)
        nth[order] = idx - group_start
        p = points[kind]
        gained = np.clip(caps[kind] - nth * p, 0.0, p)
        # decayed running interest: S_k = 2^(-t_k/h) * sum_{j<=k} p_j 2^(t_j/h), per lead
        h = cfg.decay_half_life_days
        rel = (t - self.created[lead]) / DAY / h
        rel = np.minimum(rel, 60.0)
        w = gained * np.exp2(rel)
        csum = np.cumsum(w)
        counts = np.bincount(lead, minlength=self.n)
        starts = _segment_starts(counts)
        before = np.concatenate([[0.0], csum])[starts]
        interest = (csum - np.repeat(before, counts)) * np.exp2(-rel)
        score = self.fit[lead] + np.minimum(interest, cfg.interest_cap)
        request = (kind == A["demo_request"]) | (kind == A["contact_request"])
        candidate = request | (score >= cfg.mql_threshold)
        cand_idx = np.flatnonzero(candidate)
        first = np.unique(lead[cand_idx], return_index=True)
        mql_lead = first[0]
        at = cand_idx[first[1]]
        trigger = np.where(
            kind[at] == A["demo_request"],
            TR["demo_request"],
            np.where(
                kind[at] == A["contact_request"], TR["contact_request"], TR["score_threshold"]
            ),
        )
        delay = (self.rng.gamma(2.0, 6.0, len(at)) * MINUTE).astype(np.int64) + MINUTE
        self.mql1_lead, self.mql1_time, self.mql1_trigger = mql_lead, t[at] + delay, trigger

    def _sales(self) -> None:
        """MQL episodes worked by the SDRs; recycled leads may become MQL again."""
        n = self.n
        self.mql_first = np.full(n, -1, dtype=np.int64)
        self.mql_first[self.mql1_lead] = self.mql1_time
        owner = self.owner.copy()
        assigned = self._assign_sdr(self.mql1_time)
        owner[self.mql1_lead] = np.where(
            (owner[self.mql1_lead] == LEFT_REP) & (self.mql1_time >= self.left_at),
            assigned,
            owner[self.mql1_lead],
        )
        lead, start, trigger = self.mql1_lead, self.mql1_time, self.mql1_trigger
        self.sql_parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.recycle_parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        for round_no in range(3):
            rep = owner[lead]
            gone = (rep == LEFT_REP) & (start >= self.left_at)
            rep[gone] = self._assign_sdr(start[gone])
            owner[lead] = rep
            self.events.add(lead, S["mql"], start, trigger)
            recycled_lead, recycled_at = self._work(lead, start, rep)
            if round_no == 2 or len(recycled_lead) == 0:
                break
            lead, start, trigger = self._remql(recycled_lead, recycled_at)
        self.owner = owner

    def _work(
        self, lead: np.ndarray, start: np.ndarray, rep: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Work MQL episodes: accept/reject, attempts, reach, then SQL or recycle/disqualify."""
        rng = self.rng
        m = len(lead)
        z = self.z[lead]
        hb = {
            f: _habit(rep, f)
            for f in (
                "touch_median_h",
                "touch_sigma",
                "gap_days",
                "p_forgotten",
                "p_early",
                "p_stale",
                "weekend",
                "reach_bonus",
            )
        }
        lo, hi = (
            _habit(rep, "attempts", 0).astype(np.int64),
            _habit(rep, "attempts", 1).astype(np.int64),
        )
        g_lo, g_hi = _habit(rep, "grace_days", 0), _habit(rep, "grace_days", 1)
        # attempt schedule: first touch by habit, then gaps, all in office hours
        first = start + (
            rng.lognormal(np.log(hb["touch_median_h"]), hb["touch_sigma"]) * HOUR
        ).astype(np.int64)
        forgotten = rng.random(m) < hb["p_forgotten"]
        first = np.where(
            forgotten, first + ((3 + rng.random(m) * 12) * DAY).astype(np.int64), first
        )
        first = np.maximum(_office(rng, first, weekend=hb["weekend"]), start + MINUTE)
        planned = lo + (rng.random(m) * (hi - lo + 1)).astype(np.int64)
        early = rng.random(m) < hb["p_early"]
        planned = np.where(early, 2 + (rng.random(m) < 0.5), planned)
        gaps = rng.gamma(2.0, hb["gap_days"][:, None] / 2.0, (m, MAX_ATTEMPTS)) * DAY
        doubles = rng.random((m, MAX_ATTEMPTS)) < 0.07  # call and e-mail minutes apart
        gaps = np.where(doubles, rng.random((m, MAX_ATTEMPTS)) * 2 * HOUR, gaps)
        gaps[:, 0] = 0.0
        later = first[:, None] + np.cumsum(gaps, axis=1)[:, 1:].astype(np.int64)
        # only the first touch of a fresh MQL is sometimes made on a weekend (on-call)
        later = _office(rng, later.ravel(), weekend=0.03).reshape(m, MAX_ATTEMPTS - 1)
        times = np.concatenate([first[:, None], later], axis=1)
        times = np.sort(times, axis=1) + np.arange(MAX_ATTEMPTS) * 1_000_000
        # sales review: accept, or reject (disqualify or hand back), mostly after a first call
        reject = rng.random(m) < _sigmoid(-2.2 - 0.9 * z)
        review_at = _office(
            rng,
            start + (rng.lognormal(np.log(2.0), 1.0, m) * HOUR).astype(np.int64),
            weekend=hb["weekend"],
        )
        rej_disq = reject & (rng.random(m) < 0.55)
        rej_touch = reject & (~rej_disq | (rng.random(m) < 0.7))  # hand-backs follow a call
        after_call = times[:, 0] + (rng.gamma(2.0, 30.0, m) * MINUTE).astype(np.int64)
        rej_at = np.where(rej_touch, np.maximum(review_at, after_call), review_at)
        disq_reason = np.array(
            [RE["student"], RE["wrong_company"], RE["competitor"], RE["no_budget"], RE["no_need"]]
        )
        self.events.add(
            lead[rej_disq],
            S["disqualified"],
            rej_at[rej_disq],
            TR["manual"],
            rep[rej_disq],
            disq_reason[_choice(rng, int(rej_disq.sum()), [0.25, 0.35, 0.15, 0.1, 0.15])],
        )
        rej_recycle = reject & ~rej_disq
        self.events.add(
            lead[rej_recycle],
            S["recycled"],
            rej_at[rej_recycle],
            TR["manual"],
            rep[rej_recycle],
            RE["not_ready"],
        )
        accept = ~reject
        self.events.add(lead[accept], S["sal"], review_at[accept], TR["sales_accept"], rep[accept])
        # accepted episodes: attempts until reached or the planned attempts are spent
        p_reach = _sigmoid(-1.9 + 0.55 * z + hb["reach_bonus"])
        reach_draw = rng.random((m, MAX_ATTEMPTS)) < p_reach[:, None] * 0.9 ** np.arange(
            MAX_ATTEMPTS
        )
        slot = np.arange(MAX_ATTEMPTS)[None, :]
        reach_draw &= slot < planned[:, None]
        reached = reach_draw.any(axis=1) & accept
        reach_slot = np.where(rej_touch, 0, np.where(reached, reach_draw.argmax(axis=1), -1))
        n_touch = np.where(
            reject & ~rej_touch, 0, np.where(reached | rej_touch, reach_slot + 1, planned)
        )
        # touches
        has = slot < n_touch[:, None]
        ep_idx = np.broadcast_to(np.arange(m)[:, None], has.shape)[has]
        t_touch = times[has]
        is_reach = (slot == reach_slot[:, None])[has]
        channel = _choice(rng, len(ep_idx), [0.55, 0.33, 0.02, 0.10])
        outcome = np.where(
            channel == 0,
            np.where(rng.random(len(ep_idx)) < 0.6, OUT["no_answer"], OUT["voicemail"]),
            np.where(
                (channel == 1) & (rng.random(len(ep_idx)) < 0.06), OUT["bounced"], OUT["no_answer"]
            ),
        )
        reach_outcome = np.where(
            channel == 0,
            np.where(rng.random(len(ep_idx)) < 0.55, OUT["connected"], OUT["meeting_booked"]),
            np.where(rng.random(len(ep_idx)) < 0.65, OUT["replied"], OUT["meeting_booked"]),
        )
        reach_outcome = np.where(channel == 2, OUT["connected"], reach_outcome)
        # a meeting is booked only with leads that go on to qualify
        qualify = reached & (rng.random(m) < _sigmoid(-1.0 + 1.05 * z))
        no_meeting = ~qualify[ep_idx] & (reach_outcome == OUT["meeting_booked"])
        reach_outcome = np.where(
            no_meeting, np.where(channel == 0, OUT["connected"], OUT["replied"]), reach_outcome
        )
        outcome = np.where(is_reach, reach_outcome, outcome)
        self._add_touches(lead[ep_idx], rep[ep_idx], t_touch, channel, outcome)
        # after reaching: qualify, disqualify or hand back as not ready
        reach_at = times[np.arange(m), np.maximum(reach_slot, 0)]
        sql_at = _office(rng, reach_at + (rng.gamma(2.0, 2.5, m) * DAY).astype(np.int64))
        # a follow-up video meeting before the SQL decision
        meet = qualify & (rng.random(m) < 0.6)
        meet_at = reach_at + (sql_at - reach_at) // 2 + HOUR
        self._add_touches(
            lead[meet],
            rep[meet],
            meet_at[meet],
            np.full(meet.sum(), 2),
            np.full(meet.sum(), OUT["connected"]),
        )
        self.events.add(lead[qualify], S["sql"], sql_at[qualify], TR["manual"], rep[qualify])
        self.sql_parts.append((lead[qualify], sql_at[qualify], rep[qualify]))
        not_now = reached & ~qualify
        nn_disq = not_now & (rng.random(m) < 0.45)
        nn_at = _office(rng, reach_at + (rng.gamma(1.5, 3.0, m) * DAY).astype(np.int64))
        self.events.add(
            lead[nn_disq],
            S["disqualified"],
            nn_at[nn_disq],
            TR["manual"],
            rep[nn_disq],
            disq_reason[_choice(rng, int(nn_disq.sum()), [0.05, 0.15, 0.25, 0.35, 0.2])],
        )
        nn_recycle = not_now & ~nn_disq
        self.events.add(
            lead[nn_recycle],
            S["recycled"],
            nn_at[nn_recycle],
            TR["manual"],
            rep[nn_recycle],
            RE["not_ready"],
        )
        # unanswered: recycled some days after the last attempt (early ones at once,
        # forgotten ones only at a clean-up weeks later)
        unanswered = accept & ~reached
        stale = unanswered & (rng.random(m) < hb["p_stale"])
        exhausted = unanswered
        last = times[np.arange(m), np.maximum(planned - 1, 0)]
        grace = np.where(
            early, 0.3 + rng.random(m) * 1.5, np.where(stale, 25 + rng.random(m) * 60, g_lo)
        )
        grace = grace + np.where(early | stale, 0.0, rng.random(m) * (g_hi - g_lo))
        ex_at = _office(rng, last + (grace * DAY).astype(np.int64))
        self.events.add(
            lead[exhausted],
            S["recycled"],
            ex_at[exhausted],
            TR["attempts_exhausted"],
            rep[exhausted],
            RE["no_response"],
        )
        # a second MQL inside the open episode (a demo request while sales is working it)
        again = accept & (rng.random(m) < 0.02)
        episode_end = np.where(qualify, sql_at, np.where(not_now, nn_at, ex_at))
        again_at = start + ((episode_end - start) * rng.uniform(0.2, 0.8, m)).astype(np.int64)
        self.events.add(lead[again], S["mql"], again_at[again], TR["demo_request"])
        self._add_activities(lead[again], again_at[again] - 5 * MINUTE, A["demo_request"], 2)
        # who goes back to marketing
        rec_lead = np.concatenate([lead[rej_recycle], lead[nn_recycle], lead[exhausted]])
        rec_at = np.concatenate([rej_at[rej_recycle], nn_at[nn_recycle], ex_at[exhausted]])
        rec_rep = np.concatenate([rep[rej_recycle], rep[nn_recycle], rep[exhausted]])
        self.recycle_parts.append((rec_lead, rec_at, rec_rep, np.zeros(len(rec_lead), np.int64)))
        order = np.argsort(rec_at, kind="stable")
        return rec_lead[order], rec_at[order]

    def _add_touches(self, lead, rep, at, channel, outcome) -> None:
        self.touch_parts.append(
            tuple(np.asarray(a, dtype=np.int64) for a in (lead, rep, at, channel, outcome))
        )

    def _add_activities(self, lead, at, kind, stage) -> None:
        n = len(lead)
        self.extra_activity_parts.append(
            (
                np.asarray(lead, np.int64),
                np.asarray(at, np.int64),
                np.full(n, kind, np.int64),
                np.full(n, stage, np.int64),
            )
        )

    def _remql(
        self, lead: np.ndarray, recycled_at: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Some recycled leads come back: a burst of activity or a request, then an MQL."""
        rng = self.rng
        z = self.z[lead]
        back = rng.random(len(lead)) < _sigmoid(-1.5 + 0.6 * z)
        lead, recycled_at = lead[back], recycled_at[back]
        m = len(lead)
        at = recycled_at + ((5 + rng.gamma(1.6, 35.0, m)) * DAY).astype(np.int64)
        at = at - at % DAY + _time_of_day(rng, m)
        by_request = rng.random(m) < 0.35
        ask = np.where(rng.random(m) < 0.6, A["demo_request"], A["contact_request"])
        for kind, stage, before_h in (
            (A["email_click"], 1, 72),
            (A["webinar_attended"], 1, 48),
            (A["pricing_page_view"], 2, 1),
        ):
            sel = ~by_request
            self._add_activities(lead[sel], at[sel] - before_h * HOUR, kind, stage)
        for kind in (A["demo_request"], A["contact_request"]):
            sel = by_request & (ask == kind)
            self._add_activities(lead[sel], at[sel], kind, 2)
        trigger = np.where(
            by_request,
            np.where(ask == A["demo_request"], TR["demo_request"], TR["contact_request"]),
            TR["score_threshold"],
        )
        mql_at = at + (rng.gamma(2.0, 6.0, m) * MINUTE).astype(np.int64) + MINUTE
        order = np.argsort(mql_at, kind="stable")
        return lead[order], mql_at[order], trigger[order]

    def _opportunities(self) -> None:
        rng = self.rng
        sql_lead = np.concatenate([p[0] for p in self.sql_parts])
        sql_at = np.concatenate([p[1] for p in self.sql_parts])
        sql_rep = np.concatenate([p[2] for p in self.sql_parts])
        m = len(sql_lead)
        z = self.z[sql_lead]
        to_opp = rng.random(m) < _sigmoid(-0.45 + 0.5 * z)
        opp_at = _office(rng, sql_at + (rng.gamma(2.0, 5.0, m) * DAY).astype(np.int64))
        account = self.account[sql_lead]
        ae = AES[np.where(account >= 0, account, sql_lead) % len(AES)]
        # SQLs without an opportunity: some are handed back later as not ready
        later = ~to_opp & (rng.random(m) < 0.5)
        later_at = _office(rng, sql_at + ((10 + rng.gamma(2.0, 12.0, m)) * DAY).astype(np.int64))
        self.events.add(
            sql_lead[later],
            S["recycled"],
            later_at[later],
            TR["manual"],
            sql_rep[later],
            RE["no_project"],
        )
        self.recycle_parts.append(
            (sql_lead[later], later_at[later], sql_rep[later], np.ones(later.sum(), np.int64))
        )
        lead, at, ae, z = sql_lead[to_opp], opp_at[to_opp], ae[to_opp], z[to_opp]
        k = len(lead)
        self.events.add(lead, S["opportunity"], at, TR["manual"], ae)
        band = np.where(
            self.account[lead] >= 0, self.acc_band[np.maximum(self.account[lead], 0)], 1
        )
        size_factor = np.linspace(0.55, 1.8, len(self.bands))[np.minimum(band, len(self.bands) - 1)]
        amount = np.round(rng.lognormal(np.log(23_000), 0.55, k) * size_factor, -2)
        amount = np.maximum(amount, 2_000.0)
        closed = at + (rng.lognormal(np.log(55), 0.45, k) * DAY).astype(np.int64)
        closed = _office(rng, closed)
        won = rng.random(k) < _sigmoid(-2.2 + 0.55 * z)
        status = np.where(won, 1, 2)  # 0 open, 1 won, 2 lost
        is_closed = closed <= self.end
        status = np.where(is_closed, status, 0)
        loss = np.where(status == 2, _choice(rng, k, [0.3, 0.3, 0.25, 0.15]), -1)
        self.events.add(
            lead[status == 1], S["customer"], closed[status == 1], TR["closed_won"], ae[status == 1]
        )
        order = np.argsort(at, kind="stable")
        self.opps = pl.DataFrame(
            {
                "opportunity_id": _ids("O", k, 6),
                "lead_idx": lead[order],
                "created_at": _timestamps(at[order]),
                "closed_at": _timestamps(closed[order]),
                "amount": amount[order],
                "status": _pick(("open", "won", "lost"), status[order]),
                "loss_reason": _pick((*LOSS_REASONS, None), np.where(loss < 0, 4, loss)[order]),
            }
        ).with_columns(
            pl.when(pl.col("status") == "open")
            .then(None)
            .otherwise(pl.col("closed_at"))
            .alias("closed_at")
        )
        self.opp_lead, self.opp_at = lead, at

    def _nurture(self) -> None:
        rng, n = self.rng, self.n
        parts = self.enroll_parts
        # 1. new leads into the track of their first buyer stage
        enrol = rng.random(n) < 0.72
        at = self.created + ((0.3 + rng.gamma(1.5, 1.0, n)) * DAY).astype(np.int64)
        mql = self.mql_first
        enrol &= (mql < 0) | (mql > at)
        length = ((45 + rng.random(n) * 75) * DAY).astype(np.int64)
        unsub = rng.random(n) < 0.09
        unsub_at = at + ((2 + rng.random(n) * 40) * DAY).astype(np.int64)
        exit_at = at + length
        reason = np.full(n, 0)  # completed
        became = (mql > 0) & (mql < exit_at)
        exit_at = np.where(became, mql, exit_at)
        reason = np.where(became, 1, reason)
        early_unsub = unsub & (unsub_at < exit_at)
        exit_at = np.where(early_unsub, unsub_at, exit_at)
        reason = np.where(early_unsub, 2, reason)
        track = np.minimum(self.first_stage, 1)
        parts.append(
            self._enrollment_arrays(
                np.flatnonzero(enrol), track[enrol], at[enrol], exit_at[enrol], reason[enrol], 0
            )
        )
        # 2. recycled leads into the recycle track: most within 2 days, some late, a few never
        rec_lead = np.concatenate([p[0] for p in self.recycle_parts])
        rec_at = np.concatenate([p[1] for p in self.recycle_parts])
        m = len(rec_lead)
        delay_days = np.where(
            rng.random(m) < 0.86, rng.random(m) * 1.8, 2.2 + rng.gamma(1.5, 3.0, m)
        )
        e_at = rec_at + (delay_days * DAY).astype(np.int64) + MINUTE
        enrolled = rng.random(m) < 0.96
        by_sales = rng.random(m) < 0.3
        next_mql = self._next_mql_after(rec_lead, rec_at)
        length = ((60 + rng.random(m) * 60) * DAY).astype(np.int64)
        exit_at = e_at + length
        reason = np.zeros(m, np.int64)
        became = (next_mql > 0) & (next_mql < exit_at)
        exit_at = np.where(became, np.maximum(next_mql, e_at + MINUTE), exit_at)
        reason = np.where(became, 1, reason)
        other = ~became & (rng.random(m) < 0.12)
        other_at = e_at + ((3 + rng.random(m) * 50) * DAY).astype(np.int64)
        exit_at = np.where(other, other_at, exit_at)
        reason = np.where(other, np.where(rng.random(m) < 0.7, 2, 4), reason)
        sel = enrolled
        parts.append(
            self._enrollment_arrays(
                rec_lead[sel],
                np.full(sel.sum(), 3),
                e_at[sel],
                exit_at[sel],
                reason[sel],
                by_sales[sel],
            )
        )
        # 3. sales asks for the decision track for some opportunities' leads
        k = len(self.opp_lead)
        pick = rng.random(k) < 0.2
        d_at = self.opp_at + ((1 + rng.random(k) * 5) * DAY).astype(np.int64)
        d_exit = d_at + ((20 + rng.random(k) * 30) * DAY).astype(np.int64)
        d_reason = np.where(rng.random(k) < 0.5, 3, 0)  # sales_request or completed
        parts.append(
            self._enrollment_arrays(
                self.opp_lead[pick],
                np.full(pick.sum(), 2),
                d_at[pick],
                d_exit[pick],
                d_reason[pick],
                1,
            )
        )
        # 4. a legacy newsletter the config does not know
        legacy = rng.random(n) < 0.005
        l_at = self.created + (rng.random(n) * 30 * DAY).astype(np.int64)
        l_exit = np.where(
            rng.random(n) < 0.3, l_at + (rng.random(n) * 90 * DAY).astype(np.int64), -1
        )
        parts.append(
            self._enrollment_arrays(
                np.flatnonzero(legacy),
                np.full(legacy.sum(), 4),
                l_at[legacy],
                l_exit[legacy],
                np.where(l_exit[legacy] > 0, 2, -1),
                0,
            )
        )

    def _next_mql_after(self, lead: np.ndarray, after: np.ndarray) -> np.ndarray:
        """Time of each lead's first MQL event after ``after`` (-1 if none)."""
        ev_lead, ev_stage, ev_at = self.events.arrays()[:3]
        sel = ev_stage == S["mql"]
        mql = pl.DataFrame({"lead": ev_lead[sel], "mql_at": ev_at[sel]}).sort("mql_at")
        query = pl.DataFrame({"lead": lead, "after": after + 1, "row": np.arange(len(lead))})
        joined = (
            query.sort("after")
            .join_asof(
                mql,
                left_on="after",
                right_on="mql_at",
                by="lead",
                strategy="forward",
                check_sortedness=False,
            )
            .sort("row")
        )
        return joined["mql_at"].fill_null(-1).to_numpy()

    @staticmethod
    def _enrollment_arrays(lead, track, at, exit_at, reason, by_sales) -> tuple[np.ndarray, ...]:
        n = len(lead)
        return tuple(
            np.broadcast_to(np.asarray(v), (n,)).astype(np.int64)
            for v in (lead, track, at, exit_at, reason, by_sales)
        )

    def _web_traffic(self) -> None:
        rng = self.rng
        n_days = len(self.days)
        n_src = len(SOURCES)
        actual = np.zeros((n_days, n_src))
        np.add.at(actual, (self.lead_day, self.source), 1)
        share = SOURCE_SHARE / SOURCE_SHARE.sum()
        expected = self.n * (self.day_weight / self.day_weight.sum())[:, None] * share[None, :]
        base = 0.4 * actual + 0.6 * expected
        visitors = base / SOURCE_CONVERSION[None, :] * rng.lognormal(0, 0.12, (n_days, n_src))
        visitors = np.round(visitors + rng.poisson(2, (n_days, n_src))).astype(np.int64)
        sessions = np.round(visitors * rng.uniform(1.2, 1.6, (n_days, n_src))).astype(np.int64)
        dates = np.repeat(self.days, n_src).astype("datetime64[D]")
        self.traffic = pl.DataFrame(
            {
                "date": pl.Series(dates).cast(pl.Date),
                "source": _pick(SOURCES, np.tile(np.arange(n_src), n_days)),
                "visitors": visitors.ravel(),
                "sessions": sessions.ravel(),
            }
        )

    def _monthly_campaign(self, at: np.ndarray, kind: np.ndarray) -> pl.Series:
        """``newsletter-YYYY-MM`` for e-mails, ``webinar-YYYY-MM`` for webinars, else null."""
        months = (at // DAY).astype("datetime64[D]").astype("datetime64[M]")
        first = months.min() if len(months) else np.datetime64("2000-01", "M")
        offset = (months - first).astype(np.int64)
        labels = [str(first + i) for i in range(int(offset.max(initial=0)) + 1)]
        email = (kind == A["email_open"]) | (kind == A["email_click"])
        webinar = kind == A["webinar_attended"]
        code = np.where(email, offset, np.where(webinar, len(labels) + offset, 2 * len(labels)))
        values = [f"newsletter-{m}" for m in labels] + [f"webinar-{m}" for m in labels] + [None]
        return _pick(values, code)

    # -- assembling the tables ----------------------------------------------------------
    def _tables(self) -> None:
        end = pl.lit(self.end).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
        lead_ids = _ids("L", self.n, 7)
        account_ids = self.accounts["account_id"]
        rep_ids = pl.Series([r[0] for r in REPS])

        def lead_id(idx: np.ndarray) -> pl.Series:
            return lead_ids.gather(pl.Series(idx, dtype=pl.UInt32))

        reps = pl.DataFrame(
            {
                "rep_id": rep_ids,
                "name": [r[1] for r in REPS],
                "team": [r[2] for r in REPS],
                "weekly_capacity": [
                    None if r[3] is None else max(1, round(r[3] * max(self.scale, 0.1)))
                    for r in REPS
                ],
                "active": [r[4] for r in REPS],
            }
        )
        n = self.n
        seniority_name = [*SENIORITIES, None]
        leads = pl.DataFrame(
            {
                "lead_id": lead_ids,
                "created_at": _timestamps(self.created),
                "account_id": account_ids.gather(
                    pl.Series(np.maximum(self.account, 0), dtype=pl.UInt32)
                ).set(pl.Series(self.account < 0), None),
                "source": _pick(SOURCES, self.source),
                "job_title": _pick_within(
                    self.rng, dict(JOB_TITLES), [*SENIORITIES, "none"], self.seniority
                ),
                "seniority": _pick(seniority_name, self.seniority),
                "role": _pick([*ROLES, None], self.role),
                "country": _pick(COUNTRIES, self.country),
                "owner_rep_id": rep_ids.gather(pl.Series(self.owner, dtype=pl.UInt32)),
            }
        )
        year = pl.col("created_at").dt.year().cast(pl.String)
        campaign = (
            pl.when(pl.col("source") == "event")
            .then(pl.concat_str(pl.lit("messe-"), year))
            .when(pl.col("source") == "paid_search")
            .then(pl.concat_str(pl.lit("google-ads-"), year))
            .when(pl.col("source") == "paid_social")
            .then(pl.concat_str(pl.lit("linkedin-abm-"), year))
            .when(pl.col("source") == "partner")
            .then(pl.lit("partner-program"))
            .when(pl.col("source") == "email")
            .then(pl.lit("newsletter"))
            .otherwise(None)
        )
        month = pl.col("created_at").dt.month()
        event_campaign = (
            pl.when(month == 4)
            .then(pl.concat_str(pl.lit("hannover-messe-"), year))
            .when(month == 10)
            .then(pl.concat_str(pl.lit("it-sa-"), year))
            .otherwise(pl.concat_str(pl.lit("roadshow-"), year))
        )
        leads = leads.with_columns(
            pl.when(pl.col("source") == "event")
            .then(event_campaign)
            .otherwise(campaign)
            .alias("campaign")
        )
        # lifecycle events
        self.events.add(
            np.arange(n),
            S["lead"],
            self.created,
            np.where(
                self.source == SOURCES.index("event"), TR["event_attended"], TR["form_submit"]
            ),
        )
        ev = self.events.arrays()
        events = pl.DataFrame(
            {
                "lead_id": lead_id(ev[0]),
                "stage": _pick(STAGES, ev[1]),
                "entered_at": _timestamps(ev[2]),
                "trigger": _pick(TRIGGERS, ev[3]),
                "actor_rep_id": _pick(
                    [*rep_ids.to_list(), None], np.where(ev[4] < 0, len(REPS), ev[4])
                ),
                "reason": _pick(REASONS, ev[5]),
            }
        ).filter(pl.col("entered_at") <= end)
        events = events.unique(["lead_id", "stage", "entered_at"], keep="first").sort(
            "entered_at", "lead_id", "stage"
        )
        # activities
        extra = self.extra_activity_parts
        a_lead = np.concatenate([self.act_lead, *[p[0] for p in extra]])
        a_time = np.concatenate([self.act_time, *[p[1] for p in extra]])
        a_kind = np.concatenate([self.act_kind, *[p[2] for p in extra]])
        a_stage = np.concatenate([self.act_stage, *[p[3] for p in extra]])
        keep = a_time <= self.end
        a_lead, a_time, a_kind, a_stage = a_lead[keep], a_time[keep], a_kind[keep], a_stage[keep]
        order = np.lexsort((a_lead, a_time))
        a_lead, a_time, a_kind, a_stage = (
            a_lead[order],
            a_time[order],
            a_kind[order],
            a_stage[order],
        )
        m = len(a_lead)
        stage_code = np.where(self.rng.random(m) < 0.08, 3, a_stage)  # some unlabelled
        activities = pl.DataFrame(
            {
                "activity_id": _ids("E", m, 8),
                "lead_id": lead_id(a_lead),
                "occurred_at": _timestamps(a_time),
                "type": _pick(ACTIVITY_TYPES, a_kind),
                "buyer_stage": _pick([*BUYER_STAGES, None], stage_code),
                "asset": _pick_within(self.rng, ASSETS, ACTIVITY_TYPES, a_kind),
                "campaign": self._monthly_campaign(a_time, a_kind),
            }
        )

        # sales touches
        tp = self.touch_parts
        t_lead, t_rep, t_at, t_channel, t_outcome = (
            np.concatenate([p[i] for p in tp]) for i in range(5)
        )
        keep = t_at <= self.end
        order = np.lexsort((t_lead[keep], t_at[keep]))
        t_lead, t_rep, t_at, t_channel, t_outcome = (
            a[keep][order] for a in (t_lead, t_rep, t_at, t_channel, t_outcome)
        )
        k = len(t_lead)
        touches = pl.DataFrame(
            {
                "touch_id": _ids("T", k, 7),
                "lead_id": lead_id(t_lead),
                "rep_id": rep_ids.gather(pl.Series(t_rep, dtype=pl.UInt32)),
                "occurred_at": _timestamps(t_at),
                "channel": _pick(CHANNELS, t_channel),
                "outcome": _pick(OUTCOMES, t_outcome),
                "note": _pick_within(
                    self.rng,
                    NOTES,
                    [*OUTCOMES, "no_reply"],
                    np.where((t_channel != 0) & (t_outcome == OUT["no_answer"]), 6, t_outcome),
                ),
            }
        )
        # nurture enrollments
        ep = self.enroll_parts
        e_lead, e_track, e_at, e_exit, e_reason, e_sales = (
            np.concatenate([p[i] for p in ep]) for i in range(6)
        )
        keep = e_at <= self.end
        e_lead, e_track, e_at, e_exit, e_reason, e_sales = (
            a[keep] for a in (e_lead, e_track, e_at, e_exit, e_reason, e_sales)
        )
        open_now = (e_exit < 0) | (e_exit > self.end)
        e_reason = np.where(open_now, 5, e_reason)
        order = np.lexsort((e_lead, e_at))
        enrollments = (
            pl.DataFrame(
                {
                    "lead_id": lead_id(e_lead[order]),
                    "track": _pick(self.track_names, e_track[order]),
                    "enrolled_at": _timestamps(e_at[order]),
                    "exited_at": _timestamps(np.where(open_now, 0, e_exit)[order]),
                    "exit_reason": _pick(
                        (
                            "completed",
                            "became_mql",
                            "unsubscribed",
                            "sales_request",
                            "disqualified",
                            None,
                        ),
                        e_reason[order],
                    ),
                    "triggered_by": _pick(("auto", "sales"), e_sales[order]),
                    "_open": open_now[order],
                }
            )
            .with_columns(
                pl.when(pl.col("_open"))
                .then(None)
                .otherwise(pl.col("exited_at"))
                .alias("exited_at")
            )
            .drop("_open")
        )
        enrollments = enrollments.insert_column(
            0, _ids("N", enrollments.height, 7).alias("enrollment_id")
        )
        # opportunities
        opps = self.opps.filter(pl.col("created_at") <= end)
        opps = opps.with_columns(
            lead_id=lead_ids.gather(opps["lead_idx"].cast(pl.UInt32)),
            account_id=leads["account_id"].gather(opps["lead_idx"].cast(pl.UInt32)),
        ).drop("lead_idx")
        # drawn last: the other frames are the same as before it existed
        leads = leads.with_columns(self._assigned_at(leads, events, touches, end))
        frames = {
            "accounts": self.accounts,
            "reps": reps,
            "leads": leads,
            "lifecycle_events": events,
            "activities": activities,
            "sales_touches": touches,
            "nurture_enrollments": enrollments,
            "opportunities": opps,
            "web_traffic": self.traffic,
        }
        typed = Tables.from_frames(**frames)
        collected = pl.collect_all([lf for _, lf in typed.items()])
        self.frames = {name: df for (name, _), df in zip(typed.items(), collected, strict=True)}
