"""The canonical tables: columns, types, keys and enum values (spec/canonical-format.md).

This module is the one place that knows the shape of the data. The importer validates
against it, the warehouse creates its ``core`` tables from it, and the metrics receive
frames that have exactly these columns and dtypes (see :class:`analytics.tables.Tables`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import polars as pl

ColumnKind = Literal["str", "int", "float", "bool", "timestamp", "date", "enum"]


@functools.cache
def _polars_types() -> dict[str, Any]:
    # polars is imported on first use, not with the schema: `sla info` and the config's
    # validation read the schema and need no polars (a quarter of a second to import)
    import polars as pl

    utc = pl.Datetime("us", "UTC")
    return {
        "UTC_TIMESTAMP": utc,
        "POLARS_DTYPE": {
            "str": pl.String(),
            "enum": pl.String(),
            "int": pl.Int64(),
            "float": pl.Float64(),
            "bool": pl.Boolean(),
            "timestamp": utc,
            "date": pl.Date(),
        },
    }


def __getattr__(name: str) -> Any:
    """``UTC_TIMESTAMP`` (polars' UTC microsecond datetime) and ``POLARS_DTYPE`` (column
    kind -> polars dtype), made when first asked for."""
    if name in ("UTC_TIMESTAMP", "POLARS_DTYPE"):
        return _polars_types()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


DUCKDB_TYPE: dict[str, str] = {
    "str": "VARCHAR",
    "enum": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMPTZ",
    "date": "DATE",
}

SOURCES = (
    "organic",
    "paid_search",
    "paid_social",
    "social",
    "email",
    "referral",
    "event",
    "partner",
    "direct",
    "other",
)
STAGES = (
    "lead",
    "mql",
    "sal",
    "sql",
    "opportunity",
    "customer",
    "recycled",
    "disqualified",
)
ACTIVITY_TYPES = (
    "page_view",
    "pricing_page_view",
    "content_download",
    "webinar_attended",
    "email_open",
    "email_click",
    "form_submit",
    "demo_request",
    "contact_request",
    "event_attended",
)
BUYER_STAGES = ("awareness", "consideration", "decision")
CHANNELS = ("phone", "email", "video", "social")
OUTCOMES = ("connected", "no_answer", "voicemail", "replied", "meeting_booked", "bounced")
REACHED_OUTCOMES = ("connected", "replied", "meeting_booked")
TEAMS = ("marketing", "sdr", "ae")
SENIORITIES = ("c_level", "vp", "director", "manager", "individual")
ROLES = ("decision_maker", "influencer", "user", "other")
EXIT_REASONS = ("completed", "became_mql", "unsubscribed", "sales_request", "disqualified")
TRIGGERED_BY = ("auto", "sales")
OPPORTUNITY_STATUSES = ("open", "won", "lost")


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    kind: ColumnKind
    required: bool = False
    enum: tuple[str, ...] = ()
    #: ``(table, column)`` this column refers to; an unknown value is rejected.
    references: tuple[str, str] | None = None
    #: Lower bound for numbers (``>= 0`` in the spec).
    minimum: float | None = None
    #: A column the product adds to the spec's format (docs/import-formats.md): optional,
    #: and missing from warehouses built before it (read as null there).
    extension: bool = False

    @property
    def dtype(self) -> pl.DataType:
        return _polars_types()["POLARS_DTYPE"][self.kind]


@dataclass(frozen=True)
class Table:
    """A canonical table: its columns, its key and its grain."""

    name: str
    grain: str
    key: tuple[str, ...]
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def polars_schema(self) -> pl.Schema:
        import polars as pl

        return pl.Schema({c.name: c.dtype for c in self.columns})

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}")


C = Column

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "accounts",
            "one row per account",
            ("account_id",),
            (
                C("account_id", "str", required=True),
                C("name", "str", required=True),
                C("industry", "str"),
                C("employees", "int", minimum=0),
                C("country", "str"),
                C("annual_revenue", "float", minimum=0),
            ),
        ),
        Table(
            "reps",
            "one row per sales or marketing person",
            ("rep_id",),
            (
                C("rep_id", "str", required=True),
                C("name", "str"),  # optional: real exports often have ids only
                C("team", "enum", required=True, enum=TEAMS),
                C("weekly_capacity", "int", minimum=0),
                C("active", "bool"),
            ),
        ),
        Table(
            "leads",
            "one row per lead (a known contact)",
            ("lead_id",),
            (
                C("lead_id", "str", required=True),
                C("created_at", "timestamp", required=True),
                C("account_id", "str", references=("accounts", "account_id")),
                C("source", "enum", required=True, enum=SOURCES),
                C("campaign", "str"),
                C("job_title", "str"),
                C("seniority", "enum", enum=SENIORITIES),
                C("role", "enum", enum=ROLES),
                C("country", "str"),
                C("owner_rep_id", "str", references=("reps", "rep_id")),
                # when the current owner was assigned (docs/import-formats.md): routing's
                # part of the time to first touch apart from the rep's
                C("assigned_at", "timestamp", extension=True),
            ),
        ),
        Table(
            "lifecycle_events",
            "one row per stage a lead enters (a lead may enter a stage more than once)",
            ("lead_id", "stage", "entered_at"),
            (
                C("lead_id", "str", required=True, references=("leads", "lead_id")),
                C("stage", "enum", required=True, enum=STAGES),
                C("entered_at", "timestamp", required=True),
                C("trigger", "str"),
                C("actor_rep_id", "str", references=("reps", "rep_id")),
                C("reason", "str"),
            ),
        ),
        Table(
            "activities",
            "one row per marketing engagement of a lead",
            ("activity_id",),
            (
                C("activity_id", "str", required=True),
                C("lead_id", "str", required=True, references=("leads", "lead_id")),
                C("occurred_at", "timestamp", required=True),
                C("type", "enum", required=True, enum=ACTIVITY_TYPES),
                C("buyer_stage", "enum", enum=BUYER_STAGES),
                C("campaign", "str"),
                C("asset", "str"),
            ),
        ),
        Table(
            "sales_touches",
            "one row per attempt by sales to reach a lead",
            ("touch_id",),
            (
                C("touch_id", "str", required=True),
                C("lead_id", "str", required=True, references=("leads", "lead_id")),
                C("rep_id", "str", required=True, references=("reps", "rep_id")),
                C("occurred_at", "timestamp", required=True),
                C("channel", "enum", required=True, enum=CHANNELS),
                C("outcome", "enum", required=True, enum=OUTCOMES),
                C("note", "str"),
            ),
        ),
        Table(
            "nurture_enrollments",
            "one row per enrollment of a lead in a nurture track",
            ("enrollment_id",),
            (
                C("enrollment_id", "str", required=True),
                C("lead_id", "str", required=True, references=("leads", "lead_id")),
                C("track", "str", required=True),
                C("enrolled_at", "timestamp", required=True),
                C("exited_at", "timestamp"),
                C("exit_reason", "enum", enum=EXIT_REASONS),
                C("triggered_by", "enum", enum=TRIGGERED_BY),
            ),
        ),
        Table(
            "opportunities",
            "one row per opportunity",
            ("opportunity_id",),
            (
                C("opportunity_id", "str", required=True),
                C("lead_id", "str", references=("leads", "lead_id")),
                C("account_id", "str", references=("accounts", "account_id")),
                C("created_at", "timestamp", required=True),
                C("closed_at", "timestamp"),
                C("amount", "float", required=True, minimum=0),
                C("status", "enum", required=True, enum=OPPORTUNITY_STATUSES),
                C("loss_reason", "str"),
            ),
        ),
        Table(
            "web_traffic",
            "one row per day and source",
            ("date", "source"),
            (
                C("date", "date", required=True),
                C("source", "enum", required=True, enum=SOURCES),
                C("visitors", "int", required=True, minimum=0),
                C("sessions", "int", minimum=0),
            ),
        ),
    )
}

#: Load order: a table's references are loaded before it.
LOAD_ORDER: tuple[str, ...] = (
    "accounts",
    "reps",
    "leads",
    "lifecycle_events",
    "activities",
    "sales_touches",
    "nurture_enrollments",
    "opportunities",
    "web_traffic",
)

#: Column that dates each table's rows (used for ``as_of``).
TIMESTAMP_COLUMNS: dict[str, str] = {
    "leads": "created_at",
    "lifecycle_events": "entered_at",
    "activities": "occurred_at",
    "sales_touches": "occurred_at",
    "nurture_enrollments": "enrolled_at",
    "opportunities": "created_at",
}
