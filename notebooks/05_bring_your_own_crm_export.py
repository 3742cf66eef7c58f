# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 5. Bring your own CRM export: from the export to its first review
#
# The product runs on any CRM's data once it is in the canonical format
# (`../shared/spec/canonical-format.md`). Adapters translate common exports (HubSpot,
# Salesforce, Olist, X Education); a small TOML mapping describes any other CSV. This
# notebook takes **your export** from the file to the month's review:
#
# 1. what the import would store (and what it drops or masks for privacy);
# 2. importing it into **a warehouse of its own**, and the quarantine of rows that broke
#    a rule;
# 3. any other CSV: a mapping, a rejected value, a label the mapping lacks, and fixing it;
# 4. a real export (Olist's marketing funnel) and what such an export can answer;
# 5. the **first review** of your export: what it can answer, and the month's numbers.
#
# **One warehouse per company.** Never import an export into `data/warehouse.duckdb`:
# after `make demo` that is the demo, and every page, review and notebook would count the
# demo's leads and yours as one company (`sla import` warns when it adds to the demo's
# warehouse). Set `EXPORT` (and `FORMAT` or `MAPPING`, `TIMEZONE`) below; your warehouse
# is `OWN_DB`, kept after the notebook ends (default `data/own/<export>/warehouse.duckdb`;
# `data/own/` is not committed). Left as they are, the notebook runs on the small example
# HubSpot export in `tests/fixtures/exports/hubspot`. From the command line the same is:
#
# ```
# sla import --format hubspot path/to/export --timezone Europe/Berlin --db data/own/acme/w.duckdb
# sla review --db data/own/acme/w.duckdb       # the last complete month's review
# make notebook DB=data/own/acme/w.duckdb      # notebooks 01-04 on it
# make run DB=data/own/acme/w.duckdb           # the app on it (or SLA_DB=... make run)
# ```
#
# Sections 3 and 4 are lessons: they import into scratch warehouses of their own, in a
# temporary folder removed when the kernel ends.

# %%
import os
import tempfile
from pathlib import Path

import polars as pl
from IPython.display import display

from analytics.config import load_config
from analytics.coverage import known_coverage
from analytics.funnel import cohort_rates
from analytics.notebook import (
    config_path,
    coverage_summary,
    covered,
    last_complete_month,
    project_root,
    review_summary,
    unmeasured,
)
from analytics.pooling import pool_rates
from analytics.review import build_review
from analytics.warehouse import connect_readonly, load_tables
from analytics.warehouse.adapters import FORMATS, CsvOptions, import_export, preview_export
from analytics.warehouse.config_history import config_for_month
from analytics.warehouse.facts import demo_source
from analytics.warehouse.privacy import salt_warning

# %% tags=["parameters"]
# a relative path is relative to the project's folder (as SLA_DB)
# your export: a folder, a CSV or .xlsx file, or its .zip as downloaded (a Salesforce Data
# Export); None: the example export of FORMAT
EXPORT = None
FORMAT = "hubspot"  # one of FORMATS (ignored when MAPPING is given)
MAPPING = None  # a TOML mapping for any other CSV (section 3 shows one)
TIMEZONE = "UTC"  # the time zone of times your export writes without an offset
OWN_DB = None  # your export's warehouse; None: data/own/<export>/warehouse.duckdb
MONTH = None  # "YYYY-MM" to review; None: the last complete month of your data
OLIST_DIR = None  # Olist's public files (section 4); None: $SLA_REAL_DATA, else ../shared/data/real

# %%
pl.Config.set_tbl_rows(40)  # every row of the tables below
pl.Config.set_fmt_str_lengths(160)  # a reason in full
pl.Config.set_tbl_width_chars(160)
ROOT = project_root()
config = load_config(config_path())
EXPORTS = ROOT / "tests" / "fixtures" / "exports"  # small example exports


def at_root(path: str | Path) -> Path:
    """A path of the parameters: a relative one is relative to the project's folder."""
    return Path(path) if Path(path).is_absolute() else ROOT / path


export_path = at_root(EXPORT) if EXPORT else EXPORTS / FORMAT
MAPPING = at_root(MAPPING) if MAPPING else None
name = export_path.stem if EXPORT else f"example-{FORMAT}"
own_db = at_root(OWN_DB or f"data/own/{name}/warehouse.duckdb")
own_db.parent.mkdir(parents=True, exist_ok=True)
if own_db.is_file():
    with connect_readonly(own_db) as con:
        if demo := demo_source(con):
            raise ValueError(
                f"{own_db} holds the demo's data ({demo}): set OWN_DB to a new warehouse, "
                "so that your export is not counted with the demo's leads"
            )
