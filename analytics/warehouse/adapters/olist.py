"""Olist marketing funnel (Kaggle ``olistbr/marketing-funnel-olist``) -> canonical batches.

Files (a folder holding both, or either one alone), recognised by their header (a
folder's other files are named in a warning; a second file of one kind is refused):

- ``olist_marketing_qualified_leads.csv``: ``mql_id, first_contact_date, landing_page_id,
  origin``. One lead per row (``lead_id`` = ``mql_id``, ``created_at`` = first contact,
  ``source`` from :data:`ORIGIN_SOURCES`, ``landing_page_id`` kept raw) and two lifecycle
  events, ``lead`` and ``mql``, at ``first_contact_date``.
- ``olist_closed_deals.csv``: one won deal per row. Gives the seller as an account
  (``account_id`` = ``seller_id``, ``industry`` = ``business_segment``), the SDR and
  SR as reps (team ``sdr`` / ``ae``: a person in both columns is in the team of the
  role they hold more often, ties -> sdr; the name is the id: the data set has no
  names; a stored rep keeps its own, and ``--replace`` removes no rep), lifecycle
  events ``sql`` (actor: SDR), ``opportunity`` and ``customer``
  (actor: SR) at ``won_date``, and a won opportunity (``opportunity_id`` = ``mql_id``,
  created and closed at ``won_date``, **amount 0**: ``declared_monthly_revenue`` is
  what the seller declared about its own sales, not the deal's value; it is kept in
  the raw layer). The lead's owner is its SR.

Dates are ``DD-MM-YYYY`` and ``DD-MM-YYYY HH:MM`` without a zone: read in
``CsvOptions.timezone`` (default UTC; Olist is in ``America/Sao_Paulo``).
The files hold no personal data; nothing is dropped.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl

from analytics.coverage import MQL_ONLY_TRIGGER, WON_ONLY_TRIGGER
from analytics.texts import Text
from analytics.warehouse.adapters.common import (
    DEFAULT_OPTIONS,
    CsvOptions,
    Export,
    ExportFile,
    batch,
    export_files,
    header_text,
    lacking_kinds,
    left_out,
    map_values,
    owned_reps,
    read_export_file,
    require_columns,
    sources_of,
    timestamp_text,
)
from analytics.warehouse.loader import ImportFailed

#: Olist ``origin`` -> canonical ``leads.source``; anything else (``unknown``, empty) -> other.
ORIGIN_SOURCES: dict[str, str] = {
    "organic_search": "organic",
    "paid_search": "paid_search",
    "social": "social",
    "direct_traffic": "direct",
    "email": "email",
    "referral": "referral",
    "display": "other",
    "other_publicities": "other",
    "other": "other",
    "unknown": "other",
}

MQL_COLUMNS = ("mql_id", "first_contact_date", "origin")
DEAL_COLUMNS = ("mql_id", "sdr_id", "sr_id", "won_date")
#: file kind -> the columns its header is told by, and what it is called
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "mqls": (("mql_id", "first_contact_date"), "Olist marketing qualified leads"),
    "deals": (("mql_id", "won_date"), "Olist closed deals"),
}


def origin_source(origin: pl.Expr) -> pl.Expr:
    """Expression: the canonical source of an Olist origin (unknown or empty -> ``other``).

    >>> pl.DataFrame({"o": ["organic_search", "display", None, "tv"]}).select(
    ...     origin_source(pl.col("o")))["o"].to_list()
    ['organic', 'other', 'other', 'other']
    """
    return map_values(origin, ORIGIN_SOURCES, default="other").fill_null("other")


def _mqls(file: ExportFile, options: CsvOptions) -> Export:
    require_columns(file, MQL_COLUMNS, "Olist marketing qualified leads")
    c = file.cells
    at = timestamp_text(pl.col("first_contact_date"), timezone=options.timezone)
    leads = c.select(
        pl.col("mql_id").alias("lead_id"),
        at.alias("created_at"),
        origin_source(pl.col("origin")).alias("source"),
        "_line",
        *[x for x in ("landing_page_id", "origin") if x in c.columns],
    )
    # a duplicated mql_id loads once (the later rows are quarantined) and gives events once
    first = c.filter(pl.col("_line") == pl.col("_line").min().over("mql_id"))
    events = pl.concat(
        [
            first.select(
                pl.col("mql_id").alias("lead_id"),
                pl.lit(stage).alias("stage"),
                at.alias("entered_at"),
                pl.lit(trigger, dtype=pl.String).alias("trigger"),
                "_line",
            )
            # the file holds only the leads that qualified: their lead event says so
            for stage, trigger in (("lead", MQL_ONLY_TRIGGER), ("mql", "first_contact"))
        ]
    )
    return Export(
        batches=[
            batch(
                "leads",
                file,
                leads,
                extra=["landing_page_id", "origin"],
                sources=sources_of(
                    file,
                    {"lead_id": "mql_id", "created_at": "first_contact_date", "source": "origin"},
                ),
            ),
            batch(
                "lifecycle_events",
                file,
                events,
                sources=sources_of(file, {"lead_id": "mql_id", "entered_at": "first_contact_date"}),
            ),
        ],
        unreadable=[{**p, "table": "leads"} for p in file.unreadable],
    )


def _reps(c: pl.DataFrame) -> pl.DataFrame:
    roles = pl.concat(
        [
            c.select(pl.col(col).alias("rep_id"), pl.lit(team).alias("team"), "_line")
            for col, team in (("sdr_id", "sdr"), ("sr_id", "ae"))
        ]
    ).drop_nulls("rep_id")
    counts = roles.group_by("rep_id", "team").agg(pl.len().alias("n"), pl.col("_line").min())
    return (
        counts.sort(["rep_id", "n", "team"], descending=[False, True, True])
        .group_by("rep_id", maintain_order=True)
        .agg(pl.col("team").first(), pl.col("_line").min())
        .with_columns(pl.col("rep_id").alias("name"))
        .sort("_line")
    )


def _deals(file: ExportFile, options: CsvOptions) -> Export:
    require_columns(file, DEAL_COLUMNS, "Olist closed deals")
    c = file.cells
    at = timestamp_text(pl.col("won_date"), timezone=options.timezone)
    # the team is a guess from the roles, the name the id: a new rep takes them, a stored
    # one (a canonical reps.csv set names and teams) keeps its own
    batches = [batch("reps", file, _reps(c), defaulted=["team", "name"])]
    extra = [x for x in c.columns if x not in ("mql_id", "won_date", "_line")]
    if "seller_id" in c.columns:
        accounts = (
            c.filter(pl.col("seller_id").is_not_null())
            .select(
                pl.col("seller_id").alias("account_id"),
                pl.col("seller_id").alias("name"),
                (
                    pl.col("business_segment")
                    if "business_segment" in c.columns
                    else pl.lit(None, pl.String)
                ).alias("industry"),
                pl.lit("BR").alias("country"),
                "_line",
            )
            .unique("account_id", keep="first", maintain_order=True)
            .drop(file.lacking({"industry": "business_segment"}))  # a stored one stays
        )
        sources = sources_of(
            file, {"account_id": "seller_id", "name": "seller_id", "industry": "business_segment"}
        )
        batches.insert(0, batch("accounts", file, accounts, sources=sources))
    account = pl.col("seller_id") if "seller_id" in c.columns else pl.lit(None, pl.String)
    first = c.filter(pl.col("_line") == pl.col("_line").min().over("mql_id"))
    events = pl.concat(
        [
            first.select(
                pl.col("mql_id").alias("lead_id"),
                pl.lit(stage).alias("stage"),
                at.alias("entered_at"),
                pl.lit(trigger, dtype=pl.String).alias("trigger"),
                pl.col(actor).alias("actor_rep_id"),
                "_line",
            )
            for stage, trigger, actor in (
                # only won deals are in the file: their SQL and opportunity are no count
                ("sql", WON_ONLY_TRIGGER, "sdr_id"),
                ("opportunity", WON_ONLY_TRIGGER, "sr_id"),
                ("customer", "won", "sr_id"),
            )
        ]
    )
    opportunities = c.select(
        pl.col("mql_id").alias("opportunity_id"),
        pl.col("mql_id").alias("lead_id"),
        account.alias("account_id"),
        at.alias("created_at"),
        at.alias("closed_at"),
        pl.lit("0").alias("amount"),
        pl.lit("won").alias("status"),
        "_line",
        *extra,
    ).drop(file.lacking({"account_id": "seller_id"}))  # a stored link stays
    dated = {"lead_id": "mql_id", "entered_at": "won_date", "actor_rep_id": ("sr_id", "sdr_id")}
    batches += [
        batch("lifecycle_events", file, events, sources=sources_of(file, dated)),
        batch(
            "opportunities",
            file,
            opportunities,
            extra=extra,
            sources=sources_of(
                file,
                {
                    "opportunity_id": "mql_id",
                    "lead_id": "mql_id",
                    "account_id": "seller_id",
                    "created_at": "won_date",
                    "closed_at": "won_date",
                },
            ),
        ),
    ]
    return Export(
        batches=batches, unreadable=[{**p, "table": "opportunities"} for p in file.unreadable]
    )


def owners(deals: ExportFile) -> pl.DataFrame:
    """``lead_id`` -> ``owner_rep_id`` (the SR, else the SDR) of the won deals."""
    return deals.cells.select(
        pl.col("mql_id").alias("lead_id"),
        pl.coalesce("sr_id", "sdr_id").alias("owner_rep_id"),
    ).unique("lead_id", keep="first")


#: The triggers of the lifecycle events each of the two files dates (a folder without
#: one says nothing of them: :func:`~analytics.warehouse.adapters.common.lacking_kinds`).
EVENT_TRIGGERS: dict[str, frozenset[str]] = {
    "mqls": frozenset({MQL_ONLY_TRIGGER, "first_contact"}),
    "deals": frozenset({WON_ONLY_TRIGGER, "won"}),
}


def read_olist(path: str | Path, *, options: CsvOptions = DEFAULT_OPTIONS, **_: object) -> Export:
    """Translate the Olist marketing-funnel files into canonical batches.

    Parameters
    ----------
    path
        A folder with ``olist_marketing_qualified_leads.csv`` and/or
        ``olist_closed_deals.csv`` (its other files are not read: ``skipped_files``
        names them), or one of them.
    options
        How to read the CSVs (the time zone of the dates, mostly).

    Returns
    -------
    Export
        Batches for accounts, reps, leads, lifecycle_events and opportunities.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "olist_marketing_qualified_leads.csv").write_text(
    ...     "mql_id,first_contact_date,landing_page_id,origin\\nm1,01-02-2018,p1,display\\n")
    >>> e = read_olist(d)
    >>> [(b.table, b.cells.height) for b in e.batches]
    [('leads', 1), ('lifecycle_events', 2)]
    >>> e.batches[0].cells.select("lead_id", "created_at", "source").row(0)
    ('m1', '2018-02-01T00:00:00Z', 'other')
    """
    found: dict[str, ExportFile] = {}
    paths = export_files(Path(path))
    why: dict[str, Text] = {}  # the CSVs that are no Olist file
    for p in paths:
        file = read_export_file(p, options)
        kind = next((k for k, (columns, _) in KINDS.items() if file.has(*columns)), None)
        if kind in found:  # which of the two is meant cannot be known
            raise ImportFailed(f"{p}: a second {KINDS[kind][1]} file (first: {found[kind].path})")
        if kind is not None:
            found[kind] = file
        elif Path(path).is_file():
            name = p.name.lower()
            if "closed_deals" in name:
                require_columns(file, DEAL_COLUMNS, "Olist closed deals")
            require_columns(file, MQL_COLUMNS, "Olist marketing qualified leads")
        else:
            told = {k: list(columns) for k, (columns, _) in KINDS.items()}
            why[file.label] = Text("skip.olist", {**told, "header": header_text(file)})
    mqls, deals = found.get("mqls"), found.get("deals")
    if mqls is None and deals is None:
        raise ImportFailed(
            f"{path}: no Olist file found (expected olist_marketing_qualified_leads.csv with "
            f"{', '.join(MQL_COLUMNS)} or olist_closed_deals.csv with {', '.join(DEAL_COLUMNS)})"
        )
    export = Export()
    # beside the Olist files, the others are left out, and said so
    export.skipped_files = {**left_out(Path(path), paths, Text("skip.not_csv")), **why}
    if deals is not None:
        export.extend(_deals(deals, options))
    if mqls is not None:
        part = _mqls(mqls, options)
        if deals is not None:
            leads = part.batches[0]
            cells = leads.cells.join(owners(deals), on="lead_id", how="left")
            part.batches[0] = dataclasses.replace(leads, cells=cells)
        export.extend(part)
    kinds = [kind for kind, file in (("mqls", mqls), ("deals", deals)) if file is not None]
    lacking_kinds(export, "lifecycle_events", EVENT_TRIGGERS, kinds)
    owned_reps(export)  # the SDRs and SRs are no list of the reps: a replace removes none
    return export
