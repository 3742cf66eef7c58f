"""Salesforce exports (Data Loader / Data Export, API field names) -> canonical batches.

Point the importer at a folder of object exports (``Lead.csv``, ``Contact.csv``,
``Account.csv``, ``Opportunity.csv``, ``Task.csv``, ``LeadHistory.csv``, ``User.csv``;
Data Loader's ``extract.csv`` names do not matter: each file is recognised by its
header) or at one file. Columns are the API field names, matched case-insensitively.
Record ids are read in their 18-character form (:func:`with_case_safe_ids`): a report's
15-character ids join Data Loader's.

- Lead -> ``leads`` (``Id``, ``CreatedDate``, ``LeadSource`` by :data:`LEAD_SOURCES`,
  ``Title``, ``Country``, ``OwnerId``, ``ConvertedAccountId``) and a ``lead`` event at
  ``CreatedDate``. A converted lead (``ConvertedDate``) enters ``sql`` then (unless its
  history already holds an sql stage) and ``opportunity`` when it has a
  ``ConvertedOpportunityId`` that the Opportunity export does not date itself.
- LeadHistory rows with ``Field`` = ``Status`` -> one lifecycle event per change:
  ``NewValue`` mapped by :data:`STATUS_STAGES` at the row's ``CreatedDate``. A change back
  to an open status after a later stage is ``recycled``. Without a history export the
  stages between creation and conversion cannot be dated and are not invented.
- Contact -> a lead only when no converted lead points to it (``ConvertedContactId``);
  otherwise its Id is an alias of that lead (for tasks and opportunities). The id's key
  prefix tells Lead.csv's leads (``00Q``) from Contact.csv's (``003``): ``--replace``
  with one of the files keeps the other's (:data:`LEAD_PREFIXES`).
- Account -> ``accounts`` (``Id``, ``Name``, ``Industry``, ``NumberOfEmployees``,
  ``BillingCountry``, ``AnnualRevenue``).
- Opportunity -> ``opportunities`` (``Id``, ``AccountId``, ``CreatedDate``, ``Amount``
  (empty -> 0), ``CloseDate`` when closed, status from ``IsWon``/``IsClosed`` (else from
  ``StageName`` "Closed Won"/"Closed Lost"), ``Loss_Reason__c``); its lead is the lead
  converted into it, else its ``ContactId``. Events ``opportunity`` at ``CreatedDate`` and,
  when won, ``customer`` at ``CloseDate``.
- Task -> ``sales_touches``: completed tasks only (``Status`` = Completed or
  ``IsClosed``); channel from ``TaskSubtype`` (Call -> phone, Email/ListEmail -> email,
  LinkedIn -> social) or ``Type`` (Meeting -> video); other to-dos are not attempts.
  Outcome from ``CallDisposition`` by :data:`DISPOSITIONS` (empty -> no_answer, for a
  meeting connected; e-mails no_answer unless the disposition says bounced).
  Time: ``CompletedDateTime``, else ``CreatedDate`` when on the ``ActivityDate``, else the
  ``ActivityDate``. ``WhoId`` may be a lead or a contact.
- Owners (``OwnerId``) become ``reps``: name and ``IsActive`` from the User export when
  present, else none; team ``ae`` for opportunity owners, else ``sdr`` (a guess: a stored
  rep keeps its team). The owners are no list of the reps: ``--replace`` removes no rep,
  but with User.csv, the list of every user, a rep neither it nor an owner names.
- A multi-currency org's amounts (``CurrencyIsoCode``) are converted to the corporate
  currency by the export's CurrencyType.csv; without it, amounts in several currencies
  are loaded as they are and said so (:func:`_corporate_amount`).
- Rows of deleted records (``IsDeleted`` true, 1 or yes: Data Loader's "Export All", a Data Export
  with the recycle bin) are not read, and counted in a warning; archived activities
  (``IsArchived``) are read.
- ``leads.assigned_at`` stays empty: Salesforce has no standard field for when the owner
  was assigned (docs/import-formats.md).

Names, e-mail addresses, phone numbers, addresses and free text (``Description``,
``Subject``) are never loaded; LeadHistory rows of other fields are ignored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
import polars as pl

from analytics.texts import Text
from analytics.warehouse.adapters.common import (
    DEFAULT_OPTIONS,
    CsvOptions,
    EventScope,
    Export,
    ExportFile,
    batch,
    check_chosen_deals,
    chosen_deals,
    closing_stages_read_open,
    country_code,
    date_text,
    export_files,
    header_text,
    is_private,
    lacking_kinds,
    left_out,
    map_values,
    mask_expr,
    number_text,
    owned_reps,
    read_export_file,
    require_columns,
    sources_of,
    timestamp_text,
)
from analytics.warehouse.loader import ImportFailed, TableBatch

#: Opportunities told apart by their ``Type`` (``--opportunity-type``: :func:`chosen_deals`).
OPPORTUNITY_TYPES = "import.opportunity_types"

#: ``LeadSource`` picklist value -> canonical source (case-insensitive; others -> other).
LEAD_SOURCES: dict[str, str] = {
    "web": "organic",
    "website": "organic",
    "organic search": "organic",
    "phone inquiry": "direct",
    "partner referral": "partner",
    "partner": "partner",
    "employee referral": "referral",
    "external referral": "referral",
    "word of mouth": "referral",
    "referral": "referral",
    "purchased list": "other",
    "advertisement": "paid_social",
    "paid social": "paid_social",
    "google adwords": "paid_search",
    "paid search": "paid_search",
    "email": "email",
    "social media": "social",
    "linkedin": "social",
    "seminar - internal": "event",
    "seminar - partner": "event",
    "trade show": "event",
    "webinar": "event",
    "public relations": "other",
    "other": "other",
}

#: Lead ``Status`` -> canonical stage (case-insensitive). ``lead`` means "open" (a move
#: back to it after a later stage is ``recycled``); statuses not listed give no event.
STATUS_STAGES: dict[str, str] = {
    "open - not contacted": "lead",
    "open": "lead",
    "new": "lead",
    "marketing qualified": "mql",
    "mql": "mql",
    "working - contacted": "sal",
    "working": "sal",
    "accepted": "sal",
    "sales accepted": "sal",
    "qualified": "sql",
    "sales qualified": "sql",
    "sql": "sql",
    "closed - converted": "sql",
    "converted": "sql",
    "nurturing": "recycled",
    "nurture": "recycled",
    "recycled": "recycled",
    "closed - not converted": "disqualified",
    "unqualified": "disqualified",
    "disqualified": "disqualified",
}

#: Keywords of ``CallDisposition`` -> outcome, first match wins.
DISPOSITIONS: tuple[tuple[str, str], ...] = (
    ("meeting|demo|booked|appointment|termin", "meeting_booked"),
    ("voicemail|voice mail|left message|\\bvm\\b|mailbox", "voicemail"),
    ("wrong number|invalid|bounce|disconnected", "bounced"),
    ("no answer|not reached|busy|no response|nicht erreicht|besetzt", "no_answer"),
    ("connected|reached|spoke|talked|conversation|erreicht", "connected"),
    ("replied|reply", "replied"),
)

_TRUE = ("true", "1", "yes")


#: Fields of objects no file of which is read, whose headers would otherwise pass for an
#: object read: Campaign's (and Contract's) ``StartDate`` (its ``Name``, ``Type`` and
#: ``IsActive`` read as a User or Account export), Case's ``CaseNumber`` (its
#: ``AccountId``: Contact), Event's ``IsAllDayEvent``, ``DurationInMinutes`` and
#: ``ActivityDateTime`` (its ``WhoId`` and ``ActivityDate``: Task), and
#: ``OpportunityId`` of OpportunityHistory and the like (their ``StageName``: Opportunity).
_OTHER_OBJECTS = (
    "startdate",
    "casenumber",
    "isalldayevent",
    "durationinminutes",
    "activitydatetime",
    "opportunityid",
)


def _kind(file: ExportFile) -> str | None:
    """The object a file exports, from its header (None: none this adapter reads)."""
    has = file.has
    if any(has(name) for name in _OTHER_OBJECTS):
        return None
    if has("isocode", "conversionrate"):
        return "currencies"
    if has("leadid", "field", "newvalue"):
        return "history"
    if has("whoid") and (has("tasksubtype") or has("activitydate") or has("calldisposition")):
        return "tasks"
    if has("stagename"):
        return "opportunities"
    if has("status") and (has("company") or has("converteddate") or has("isconverted")):
        return "leads"
    if has("accountid") and not has("stagename"):
        return "contacts"
    if has("username") or (has("isactive") and has("name") and not has("industry")):
        return "users"
    if has("name") and (
        has("industry") or has("numberofemployees") or has("billingcountry") or has("type")
    ):
        return "accounts"
    return None


def _col(file: ExportFile, *names: str) -> pl.Expr:
    for name in names:
        if name in file.cells.columns:
            return pl.col(name)
    return pl.lit(None, dtype=pl.String)


def _ts(expr: pl.Expr, options: CsvOptions) -> pl.Expr:
    return timestamp_text(expr, date_format=options.date_format, timezone=options.timezone)


def _true(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_lowercase().is_in(_TRUE)


def _source(expr: pl.Expr) -> pl.Expr:
    mapped = map_values(expr, LEAD_SOURCES, default=None)
    canonical = expr.str.to_lowercase().str.replace_all(r"[\s-]+", "_")
    from analytics.schema import SOURCES

    return (
        pl.when(canonical.is_in(list(SOURCES)))
        .then(canonical)
        .when(mapped.is_in(list(LEAD_SOURCES.values())))
        .then(mapped)
        .otherwise(pl.lit("other"))
    )


#: The optional fields behind each table's attributes (canonical -> API field names): a
#: field the export lacks is left out of the batch, so the values stored keep (the
#: absent-column rule); ``account_id`` also without an Account export to link to.
LEAD_FIELDS: dict[str, str | tuple[str, ...]] = {
    "job_title": "title",
    "country": "country",
    "owner_rep_id": "ownerid",
    "account_id": "convertedaccountid",
}
CONTACT_FIELDS: dict[str, str | tuple[str, ...]] = {
    "job_title": "title",
    "country": ("mailingcountry", "country"),
    "owner_rep_id": "ownerid",
    "account_id": "accountid",
}
ACCOUNT_FIELDS: dict[str, str | tuple[str, ...]] = {
    "industry": "industry",
    "employees": "numberofemployees",
    "country": ("billingcountry", "country"),
    "annual_revenue": "annualrevenue",
}
OPPORTUNITY_FIELDS: dict[str, str | tuple[str, ...]] = {
    "account_id": "accountid",
    "loss_reason": "loss_reason__c",
}


def _lacking(
    file: ExportFile, fields: dict[str, str | tuple[str, ...]], has_accounts: bool
) -> list[str]:
    """The canonical columns to leave out of a batch: those whose field ``file`` lacks,
    and ``account_id`` when no Account export came along (its stored link stays)."""
    lacking = file.lacking(fields)
    return lacking if has_accounts or "account_id" in lacking else [*lacking, "account_id"]


def _defaulted(file: ExportFile) -> list[str]:
    """``source`` when the export has no ``LeadSource``: new leads take "other", stored
    leads keep theirs."""
    return [] if file.has("leadsource") else ["source"]


def _extras(file: ExportFile, used: set[str]) -> list[str]:
    return [c for c in file.cells.columns if c not in used and c != "_line" and not is_private(c)]


def _dropped(file: ExportFile, keep: set[str] = frozenset()) -> list[str]:
    return [c for c in file.header if c in file.cells.columns and c not in keep and is_private(c)]


#: What a conversion made of a lead, as Lead.csv names it: its contact and its deal.
_CONVERTED_INTO = {"contact": "convertedcontactid", "opportunity": "convertedopportunityid"}


def _converted(leads: ExportFile | None, kind: str) -> dict[str, str]:
    """Contact (``kind`` ``contact``) or deal (``opportunity``) Id -> the Id of the lead
    this Lead.csv says was converted into it."""
    column = _CONVERTED_INTO[kind]
    if leads is None or column not in leads.cells.columns:
        return {}
    pairs = leads.cells.select(column, "id").drop_nulls()
    return dict(zip(pairs[column], pairs["id"], strict=True))


#: The exports that name a contact a converted lead may stand for.
_CONTACT_USERS = frozenset({"contacts", "tasks", "opportunities"})


def stored_conversions(db_path: str | Path) -> dict[str, dict[str, str]]:
    """``contact`` and ``opportunity``: Id -> the Id of the lead converted into it, as the
    warehouse's earlier Lead.csv loads recorded it (``ConvertedContactId`` and
    ``ConvertedOpportunityId``, kept in ``raw.leads._extra``), each lead's latest version
    deciding (a lead unconverted since claims nothing). A refresh of Contact.csv, Task.csv
    or Opportunity.csv without them then knows a converted contact as its lead, not as a
    new person, and a deal as its lead's. Empty without a warehouse.
    """
    from analytics.warehouse.connection import connect_readonly

    empty: dict[str, dict[str, str]] = {kind: {} for kind in _CONVERTED_INTO}
    if not Path(db_path).exists():
        return empty
    con = connect_readonly(db_path)
    try:
        rows = con.execute(
            """SELECT json_extract_string(r._extra, '$.convertedcontactid'),
                      json_extract_string(r._extra, '$.convertedopportunityid'),
                      trim(r.lead_id)
            FROM raw.leads r
            JOIN meta.raw_seen s ON s.table_name = 'leads' AND s.row_hash = r._row_hash
            WHERE r._extra IS NOT NULL AND contains(r._extra, '"converted')
            QUALIFY row_number() OVER (
                PARTITION BY trim(r.lead_id) ORDER BY s.load_id DESC, r._line DESC) = 1"""
        ).fetchall()
    except duckdb.Error:  # a warehouse without raw rows yet
        return empty
    finally:
        con.close()
    for contact, deal, lead in rows:
        for kind, into in (("contact", contact), ("opportunity", deal)):
            if into is not None and lead is not None:
                empty[kind][into] = lead
    return empty


def _unspoken(stored: dict[str, str], leads: ExportFile | None, kind: str) -> dict[str, str]:
    """The ``stored`` conversions of ``kind`` but those of the leads this Lead.csv lists
    with the column that says them (it says them itself, or that they were undone)."""
    column = _CONVERTED_INTO[kind]
    if leads is None or column not in leads.cells.columns:
        return stored
    spoken = set(leads.cells["id"].drop_nulls().str.strip_chars())
    return {key: lead for key, lead in stored.items() if lead not in spoken}


#: The triggers of the lifecycle events each file kind dates (a folder without a kind
#: says nothing of them: :func:`~analytics.warehouse.adapters.common.lacking_kinds`).
EVENT_TRIGGERS: dict[str, frozenset[str]] = {
    "leads": frozenset({"created", "converted"}),
    "contacts": frozenset({"created"}),
    "history": frozenset({"status_change"}),
    "opportunities": frozenset({"opportunity_created", "won"}),
}

#: Salesforce's key prefix of the objects whose records become leads: the first three
#: characters of every record id name its object, the same in every org (Salesforce's
#: "Standard Field Record ID Prefix Decoder": 00Q Lead, 003 Contact). Lead.csv and
#: Contact.csv both fill leads, and both date ``created``: the prefix tells which of them
#: gave a stored lead and its events, so that a folder without one says nothing of its
#: leads (:func:`~analytics.warehouse.adapters.common.lacking_kinds`).
LEAD_PREFIXES: dict[str, str] = {"leads": "00Q", "contacts": "003"}


def _who(expr: pl.Expr, aliases: dict[str, str]) -> pl.Expr:
    """Lead id of a WhoId/ContactId: a converted contact's lead, else the id itself."""
    if not aliases:
        return expr
    return expr.replace_strict(aliases, default=expr, return_dtype=pl.String)