scratch_dir = tempfile.TemporaryDirectory(prefix="sla-byo-")  # the lessons' warehouses
scratch = Path(scratch_dir.name)
what = f"--mapping {MAPPING}" if MAPPING else f"--format {FORMAT}"
print(f"formats: {', '.join(FORMATS)}")
print(f"your export: {export_path} ({what}, times without an offset in {TIMEZONE})")
print(f"its warehouse: {own_db}")

# %% [markdown]
# ## 1. What the import would store
# `preview_export` translates the export without writing anything, and passes every
# batch through the same privacy step as the import (`analytics.warehouse.privacy.scrub`):
# personal columns (names, e-mail, phone, address...) are dropped, e-mail addresses,
# phone numbers and IBANs in the text that is kept (also in columns the adapter does not
# know, kept as `_extra`) are masked, and an id that is one becomes a salted hash. So
# what you see here is what the warehouse will hold. (Kept on purpose: your reps' names
# and companies' names. Not found: a person's name written in a sentence; the adapters
# drop the columns that usually hold such text, see `docs/import-formats.md`, Privacy.)

# %%
options = CsvOptions(timezone=TIMEZONE)
preview = preview_export(export_path, fmt=FORMAT, mapping=MAPPING, options=options, salt="preview")
pl.DataFrame(
    [
        {"table": b.table, "file": Path(b.source_file).name, "rows": b.cells.height}
        for b in preview.batches
        if hasattr(b, "cells")
    ]
)

# %%
pl.DataFrame(
    [
        {"file": f, "dropped (personal)": ", ".join(preview.dropped_columns.get(f, [])),
         "masked in": ", ".join(preview.masked_columns.get(f, []))}
        for f in dict.fromkeys([*preview.dropped_columns, *preview.masked_columns])
    ],
    schema=["file", "dropped (personal)", "masked in"],
)  # fmt: skip

# %%
next(b for b in preview.batches if b.table == "leads").cells.head()

# %% [markdown]
# ## 2. Importing into a warehouse of its own
# `import_export` validates every row (types, enums, references) and loads the valid ones
# in one transaction; a broken row goes to the quarantine with file, line, column and
# reason, the rest loads. Importing the same export again changes nothing: rows are
# merged by key (`added`, `changed`, `unchanged` per table), so a monthly export refreshes
# the same warehouse. (The example export is deliberately messy: unknown owners,
# duplicate ids, negative amounts, broken dates.)

# %%
result = import_export(
    own_db, export_path, fmt=FORMAT, mapping=MAPPING, options=options, config=config
)
print(f"sla import {what} {export_path} --timezone {TIMEZONE} --db {own_db}  # the same")
display(
    pl.DataFrame(
        [{"table": t, "loaded": n, **result.changes.get(t, {})} for t, n in result.loaded.items()]
    )
)
for line in [*result.warnings(), salt_warning(own_db, config.privacy.salt_file)]:
    if line:
        print("warning:", line)


def rejected(result) -> pl.DataFrame:
    """The rejected rows of an import: file name, line, column, reason (no values)."""
    schema = {"file": pl.String, "line": pl.Int64, "column": pl.String, "reason": pl.String}
    frame = pl.DataFrame(result.rejected, schema=schema)
    return frame.with_columns(pl.col("file").str.split("/").list.last())


causes, cascaded = result.root_causes()
print(
    f"{result.rows_rejected} row(s) quarantined"
    + (f", {cascaded} of them only because their lead was rejected" if cascaded else "")
    + "; the causes, most rows first:"
)
pl.DataFrame(
    [{k: c[k] for k in ("file", "column", "reason", "rows", "lines")} for c in causes],
    schema={"file": pl.String, "column": pl.String, "reason": pl.String, "rows": pl.Int64,
            "lines": pl.List(pl.Int64)},
)  # fmt: skip

# %% [markdown]
# ## 3. Any CSV: a mapping, a rejection, a fix
# A German spreadsheet export: `;` separated, `dd.mm.yyyy` dates, its own column names and
# source labels, a personal column (`E-Mail`) and a free-text column (`Bemerkung`).
# (Written here so that the notebook is self-contained; yours comes from the CRM.) It
# goes into a scratch warehouse of its own.

