"""A user's CRM export with personal data in columns the adapter does not know (the audit
2026-12-06 notebooks M7's): for the preview's and notebook 05's privacy checks."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HUBSPOT = ROOT / "tests" / "fixtures" / "exports" / "hubspot"

#: Columns a user's HubSpot export may have that the adapter does not know.
PERSONAL = {
    "Notes": "Spoke with Anna Schmidt, call back on +49 170 1234567 or anna.schmidt@example.de",
    "Mobile Phone Number": "+49 170 7654321",
    "Secondary Email": "a.schmidt@private.example",
    "Remark": "reach me: anna.schmidt@example.de / +49 170 1234567",
}
#: An e-mail address in clear (the mask is ``[email]``).
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
#: The phone numbers of :data:`PERSONAL` however a table spaces them.
PHONE = re.compile(r"\+?49 ?170 ?(?:1234567|7654321)|1701234567|1707654321")


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


def folder_of(target: Path, source: Path | None = None, *names: str, **texts: str) -> Path:
    """A new folder ``target`` with the files ``names`` of ``source`` and files written from
    ``texts`` (file name -> text): a part of an export, or one edited."""
    target.mkdir()
    for name in names:
        shutil.copy(source / name, target / name)  # type: ignore[operator]
    for name, text in texts.items():
        (target / name).write_text(text, "utf-8")
    return target


def csv_folder(target: Path, **texts: str) -> Path:
    """A new folder ``target`` of CSV files: ``name=text`` writes ``name.csv``
    (:func:`folder_of`)."""
    return folder_of(target, None, **{f"{name}.csv": text for name, text in texts.items()})