def _status_events(history: ExportFile, options: CsvOptions) -> pl.DataFrame:
    """Status changes as events; a move back to an open status after progress -> recycled."""
    h = history.cells.filter(pl.col("field").str.to_lowercase() == "status").with_columns(
        map_values(pl.col("newvalue"), STATUS_STAGES, default="").alias("stage"),
        _ts(pl.col("createddate"), options).alias("entered_at"),
    )
    h = h.filter(pl.col("stage") != "").sort("leadid", "entered_at", "_line")
    progressed = (pl.col("stage") != "lead").cast(pl.Int32).cum_sum().over("leadid") > 0
    return h.select(
        pl.col("leadid").alias("lead_id"),
        pl.when((pl.col("stage") == "lead") & progressed)
        .then(pl.lit("recycled"))
        .otherwise(pl.col("stage"))
        .alias("stage"),
        "entered_at",
        pl.lit("status_change").alias("trigger"),
        pl.format("{} -> {}", pl.col("oldvalue").fill_null(""), pl.col("newvalue")).alias("reason"),
        "_line",
    )


#: The fields every export of people has (canonical -> API field name).
_PERSON_FIELDS: dict[str, str | tuple[str, ...]] = {
    "lead_id": "id",
    "created_at": "createddate",
    "source": "leadsource",
}


