# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
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
# # 5. Bring your own CRM export
#
# The product runs on any CRM's data once it is in the canonical format
# (`../shared/spec/canonical-format.md`). Adapters translate common exports; a small TOML
# mapping describes any other CSV. This notebook imports into a **scratch warehouse** in a
# temporary folder (your `data/warehouse.duckdb` is not touched):
#
# 1. what an adapter makes of a HubSpot export (and what it drops for privacy);
# 2. importing it: loaded rows, and the **quarantine** of rows that broke a rule;
# 3. an office CSV (German, `;`-separated) with a mapping, a rejected value, and fixing
#    the mapping;
# 4. a real export (Olist's marketing funnel) when `../shared/data/real` is present.
#
# From the command line the same is `sla import --format hubspot FOLDER` or
# `sla import --mapping kontakte.toml kontakte.csv`.

# %%
import tempfile
from pathlib import Path

import polars as pl
from IPython.display import display

from analytics.config import load_config
from analytics.funnel import cohort_rates, monthly_volumes
from analytics.notebook import config_path, project_root
from analytics.pooling import pool_rates
from analytics.warehouse import (
    connect_readonly,
    load_tables,
    quarantine,
    table_counts,
)
from analytics.warehouse.adapters import FORMATS, CsvOptions, import_export, read_export

# %%
ROOT = project_root()
config = load_config(config_path())
EXPORTS = ROOT / "tests" / "fixtures" / "exports"  # small example exports
REAL = ROOT.parent / "shared" / "data" / "real"  # public data sets, when present
scratch_dir = tempfile.TemporaryDirectory(prefix="sla-byo-")  # removed when the kernel ends
scratch = Path(scratch_dir.name)
db = scratch / "warehouse.duckdb"
print("formats:", ", ".join(FORMATS), "| scratch warehouse:", db)

# %% [markdown]
# ## 1. What the adapter reads
# `read_export` translates without writing anything: one batch of text cells per file
# and canonical table. Personal columns (names, e-mail, phone) are dropped; where a join
# needs an e-mail it becomes a salted hash.

# %%
export = read_export(EXPORTS / "hubspot", fmt="hubspot", salt="notebook")
pl.DataFrame(
    [
        {"table": b.table, "file": Path(b.source_file).name, "rows": b.cells.height}
        for b in export.batches
    ]
)

# %%
pl.DataFrame(
    [
        {"file": Path(f).name, "dropped": ", ".join(cols)}
        for f, cols in export.dropped_columns.items()
    ]
)

# %%
next(b for b in export.batches if b.table == "leads").cells.head()

# %% [markdown]
# ## 2. Importing: loaded and quarantined
# `import_export` validates every row (types, enums, references) and loads the valid ones
# in one transaction; a broken row goes to the quarantine with file, line, column and
# reason. Re-importing the same file changes nothing. (The example exports are
# deliberately messy: unknown owners, duplicate ids, negative amounts, broken dates.)

# %%
result = import_export(db, EXPORTS / "hubspot", fmt="hubspot", config=config)
print("loaded:", result.loaded)


def rejected(result) -> pl.DataFrame:
    """The rejected rows of an import, with the file's name only."""
    schema = {"file": pl.String, "line": pl.Int64, "column": pl.String, "reason": pl.String}
    frame = pl.DataFrame(result.rejected, schema=schema)
    return frame.with_columns(pl.col("file").str.split("/").list.last())


rejected(result)

# %%
salesforce = import_export(db, EXPORTS / "salesforce", fmt="salesforce", config=config)
print("loaded:", salesforce.loaded, "| rows rejected:", salesforce.rows_rejected)

# %%
with connect_readonly(db) as con:
    counts = table_counts(con)
    held = quarantine(con)
print(counts)
held

# %% [markdown]
# ## 3. Any CSV: a mapping, a rejection, a fix
# A German spreadsheet export: `;` separated, `dd.mm.yyyy` dates, its own column names and
# source labels. (Written here so that the notebook is self-contained; yours comes from
# the CRM.)

# %%
contacts = scratch / "kontakte.csv"
contacts.write_text(
    "Kontakt-Nr;E-Mail;Angelegt am;Quelle;Land;MQL am\n"
    "K-1;anna@example.de;03.09.2026;Messe;DE;05.09.2026\n"
    "K-2;ben@example.at;04.09.2026;Google Ads;AT;\n"
    "K-3;cara@example.ch;05.09.2026;Newsletter;CH;12.09.2026\n"
    "K-4;dirk@example.de;31.09.2026;Messe;DE;\n",
    encoding="utf-8",
)
mapping = scratch / "kontakte.toml"
MAPPING = """
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
mapping.write_text(MAPPING, encoding="utf-8")
first = import_export(db, contacts, mapping=mapping, config=config)
print("loaded:", first.loaded)
rejected(first)

# %% [markdown]
# Two leads were rejected (and the MQL event of one of them: its lead is unknown now).
# `31.09.2026` is not a date: that is the file's mistake, fix it in the CRM.
# `Newsletter` is not a canonical source: that is the mapping's gap. Map it
# (or add `"*" = "other"` to catch every unmapped label) and import again: the valid rows
# are merged by key, nothing is duplicated.

# %%
mapping.write_text(
    MAPPING.replace(
        '"Google Ads" = "paid_search"', '"Google Ads" = "paid_search"\n"Newsletter" = "email"'
    ),
    encoding="utf-8",
)
second = import_export(db, contacts, mapping=mapping, config=config)
print("loaded:", second.loaded)
rejected(second)

# %% [markdown]
# The personal column `E-Mail` was not mapped, so it was dropped (reported here, never
# stored):

# %%
second.dropped_columns

# %%
with connect_readonly(db) as con:
    tables = load_tables(con).collect()
    print(table_counts(con))
monthly_volumes(tables, config=config, month="2026-09").collect()

# %% [markdown]
# ## 4. A real export: Olist's marketing funnel
# 8,000 MQLs and 842 won deals of a Brazilian B2B marketplace (2017-2018), re-saved by a
# spreadsheet program (dates as `DD-MM-YYYY`, some cells turned into dates). Skipped when
# `../shared/data/real` is absent: the data set is not shipped with the product.

# %%
if (REAL / "olist_marketing_qualified_leads.csv").is_file():
    olist_db = scratch / "olist.duckdb"
    brazil = CsvOptions(timezone="America/Sao_Paulo")
    olist = import_export(olist_db, REAL, fmt="olist", options=brazil, config=config)
    print("loaded:", olist.loaded, "| rows rejected:", olist.rows_rejected)
    with connect_readonly(olist_db) as con:
        olist_tables = load_tables(con).collect()
    olist_as_of = olist_tables.latest_timestamp()
    # MQL -> SQL within the window, by lead source, the monthly cohorts pooled
    by_source = cohort_rates(
        olist_tables, config=config, month="2017-06", months=12, as_of=olist_as_of, by="source"
    ).filter(pl.col("from_stage") == "mql", pl.col("to_stage") == "sql")
    display(
        pool_rates(by_source, by=["segment"])
        .collect()
        .sort(["rate", "segment"], descending=[True, False], nulls_last=True)
    )
else:
    print(f"{REAL} is absent: the real-data part is skipped")
