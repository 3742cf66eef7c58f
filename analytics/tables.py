"""The warehouse's core tables as polars LazyFrames: the input of every metric.

:class:`Tables` holds one LazyFrame per canonical table with exactly the columns and
dtypes of :mod:`analytics.schema` (timestamps are ``Datetime("us", "UTC")``). The
warehouse builds it from DuckDB (:func:`analytics.warehouse.load_tables`); tests and
notebooks build it from plain rows with :meth:`Tables.from_rows`.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import polars as pl

from analytics.schema import TABLES, UTC_TIMESTAMP
from analytics.timeframe import as_utc, utc_lit

#: The tables with a ``lead_id`` column: restricted together to a set of leads.
LEAD_KEYED: tuple[str, ...] = tuple(n for n, t in TABLES.items() if "lead_id" in t.column_names)
#: Leads per part when :meth:`Tables.partitions` chooses the number of parts: a part's
#: working memory follows it (the rule score's quality at 10M leads peaked 0.8 GB higher
#: with parts of a million).
LEADS_PER_PART = 500_000
#: Up to this many leads :meth:`Tables.partitions` keeps the data whole (one part): its
#: memory is no concern there, and each part is one more scan of the tables.
WHOLE_UP_TO = 1_000_000


def _typed(name: str, frame: pl.DataFrame | pl.LazyFrame | None) -> pl.LazyFrame:
    """Cast a frame to the canonical schema of ``name`` (missing columns become null)."""
    schema = TABLES[name].polars_schema
    if frame is None:
        return pl.LazyFrame(schema=schema)
    lf = frame.lazy()
    present = lf.collect_schema().names()
    return lf.select(
        [
            (pl.col(col) if col in present else pl.lit(None)).cast(dtype).alias(col)
            for col, dtype in schema.items()
        ]
    )


def _coerce_row(name: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """Parse ISO strings in a hand-written row (tests, docs) into datetimes and dates."""
    table = TABLES[name]
    out: dict[str, Any] = {}
    for column in table.columns:
        value = row.get(column.name)
        if isinstance(value, str) and column.kind == "timestamp":
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            value = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        elif isinstance(value, str) and column.kind == "date":
            value = date.fromisoformat(value)
        out[column.name] = value
    return out


@dataclasses.dataclass(frozen=True)
class Tables:
    """One LazyFrame per canonical table (grain and columns: :mod:`analytics.schema`).

    ``episodes``, when not None, holds the MQL episodes a warehouse stored after its last
    import (:func:`analytics.episodes.episodes_to_store`, cut with the tables by
    :meth:`until` and restricted with them to a set of leads); they are what
    :func:`analytics.episodes.episodes_of` reads instead of rebuilding them. Tables built
    from frames or rows carry none. They belong to the ``lifecycle_events`` and ``leads``
    they were given with (``episodes_basis``): tables made from these with other events or
    leads (``dataclasses.replace(t, lifecycle_events=...)``, as an analyst might) carry
    them, but :attr:`stored_episodes` is None, so the episodes are built from the events.
    """

    accounts: pl.LazyFrame
    reps: pl.LazyFrame
    leads: pl.LazyFrame
    lifecycle_events: pl.LazyFrame
    activities: pl.LazyFrame
    sales_touches: pl.LazyFrame
    nurture_enrollments: pl.LazyFrame
    opportunities: pl.LazyFrame
    web_traffic: pl.LazyFrame
    episodes: pl.LazyFrame | None = dataclasses.field(default=None, compare=False, repr=False)
    #: The ``(lifecycle_events, leads)`` frames that ``episodes`` are the episodes of; set
    #: when tables are built with episodes and no basis.
    episodes_basis: tuple[pl.LazyFrame, pl.LazyFrame] | None = dataclasses.field(
        default=None, compare=False, repr=False
    )
    #: The scored attributes leads and accounts had before a later import changed them,
    #: with ``valid_until`` (:mod:`analytics.warehouse.versions`); None: no key changed.
    #: A score at an earlier moment reads them (:func:`analytics.scoring.rules.leads_at`).
    lead_history: pl.LazyFrame | None = dataclasses.field(default=None, compare=False, repr=False)
    account_history: pl.LazyFrame | None = dataclasses.field(
        default=None, compare=False, repr=False
    )
    #: The coverage the warehouse stored with the data at its last import (the rows of
    #: ``meta.coverage`` with their config key), read by
    #: :func:`analytics.coverage.known_coverage` instead of computing it. Like ``episodes``
    #: they belong to the tables they were given with (``coverage_basis``).
    coverage_rows: pl.LazyFrame | None = dataclasses.field(default=None, compare=False, repr=False)
    coverage_basis: tuple[pl.LazyFrame, ...] | None = dataclasses.field(
        default=None, compare=False, repr=False
    )
    #: The latest import's time (:func:`analytics.warehouse.facts.last_import`) when the
    #: tables come from a warehouse; None for tables built from frames or rows. Nothing
    #: dated after it is known: it caps :meth:`latest_timestamp` and the moment outcomes
    #: are known until (:func:`analytics.scoring.rules.outcomes_known_until`).
    loaded_at: datetime | None = dataclasses.field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.episodes is not None and self.episodes_basis is None:
            object.__setattr__(self, "episodes_basis", (self.lifecycle_events, self.leads))
        if self.coverage_rows is not None and self.coverage_basis is None:
            object.__setattr__(self, "coverage_basis", tuple(f for _, f in self.items()))

    @property
    def stored_episodes(self) -> pl.LazyFrame | None:
        """The stored episodes when they are those of these tables' events and leads.

        >>> t = Tables.empty()
        >>> with_eps = dataclasses.replace(t, episodes=pl.LazyFrame())
        >>> with_eps.stored_episodes is not None
        True
        >>> edited = dataclasses.replace(with_eps, lifecycle_events=t.lifecycle_events.head(0))
        >>> edited.stored_episodes is None
        True
        """
        basis = self.episodes_basis
        if self.episodes is None or basis is None:
            return None
        if basis[0] is not self.lifecycle_events or basis[1] is not self.leads:
            return None
        return self.episodes

    @property
    def stored_coverage_rows(self) -> pl.LazyFrame | None:
        """The stored coverage's rows when they are those of these very tables (any table
        replaced, cut or restricted: None, and the coverage is computed).

        >>> t = dataclasses.replace(Tables.empty(), coverage_rows=pl.LazyFrame())
        >>> t.stored_coverage_rows is not None, t.until(datetime(2026, 1, 1)).stored_coverage_rows
        (True, None)
        >>> dataclasses.replace(t, leads=t.leads.head(0)).stored_coverage_rows is None
        True
        """
        basis = self.coverage_basis
        if self.coverage_rows is None or basis is None:
            return None
        if any(kept is not frame for kept, (_, frame) in zip(basis, self.items(), strict=True)):
            return None
        return self.coverage_rows

    @classmethod
    def from_frames(cls, **frames: pl.DataFrame | pl.LazyFrame) -> Tables:
        """Build from frames by table name; absent tables are empty, columns are cast.

        >>> t = Tables.from_frames(leads=pl.DataFrame({"lead_id": ["007"]}))
        >>> t.leads.collect()["lead_id"].to_list(), t.reps.collect().height
        (['007'], 0)
        """
        unknown = set(frames) - set(TABLES)
        if unknown:
            raise ValueError(f"unknown table(s) {sorted(unknown)}; known: {sorted(TABLES)}")
        return cls(**{name: _typed(name, frames.get(name)) for name in TABLES})

    @classmethod
    def from_rows(cls, **rows: Iterable[Mapping[str, Any]]) -> Tables:
        """Build from lists of dicts; ISO strings are parsed (offsets converted to UTC).

        >>> t = Tables.from_rows(lifecycle_events=[
        ...     {"lead_id": "L1", "stage": "mql", "entered_at": "2026-10-05T09:12:00+02:00"}])
        >>> t.lifecycle_events.collect()["entered_at"].to_list()
        [datetime.datetime(2026, 10, 5, 7, 12, tzinfo=zoneinfo.ZoneInfo(key='UTC'))]
        """
        frames = {}
        for name, table_rows in rows.items():
            if name not in TABLES:
                raise ValueError(f"unknown table {name!r}; known: {sorted(TABLES)}")
            coerced = [_coerce_row(name, r) for r in table_rows]
            frames[name] = pl.DataFrame(coerced, schema=TABLES[name].polars_schema, orient="row")
        return cls.from_frames(**frames)

    @classmethod
    def empty(cls) -> Tables:
        """Every table empty, with its canonical columns."""
        return cls.from_frames()

    def items(self) -> list[tuple[str, pl.LazyFrame]]:
        """(name, LazyFrame) of every canonical table (not the stored episodes)."""
        return [(name, getattr(self, name)) for name in TABLES]

    def collect(self) -> Tables:
        """Materialise every table once (useful before many metrics on the same data)."""
        lazies = dict(self.items())
        for name in ("lead_history", "account_history"):
            if getattr(self, name) is not None:
                lazies[name] = getattr(self, name)
        if self.stored_episodes is not None:
            lazies["episodes"] = self.stored_episodes
        if self.stored_coverage_rows is not None:
            lazies["coverage_rows"] = self.stored_coverage_rows
        frames = pl.collect_all(lazies.values())
        return Tables(
            **{name: df.lazy() for name, df in zip(lazies, frames, strict=True)},
            loaded_at=self.loaded_at,
        )

    def _restricted(self, keep: Callable[[pl.LazyFrame], pl.LazyFrame]) -> Tables:
        """Apply ``keep`` to every lead-keyed table (:data:`LEAD_KEYED`), to the stored
        episodes and to the leads' history (a lead's are its own); the others stay."""
        kept = {name: keep(getattr(self, name)) for name in LEAD_KEYED}
        episodes = None if self.stored_episodes is None else keep(self.stored_episodes)
        history = None if self.lead_history is None else keep(self.lead_history)
        return dataclasses.replace(
            self, **kept, episodes=episodes, episodes_basis=None, lead_history=history
        )

    def for_leads(self, lead_ids: pl.LazyFrame | pl.DataFrame) -> Tables:
        """The rows of some leads: every lead-keyed table semi-joined on ``lead_id``.

        ``accounts``, ``reps`` and ``web_traffic`` are kept whole; rows without a lead
        (an opportunity with a null ``lead_id``) are dropped.

        >>> t = Tables.from_rows(leads=[{"lead_id": i} for i in "abc"],
        ...                      activities=[{"activity_id": "x", "lead_id": "b"}])
        >>> part = t.for_leads(pl.LazyFrame({"lead_id": ["b", "c"]}))
        >>> part.leads.collect()["lead_id"].to_list(), part.activities.collect().height
        (['b', 'c'], 1)
        """
        ids = lead_ids.lazy().select("lead_id")
        return self._restricted(lambda lf: lf.join(ids, on="lead_id", how="semi"))

    def partitions(
        self,
        k: int | None = None,
        *,
        leads_per_part: int = LEADS_PER_PART,
        whole_up_to: int = WHOLE_UP_TO,
    ) -> list[Tables]:
        """The data in ``k`` parts by ranges of ``lead_id``: each lead with all its rows in one.

        For work that is independent between leads (a score history, features per lead):
        run it per part and concatenate. The ranges split ``leads`` into parts of nearly
        equal size and cover every id, so every row of a lead-keyed table is in exactly one
        part: a row whose lead is missing from ``leads`` too, a row without a lead (null
        ``lead_id``) in the first. The ranges are plain comparisons, which a warehouse scan
        applies in DuckDB (each part reads only its rows). ``accounts``, ``reps`` and
        ``web_traffic`` are whole in every part.

        Parameters
        ----------
        k : int, optional
            The number of parts (1: ``[self]``, nothing read). Default: one part up to
            ``whole_up_to`` leads, else one per ``leads_per_part`` leads (reads the lead
            ids once).
        leads_per_part : int, default :data:`LEADS_PER_PART`
        whole_up_to : int, default :data:`WHOLE_UP_TO`

        Returns
        -------
        list of Tables, in ascending ``lead_id`` order (concatenating per-part results
        sorted by ``lead_id`` gives them sorted); fewer than ``k`` when there are fewer
        leads than parts.

        Examples
        --------
        >>> t = Tables.from_rows(leads=[{"lead_id": i} for i in "abcde"],
        ...                      activities=[{"activity_id": "x", "lead_id": "d"}])
        >>> parts = t.partitions(2)
        >>> [p.leads.collect()["lead_id"].to_list() for p in parts]
        [['a', 'b'], ['c', 'd', 'e']]
        >>> [p.activities.collect().height for p in parts]
        [0, 1]
        """
        if k is not None and k < 1:
            raise ValueError(f"k = {k}: the number of parts must be at least 1")
        if leads_per_part < 1:
            raise ValueError(f"leads_per_part = {leads_per_part}: must be at least 1")
        if k == 1:
            return [self]
        ids = self.leads.select(pl.col("lead_id").drop_nulls().sort()).collect()["lead_id"]
        n = ids.len()
        if k is None:
            k = 1 if n <= whole_up_to else max(1, math.ceil(n / leads_per_part))
        inner = sorted({ids[i * n // k] for i in range(1, k)} - {ids[0]}) if n else []
        del ids
        if not inner:
            return [self]
        bounds: list[str | None] = [None, *inner, None]
        parts = []
        lead = pl.col("lead_id")
        for lo, hi in itertools.pairwise(bounds):
            if lo is None:  # rows without a lead go with the first part
                cond = lead.is_null() | (lead < hi)
            elif hi is None:
                cond = lead >= lo
            else:
                cond = (lead >= lo) & (lead < hi)
            parts.append(self._restricted(lambda lf, cond=cond: lf.filter(cond)))
        return parts

    def latest_timestamp(self) -> datetime | None:
        """The latest timestamp in any table (the default ``as_of``), or None when empty;
        never later than :attr:`loaded_at` (a row dated after the import is no moment of
        the data).

        >>> t = Tables.from_rows(leads=[{"lead_id": "a", "created_at": "2026-01-02T03:04:05Z",
        ...                              "source": "email"}])
        >>> t.latest_timestamp()
        datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=zoneinfo.ZoneInfo(key='UTC'))
        >>> dataclasses.replace(t, loaded_at=datetime(2026, 1, 1, tzinfo=UTC)).latest_timestamp()
        datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
        """
        parts = []
        for name, lf in self.items():
            for col, dtype in TABLES[name].polars_schema.items():
                if dtype == UTC_TIMESTAMP:
                    parts.append(lf.select(pl.col(col).max().alias("t")))
        value = pl.concat(parts).select(pl.col("t").max()).collect().item()
        if value is None or self.loaded_at is None:
            return value
        return min(value, self.loaded_at)

    def until(self, as_of: datetime) -> Tables:
        """The data as it was known at ``as_of``: later rows are dropped, later exits undone.

        Rows created after ``as_of`` disappear; an opportunity closed after it is still
        open; a nurture enrollment exited after it is still running; stored episodes are
        cut the same way (:func:`analytics.episodes.episodes_until`).
        """
        from analytics.episodes import episodes_until

        as_of = as_utc(as_of)
        ts = utc_lit(as_of)
        opp_closed_later = pl.col("closed_at") > ts
        exit_later = pl.col("exited_at") > ts
        return Tables(
            accounts=self.accounts,
            reps=self.reps,
            leads=self.leads.filter(pl.col("created_at") <= ts),
            lifecycle_events=self.lifecycle_events.filter(pl.col("entered_at") <= ts),
            activities=self.activities.filter(pl.col("occurred_at") <= ts),
            sales_touches=self.sales_touches.filter(pl.col("occurred_at") <= ts),
            nurture_enrollments=self.nurture_enrollments.filter(
                pl.col("enrolled_at") <= ts
            ).with_columns(
                pl.when(exit_later).then(None).otherwise(pl.col("exited_at")).alias("exited_at"),
                pl.when(exit_later)
                .then(None)
                .otherwise(pl.col("exit_reason"))
                .alias("exit_reason"),
            ),
            opportunities=self.opportunities.filter(pl.col("created_at") <= ts).with_columns(
                pl.when(opp_closed_later)
                .then(None)
                .otherwise(pl.col("closed_at"))
                .alias("closed_at"),
                pl.when(opp_closed_later)
                .then(pl.lit("open"))
                .otherwise(pl.col("status"))
                .alias("status"),
                pl.when(opp_closed_later)
                .then(None)
                .otherwise(pl.col("loss_reason"))
                .alias("loss_reason"),
            ),
            web_traffic=self.web_traffic.filter(pl.col("date") <= pl.lit(as_of.date())),
            episodes=(
                None
                if self.stored_episodes is None
                else episodes_until(self.stored_episodes, as_of)
            ),
            # whole: a version replaced after as_of is the one in force before it
            lead_history=self.lead_history,
            account_history=self.account_history,
            loaded_at=self.loaded_at,
        )


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 timestamp; no offset means UTC.

    >>> parse_timestamp("2026-11-01T02:30:00+01:00").isoformat()
    '2026-11-01T01:30:00+00:00'
    """
    return as_utc(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))


def one_of(column: str | pl.Expr, values: Iterable[Any]) -> pl.Expr:
    """Expression: ``column`` equals one of ``values``; ``is_in`` written as equalities.

    The codes the metrics pick by (stages, outcomes, tracks) are a handful; polars 2.1's
    ``is_in`` hashes every string of the column, twice the time of a few equalities (1.8M
    lifecycle events, three stages: 14 against 6 ms). It answers as ``is_in`` does: a
    null stays null, and with no values every other row is False.

    >>> s = pl.DataFrame({"stage": ["mql", "sal", None]})
    >>> s.select(one_of("stage", ["sal", "sql"]))["stage"].to_list()
    [False, True, None]
    """
    col = pl.col(column) if isinstance(column, str) else column
    matches = [col == v for v in dict.fromkeys(values)]
    if not matches:
        return col.is_in([])
    # ``|``, not ``any_horizontal``: the warehouse scan writes an ``or`` as SQL for DuckDB
    return functools.reduce(operator.or_, matches)