def _people(
    file: ExportFile,
    options: CsvOptions,
    has_accounts: bool,
    *,
    what: str,
    fields: dict[str, str | tuple[str, ...]],
    skip: Iterable[str] | None = None,
) -> tuple[TableBatch, pl.DataFrame, dict[str, str]]:
    """The leads batch of an export of people, Lead.csv or Contact.csv: their difference
    is data, the object's name (``what``, for a refusal), its optional fields (``fields``:
    :data:`LEAD_FIELDS`, :data:`CONTACT_FIELDS`) and the Ids that are no lead of their
    own (``skip``: the contacts a lead was converted into; its rows are filtered by it).

    Returns (the batch, its leads before the batch was made of them, canonical column ->
    the export's column it was read from).
    """
    require_columns(file, ["id", "createddate"], f"Salesforce {what}")
    c = file.cells
    if skip is not None:  # a row without Id is no converted contact: it is quarantined
        c = c.filter(pl.col("id").is_null() | ~pl.col("id").is_in(list(skip)))
    names = {c: (n,) if isinstance(n, str) else n for c, n in {**_PERSON_FIELDS, **fields}.items()}
    # every name an attribute is read under: Contact.csv's Country (beside or without
    # MailingCountry) is no extra column, whose name would clash with the canonical one
    used = {n for alternatives in names.values() for n in alternatives}
    read = {c: _col(file, *names[c]) for c in fields}
    if "country" in read:
        read["country"] = country_code(read["country"])
    leads = c.select(
        pl.col("id").alias("lead_id"),
        _ts(pl.col("createddate"), options).alias("created_at"),
        _source(_col(file, "leadsource")).alias("source"),
        *[expr.alias(column) for column, expr in read.items()],
        "_line",
        *_extras(file, used),
    ).drop(_lacking(file, fields, has_accounts))
    sources = sources_of(file, {**_PERSON_FIELDS, **fields})
    people = batch(
        "leads",
        file,
        leads,
        extra=_extras(file, used),
        defaulted=_defaulted(file),
        sources=sources,
    )
    return people, leads, sources


