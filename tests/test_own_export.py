"""Bringing one's own CRM export: what a preview shows, and an import that lands in the
demo's warehouse (audit 2026-12-06 notebooks, M4 and M7; notebook 05 itself runs in
tests/test_notebooks.py)."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

from analytics.warehouse.adapters import import_export, preview_export, read_export

ROOT = Path(__file__).resolve().parents[1]
HUBSPOT = ROOT / "tests" / "fixtures" / "exports" / "hubspot"

#: An address or a phone number in clear (the masks are ``[email]`` and ``[phone]``).
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\+\d[\d ()/-]{6,}\d|\d{3} ?\d{7}")

#: Columns a user's HubSpot export may have that the adapter does not know (the audit's).
PERSONAL = {
    "Notes": "Spoke with Anna Schmidt, call back on +49 170 1234567 or anna.schmidt@example.de",
    "Mobile Phone Number": "+49 170 7654321",
    "Secondary Email": "a.schmidt@private.example",
    "Remark": "reach me: anna.schmidt@example.de / +49 170 1234567",
}


def hubspot_with_personal_columns(folder: Path) -> Path:
    """A copy of the example HubSpot export whose contacts carry :data:`PERSONAL`."""
    shutil.copytree(HUBSPOT, folder)
    contacts = folder / "contacts.csv"
    rows = list(csv.reader(contacts.open(encoding="utf-8")))
    rows[0] += list(PERSONAL)
    for row in rows[1:]:
        row += list(PERSONAL.values())
    with contacts.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return folder


def _cells_text(export) -> str:
    return "\n".join(
        json.dumps(b.cells.to_dicts(), default=str) for b in export.batches if hasattr(b, "cells")
    )


def test_the_preview_shows_what_the_import_stores_not_the_addresses_it_masks(tmp_path):
    export_dir = hubspot_with_personal_columns(tmp_path / "hubspot")
    raw = _cells_text(read_export(export_dir, fmt="hubspot", salt="s"))
    assert "anna.schmidt@example.de" in raw  # what the adapter reads: masked only at load
    preview = preview_export(export_dir, fmt="hubspot", salt="s")
    shown = _cells_text(preview)
    assert not ADDRESS.search(shown), ADDRESS.search(shown)
    assert not PHONE.search(shown), PHONE.search(shown)
    leads = next(b for b in preview.batches if b.table == "leads")
    assert json.loads(leads.cells["_extra"][0])["remark"] == "reach me: [email] / [phone]"
    # the same columns the import reports
    stored = import_export(tmp_path / "w.duckdb", export_dir, fmt="hubspot")
    assert preview.masked_columns == stored.masked_columns == {"contacts.csv": ["remark"]}
    assert preview.dropped_columns["contacts.csv"] == stored.dropped_columns["contacts.csv"]
    assert {"mobile phone number", "secondary email", "notes"} <= set(
        preview.dropped_columns["contacts.csv"]
    )