# %%
contacts = scratch / "kontakte.csv"
contacts.write_text(
    "Kontakt-Nr;E-Mail;Angelegt am;Quelle;Land;MQL am;Bemerkung\n"
    "K-1;anna@example.de;03.09.2026;Messe;DE;05.09.2026;Rückruf an anna@example.de\n"
    "K-2;ben@example.at;04.09.2026;Google Ads;AT;;\n"
    "K-3;cara@example.ch;05.09.2026;Newsletter;CH;12.09.2026;mobil 0171 7731 9942\n"
    "K-4;dirk@example.de;31.09.2026;Messe;DE;;\n",
    encoding="utf-8",
)
mapping = scratch / "kontakte.toml"
MAPPING_TOML = """
table = "leads"

[csv]
delimiter = ";"
date_format = "%d.%m.%Y"
timezone = "Europe/Berlin"

[columns]
"Kontakt-Nr" = "lead_id"
"Angelegt am" = "created_at"
"Quelle" = "source"
"Land" = "country"

[values.source]
"Messe" = "event"
"Google Ads" = "paid_search"

[stages]
"MQL am" = "mql"
"""
mapping.write_text(MAPPING_TOML, encoding="utf-8")
# what the import would store: E-Mail dropped, Bemerkung kept with its address masked
next(b for b in preview_export(contacts, mapping=mapping).batches if b.table == "leads").cells

# %%
kontakte_db = scratch / "kontakte" / "warehouse.duckdb"
kontakte_db.parent.mkdir()
first = import_export(kontakte_db, contacts, mapping=mapping, config=config)
print("loaded:", first.loaded)
for line in first.warnings():
    print("warning:", line)
rejected(first)

# %% [markdown]
# One row was rejected: line 5, lead K-4, whose `31.09.2026` is no day of the calendar.
# That is the file's mistake: fix it in the CRM. The reason names the layout the mapping
# declared (`%d.%m.%Y`).
#
# `Newsletter` is a source label the mapping does not map, and it is no canonical source:
# it was loaded as `other`, with the warning above, not rejected. K-3 counts as a lead
# from `other` until the mapping says what `Newsletter` is. Map it (or add `"*" = "other"`
# to `[values.source]` to accept every label you do not map) and import again: the valid
# rows are merged by key, nothing is duplicated, and the change is reported.


# %%
def stored_leads(db: Path) -> pl.DataFrame:
    """The leads a warehouse holds: id, source, country, creation."""
    with connect_readonly(db) as con:
        leads = load_tables(con).leads.collect()
    return leads.select("lead_id", "source", "country", "created_at").sort("lead_id")


before = stored_leads(kontakte_db)
mapping.write_text(
    MAPPING_TOML.replace(
        '"Google Ads" = "paid_search"', '"Google Ads" = "paid_search"\n"Newsletter" = "email"'
    ),
    encoding="utf-8",
)
second = import_export(kontakte_db, contacts, mapping=mapping, config=config)
after = stored_leads(kontakte_db)
print("per table:", second.changes)
print("warnings:", second.warnings() or "none")
print("still rejected:", [(r["line"], r["column"]) for r in second.rejected])
changed = (
    before.join(after, on="lead_id", suffix=" now")
    .filter(pl.col("source") != pl.col("source now"))
    .select("lead_id", "source", "source now")
)
changed

# %% [markdown]
# The second import changed one lead: K-3, from `other` to `email`; nothing was added or
# duplicated, and the warning is gone. Line 5 stays in the quarantine until the CRM's
# date is fixed and the file exported again.

# %% [markdown]
# The personal column `E-Mail` was not mapped, so it was dropped: not stored at all.
# `Bemerkung` is no canonical column: it was kept in the raw layer, its e-mail address and
# phone number masked. The import reports both:

# %%
print("dropped:", second.dropped_columns)
print("masked:", second.masked_columns)

# %% [markdown]
# ## 4. A real export: Olist's marketing funnel
# 8,000 MQLs and 842 won deals of a Brazilian B2B marketplace (2017-2018), re-saved by a
# spreadsheet program (dates as `DD-MM-YYYY`, some cells turned into dates). The data set
# is not shipped with the product: set `OLIST_DIR` (or the environment variable
# `SLA_REAL_DATA`) to the folder that holds `olist_marketing_qualified_leads.csv` and
# `olist_closed_deals.csv`; by default the notebook looks in `../shared/data/real` next to
# the checkout, and skips this section when the files are not there. Its times are São
# Paulo's: the import says so (`--timezone America/Sao_Paulo`), or every MQL would move
# by three hours, some into another day or month.
#
# Olist's export holds only the leads that became MQLs, and an SQL or opportunity only
# for a deal that was won: the review cannot count leads, SQLs or opportunities from it
# (their rates are "–" with that reason). What it can answer is **MQL -> customer**: of
# the MQLs of a month, the share whose deal was won within the funnel window.