def _leads(
    file: ExportFile,
    options: CsvOptions,
    has_accounts: bool,
    history_sql: set[str],
    dated_opps: set[str],
) -> Export:
    people, _, sources = _people(file, options, has_accounts, what="Lead", fields=LEAD_FIELDS)
    converted = _ts(_col(file, "converteddate"), options)
    first = file.cells.filter(pl.col("_line") == pl.col("_line").min().over("id"))
    # an event's date: CreatedDate for the lead stage, ConvertedDate for the others
    created_from = pl.lit(sources["created_at"]).alias("_from_entered_at")
    converted_from = pl.lit(file.named("converteddate")).alias("_from_entered_at")
    parts = [
        first.select(
            pl.col("id").alias("lead_id"),
            pl.lit("lead").alias("stage"),
            _ts(pl.col("createddate"), options).alias("entered_at"),
            pl.lit("created").alias("trigger"),
            "_line",
            created_from,
        ),
        first.filter(converted.is_not_null() & ~pl.col("id").is_in(list(history_sql))).select(
            pl.col("id").alias("lead_id"),
            pl.lit("sql").alias("stage"),
            converted.alias("entered_at"),
            pl.lit("converted").alias("trigger"),
            "_line",
            converted_from,
        ),
    ]
    opp_id = _col(file, "convertedopportunityid")
    parts.append(
        first.filter(
            converted.is_not_null() & opp_id.is_not_null() & ~opp_id.is_in(list(dated_opps))
        ).select(
            pl.col("id").alias("lead_id"),
            pl.lit("opportunity").alias("stage"),
            converted.alias("entered_at"),
            pl.lit("converted").alias("trigger"),
            "_line",
            converted_from,
        )
    )
    return Export(
        batches=[
            people,
            batch(
                "lifecycle_events",
                file,
                pl.concat(parts, how="diagonal_relaxed"),
                sources={"lead_id": sources["lead_id"]},
                # one ConvertedDate per lead: a refresh moves or clears it, adds no second;
                # an export without the field says nothing of it (stored events stay)
                scope=EventScope(
                    first["id"],
                    frozenset(
                        stage
                        for stage, field in (
                            ("sql", "converteddate"),
                            ("opportunity", "convertedopportunityid"),
                        )
                        if file.has("converteddate", field)
                    ),
                    "converted",
                    # a refresh of Lead.csv alone does not date again what LeadHistory
                    # and Opportunity (an earlier load's) dated
                    yields_to=frozenset({"status_change", "opportunity_created"}),
                ),
            ),
        ],
        unreadable=[{**p, "table": "leads"} for p in file.unreadable],
        dropped_columns={file.label: _dropped(file)},
    )


def _contacts(
    file: ExportFile, options: CsvOptions, converted: dict[str, str], has_accounts: bool
) -> Export:
    people, leads, sources = _people(
        file, options, has_accounts, what="Contact", fields=CONTACT_FIELDS, skip=converted
    )
    events = leads.select(
        "lead_id",
        pl.lit("lead").alias("stage"),
        pl.col("created_at").alias("entered_at"),
        pl.lit("created").alias("trigger"),
        "_line",
    )
    return Export(
        batches=[
            people,
            batch(
                "lifecycle_events",
                file,
                events,
                sources={"lead_id": sources["lead_id"], "entered_at": sources["created_at"]},
            ),
        ],
        unreadable=[{**p, "table": "leads"} for p in file.unreadable],
        dropped_columns={file.label: _dropped(file)},
    )


def _accounts(file: ExportFile, options: CsvOptions) -> Export:
    require_columns(file, ["id", "name"], "Salesforce Account")
    dc = file.decimal_comma(options)
    used = {"id", "name", "industry", "numberofemployees", "billingcountry", "annualrevenue"}
    accounts = file.cells.select(
        pl.col("id").alias("account_id"),
        pl.col("name"),
        _col(file, "industry").alias("industry"),
        number_text(_col(file, "numberofemployees"), decimal_comma=dc).alias("employees"),
        country_code(_col(file, "billingcountry", "country")).alias("country"),
        number_text(_col(file, "annualrevenue"), decimal_comma=dc).alias("annual_revenue"),
        "_line",
        *_extras(file, used),
    ).drop(file.lacking(ACCOUNT_FIELDS))
    return Export(
        batches=[
            batch(
                "accounts",
                file,
                accounts,
                extra=_extras(file, used),
                sources=sources_of(file, {"account_id": "id", "name": "name", **ACCOUNT_FIELDS}),
            )
        ],
        unreadable=[{**p, "table": "accounts"} for p in file.unreadable],
        dropped_columns={file.label: _dropped(file, keep={"name"})},
    )


