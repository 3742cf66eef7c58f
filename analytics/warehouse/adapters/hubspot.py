"""HubSpot CRM exports (contacts, companies, deals, calls, e-mails) -> canonical batches.

HubSpot exports a view of one object as a CSV whose header holds the property labels
(``Record ID``, ``Create Date``, ``Lifecycle Stage``...). Point the importer at a folder
of such exports (file names do not matter: each file is recognised by its header; one
recognised as none is named in a warning, ``Export.skipped_files``) or at one file.
Columns are matched by label, case-insensitively; the internal property names
(``createdate``, ``hs_object_id``, ``lifecyclestage``...) are accepted too, and so are
the labels of a portal that exports in German (``Datensatz-ID``, ``Erstellungsdatum``,
``Ursprüngliche Quelle``...) where HubSpot's German knowledge base confirms them
(:data:`GERMAN_LABELS`).

- Contacts -> ``leads`` (``Record ID``, ``Create Date``, ``Original Source`` mapped by
  :data:`SOURCES`, ``Job Title``, ``Country/Region``, ``Contact owner``, the first of
  ``Associated Company IDs`` when the export holds companies too, else only kept raw)
  and ``lifecycle_events`` from the ``Became a ... Date``
  properties (:data:`STAGE_DATES`) and the ``Date entered "<stage> (Lifecycle Stage
  Pipeline)"`` properties of newer portals. An empty date gives no event; dates out
  of order (a stage set backwards) are loaded as they are. A duplicated Record ID
  loads once: the later rows are quarantined and give no events.
- Companies -> ``accounts`` (``Record ID``, ``Company name``, ``Industry``, ``Number of
  Employees``, ``Country/Region``, ``Annual Revenue``).
- Deals -> ``opportunities`` (``Record ID``, ``Create Date``, ``Close Date``, ``Amount``
  (empty -> 0), status from ``Is Closed Won`` / ``Is Deal Closed?`` where exported, else
  ``Deal Stage``: "Closed won" -> won, "Closed lost" -> lost, anything else open
  (:func:`deal_status`); ``Closed Lost Reason``; lead and account from ``Associated Contact IDs``
  / ``Associated Company IDs``).
- Calls -> ``sales_touches`` (channel phone, ``Call outcome`` mapped by
  :data:`CALL_OUTCOMES`; an empty outcome -> no_answer; another value is kept in
  snake case, so that the SLA config's ``enums.outcome`` may allow it). E-mails ->
  ``sales_touches`` (channel email): outgoing ones are attempts (outcome no_answer,
  bounced when the send status says so); an incoming e-mail marks the latest earlier
  outgoing e-mail to that contact as ``replied`` and is not an attempt itself.
- ``Owner assigned date`` (``hubspot_owner_assigneddate``), when exported, is
  ``leads.assigned_at``: when the contact owner was assigned.
- Owners (``Contact owner``, ``Deal owner``, ``Activity assigned to``) become ``reps``:
  id and name are the owner as exported; team ``sdr`` for contact and activity
  owners, ``ae`` for deal owners (the more frequent role wins). Import a canonical
  ``reps.csv`` afterwards to set teams and capacities: a stored rep keeps its team and
  name, and the owners are no list of the reps, so ``--replace`` removes no rep.

Names, e-mail addresses, phone numbers and free-text notes (``common.FREE_TEXT``) are
never loaded. Where a deal or activity export names its contact only as
``Jane Doe (jane@example.com)``, the e-mail is matched, as a salted hash in memory,
against the contacts export's ``Email``.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from analytics.texts import Text
from analytics.warehouse.adapters.common import (
    DEFAULT_OPTIONS,
    CsvOptions,
    EventScope,
    Export,
    ExportFile,
    Salt,
    batch,
    bool_text,
    check_chosen_deals,
    chosen_deals,
    closing_stages_read_open,
    country_code,
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
    resolve_salt,
    salted_hash,
    sources_of,
    timestamp_text,
)
from analytics.warehouse.loader import ImportFailed

#: Deals told apart by their pipeline (``--pipeline``: :func:`chosen_deals`).
PIPELINES = "import.pipelines"

#: ``Original Source`` label or internal value -> canonical source (others -> other).
SOURCES: dict[str, str] = {
    "organic search": "organic",
    "organic_search": "organic",
    "paid search": "paid_search",
    "paid_search": "paid_search",
    "email marketing": "email",
    "email_marketing": "email",
    "organic social": "social",
    "social media": "social",
    "social_media": "social",
    "paid social": "paid_social",
    "paid_social": "paid_social",
    "referrals": "referral",
    "ai referrals": "referral",
    "direct traffic": "direct",
    "direct_traffic": "direct",
    "offline sources": "other",
    "offline": "other",
    "other campaigns": "other",
    "other_campaigns": "other",
    # German labels: https://knowledge.hubspot.com/de/contacts/understand-source-properties
    # ("AI referrals" has none there, so none is read)
    "organische suche": "organic",
    "bezahlte suche": "paid_search",
    "e-mail-marketing": "email",
    "organische social media": "social",
    "bezahlte social media": "paid_social",
    "verweise": "referral",
    "direkter traffic": "direct",
    "offline-quellen": "other",
    "andere kampagnen": "other",
}

#: Lifecycle date property (label or internal name) -> canonical stage.
STAGE_DATES: dict[str, str] = {
    "became a lead date": "lead",
    "hs_lifecyclestage_lead_date": "lead",
    "became a marketing qualified lead date": "mql",
    "hs_lifecyclestage_marketingqualifiedlead_date": "mql",
    "became a sales qualified lead date": "sql",
    "hs_lifecyclestage_salesqualifiedlead_date": "sql",
    "became an opportunity date": "opportunity",
    "hs_lifecyclestage_opportunity_date": "opportunity",
    "became a customer date": "customer",
    "hs_lifecyclestage_customer_date": "customer",
}
#: Lifecycle stage label (as in ``Date entered "<label> (Lifecycle Stage Pipeline)"``).
STAGE_LABELS: dict[str, str] = {
    "lead": "lead",
    "marketing qualified lead": "mql",
    "sales qualified lead": "sql",
    "opportunity": "opportunity",
    "customer": "customer",
}
_DATE_ENTERED = re.compile(r"^date entered ['\"]?(.+?)['\"]? \(lifecycle stage pipeline\)$")

#: ``Deal Stage`` label (or internal name) of a closed deal -> status; any other stage is open.
#: Matched in the stage without case, spaces, ``_`` or ``-``, as part of it (``Closed Won
#: (Sales Pipeline)``). The German won label: https://knowledge.hubspot.com/de/articles/
#: kcs_article/contacts/will-hubspot-crm-update-the-lifecycle-stage-of-contacts-companies;
#: the German knowledge base names no lost label; "Abgeschlossen und verloren" is the label
#: a German portal's own pipeline table gives ``closedlost`` (in a public project's notes),
#: read because without it every lost deal of a German export would count as open.
DEAL_STATUSES: dict[str, str] = {
    "closed won": "won",
    "closed lost": "lost",
    "abgeschlossen und gewonnen": "won",
    "abgeschlossen und verloren": "lost",
}


def deal_status(file: ExportFile) -> tuple[pl.Expr, list[Text]]:
    """A deal's status (``won``, ``lost``, ``open``), and what to say of how it was read.

    HubSpot's checkboxes ``Is Closed Won``, ``Is Closed Lost`` and ``Is Deal Closed?`` say
    it whatever a custom pipeline names its stages: where the export has them, they decide
    (closed and not won is lost). Else the ``Deal Stage`` label does
    (:data:`DEAL_STATUSES`), and a stage whose label looks closing but names no won or lost
    stage (``Won - contract signed``) is read as open and said so
    (:func:`~analytics.warehouse.adapters.common.closing_stages_read_open`).

    >>> f = ExportFile(Path("deals.csv"), pl.DataFrame({
    ...     "deal stage": ["Closed Won", "Won - signed", "Won - signed", "Demo", "Lost"],
    ...     "_line": [2, 3, 4, 5, 6]}), ["deal stage"], [], ",", "utf-8", "")
    >>> status, said = deal_status(f)
    >>> f.cells.select(status)["status"].to_list()
    ['won', 'open', 'open', 'open', 'open']
    >>> said[0].params["stages"]
    'Won - signed 2, Lost 1'
    >>> import dataclasses
    >>> f = dataclasses.replace(f, cells=f.cells.with_columns(
    ...     pl.Series("is closed won", ["true", "true", "false", "false", "false"]),
    ...     pl.Series("is deal closed?", ["true", "true", "true", "false", None])))
    >>> status, said = deal_status(f)
    >>> f.cells.select(status)["status"].to_list(), said
    (['won', 'won', 'lost', 'open', 'open'], [])
    """
    stage = _c(file, "deal_stage").str.to_lowercase().str.replace_all(r"[\s_-]", "")
    by_label = pl.lit("open")
    for label, outcome in DEAL_STATUSES.items():
        by_label = (
            pl.when(stage.str.contains(re.sub(r"[\s_-]", "", label), literal=True))
            .then(pl.lit(outcome))
            .otherwise(by_label)
        )
    flags = [role for role in ("is_won", "is_lost", "is_closed") if col(file, role)]
    if flags:
        won, lost, closed = (
            _checked(_c(file, role)) for role in ("is_won", "is_lost", "is_closed")
        )
        by_flags = (
            pl.when(won)
            .then(pl.lit("won"))
            .when(lost | (closed & ~won))
            .then(pl.lit("lost"))
            .when(~closed | (~won & ~lost))
            .then(pl.lit("open"))
        )
        return pl.coalesce(by_flags, by_label).alias("status"), []
    said = closing_stages_read_open(
        file, _c(file, "deal_stage"), by_label, fields="Is Closed Won, Is Deal Closed?"
    )
    return by_label.alias("status"), said


def _checked(cell: pl.Expr) -> pl.Expr:
    """A checkbox cell as a boolean (``true``/``yes``/``1``, their German words), null when
    empty or unreadable."""
    low = bool_text(cell).str.strip_chars().str.to_lowercase()
    return (
        pl.when(low.is_in(["true", "yes", "1"]))
        .then(True)
        .when(low.is_in(["false", "no", "0"]))
        .then(False)
    )


#: ``Call outcome`` (HubSpot's default dispositions) -> canonical outcome.
CALL_OUTCOMES: dict[str, str] = {
    "connected": "connected",
    "left live message": "voicemail",
    "left voicemail": "voicemail",
    "no answer": "no_answer",
    "busy": "no_answer",
    "wrong number": "bounced",
}

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("record id", "hs_object_id", "contact id", "company id", "deal id", "activity id"),
    "created": ("create date", "createdate", "created date"),
    "source": (
        "original source",
        "original traffic source",  # HubSpot's label since 2024
        "hs_analytics_source",
        "original source type",
    ),
    "owner": ("contact owner", "hubspot_owner_id", "owner"),
    "assigned": ("owner assigned date", "hubspot_owner_assigneddate"),
    "deal_owner": ("deal owner", "hubspot_owner_id", "owner"),
    "activity_owner": ("activity assigned to", "hubspot_owner_id", "owner", "call owner"),
    "job_title": ("job title", "jobtitle"),
    "country": ("country/region", "country"),
    "lifecycle": ("lifecycle stage", "lifecyclestage"),
    "company_ids": (
        "associated company ids",
        "associated company ids (primary)",
        "associated company id",
        "primary associated company id",
        "associatedcompanyid",
    ),
    "contact_ids": ("associated contact ids", "associated contact id", "associated contacts ids"),
    "contact_text": ("associated contact", "associated contacts"),
    "company_name": ("company name", "name"),
    "industry": ("industry",),
    "employees": ("number of employees", "numberofemployees"),
    "revenue": ("annual revenue", "annualrevenue"),
    "deal_stage": ("deal stage", "dealstage"),
    # HubSpot's calculated checkboxes of a deal: they say won and closed whatever a custom
    # pipeline names its stages
    "is_won": ("is closed won", "hs_is_closed_won"),
    "is_lost": ("is closed lost", "hs_is_closed_lost"),
    "is_closed": ("is deal closed?", "is deal closed", "hs_is_closed"),
    "pipeline": ("pipeline",),
    # a deal's amount in the portal's company currency first: a portal with several
    # currencies writes Amount in each deal's own, and their sum would mix them
    "amount": ("amount in company currency", "amount_in_home_currency", "amount"),
    "close_date": ("close date", "closedate"),
    "loss_reason": ("closed lost reason", "closed_lost_reason"),
    "activity_date": ("activity date", "hs_timestamp", "create date", "createdate"),
    "call_outcome": ("call outcome", "hs_call_disposition", "outcome"),
    "email_direction": ("email direction", "hs_email_direction"),
    "email_status": ("email send status", "hs_email_status", "email status"),
    "email_address": ("email", "e-mail", "email address"),
    "campaign": ("original source drill-down 2", "campaign"),
    # only to tell a contacts or companies export by its header
    "first_name": ("first name",),
    "last_name": ("last name",),
    "company_domain": ("company domain name",),
}

#: English label -> its German labels, as HubSpot's German knowledge base names the property
#: (the page under https://knowledge.hubspot.com/de/ above each line). Labels it does not
#: confirm are not read rather than guessed (docs/import-formats.md lists them): the stage
#: dates, Job Title, Country/Region, Owner assigned date, the associations, Industry, Number
#: of Employees, Closed Lost Reason, every call and e-mail property; nor ``Erstelldatum``
#: or ``Kontaktinhaber``, which none of these pages writes.
GERMAN_LABELS: dict[str, tuple[str, ...]] = {
    # contacts/how-can-i-change-the-lifecycle-stage-for-a-whole-list-of-contacts
    "record id": ("datensatz-id",),
    # articles/kcs_article/contacts/what-happens-when-i-merge-two-contacts (a contact's),
    # records/use-deal-scores (a deal's)
    "create date": ("erstellungsdatum",),
    # contacts/understand-source-properties
    "original source": ("ursprüngliche quelle",),
    # articles/kcs_article/contacts/how-to-set-an-owner
    "contact owner": ("für kontakt zuständiger mitarbeiter",),
    "deal owner": ("für deal zuständiger mitarbeiter",),
    # contacts/use-lifecycle-stages
    "lifecycle stage": ("lifecycle-phase",),
    # articles/kcs_article/contacts/how-can-i-create-a-custom-contact-property
    "first name": ("vorname",),
    # partner-user-guide/what-do-the-different-partner-lists-mean
    "last name": ("nachname",),
    # crm-setup/automatically-create-and-associate-companies-with-contacts
    "company name": ("unternehmensname",),
    "company domain name": ("domain-name des unternehmens",),
    # articles/kcs_article/contacts/hubspots-default-contact-properties: the contact
    # property; the company's has the same English label
    "annual revenue": ("jahresumsatz",),
    # articles/kcs_article/contacts/will-hubspot-crm-update-the-lifecycle-stage-of-
    # contacts-companies ("Deal-Phase"), records/use-deal-scores ("Dealphase")
    "deal stage": ("deal-phase", "dealphase"),
    # crm-deals/hubspots-default-deal-properties ("Betrag"), records/use-deal-scores
    "amount": ("betrag", "dealbetrag"),
    # deals/work-with-your-deal-records
    "close date": ("abschlussdatum",),
}

#: Roles one property plays in different kinds of export: only within one of these may a
#: label name more than one role (``Create Date`` dates a contact, a deal and, where an
#: activity export lacks its activity date, an activity; ``hubspot_owner_id`` owns each).
SHARED_ROLES = (
    frozenset({"created", "activity_date"}),
    frozenset({"owner", "deal_owner", "activity_owner"}),
)


def with_german(
    english: dict[str, tuple[str, ...]], german: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """Role -> its names in ``english``, then the German labels ``german`` gives them.

    Refused with :class:`ValueError` when a label would name two properties (a German label
    that is another property's English label or internal name reads a header as either),
    or ``german`` translates a label no role has.

    >>> with_german({"amount": ("amount",)}, {"amount": ("betrag",)})
    {'amount': ('amount', 'betrag')}
    >>> with_german({"amount": ("amount",), "revenue": ("betrag",)}, {"amount": ("betrag",)})
    Traceback (most recent call last):
    ...
    ValueError: the HubSpot label 'betrag' would name both amount and revenue: give it one
    """
    known = {name for names in english.values() for name in names}
    if unknown := sorted(set(german) - known):
        raise ValueError(f"German labels given for {unknown}, which no role reads")
    merged = {
        role: (*names, *(de for name in names for de in german.get(name, ())))
        for role, names in english.items()
    }
    roles_of: dict[str, list[str]] = {}
    for role, names in merged.items():
        for name in dict.fromkeys(names):
            roles_of.setdefault(name, []).append(role)
    for name, roles in roles_of.items():
        if len(roles) > 1 and not any(set(roles) <= shared for shared in SHARED_ROLES):
            raise ValueError(
                f"the HubSpot label {name!r} would name both {' and '.join(roles)}: give it one"
            )
    return merged


ALIASES = with_german(ALIASES, GERMAN_LABELS)
_GERMAN = frozenset(de for labels in GERMAN_LABELS.values() for de in labels)

Kind = str  # "contacts" | "companies" | "deals" | "calls" | "emails"


def col(file: ExportFile, role: str) -> str | None:
    """The column of ``file`` that plays ``role`` (first alias present), else None."""
    for name in ALIASES[role]:
        if name in file.cells.columns:
            return name
    return None


def _c(file: ExportFile, role: str) -> pl.Expr:
    name = col(file, role)
    return pl.col(name) if name else pl.lit(None, dtype=pl.String)


def _require(file: ExportFile, roles: tuple[str, ...], what: str) -> None:
    """Raise :class:`ImportFailed` naming each role no alias of which the header has (the
    label, then the other names it is exported under): an export with the internal names
    (``hs_object_id``, ``createdate``) or ``Contact ID`` was refused as lacking
    ``record id`` and ``create date``, the first alias only."""
    missing = [role for role in roles if col(file, role) is None]
    if not missing:
        return
    try:
        require_columns(file, [ALIASES[role][0] for role in missing], what)
    except ImportFailed as exc:
        for role in missing:
            first, *others = ALIASES[role]
            named = f"{first} (or {', '.join(others)})" if others else first
            exc = ImportFailed(str(exc).replace(f" {first}", f" {named}", 1))
        raise exc from None


def in_german(file: ExportFile) -> bool:
    """Whether ``file``'s header uses HubSpot's German labels (a portal set to German)."""
    return not _GERMAN.isdisjoint(file.cells.columns)


def _one_language(file: ExportFile) -> None:
    """Refuse a header that gives one field twice, one of them in German (``Record ID``
    beside ``Datensatz-ID``): which of the two to read would be a guess."""
    for names in ALIASES.values():
        found = [name for name in names if name in file.cells.columns]
        if len(found) > 1 and _GERMAN & set(found):
            columns = " and ".join(file.named(name) for name in found)
            raise ImportFailed(
                f"{file.path}: the header has {columns}, {'both' if len(found) == 2 else 'all'}"
                f" read as the {names[0]}; HubSpot exports in one language: keep one of them"
            )


def kind_of(file: ExportFile) -> Kind | None:
    """Which HubSpot object a file exports, from its header."""
    cols = set(file.cells.columns)
    if col(file, "deal_stage"):
        return "deals"
    if col(file, "call_outcome") or "call direction" in cols or "call title" in cols:
        return "calls"
    if col(file, "email_direction") or "email subject" in cols:
        return "emails"
    if (
        col(file, "lifecycle")
        or col(file, "source")
        or any(c in STAGE_DATES or _DATE_ENTERED.match(c) for c in cols)
        or col(file, "first_name")
        or col(file, "last_name")
    ):
        return "contacts"
    # the internal name ``name`` alone is too plain to tell a companies export by
    if col(file, "company_domain") or any(c in cols - {"name"} for c in ALIASES["company_name"]):
        return "companies"
    return None


def _sources(file: ExportFile, roles: dict[str, str]) -> dict[str, str]:
    """:func:`~analytics.warehouse.adapters.common.sources_of` by role (canonical column ->
    role): what a rejected cell is named by (``Create Date``)."""
    return sources_of(file, {c: col(file, role) for c, role in roles.items()})


def _first_id(expr: pl.Expr) -> pl.Expr:
    """The first id of a ``;``/``,``-separated id list."""
    return expr.str.split(";").list.first().str.split(",").list.first().str.strip_chars()


_READ_PERSONAL = set(ALIASES["contact_text"]) | set(ALIASES["email_address"])


def _dropped(file: ExportFile, used: set[str]) -> list[str]:
    """Personal columns not loaded (an ``Associated Contact`` text is read, then dropped)."""
    return [
        c
        for c in file.header
        if c in file.cells.columns and is_private(c) and (c not in used or c in _READ_PERSONAL)
    ]


def _extras(file: ExportFile, used: set[str]) -> list[str]:
    return [c for c in file.cells.columns if c not in used and c != "_line" and not is_private(c)]


def _first_rows(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """Rows whose key is seen for the first time (duplicated records give events once)."""
    return frame.filter(pl.col("_line") == pl.col("_line").min().over(key))


def _timestamp(expr: pl.Expr, options: CsvOptions) -> pl.Expr:
    return timestamp_text(expr, date_format=options.date_format, timezone=options.timezone)


def _contacts(
    file: ExportFile, options: CsvOptions, has_companies: bool
) -> tuple[Export, pl.DataFrame]:
    _require(file, ("id", "created"), "HubSpot contacts")
    used = {"_line"}
    roles = ("id", "created", "source", "owner", "assigned", "job_title", "country", "company_ids")
    for role in roles:
        if (name := col(file, role)) is not None:
            used.add(name)
    c = file.cells.with_columns(_c(file, "id").alias("_id"))
    leads = c.select(
        pl.col("_id").alias("lead_id"),
        _timestamp(_c(file, "created"), options).alias("created_at"),
        map_values(_c(file, "source"), SOURCES, default="other").fill_null("other").alias("source"),
        _c(file, "job_title").alias("job_title"),
        country_code(_c(file, "country")).alias("country"),
        _c(file, "owner").alias("owner_rep_id"),
        _timestamp(_c(file, "assigned"), options).alias("assigned_at"),
        _first_id(_c(file, "company_ids")).alias("account_id"),
        "_line",
        *_extras(file, used),
    )
    if col(file, "company_ids") is None or not has_companies:
        leads = leads.drop("account_id")
    if col(file, "assigned") is None:  # not exported: unknown (null), as before
        leads = leads.drop("assigned_at")
    # a column this export lacks (renamed, left out) keeps the values stored before: it is
    # not in the batch, or (the source a new lead needs) only new rows take its default
    roles = {"job_title": "job_title", "country": "country", "owner_rep_id": "owner"}
    leads = leads.drop(file.lacking({c: ALIASES[role] for c, role in roles.items()}))
    defaulted = file.lacking({"source": ALIASES["source"]})
    stage_cols = {}
    for name in c.columns:
        if name in STAGE_DATES:
            stage_cols[name] = STAGE_DATES[name]
        elif (m := _DATE_ENTERED.match(name)) and m.group(1).lower() in STAGE_LABELS:
            stage_cols[name] = STAGE_LABELS[m.group(1).lower()]
    first = _first_rows(c, "_id")
    events = [
        first.select(
            pl.col("_id").alias("lead_id"),
            pl.lit(stage).alias("stage"),
            _timestamp(pl.col(name), options).alias("entered_at"),
            pl.lit("hubspot_lifecycle").alias("trigger"),
            "_line",
            pl.lit(file.named(name)).alias("_from_entered_at"),  # one column per stage
        ).filter(pl.col("entered_at").is_not_null())
        for name, stage in stage_cols.items()
    ]
    sources = _sources(
        file,
        {"lead_id": "id", "created_at": "created", "source": "source", "job_title": "job_title",
         "country": "country", "owner_rep_id": "owner", "assigned_at": "assigned",
         "account_id": "company_ids"},
    )  # fmt: skip
    batches = [
        batch(
            "leads",
            file,
            leads,
            extra=_extras(file, used | set(stage_cols)),
            defaulted=defaulted,
            sources=sources,
        )
    ]
    if events:
        # one date per stage and contact: a refresh moves or clears it, never adds a second
        scope = EventScope(first["_id"], frozenset(stage_cols.values()), "hubspot_lifecycle")
        batches.append(
            batch(
                "lifecycle_events",
                file,
                pl.concat(events),
                scope=scope,
                sources={"lead_id": sources.get("lead_id")},
            )
        )
    owners = c.select(_c(file, "owner").alias("rep_id"), pl.lit("sdr").alias("team"), "_line")
    export = Export(
        batches=batches,
        unreadable=[{**p, "table": "leads"} for p in file.unreadable],
        dropped_columns={file.label: _dropped(file, used)},
    )
    german = in_german(file)
    if german:
        export.german_headers.add(file.label)
    if "mql" not in stage_cols.values():  # the stage the SLA's handoff starts at
        # no German label of the MQL date is confirmed: the English one is what is read
        export.no_mql_dates[file.label] = "Became a Marketing Qualified Lead Date"
    if defaulted:  # every new lead's source "other": a breakdown by source says nothing
        export.no_source[file.label] = "Ursprüngliche Quelle" if german else "Original Source"
    return export, owners


def _companies(file: ExportFile, options: CsvOptions) -> Export:
    _require(file, ("id",), "HubSpot companies")
    used = {"_line"}
    for role in ("id", "company_name", "industry", "employees", "country", "revenue"):
        if (name := col(file, role)) is not None:
            used.add(name)
    dc = file.decimal_comma(options)
    accounts = file.cells.select(
        _c(file, "id").alias("account_id"),
        _c(file, "company_name").alias("name"),
        _c(file, "industry").alias("industry"),
        number_text(_c(file, "employees"), decimal_comma=dc).alias("employees"),
        country_code(_c(file, "country")).alias("country"),
        number_text(_c(file, "revenue"), decimal_comma=dc).alias("annual_revenue"),
        "_line",
        *_extras(file, used),
    )
    # a field the export lacks keeps the stored values (the absent-column rule)
    roles = {"industry": "industry", "employees": "employees", "country": "country",
             "annual_revenue": "revenue"}  # fmt: skip
    accounts = accounts.drop(c for c, role in roles.items() if col(file, role) is None)
    return Export(
        batches=[
            batch(
                "accounts",
                file,
                accounts,
                extra=_extras(file, used),
                sources=_sources(file, {"account_id": "id", "name": "company_name", **roles}),
            )
        ],
        unreadable=[{**p, "table": "accounts"} for p in file.unreadable],
        dropped_columns={file.label: _dropped(file, used)},
    )


_EMAIL_IN_TEXT = r"([A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,})"


def _contact_role(file: ExportFile) -> str:
    """The role a deal's or an activity's contact is read from: its associated Record IDs
    when the export has them, else the associated contact's text (matched by e-mail)."""
    return "contact_ids" if col(file, "contact_ids") is not None else "contact_text"


def _contact_of(file: ExportFile, email_map: pl.DataFrame | None, salt: Salt) -> pl.Expr:
    """Expression: the contact's Record ID, from the id column or a hashed e-mail match
    (:func:`_contact_role`)."""
    if _contact_role(file) == "contact_ids":
        return _first_id(_c(file, "contact_ids"))
    if col(file, "contact_text") is not None and email_map is not None:
        hashed = salted_hash(
            _c(file, "contact_text").str.extract(_EMAIL_IN_TEXT, 1), resolve_salt(salt)
        )
        mapping = dict(zip(email_map["hash"], email_map["lead_id"], strict=True))
        return hashed.replace_strict(mapping, default=None, return_dtype=pl.String)
    return pl.lit(None, dtype=pl.String)


def _deals(
    file: ExportFile,
    options: CsvOptions,
    email_map: pl.DataFrame | None,
    salt: Salt,
    has_companies: bool,
) -> tuple[Export, pl.DataFrame]:
    _require(file, ("id", "deal_stage"), "HubSpot deals")
    file, notices = chosen_deals(file, col(file, "pipeline"), options.pipelines, texts=PIPELINES)
    used = {"_line"}
    for role in (
        "id",
        "created",
        "close_date",
        "amount",
        "deal_stage",
        "loss_reason",
        "contact_ids",
        "contact_text",
        "company_ids",
        "deal_owner",
    ):
        if (name := col(file, role)) is not None:
            used.add(name)
    # the deal's own currency's amount beside the company currency's: read neither as extra
    used |= set(ALIASES["amount"]) & set(file.cells.columns)
    status, said = deal_status(file)
    notices = [*notices, *said]
    used |= {name for role in ("is_won", "is_lost", "is_closed") if (name := col(file, role))}
    closed = _timestamp(_c(file, "close_date"), options)
    amount = number_text(_c(file, "amount"), decimal_comma=file.decimal_comma(options))
    opportunities = file.cells.select(
        _c(file, "id").alias("opportunity_id"),
        _contact_of(file, email_map, salt).alias("lead_id"),
        _first_id(_c(file, "company_ids")).alias("account_id"),
        _timestamp(_c(file, "created"), options).alias("created_at"),
        pl.when(status != "open").then(closed).alias("closed_at"),
        amount.fill_null("0").alias("amount"),
        status.alias("status"),
        pl.when(status == "lost").then(_c(file, "loss_reason")).alias("loss_reason"),
        "_line",
        *_extras(file, used),
    )
    if col(file, "company_ids") is None or not has_companies:
        opportunities = opportunities.drop("account_id")
    # a field the export lacks keeps the stored values (the absent-column rule): the lead
    # link, the loss reason; a new deal without an amount has 0, a stored one its own
    linked = col(file, "contact_ids") is not None or (
        col(file, "contact_text") is not None and email_map is not None
    )
    opportunities = opportunities.drop(
        [
            *([] if linked else ["lead_id"]),
            *(["loss_reason"] if col(file, "loss_reason") is None else []),
        ]
    )
    defaulted = ["amount"] if col(file, "amount") is None else []
    owner = col(file, "deal_owner")
    owners = file.cells.select(
        (pl.col(owner) if owner else pl.lit(None, pl.String)).alias("rep_id"),
        pl.lit("ae").alias("team"),
        "_line",
    )
    export = Export(
        batches=[
            batch(
                "opportunities",
                file,
                opportunities,
                extra=_extras(file, used),
                defaulted=defaulted,
                sources=_sources(
                    file,
                    {
                        "opportunity_id": "id",
                        "lead_id": _contact_role(file),
                        "account_id": "company_ids",
                        "created_at": "created",
                        "closed_at": "close_date",
                        "amount": "amount",
                        "status": "deal_stage",
                        "loss_reason": "loss_reason",
                    },
                ),
            )
        ],
        unreadable=[{**p, "table": "opportunities"} for p in file.unreadable],
        dropped_columns={file.label: _dropped(file, used)},
        notices={file.label: notices} if notices else {},
    )
    return export, owners


def _snake(expr: pl.Expr) -> pl.Expr:
    """Free text as an identifier (``Left voicemail`` -> ``left_voicemail``), its e-mail
    addresses, phone numbers and IBANs masked first: once made an identifier
    (``a_example_com``), the privacy scrub no longer sees them."""
    masked = mask_expr(expr.str.strip_chars())
    return masked.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", "_")


def _activities(
    file: ExportFile, kind: Kind, options: CsvOptions, email_map: pl.DataFrame | None, salt: Salt
) -> tuple[Export, pl.DataFrame]:
    _require(file, ("id",), f"HubSpot {kind}")
    used = {"_line"}
    for role in (
        "id",
        "activity_date",
        "activity_owner",
        "call_outcome",
        "email_direction",
        "email_status",
        "contact_ids",
        "contact_text",
    ):
        if (name := col(file, role)) is not None:
            used.add(name)
    when = _timestamp(_c(file, "activity_date"), options)
    lead = _contact_of(file, email_map, salt)
    rep = _c(file, "activity_owner")
    if kind == "calls":
        outcome = map_values(_c(file, "call_outcome"), CALL_OUTCOMES, default=None)
        outcome = (
            pl.when(_c(file, "call_outcome").is_null())
            .then(pl.lit("no_answer"))
            .when(outcome.is_in(list(CALL_OUTCOMES.values())))
            .then(outcome)
            .otherwise(_snake(_c(file, "call_outcome")))
        )
        touches = file.cells.select(
            _c(file, "id").alias("touch_id"),
            lead.alias("lead_id"),
            rep.alias("rep_id"),
            when.alias("occurred_at"),
            pl.lit("phone").alias("channel"),
            outcome.alias("outcome"),
            "_line",
            *_extras(file, used),
        )
    else:
        direction = _c(file, "email_direction").str.to_lowercase().fill_null("")
        incoming = direction.str.contains("incoming|received|inbound")
        status = _c(file, "email_status").str.to_lowercase().fill_null("")
        frame = file.cells.select(
            _c(file, "id").alias("touch_id"),
            lead.alias("lead_id"),
            rep.alias("rep_id"),
            when.alias("occurred_at"),
            pl.lit("email").alias("channel"),
            pl.when(status.str.contains("bounce|fail"))
            .then(pl.lit("bounced"))
            .otherwise(pl.lit("no_answer"))
            .alias("outcome"),
            incoming.alias("_incoming"),
            "_line",
            *_extras(file, used),
        )
        touches = _mark_replies(frame)
    owners = touches.select("rep_id", pl.lit("sdr").alias("team"), "_line")
    export = Export(
        batches=[
            batch(
                "sales_touches",
                file,
                touches,
                extra=_extras(file, used),
                sources=_sources(
                    file,
                    {
                        "touch_id": "id",
                        "lead_id": _contact_role(file),
                        "rep_id": "activity_owner",
                        "occurred_at": "activity_date",
                        "outcome": "call_outcome" if kind == "calls" else "email_status",
                    },
                ),
            )
        ],
        unreadable=[{**p, "table": "sales_touches"} for p in file.unreadable],
        dropped_columns={file.label: _dropped(file, used)},
    )
    return export, owners


def _mark_replies(frame: pl.DataFrame) -> pl.DataFrame:
    """Outgoing e-mails, the latest one before each incoming e-mail of a lead marked replied."""
    parse = pl.col("occurred_at").str.to_datetime("%Y-%m-%dT%H:%M:%S%.fZ", strict=False)
    out = frame.filter(~pl.col("_incoming")).with_columns(parse.alias("_at"))
    inc = (
        frame.filter(pl.col("_incoming"))
        .select("lead_id", parse.alias("_at"))
        .drop_nulls()
        .sort("_at")
    )
    dated = out.filter(pl.col("_at").is_not_null() & pl.col("lead_id").is_not_null())
    if inc.height and dated.height:
        replied = (
            inc.join_asof(
                dated.select("lead_id", "_at", pl.col("touch_id").alias("_t")).sort("_at"),
                on="_at",
                by="lead_id",
                strategy="backward",
                check_sortedness=False,
            )
            .drop_nulls("_t")
            .get_column("_t")
            .unique()
        )
        out = out.with_columns(
            pl.when(pl.col("touch_id").is_in(replied.implode()))
            .then(pl.lit("replied"))
            .otherwise(pl.col("outcome"))
            .alias("outcome")
        )
    return out.drop("_incoming", "_at")


def _reps(owners: list[tuple[ExportFile, pl.DataFrame]]) -> list:
    """One reps batch: every owner, team by their more frequent role (ties -> sdr)."""
    frames = [
        o.drop_nulls("rep_id").with_columns(pl.lit(i).alias("_file"))
        for i, (_, o) in enumerate(owners)
    ]
    if not frames:
        return []
    allo = pl.concat(frames)
    if allo.height == 0:
        return []
    reps = (
        allo.group_by("rep_id", "team")
        .agg(pl.len().alias("n"), pl.col("_file").first(), pl.col("_line").min())
        .sort(["rep_id", "n", "team"], descending=[False, True, True])
        .group_by("rep_id", maintain_order=True)
        .agg(pl.col("team").first(), pl.col("_file").first(), pl.col("_line").first())
        .with_columns(pl.col("rep_id").alias("name"))
    )
    out = []
    for i, (file, _) in enumerate(owners):
        part = reps.filter(pl.col("_file") == i).drop("_file").sort("_line")
        if part.height:
            # the team is a guess from the owned objects, the name the id: a new rep takes
            # them, a stored one (a canonical reps.csv set the teams) keeps its own
            out.append(batch("reps", file, part, defaulted=["team", "name"]))
    return out


#: The channel of the touches each activity export gives (both fill sales_touches: a
#: folder without one says nothing of its touches,
#: :func:`~analytics.warehouse.adapters.common.lacking_kinds`).
TOUCH_CHANNELS: dict[Kind, frozenset[str]] = {
    "calls": frozenset({"phone"}),
    "emails": frozenset({"email"}),
}


def read_hubspot(
    path: str | Path, *, options: CsvOptions = DEFAULT_OPTIONS, salt: Salt = None, **_: object
) -> Export:
    """Translate HubSpot exports (a folder, or one file) into canonical batches.

    Parameters
    ----------
    path
        A folder of HubSpot CSV exports or one export file; each file is recognised
        by its header (contacts, companies, deals, calls, e-mails).
    options
        How to read the CSVs: naive times are read in ``options.timezone``.
    salt
        Salt for matching contacts by e-mail when an export has no contact ids.

    Returns
    -------
    Export
        Batches for accounts, reps, leads, lifecycle_events, opportunities and
        sales_touches; ``dropped_columns`` lists the personal columns per file.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "contacts.csv").write_text(
    ...     "Record ID,First Name,Email,Create Date,Original Source,Became a Lead Date\\n"
    ...     "101,Ana,ana@example.com,2026-10-05 09:12,Paid Search,2026-10-05 09:12\\n")
    >>> e = read_hubspot(d)
    >>> e.batches[0].cells.select("lead_id", "created_at", "source").row(0)
    ('101', '2026-10-05T09:12:00Z', 'paid_search')
    >>> e.dropped_columns[str(d / "contacts.csv")]
    ['first name', 'email']
    """
    files = [read_export_file(p, options) for p in export_files(Path(path))]
    for f in files:
        _one_language(f)
    kinds = {f.label: kind_of(f) for f in files}
    unknown = [f for f in files if kinds[f.label] is None]
    why = {f.label: Text("skip.hubspot", {"header": header_text(f)}) for f in unknown}
    if unknown and (Path(path).is_file() or len(unknown) == len(files)):
        raise ImportFailed(f"{unknown[0].path}: {why[unknown[0].label]}")
    has_companies = "companies" in kinds.values()
    export = Export()
    # beside recognised exports, the others are left out, and said so
    export.skipped_files = left_out(Path(path), [f.path for f in files], Text("skip.not_csv"))
    export.skipped_files.update(why)
    owners: list[tuple[ExportFile, pl.DataFrame]] = []
    needs_salt = any(
        kinds[f.label] in ("deals", "calls", "emails")
        and col(f, "contact_ids") is None
        and col(f, "contact_text") is not None
        for f in files
    )
    email_map = None
    for f in files:
        if needs_salt and kinds[f.label] == "contacts" and col(f, "email_address"):
            part = f.cells.select(
                salted_hash(pl.col(col(f, "email_address")), resolve_salt(salt)).alias("hash"),
                _c(f, "id").alias("lead_id"),
            ).drop_nulls()
            email_map = part if email_map is None else pl.concat([email_map, part])
    deals = [(f, col(f, "pipeline")) for f in files if kinds[f.label] == "deals"]
    check_chosen_deals(deals, options.pipelines, texts=PIPELINES)
    for f in files:
        kind = kinds[f.label]
        if kind == "contacts":
            part, own = _contacts(f, options, has_companies)
        elif kind == "companies":
            part, own = _companies(f, options), None
        elif kind == "deals":
            part, own = _deals(f, options, email_map, salt, has_companies)
        elif kind in ("calls", "emails"):
            part, own = _activities(f, kind, options, email_map, salt)
        else:
            continue
        export.extend(part)
        if own is not None:
            owners.append((f, own))
    export.batches += _reps(owners)
    owned_reps(export)  # the owners are no list of the reps: a replace removes none
    lacking_kinds(export, "sales_touches", TOUCH_CHANNELS, [k for k in kinds.values() if k])
    contacts = [f.label for f in files if kinds[f.label] == "contacts"]
    if any(label not in export.no_mql_dates for label in contacts):
        export.no_mql_dates = {}  # another contacts file of the export dates the MQLs
    if any(label not in export.no_source for label in contacts):
        export.no_source = {}  # another contacts file of the export has the source
    return export
