"""The X Education leads file (a public lead-scoring case study) for scoring checks.

``x_education_leads.csv``: one row per lead, 37 columns and a trailing empty one;
``Converted`` (1 = enrolled) is the label; ``Select`` means "not filled". Every column
that sales fills or that records what happened after the first contact is dropped
(:data:`EXCLUDED_COLUMNS`; docs/import-formats.md says why for each): ``Tags``, ``Lead
Quality``, ``Lead Profile``, the four ``Asymmetrique`` columns, ``Last Activity`` and ``Last
Notable Activity``. A score trained on them learns what sales did after the handoff, not
which leads to hand over. The file has no dates at all.

Two readers:

- :func:`read_x_education`: the modelling frame (snake_case features + ``converted``),
  used to show that the project's scoring pipeline works on real, messy data.
- :func:`read_xeducation`: the ``sla import --format xeducation`` adapter. It loads each
  lead with a ``lead`` event and, when converted, a ``customer`` event. As the file has
  no dates, ``created_at`` (and both events) is the file's modification date, 00:00 UTC:
  good for conversion counts and breakdowns, meaningless for ages and monthly trends.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from analytics.coverage import UNDATED_TRIGGER
from analytics.texts import Text
from analytics.warehouse.adapters.common import (
    DEFAULT_OPTIONS,
    CsvOptions,
    Export,
    batch,
    export_files,
    left_out,
    map_values,
    read_export_file,
    require_columns,
    sources_of,
)
from analytics.warehouse.loader import ImportFailed

FILE_NAME = "x_education_leads.csv"
LABEL = "Converted"
#: Filled in by sales after contact, or derived after the fact: never a feature.
#: ``Last Activity`` holds "SMS Sent", "Had a Phone Conversation", "Approached upfront",
#: "Unreachable": sales' own steps (it lifts the ROC AUC from 0.87 to 0.90: leakage).
EXCLUDED_COLUMNS: tuple[str, ...] = (
    "Tags",
    "Lead Quality",
    "Lead Profile",
    "Last Activity",
    "Last Notable Activity",
    "Asymmetrique Activity Index",
    "Asymmetrique Profile Index",
    "Asymmetrique Activity Score",
    "Asymmetrique Profile Score",
)
ID_COLUMNS: tuple[str, ...] = ("Prospect ID", "Lead Number")
NUMERIC: tuple[str, ...] = ("total_visits", "total_time_spent_on_website", "page_views_per_visit")
#: The value the web form writes when a field was not filled.
NOT_FILLED = "Select"

LEAD_SOURCES: dict[str, str] = {
    "Google": "organic",
    "Organic Search": "organic",
    "bing": "organic",
    "blog": "organic",
    "Direct Traffic": "direct",
    "Reference": "referral",
    "Referral Sites": "referral",
    "Welingak Website": "partner",
    "WeLearn": "partner",
    "welearnblog_Home": "partner",
    "Facebook": "social",
    "Social Media": "social",
    "youtubechannel": "social",
    "Pay per Click Ads": "paid_search",
    "NC_EDM": "email",
}


def snake(name: str) -> str:
    """A column name in snake_case.

    >>> snake("Total Time Spent on Website"), snake("TotalVisits"), snake("Do Not Email")
    ('total_time_spent_on_website', 'total_visits', 'do_not_email')
    """
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name.strip())
    return re.sub(r"[^0-9a-z]+", "_", spaced.lower()).strip("_")


def _locate(path: str | Path) -> Path:
    path = Path(path)
    if path.is_dir():
        path = path / FILE_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no X Education leads file ({FILE_NAME})")
    return path


def read_x_education(path: str | Path) -> pl.DataFrame:
    """The X Education leads as a modelling frame (no leaking columns, no ids).

    Parameters
    ----------
    path
        ``x_education_leads.csv`` or the folder holding it.

    Returns
    -------
    DataFrame, one row per lead: ``lead_number`` (str), the numeric features of
    :data:`NUMERIC` (Float64, missing as null), every other kept column as a string
    categorical in snake_case (``Select`` and empty as null), and ``converted`` (bool).
    See :func:`feature_names` for the feature lists.
    """
    raw = pl.read_csv(_locate(path), infer_schema_length=0)
    raw = raw.drop([c for c in raw.columns if not c.strip() or c.startswith("_duplicated")])
    missing = [c for c in (LABEL, *ID_COLUMNS) if c not in raw.columns]
    if missing:
        raise ValueError(f"{path}: column(s) {missing} missing; is this the X Education file?")
    kept = [c for c in raw.columns if c not in EXCLUDED_COLUMNS and c not in (LABEL, *ID_COLUMNS)]
    frame = raw.select(
        pl.col("Lead Number").alias("lead_number"),
        *[
            pl.col(c).str.strip_chars().replace({NOT_FILLED: None, "": None}).alias(snake(c))
            for c in kept
        ],
        (pl.col(LABEL).cast(pl.Int64) == 1).alias("converted"),
    )
    return frame.with_columns([pl.col(c).cast(pl.Float64) for c in NUMERIC if c in frame.columns])


def feature_names(frame: pl.DataFrame) -> tuple[list[str], list[str]]:
    """``(numeric, categorical)`` feature columns of a :func:`read_x_education` frame.

    >>> df = pl.DataFrame({"lead_number": ["1"], "total_visits": [1.0], "country": ["India"],
    ...                    "converted": [True]})
    >>> feature_names(df)
    (['total_visits'], ['country'])
    """
    numeric = [c for c in NUMERIC if c in frame.columns]
    categorical = [c for c in frame.columns if c not in (*numeric, "lead_number", "converted")]
    return numeric, categorical


def read_xeducation(
    path: str | Path, *, options: CsvOptions = DEFAULT_OPTIONS, **_: object
) -> Export:
    """Translate the X Education leads file into canonical batches (leads, lifecycle events).

    ``lead_id`` = Lead Number; ``source`` from Lead Source (unknown -> ``other``);
    ``campaign`` = Lead Origin; ``job_title`` = the current occupation; ``country`` as
    written. ``created_at`` = the file's modification date (the file has no dates).

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "x_education_leads.csv").write_text(
    ...     "Prospect ID,Lead Number,Lead Origin,Lead Source,Converted,Country,"
    ...     "What is your current occupation,\\nu1,7,API,Google,1,India,Select,\\n")
    >>> e = read_xeducation(d)
    >>> [(b.table, b.cells.height) for b in e.batches]
    [('leads', 1), ('lifecycle_events', 2)]
    >>> e.batches[0].cells.select("lead_id", "source", "campaign", "job_title").row(0)
    ('7', 'organic', 'API', None)
    """
    stem = Path(FILE_NAME).stem  # as .csv or a workbook
    files = [p for p in export_files(Path(path)) if Path(path).is_file() or p.stem == stem]
    if not files:
        raise ImportFailed(f"{path}: no X Education file found (expected {FILE_NAME})")
    file = read_export_file(files[0], options)
    require_columns(
        file, ["Lead Number", "Lead Source", "Lead Origin", "Converted"], "X Education leads"
    )
    modified = datetime.fromtimestamp(files[0].stat().st_mtime, tz=UTC).date()
    at = pl.lit(f"{modified.isoformat()}T00:00:00Z")
    c = file.cells.with_columns(
        [
            pl.when(pl.col(col) == NOT_FILLED).then(None).otherwise(pl.col(col)).alias(col)
            for col in file.cells.columns
            if col != "_line"
        ]
    )
    occupation = "what is your current occupation"
    leads = c.select(
        pl.col("lead number").alias("lead_id"),
        at.alias("created_at"),
        map_values(pl.col("lead source"), LEAD_SOURCES, default="other")
        .fill_null("other")
        .alias("source"),
        pl.col("lead origin").alias("campaign"),
        (pl.col(occupation) if occupation in c.columns else pl.lit(None, pl.String)).alias(
            "job_title"
        ),
        (pl.col("country") if "country" in c.columns else pl.lit(None, pl.String)).alias("country"),
        "_line",
    ).drop(file.lacking({"job_title": occupation, "country": "country"}))  # stored ones stay
    events = pl.concat(
        [
            # dated by the file, not by the data: no month counts them (coverage)
            c.select(
                pl.col("lead number").alias("lead_id"),
                pl.lit("lead").alias("stage"),
                at.alias("entered_at"),
                pl.lit(UNDATED_TRIGGER).alias("trigger"),
                "_line",
            ),
            c.filter(pl.col("converted") == "1").select(
                pl.col("lead number").alias("lead_id"),
                pl.lit("customer").alias("stage"),
                at.alias("entered_at"),
                pl.lit(UNDATED_TRIGGER).alias("trigger"),
                "_line",
            ),
        ]
    )
    return Export(
        batches=[
            batch(
                "leads",
                file,
                leads,
                sources=sources_of(
                    file,
                    {
                        "lead_id": "lead number",
                        "source": "lead source",
                        "campaign": "lead origin",
                        "job_title": occupation,
                        "country": "country",
                    },
                ),
            ),
            batch(
                "lifecycle_events",
                file,
                events,
                sources=sources_of(file, {"lead_id": "lead number"}),
            ),
        ],
        unreadable=[{**p, "table": "leads"} for p in file.unreadable],
        undated={files[0].name: modified.isoformat()},
        skipped_files=left_out(Path(path), files, Text("skip.named", {"reads": [FILE_NAME]})),
    )


__all__ = [
    "EXCLUDED_COLUMNS",
    "NUMERIC",
    "feature_names",
    "read_x_education",
    "read_xeducation",
    "snake",
]