def _opportunities(
    file: ExportFile,
    options: CsvOptions,
    converted_opps: dict[str, str],
    contacts: dict[str, str],
    has_accounts: bool,
    *,
    has_leads: bool = True,
    rates: CurrencyRates | None = None,
) -> Export:
    require_columns(file, ["id", "createddate", "stagename"], "Salesforce Opportunity")
    c = file.cells
    dc = file.decimal_comma(options)
    amount, notices = _corporate_amount(
        file, number_text(_col(file, "amount"), decimal_comma=dc), rates
    )
    stage = pl.col("stagename").str.to_lowercase()
    won = _true(pl.col("iswon")) if "iswon" in c.columns else stage.str.contains("closed won")
    closed = (
        _true(pl.col("isclosed")) if "isclosed" in c.columns else stage.str.starts_with("closed")
    )
    status = (
        pl.when(won).then(pl.lit("won")).when(closed).then(pl.lit("lost")).otherwise(pl.lit("open"))
    )
    if not {"iswon", "isclosed"} <= set(c.columns):  # a custom stage's label decides: say so
        notices = [
            *notices,
            *closing_stages_read_open(file, pl.col("stagename"), status, fields="IsWon, IsClosed"),
        ]
    close = _ts(date_text(_col(file, "closedate"), date_format=options.date_format), options)
    lead = pl.col("id").replace_strict(converted_opps, default=None, return_dtype=pl.String)
    lead = pl.coalesce(lead, _who(_col(file, "contactid"), contacts))
    used = {
        "id",
        "accountid",
        "createddate",
        "amount",
        "closedate",
        "iswon",
        "isclosed",
        "stagename",
        "loss_reason__c",
        "contactid",
    }
    opportunities = c.select(
        pl.col("id").alias("opportunity_id"),
        lead.alias("lead_id"),
        _col(file, "accountid").alias("account_id"),
        _ts(pl.col("createddate"), options).alias("created_at"),
        pl.when(status != "open").then(close).alias("closed_at"),
        amount.fill_null("0").alias("amount"),
        status.alias("status"),
        pl.when(status == "lost").then(_col(file, "loss_reason__c")).alias("loss_reason"),
        "stagename",
        "_line",
        *_extras(file, used),
    )
    first = opportunities.filter(
        pl.col("lead_id").is_not_null()
        & (pl.col("_line") == pl.col("_line").min().over("opportunity_id"))
    )
    events = pl.concat(
        [
            first.select(
                "lead_id",
                pl.lit("opportunity").alias("stage"),
                pl.col("created_at").alias("entered_at"),
                pl.lit("opportunity_created").alias("trigger"),
                "_line",
                pl.lit(file.named("createddate")).alias("_from_entered_at"),
            ),
            first.filter(pl.col("status") == "won").select(
                "lead_id",
                pl.lit("customer").alias("stage"),
                pl.col("closed_at").alias("entered_at"),
                pl.lit("won").alias("trigger"),
                "_line",
                pl.lit(file.named("closedate")).alias("_from_entered_at"),
            ),
        ]
    )
    sources = sources_of(
        file,
        {"opportunity_id": "id", "created_at": "createddate", "closed_at": "closedate",
         "amount": "amount", "status": "stagename", **OPPORTUNITY_FIELDS},
    )  # fmt: skip
    return Export(
        batches=[
            batch(
                "opportunities",
                file,
                # without Lead.csv a converted deal's lead is not known: the stored link stays
                opportunities.drop(
                    [
                        *_lacking(file, OPPORTUNITY_FIELDS, has_accounts),
                        *([] if has_leads else ["lead_id"]),
                    ]
                ),
                extra=[*_extras(file, used), "stagename"],
                # required: a new deal takes 0 (as an empty Amount), a stored one keeps its own
                defaulted=file.lacking({"amount": "amount"}),
                sources=sources,
            ),
            # the deal's creation dates the opportunity better than a ConvertedDate
            batch("lifecycle_events", file, events, supersedes={"converted"}),
        ],
        unreadable=[{**p, "table": "opportunities"} for p in file.unreadable],
        dropped_columns={file.label: _dropped(file)},
        notices={file.label: notices} if notices else {},
    )


@dataclasses.dataclass(frozen=True)
class CurrencyRates:
    """A multi-currency org's rates (CurrencyType.csv): ``rates`` each currency's units per
    unit of the ``corporate`` currency (Salesforce's ``ConversionRate``)."""

    corporate: str
    rates: dict[str, float]


def currency_rates(file: ExportFile) -> CurrencyRates | None:
    """The rates of a CurrencyType export (None: it names no corporate currency).

    >>> f = ExportFile(Path("CurrencyType.csv"), pl.DataFrame({"isocode": ["EUR", "USD"],
    ...     "conversionrate": ["1", "1.087"], "iscorporate": ["true", "false"],
    ...     "_line": [2, 3]}), [], [], ",", "utf-8", "")
    >>> currency_rates(f)
    CurrencyRates(corporate='EUR', rates={'EUR': 1.0, 'USD': 1.087})
    """
    c = file.cells
    if "iscorporate" not in c.columns:
        return None
    corporate = c.filter(_true(pl.col("iscorporate")))["isocode"].drop_nulls().to_list()
    rates = {
        code.upper(): float(rate)
        for code, rate in c.select(
            pl.col("isocode").str.strip_chars(),
            number_text(pl.col("conversionrate"), decimal_comma=False).cast(
                pl.Float64, strict=False
            ),
        ).iter_rows()
        if code and rate
    }
    if len(corporate) != 1:
        return None
    return CurrencyRates(corporate[0].strip().upper(), rates)