# %%
olist_dir = at_root(
    OLIST_DIR or os.environ.get("SLA_REAL_DATA") or ROOT.parent / "shared" / "data" / "real"
)
if (olist_dir / "olist_marketing_qualified_leads.csv").is_file():
    olist_db = scratch / "olist" / "warehouse.duckdb"
    olist_db.parent.mkdir()
    brazil = CsvOptions(timezone="America/Sao_Paulo")
    olist = import_export(olist_db, olist_dir, fmt="olist", options=brazil, config=config)
    print(
        f"the same: sla import --format olist {olist_dir} --timezone America/Sao_Paulo "
        "--db data/own/olist/warehouse.duckdb"
    )
    print("loaded:", olist.loaded, "| rows rejected:", olist.rows_rejected)
    with connect_readonly(olist_db) as con:
        olist_tables = load_tables(con).collect()
    olist_as_of = olist_tables.latest_timestamp()
    zone, window = config.reporting.timezone, config.funnel.window_days
    known = known_coverage(olist_tables, config=config, as_of=olist_as_of)
    cohorts = {"config": config, "month": "2017-06", "months": 12, "as_of": olist_as_of}
    won = covered(
        cohort_rates(olist_tables, **cohorts, by="source", pairs=(("mql", "customer"),)),
        coverage=known,
        timezone=zone,
    )
    print(f"MQL -> customer (deal won) within {window} days, by lead source, 2017-06..2018-05:")
    display(
        pool_rates(won.filter(pl.col("n").is_not_null()).lazy(), by=["segment"])
        .collect()
        .sort(["rate", "segment"], descending=[True, False], nulls_last=True)
    )
    # what the export cannot answer, and why (the rates the review shows as "–")
    steps = cohort_rates(olist_tables, **cohorts)
    display(unmeasured(steps, coverage=known, timezone=zone))
else:
    print(
        f"{olist_dir} has no Olist files: section 4 is skipped (set OLIST_DIR or "
        "SLA_REAL_DATA to the folder that holds olist_marketing_qualified_leads.csv)"
    )

# %% [markdown]
# ## 5. The first review of your export
# The month's review of your warehouse: `build_review`, judged by the SLA version in
# force that month (`config_for_month`), exactly as notebook 04, `sla review` and the app
# build it. First what your export can answer that month (a measure whose data is not in
# the export is "–" with the reason and what to import, never 0), then the month's
# volumes, conversion and KPIs.
#
# The targets are those of the SLA config (`SLA_CONFIG`, default the example
# `data/sla.toml`): write your own SLA's before you judge a month by them.

# %%
with connect_readonly(own_db) as con:
    tables = load_tables(con).collect()
    as_of = tables.latest_timestamp()
    month = MONTH or last_complete_month(as_of, timezone=config.reporting.timezone)
    judged_by = config_for_month(con, config, month=month)  # the SLA version in force then
review = build_review(tables, judged_by, month=month, as_of=as_of)
print(
    f"The first review of {name}: {month}, as of {as_of:%Y-%m-%d %H:%M} UTC, "
    f"judged by SLA version {judged_by.sla.version}"
)
answers = coverage_summary(review)
print("this month the export answers:", ", ".join(answers.filter("answered")["group"]))
answers.filter(~pl.col("answered")).select("group", "why")

# %%
review_summary(review, currency=judged_by.reporting.currency).with_columns(
    pl.col("why").fill_null("")
)

# %% [markdown]
# ## Next: the same warehouse everywhere
# The warehouse stays where it is: open the app, the other notebooks and `sla` on it
# (`uv run sla`, or `.venv/bin/sla`, in the project's folder).
# A new export of the same CRM next month goes into the same warehouse (rows are merged
# by key); another company's export into another one.

# %%
shown_db = own_db.relative_to(ROOT) if own_db.is_relative_to(ROOT) else own_db
print(f"In a terminal, in {ROOT}:")
print(f"  uv run sla review --db {shown_db} --month {month}   # this review")
print(f"  make notebook DB={shown_db}   # notebooks 01-04 on it")
print(f"  make run DB={shown_db}        # the app on it")
