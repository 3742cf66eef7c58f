"""A ZIP archive of an export (Salesforce's Data Export, HubSpot's export of several
objects) imports as the folder of its files: the same rows and rejections, each file
named in the archive, nothing left of it on disk; a damaged, encrypted, ambiguous or
bomb-like archive is refused naming it, and the warehouse stays as it was."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from export_support import workbook_folder
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from analytics.cli import app
from analytics.schema import LOAD_ORDER
from analytics.warehouse import ImportFailed, read_core_table
from analytics.warehouse import archive as archives
from analytics.warehouse.adapters import import_export, preview_export

ROOT = Path(__file__).resolve().parent.parent
EXPORTS = ROOT / "tests" / "fixtures" / "exports"


def zipped(folder: Path, target: Path, *, inside: str = "", extra: dict | None = None) -> Path:
    """``folder``'s files in a ZIP archive ``target``, under the folder ``inside``, with
    ``extra`` entries (name -> bytes) too."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for file in sorted(folder.iterdir()):
            z.write(file, f"{inside}{file.name}")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return target


def _rejections(result) -> list[tuple[str, int, str | None]]:
    return sorted((r["file"], r["line"], r.get("column")) for r in result.rejected)


@pytest.fixture
def scratch(tmp_path, monkeypatch) -> Path:
    """The system's scratch folder, for this test alone (a preview unpacks an archive
    there; an import beside its warehouse, in ``tmp_path``): see :func:`_left`."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _left(scratch: Path) -> list[str]:
    """What is left of an archive's files: in the system's scratch folder, and stage
    folders beside the warehouses of the test (its ``tmp_path``)."""
    beside = [p.name for p in scratch.parent.iterdir() if ".stage-" in p.name]
    return sorted(p.name for p in scratch.iterdir()) + beside


@pytest.mark.parametrize(
    ("fmt", "export", "inside"),
    [
        ("salesforce", "salesforce", "WE_00D1x000000abcd_1/"),  # a Data Export's folder
        ("hubspot", "hubspot", ""),
        ("olist", "olist", ""),
        ("canonical", "german", "export/"),
    ],
)
def test_an_archive_imports_as_the_folder_of_its_files(tmp_path, scratch, fmt, export, inside):
    archive = zipped(
        EXPORTS / export,
        tmp_path / "download.zip",
        inside=inside,
        extra={"__MACOSX/._Lead.csv": b"\x00\x05", f"{inside}.DS_Store": b"\x00"},
    )
    from_folder = import_export(tmp_path / "folder.duckdb", EXPORTS / export, fmt=fmt)
    from_archive = import_export(tmp_path / "archive.duckdb", archive, fmt=fmt)
    assert from_archive.loaded == from_folder.loaded
    named = [
        (f.replace(f"{archive}/", f"{EXPORTS / export}/"), line, column)
        for f, line, column in _rejections(from_archive)
    ]
    assert sorted(named) == _rejections(from_folder) and from_folder.rejected
    for table in LOAD_ORDER:
        assert_frame_equal(
            read_core_table(tmp_path / "archive.duckdb", table),
            read_core_table(tmp_path / "folder.duckdb", table),
            check_row_order=False,
        )
    assert _left(scratch) == []  # the archive's files are gone


def test_an_archive_of_workbooks_imports_and_its_files_are_named_in_it(tmp_path, scratch):
    books = workbook_folder(EXPORTS / "hubspot", tmp_path / "books")
    archive = zipped(books, tmp_path / "hubspot-export.zip", extra={"notes.txt": b"x"})
    db = tmp_path / "w.duckdb"
    result = import_export(db, archive, fmt="hubspot")
    assert result.loaded["leads"] == 9
    assert {r["file"] for r in result.rejected} == {
        f"{archive}/{name}.xlsx" for name in ("calls", "companies", "contacts", "deals", "emails")
    }
    assert [str(f) for f in result.skipped_files] == [f"{archive}/notes.txt"]
    from analytics.warehouse import connect_readonly

    with connect_readonly(db) as con:
        loads = {
            r[0].split("#")[0] for r in con.execute("SELECT source_file FROM meta.loads").fetchall()
        }
    assert loads == {f"{archive}/{p.name}" for p in books.iterdir()}
    again = import_export(db, archive, fmt="hubspot")  # the same download twice
    assert sorted(again.unchanged_files) == sorted(loads)
    assert _left(scratch) == []


def test_sla_import_reads_a_salesforce_data_export(tmp_path, scratch):
    archive = zipped(EXPORTS / "salesforce", tmp_path / "WE_00D_1.zip", inside="WE_00D_1/",
                     extra={"WE_00D_1/Campaign.csv": b"Id,Name\n7011,Fall\n"})  # fmt: skip
    db = tmp_path / "w.duckdb"
    run = CliRunner().invoke(
        app, ["import", "--format", "salesforce", str(archive), "--db", str(db), "--json"]
    )
    assert run.exit_code == 1, run.output  # the export's rejected rows
    said = " ".join(run.output.split())
    assert f"{archive}/Lead.csv" in said
    assert f'"file": "{archive}/Campaign.csv"' in said
    assert read_core_table(db, "leads").height == 11


def test_the_x_education_file_in_an_archive_is_dated_by_its_time_in_it(tmp_path):
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "x_education_leads.csv").write_text(
        "Prospect ID,Lead Number,Lead Origin,Lead Source,Converted\nu1,7,API,Google,1\n"
    )
    archive = tmp_path / "x.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(zipfile.ZipInfo("x_education_leads.csv", (2026, 3, 14, 12, 0, 0)),
                   (folder / "x_education_leads.csv").read_bytes())  # fmt: skip
    db = tmp_path / "w.duckdb"
    import_export(db, archive, fmt="xeducation")
    created = read_core_table(db, "leads")["created_at"].to_list()
    assert [c.date().isoformat() for c in created] == ["2026-03-14"]


def test_the_preview_of_an_archive_holds_its_rows_named_in_it(tmp_path, scratch):
    archive = zipped(EXPORTS / "german", tmp_path / "export.zip")
    preview = preview_export(archive)
    assert sorted(b.source_file for b in preview.batches) == [
        f"{archive}/{name}.csv" for name in ("accounts", "leads", "reps")
    ]
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as z:
        z.writestr("report.csv", "Lead Owner,Record Count\nJana Vogel,4\n")
    with pytest.raises(ImportFailed, match=f"^{tmp_path / 'other.zip'}/report.csv: not a "):
        preview_export(tmp_path / "other.zip", fmt="salesforce")  # named in the archive
    plain = preview_export(EXPORTS / "german")  # the same files, not in an archive
    assert [(b.table, b.cells.to_dicts()) for b in preview.batches] == [
        (b.table, b.cells.to_dicts()) for b in plain.batches
    ]
    assert _left(scratch) == []


def _refused(tmp_path, archive: Path, fmt: str = "canonical") -> str:
    """The message of an import of ``archive`` into a warehouse, which must stay as it was."""
    db = tmp_path / "w.duckdb"
    if not db.exists():
        import_export(db, EXPORTS / "german")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with pytest.raises(ImportFailed) as refused:
        import_export(db, archive, fmt=fmt)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    return str(refused.value)


def test_a_damaged_archive_is_refused_naming_it(tmp_path, scratch):
    whole = zipped(EXPORTS / "german", tmp_path / "whole.zip")
    cut = tmp_path / "export.zip"
    cut.write_bytes(whole.read_bytes()[:200])  # a download cut short
    assert _refused(tmp_path, cut).startswith(f"{cut}: cannot be read as a ZIP archive: ")
    assert _left(scratch) == []


def test_an_archive_with_two_files_of_one_name_is_refused(tmp_path, scratch):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("2026-09/leads.csv", "lead_id,created_at,source\nL1,2026-09-05,email\n")
        z.writestr("2026-10/leads.csv", "lead_id,created_at,source\nL2,2026-10-05,email\n")
    assert _refused(tmp_path, archive) == (
        f"{archive}: holds two files named leads.csv (2026-09/leads.csv, 2026-10/leads.csv)"
    )
    assert _left(scratch) == []


def test_an_encrypted_archive_is_refused_saying_so(tmp_path, scratch):
    archive = zipped(EXPORTS / "german", tmp_path / "export.zip")
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as z:  # set each entry's "encrypted" flag, as zip -e does
        for info in z.infolist():
            data[info.header_offset + 6] |= 0x1
    central = data.find(b"PK\x01\x02")
    while central != -1:
        data[central + 8] |= 0x1
        central = data.find(b"PK\x01\x02", central + 4)
    archive.write_bytes(bytes(data))
    assert _refused(tmp_path, archive) == (
        f"{archive}: accounts.csv is encrypted: unpack the archive with its password and "
        "import the folder"
    )


def test_an_archive_that_expands_beyond_its_limit_is_refused(tmp_path, scratch, monkeypatch):
    monkeypatch.setattr(archives, "MIN_EXPANDED_BYTES", 1 << 20)
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("leads.csv", "lead_id,created_at,source\n" + "L1,2026-10-05,email\n" * 200_000)
    assert os.path.getsize(archive) < 100_000
    message = _refused(tmp_path, archive)
    assert message == (
        f"{archive}: expands to more than 1,048,576 bytes (100 times its size): not read "
        "(a ZIP bomb?)"
    )
    assert _left(scratch) == []


def test_an_empty_archive_is_refused(tmp_path, scratch):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("export/", b"")
    assert _refused(tmp_path, archive) == f"{archive}: the archive holds no file"


def test_the_preview_of_an_archived_canonical_file_reads_it_before_its_folder_is_gone(
    tmp_path, scratch
):
    """A plain canonical file is read only when it loads; from an archive, whose scratch
    folder is removed once the preview is made, it is read at once, a broken line too."""
    folder = tmp_path / "canonical"
    folder.mkdir()
    (folder / "leads.csv").write_text(
        'lead_id,created_at,source\nL1,2026-10-05T09:00:00Z,email\n"L2,2026-10-06,x\n'
        "L3,2026-10-07T09:00:00Z,organic\n"
    )
    archive = zipped(folder, tmp_path / "export.zip")
    preview = preview_export(archive)
    (leads,) = preview.batches
    assert leads.source_file == f"{archive}/leads.csv"
    assert leads.cells.select("lead_id", "_line").rows() == [("L1", 2), ("L3", 4)]
    assert [(p["file"], p["line"]) for p in preview.unreadable] == [(f"{archive}/leads.csv", 3)]
    assert _left(scratch) == []


def test_a_file_no_format_reads_is_named_and_not_unpacked(tmp_path, monkeypatch):
    """A Data Export with attachments: their bytes (personal documents) are never written;
    each is named as not read."""
    written: list[str] = []
    real_open = Path.open

    def watched(self, mode="r", *args, **kwargs):
        if "w" in mode and "-archive-" in str(self):
            written.append(self.name)
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", watched)
    archive = zipped(
        EXPORTS / "salesforce",
        tmp_path / "WE_00D_1.zip",
        extra={"Attachments/00P1000000abcde": b"%PDF-1.4 contract of Anna Schmidt"},
    )
    result = import_export(tmp_path / "w.duckdb", archive, fmt="salesforce")
    assert {Path(f).name: r.code for f, r in result.skipped_files.items()} == {
        "00P1000000abcde": "skip.not_csv"
    }
    assert "00P1000000abcde" not in written and "Lead.csv" in written


def test_an_archive_is_unpacked_beside_the_warehouse_and_a_killed_imports_copy_swept(
    tmp_path,
):
    """Its files are personal data: a killed import's copy must not stay. Unpacked as a
    stage folder of the warehouse, it is removed by the next command (``sla info``, an
    import: :func:`~analytics.warehouse.leftovers.remove_leftovers`)."""
    from analytics.warehouse.leftovers import remove_leftovers

    db = tmp_path / "w.duckdb"
    import_export(db, EXPORTS / "german")
    archive = zipped(EXPORTS / "german", tmp_path / "export.zip")
    with archives.expanded(archive, beside=db) as folder:
        unpacked = Path(folder)
        assert unpacked.parent == tmp_path
        assert unpacked.name.startswith(f".w.duckdb.stage-{os.getpid()}-archive-")
        assert remove_leftovers(db) == []  # this process's own: kept while it runs
        # as a killed import leaves it: named by a process that is gone
        killed = unpacked.with_name(unpacked.name.replace(str(os.getpid()), "999999999"))
        unpacked.rename(killed)
        assert remove_leftovers(db) == [killed]
        unpacked.mkdir()  # for the block's own clean-up
    assert not killed.exists()