def _corporate_amount(
    file: ExportFile, amount: pl.Expr, rates: CurrencyRates | None
) -> tuple[pl.Expr, list[Text]]:
    """An opportunity's amount in the org's corporate currency, and what to tell of it.

    A multi-currency org writes each opportunity's ``Amount`` in its ``CurrencyIsoCode``.
    With the export's CurrencyType.csv they are converted (its one rate per currency;
    advanced currency management's dated rates are not exported with it); without it,
    amounts in several currencies are loaded as they are and said so.
    """
    if "currencyisocode" not in file.cells.columns:
        return amount, []
    code = pl.col("currencyisocode").str.strip_chars().str.to_uppercase()
    used = sorted(file.cells.select(code.drop_nulls().unique())["currencyisocode"].to_list())
    if rates is None:
        if len(used) <= 1:
            return amount, []
        text = Text("import.currencies_mixed", {"n": len(used), "currencies": ", ".join(used)})
        return amount, [text]
    foreign = [c for c in used if c != rates.corporate]
    known = [c for c in foreign if c in rates.rates]
    unknown = [c for c in foreign if c not in rates.rates]
    notices = []
    if known:
        params = {"currencies": ", ".join(known), "corporate": rates.corporate}
        notices.append(Text("import.currencies_converted", params))
    if unknown:
        notices.append(Text("import.currencies_unconverted", {"currencies": ", ".join(unknown)}))
    rate = code.replace_strict(
        {c: rates.rates[c] for c in known}, default=1.0, return_dtype=pl.Float64
    )
    converted = (amount.cast(pl.Float64, strict=False) / rate).round(2).cast(pl.String)
    return pl.when(code.is_in(known)).then(converted).otherwise(amount), notices


def _channel(file: ExportFile) -> pl.Expr:
    sub = _col(file, "tasksubtype").str.to_lowercase().fill_null("")
    typ = _col(file, "type").str.to_lowercase().fill_null("")
    return (
        pl.when(sub == "call")
        .then(pl.lit("phone"))
        .when(sub.is_in(["email", "listemail"]))
        .then(pl.lit("email"))
        .when(sub == "linkedin")
        .then(pl.lit("social"))
        .when(typ == "call")
        .then(pl.lit("phone"))
        .when(typ == "email")
        .then(pl.lit("email"))
        .when(typ == "meeting")
        .then(pl.lit("video"))
    )


def _outcome(disposition: pl.Expr) -> pl.Expr:
    """A CallDisposition as an outcome: a known one, else the text as an identifier, its
    e-mail addresses, phone numbers and IBANs masked before it becomes one."""
    low = disposition.str.to_lowercase()
    out = pl.when(disposition.is_null()).then(pl.lit("no_answer"))
    for pattern, value in DISPOSITIONS:
        out = out.when(low.str.contains(pattern)).then(pl.lit(value))
    masked = mask_expr(disposition.str.strip_chars()).str.to_lowercase()
    return out.otherwise(masked.str.replace_all(r"[^a-z0-9]+", "_"))


def _tasks(file: ExportFile, options: CsvOptions, contacts: dict[str, str]) -> Export:
    require_columns(file, ["id", "whoid", "ownerid"], "Salesforce Task")
    c = file.cells
    done = pl.lit(True)
    if "status" in c.columns:
        done = pl.col("status").str.to_lowercase().is_in(["completed", "erledigt"])
    if "isclosed" in c.columns:
        done = done | _true(pl.col("isclosed"))
    activity = date_text(_col(file, "activitydate"), date_format=options.date_format)
    created = _ts(_col(file, "createddate"), options)
    at = pl.coalesce(
        _ts(_col(file, "completeddatetime"), options),
        pl.when(activity.is_null() | created.str.starts_with(activity)).then(created),
        _ts(activity, options),
    )
    used = {
        "id",
        "whoid",
        "ownerid",
        "activitydate",
        "createddate",
        "completeddatetime",
        "tasksubtype",
        "type",
        "calldisposition",
        "status",
        "isclosed",
    }
    touches = (
        c.with_columns(_channel(file).alias("_channel"))
        .filter(done & pl.col("_channel").is_not_null())
        .select(
            pl.col("id").alias("touch_id"),
            _who(pl.col("whoid"), contacts).alias("lead_id"),
            pl.col("ownerid").alias("rep_id"),
            at.alias("occurred_at"),
            pl.col("_channel").alias("channel"),
            pl.when(pl.col("_channel") == "email")
            .then(
                pl.when(_col(file, "calldisposition").str.to_lowercase().str.contains("bounce"))
                .then(pl.lit("bounced"))
                .otherwise(pl.lit("no_answer"))
            )
            .when((pl.col("_channel") == "video") & _col(file, "calldisposition").is_null())
            .then(pl.lit("connected"))
            .otherwise(_outcome(_col(file, "calldisposition")))
            .alias("outcome"),
            "_line",
            # the column the time was read from, as the coalesce above takes it
            pl.when(_col(file, "completeddatetime").is_not_null())
            .then(pl.lit(file.named("completeddatetime")))
            .when(activity.is_null() | created.str.starts_with(activity))
            .then(pl.lit(file.named("createddate")))
            .otherwise(pl.lit(file.named("activitydate")))
            .alias("_from_occurred_at"),
            *_extras(file, used),
        )
    )
    sources = sources_of(
        file,
        {"touch_id": "id", "lead_id": "whoid", "rep_id": "ownerid", "outcome": "calldisposition"},
    )
    return Export(
        batches=[batch("sales_touches", file, touches, extra=_extras(file, used), sources=sources)],
        unreadable=[{**p, "table": "sales_touches"} for p in file.unreadable],
        dropped_columns={file.label: _dropped(file)},
    )


def _reps(files: dict[str, ExportFile]) -> list:
    owners = []
    for kind, team in (
        ("leads", "sdr"),
        ("contacts", "sdr"),
        ("tasks", "sdr"),
        ("opportunities", "ae"),
    ):
        f = files.get(kind)
        if f is not None and "ownerid" in f.cells.columns:
            owners.append(
                f.cells.select(
                    pl.col("ownerid").alias("rep_id"),
                    pl.lit(team).alias("team"),
                    "_line",
                    pl.lit(kind).alias("_kind"),
                ).drop_nulls("rep_id")
            )
    if not owners:
        return []
    teams = (
        pl.concat(owners)
        .group_by("rep_id", "team")
        .agg(pl.len().alias("n"), pl.col("_kind").first(), pl.col("_line").min())
        .sort(["rep_id", "n", "team"], descending=[False, True, True])
        .group_by("rep_id", maintain_order=True)
        .agg(pl.col("team").first(), pl.col("_kind").first(), pl.col("_line").first())
    )
    users = files.get("users")
    if users is not None:
        require_columns(users, ["id"], "Salesforce User")
        u = users.cells.select(
            pl.col("id").alias("rep_id"),
            _col(users, "name").alias("_name"),
            _col(users, "isactive").str.to_lowercase().alias("active"),
            pl.lit(True).alias("_listed"),
        ).unique("rep_id", keep="first")
        teams = teams.join(u, on="rep_id", how="left")
        teams = teams.with_columns(pl.col("_listed").fill_null(False))
    else:  # without the User export, whether a rep is active is not said: stored stays
        teams = teams.with_columns(
            pl.lit(None, pl.String).alias("_name"), pl.lit(False).alias("_listed")
        )
    # a user id User.csv does not name has no name: an opaque id such as 005100000UNKNWN
    # is no person's name (the pages call such a rep "Rep 1", ...)
    teams = teams.rename({"_name": "name"})
    # the team is a guess from the owned objects: a new rep takes it, a stored one (a
    # canonical reps.csv set the teams) keeps its own. So do the name and whether the rep
    # is active where User.csv does not say them: without User.csv, for an owner it does
    # not list (an export of the active users only), or without its Name or IsActive field
    unsaid = ["team", "name", "active"]
    said = [c for c, field in (("name", "name"), ("active", "isactive"))
            if users is not None and field in users.cells.columns]  # fmt: skip
    out = []
    for kind in ("leads", "contacts", "tasks", "opportunities"):
        part = teams.filter(pl.col("_kind") == kind).sort("_line")
        listed, unlisted = part.filter(pl.col("_listed")), part.filter(~pl.col("_listed"))
        if listed.height:
            guessed = [c for c in unsaid if c not in said]
            out.append(batch("reps", files[kind], listed, suffix="owners", defaulted=guessed))
        if unlisted.height:
            suffix = "owners" if not listed.height else "owners-not-in-users"
            out.append(batch("reps", files[kind], unlisted, suffix=suffix, defaulted=unsaid))
    return out


def without_deleted(file: ExportFile) -> tuple[ExportFile, int]:
    """``file`` without the rows of deleted records, and how many there were: Data
    Loader's "Export All" and a Data Export with the recycle bin hold them, ``IsDeleted``
    true. A deleted lead is no lead, a deleted task no attempt; archived activities
    (``IsArchived``, older than a year) are real and stay.

    >>> f = ExportFile(Path("Lead.csv"), pl.DataFrame({"id": ["00Q1", "00Q2"],
    ...     "isdeleted": ["false", "TRUE"], "_line": [2, 3]}), ["id", "isdeleted"], [], ",",
    ...     "utf-8", "")
    >>> kept, gone = without_deleted(f)
    >>> kept.cells["id"].to_list(), gone
    (['00Q1'], 1)
    """
    if "isdeleted" not in file.cells.columns:
        return file, 0
    deleted = _true(pl.col("isdeleted").str.strip_chars())
    gone = int(file.cells.select(deleted.sum()).item())
    if not gone:
        return file, 0
    return dataclasses.replace(file, cells=file.cells.filter(~deleted)), gone


#: The suffix alphabet of Salesforce's case-safe ids (Salesforce's ``CASESAFEID()``).
_CASE_SAFE_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def case_safe_id(expr: pl.Expr) -> pl.Expr:
    """A record id in Salesforce's 18-character form: a 15-character id (reports and the
    page addresses write them; case matters in them) with its case-safe suffix, as Data
    Loader and the API write it; any other value as it is.

    Each suffix character says which of five id characters are upper case (bit ``i``
    for the ``i``-th), so a report's ``00Q1000000L0001`` and Data Loader's
    ``00Q1000000L0001EAB`` are one record.

    >>> ids = pl.DataFrame({"id": ["001A0000006Vm9r", "001A0000006Vm9rIAC", "00Q1", None]})
    >>> ids.select(case_safe_id(pl.col("id")))["id"].to_list()
    ['001A0000006Vm9rIAC', '001A0000006Vm9rIAC', '00Q1', None]
    """
    text = expr.str.strip_chars()
    bits = [
        text.str.slice(i, 1).str.contains("^[A-Z]$").cast(pl.UInt8) * (1 << i % 5)
        for i in range(15)
    ]
    suffix = pl.concat_str(
        pl.sum_horizontal(bits[start : start + 5]).replace_strict(
            dict(enumerate(_CASE_SAFE_SUFFIX)), return_dtype=pl.String
        )
        for start in (0, 5, 10)
    )
    return pl.when(text.str.contains("^[0-9A-Za-z]{15}$")).then(text + suffix).otherwise(expr)


def with_case_safe_ids(file: ExportFile) -> ExportFile:
    """``file`` with every record id in its 18-character form (:func:`case_safe_id`): the
    ``Id`` and the reference fields (``OwnerId``, ``WhoId``, ``ConvertedContactId`` ...,
    every column whose API name ends in ``Id``), so that a report's 15-character ids join
    the 18-character ones of a Data Loader export.
    """
    ids = [c for c in file.cells.columns if c.endswith("id")]
    if not ids:
        return file
    return dataclasses.replace(
        file, cells=file.cells.with_columns(case_safe_id(pl.col(c)) for c in ids)
    )


def read_salesforce(
    path: str | Path,
    *,
    options: CsvOptions = DEFAULT_OPTIONS,
    conversions: Callable[[], dict[str, dict[str, str]]] | None = None,
    **_: object,
) -> Export:
    """Translate Salesforce object exports (a folder, or one file) into canonical batches.

    Parameters
    ----------
    path
        A folder of Salesforce CSV exports by API field name, or one of them.
    options
        How to read the CSVs (Data Loader writes UTC ISO timestamps with ``Z``).
    conversions
        The conversions earlier loads recorded (:func:`stored_conversions`): a folder
        without Lead.csv, or whose Lead.csv lacks ``ConvertedContactId`` /
        ``ConvertedOpportunityId`` or some leads, still knows them (the leads its Lead.csv
        lists with the column say it themselves).

    Returns
    -------
    Export
        Batches for accounts, reps, leads, lifecycle_events, opportunities and
        sales_touches; ``dropped_columns`` lists the personal columns per file.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "Lead.csv").write_text(
    ...     "Id,LastName,Email,Company,Status,LeadSource,CreatedDate,OwnerId\\n"
    ...     "00Q1,Roth,r@x.de,Acme,Open - Not Contacted,Web,2026-10-05T09:12:00.000Z,0051\\n")
    >>> e = read_salesforce(d)
    >>> leads = next(b for b in e.batches if b.table == "leads")
    >>> leads.cells.select("lead_id", "created_at", "source", "owner_rep_id").row(0)
    ('00Q1', '2026-10-05T09:12:00Z', 'organic', '0051')
    >>> e.dropped_columns[str(d / "Lead.csv")]
    ['lastname', 'email']
    """
    files: dict[str, ExportFile] = {}
    paths = export_files(Path(path))
    why: dict[str, Text] = {}  # the CSVs that are no export of an object read
    deleted: dict[str, int] = {}
    for p in paths:
        f = read_export_file(p, options)
        kind = _kind(f)
        if kind is None:
            why[f.label] = Text("skip.salesforce", {"header": header_text(f)})
            if len(paths) == 1:  # a file, or the folder's only one
                raise ImportFailed(f"{p}: {why[f.label]}")
            continue
        if kind in files:
            raise ImportFailed(f"{p}: a second {kind} export (first: {files[kind].path})")
        files[kind], gone = without_deleted(f)
        files[kind] = with_case_safe_ids(files[kind])
        if gone:
            deleted[f.label] = gone
    if not files:
        raise ImportFailed(f"{path}: no Salesforce export found")
    # new business only, when the SLA says which opportunity types it is (--opportunity-type)
    chosen: dict[str, list[Text]] = {}
    opps = files.get("opportunities")
    column = "type" if opps is not None and "type" in opps.cells.columns else None
    deals = [(opps, column)] if opps is not None else []
    check_chosen_deals(deals, options.opportunity_types, texts=OPPORTUNITY_TYPES)
    if opps is not None:
        opps, said = chosen_deals(opps, column, options.opportunity_types, texts=OPPORTUNITY_TYPES)
        files["opportunities"] = opps
        if said:
            chosen[opps.label] = said
    leads, history = files.get("leads"), files.get("history")
    has_accounts = "accounts" in files
    converted = {kind: _converted(leads, kind) for kind in _CONVERTED_INTO}
    if conversions is not None and files.keys() & _CONTACT_USERS:
        # the conversions earlier loads recorded, but for the leads this Lead.csv speaks of
        stored = conversions()
        converted = {
            kind: {**_unspoken(stored[kind], leads, kind), **said}
            for kind, said in converted.items()
        }
    contacts, converted_opps = converted["contact"], converted["opportunity"]
    status_events = _status_events(history, options) if history is not None else None
    history_sql = (
        set(status_events.filter(pl.col("stage") == "sql")["lead_id"].to_list())
        if status_events is not None
        else set()
    )
    dated_opps = set(opps.cells["id"].drop_nulls().to_list()) if opps is not None else set()
    export = Export(deleted_rows=deleted, notices=chosen)
    # beside recognised exports, the others are left out, and said so
    export.skipped_files = {**left_out(Path(path), paths, Text("skip.not_csv")), **why}
    if has_accounts:
        export.extend(_accounts(files["accounts"], options))
    export.batches += _reps(files)
    if leads is not None:
        export.extend(_leads(leads, options, has_accounts, history_sql, dated_opps))
    if "contacts" in files:
        export.extend(_contacts(files["contacts"], options, contacts, has_accounts))
    if history is not None:
        require_columns(history, ["leadid", "field", "newvalue", "createddate"], "LeadHistory")
        # an earlier load's Lead.csv dated a converted lead's SQL by its ConvertedDate: the
        # history's status change dates it better, instead of a second SQL
        export.batches.append(
            batch(
                "lifecycle_events",
                history,
                status_events,
                supersedes={"converted"},
                sources=sources_of(history, {"lead_id": "leadid", "entered_at": "createddate"}),
            )
        )
    if opps is not None:
        export.extend(
            _opportunities(
                opps,
                options,
                converted_opps,
                contacts,
                has_accounts,
                has_leads=leads is not None,
                rates=currency_rates(files["currencies"]) if "currencies" in files else None,
            )
        )
    if "tasks" in files:
        export.extend(_tasks(files["tasks"], options, contacts))
    if "users" in files:
        export.dropped_columns[files["users"].label] = _dropped(files["users"], keep={"name"})
    # a folder without Contact.csv says nothing of the contacts' leads and their creation,
    # one without Lead.csv nothing of the leads'
    lacking_kinds(
        export, "leads", dict.fromkeys(LEAD_PREFIXES, (None,)), files, prefixes=LEAD_PREFIXES
    )
    lacking_kinds(export, "lifecycle_events", EVENT_TRIGGERS, files, prefixes=LEAD_PREFIXES)
    # the owners are no list of the reps; User.csv is (every user the org has)
    users = files.get("users")
    owned_reps(export, users.cells["id"].drop_nulls() if users is not None else None)
    return export
