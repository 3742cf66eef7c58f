"""No personal data at rest: every import path, every table, every byte of the warehouse.

The privacy test imports each fixture and adapter path into one warehouse, then looks for
the e-mail addresses, phone numbers and names it put in: in every table of every schema
and in the raw bytes of the .duckdb file (and its .wal). Positive controls show that the
byte scan finds a kept text, so a pass is not a scan that sees nothing.
"""

from __future__ import annotations

import csv
import functools
import json
import re
import unicodedata
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from analytics import cli
from analytics.warehouse import import_canonical, privacy
from analytics.warehouse.adapters import ImportFailed, import_export
from analytics.warehouse.privacy import (
    IBAN_LENGTHS,
    IBAN_WORDS,
    NUMBER_WORDS,
    OR_WORDS,
    PHONE_WORDS,
    _fold,
    _fold_mapped,
    hash_salt,
    hash_text,
    is_personal,
    is_personal_id,
    mask_text,
    mask_texts,
    normalise_header,
    salt_warning,
    scrub,
)

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()

# What the hand-made files put in (each must be absent from the warehouse afterwards).
EMAILS = [
    "erika.mustermann@example.org",
    "erika@example.org",
    "hans.bad@example.net",
    "max.info@example.com",
    "jonas.mail@example.de",
    "lea.user@example.de",
]
PHONES = ["+49 170 5550001", "0170 5550002", "030 5550003", "0171/5550004", "+49 30 5550005"]
NAMES = ["Mustermann", "Erika Muster", "Jonas Beispielmann", "Lea Probstein", "jbeispiel"]
IBANS = ["DE89 3704 0044 0532 0130 00"]
#: Kept texts (not personal): the byte scan must find them, or it proves nothing.
KEPT = ["Zauberlehrling-Ost", "Kaltakquise-Nord", "Rueckruf-Kampagne"]


def _lead_rows_left(db: Path) -> list[int]:
    """The rows left in core.leads, core.lifecycle_events and raw.lifecycle_events (after a
    purge of every lead: none)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [
            con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            for t in ("core.leads", "core.lifecycle_events", "raw.lifecycle_events")
        ]
    finally:
        con.close()


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return path


def _strict_folder(root: Path) -> Path:
    """Canonical, UTF-8, comma: extra personal columns, a bad row, a touch note."""
    d = root / "strict"
    _write(d / "reps.csv", "rep_id,name,team\nr1,Jana Vogel,sdr\n")
    _write(
        d / "leads.csv",
        "lead_id,created_at,source,campaign,job_title,email,phone,first_name,contact,notes\n"
        "S1,2026-10-05T09:12:00Z,email,Kaltakquise-Nord,Zauberlehrling-Ost,"
        "erika.mustermann@example.org,+49 170 5550001,Erika,Erika Muster,"
        "Rückruf an erika@example.org\n"
        "S2,hans.bad@example.net,email,,,,,,,\n"  # a bad row holding an e-mail
        f"S3,2026-10-06T10:00:00Z,email,IBAN {IBANS[0]},,,,,,\n",
    )
    _write(
        d / "sales_touches.csv",
        "touch_id,lead_id,rep_id,occurred_at,channel,outcome,note\n"
        "T1,S1,r1,2026-10-05T10:00:00Z,phone,no_answer,Bitte zurückrufen: 0170 5550002\n"
        "T2,S1,r1,2026-10-05T11:00:00Z,phone,no_answer,mail an erika@example.org\n",
    )
    return d


_GERMAN_HEADER = (
    "Mail{d}Tel.{d}Mobil{d}Rufnummer{d}Name des Ansprechpartners{d}Username{d}Bemerkung"
)
_GERMAN_VALUES = (
    "jonas.mail@example.de{d}030 5550003{d}0171/5550004{d}+49 30 5550005{d}"
    "Jonas Beispielmann{d}jbeispiel{d}Rückruf an erika@example.org"
)


def _german_folder(root: Path, delimiter: str) -> Path:
    """The German headers the old list missed, strict (``,``) or as an office saves it (``;``)."""
    d = root / f"german{'-office' if delimiter == ';' else ''}"
    d_ = delimiter
    _write(
        d / "leads.csv",
        f"lead_id{d_}created_at{d_}source{d_}{_GERMAN_HEADER.format(d=d_)}\n"
        f"G1{d_}2026-10-07T08:00:00Z{d_}organic{d_}{_GERMAN_VALUES.format(d=d_)}\n",
        encoding="utf-8" if delimiter == "," else "cp1252",
    )
    return d


def _mapping(root: Path) -> tuple[Path, Path]:
    """A mapping to a text column: the kept column's e-mail and phone are masked."""
    csv_path = _write(
        root / "mapping" / "kontakte.csv",
        "Kontakt-Nr;Angelegt am;Info;E-Mail;Nachname\n"
        "M1;01.09.2026;Rueckruf-Kampagne max.info@example.com 0170 5550002;"
        "lea.user@example.de;Probstein\n",
    )
    toml = _write(
        root / "mapping" / "kontakte.toml",
        'table = "leads"\n[columns]\n"Kontakt-Nr" = "lead_id"\n"Angelegt am" = "created_at"\n'
        '"Info" = "campaign"\n[defaults]\nsource = "other"\n',
    )
    return csv_path, toml


def _fixture_needles() -> set[str]:
    """Values of the personal columns of the committed export fixtures, and every e-mail."""
    needles: set[str] = set()
    for path in EXPORTS.rglob("*.csv"):
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig") if raw.isascii() or _utf8(raw) else raw.decode("cp1252")
        needles |= set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text))
        delimiter = ";" if text.split("\n", 1)[0].count(";") > text.count(",") else ","
        rows = list(csv.DictReader(text.splitlines(), delimiter=delimiter))
        for header in rows[0] if rows else []:
            if is_personal(header) and normalise_header(header) != "name":
                needles |= {r[header] for r in rows if r[header] and len(r[header]) >= 6}
    return needles


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _table_text(db: Path) -> str:
    """Every value of every table of every schema, as one text."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
        ).fetchall()
        parts = []
        for schema, table in tables:
            rows = con.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()
            parts += [json.dumps(row, default=str, ensure_ascii=False) for row in rows]
    finally:
        con.close()
    return "\n".join(parts)


def _file_bytes(db: Path) -> bytes:
    wal = db.with_name(db.name + ".wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _found(needles, text: str, data: bytes) -> list[str]:
    low = text.lower()
    hits = []
    for n in needles:
        in_bytes = any(
            n.encode(enc, errors="ignore") in data for enc in ("utf-8", "cp1252", "utf-16-le")
        )
        if n.lower() in low or in_bytes:
            hits.append(n)
    return sorted(hits)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    root = tmp_path_factory.mktemp("privacy")
    db = root / "w.duckdb"
    results = {
        "strict": import_export(db, _strict_folder(root)),
        "german": import_export(db, _german_folder(root, ",")),
        "german-office": import_export(db, _german_folder(root, ";")),
        "upload": import_canonical(db, _german_folder(root / "upload", ",")),  # the Data page
    }
    csv_path, toml = _mapping(root)
    results["mapping"] = import_export(db, csv_path, mapping=toml)
    results["mapping-fixture"] = import_export(
        db, EXPORTS / "mapping" / "kontakte.csv", mapping=EXPORTS / "mapping" / "kontakte.toml"
    )
    for fmt in ("hubspot", "salesforce", "olist"):
        results[fmt] = import_export(db, EXPORTS / fmt, fmt=fmt)
    xeducation = _write(
        root / "xeducation" / "x_education_leads.csv",
        "Prospect ID,Lead Number,Lead Origin,Lead Source,Converted,TotalVisits,Tags,Email,"
        "Country\nu1,7,API,Google,1,3,call +49 30 5550005,lea.user@example.de,India\n",
    )
    results["xeducation"] = import_export(db, xeducation, fmt="xeducation")
    results["german-fixture"] = import_export(db, EXPORTS / "german")
    return db, results


def test_no_personal_value_in_any_table_or_byte_of_the_warehouse(imported):
    db, _ = imported
    text, data = _table_text(db), _file_bytes(db)
    needles = set(EMAILS + PHONES + NAMES + IBANS) | _fixture_needles()
    assert len(needles) > 20  # the fixtures' contacts are in the list too
    assert _found(needles, text, data) == []
    # a digit run of a phone number is not hiding somewhere either
    assert _found(["5550001", "5550002", "5550003", "5550004", "5550005"], text, data) == []


def test_the_byte_scan_sees_kept_text(imported):
    db, _ = imported
    text, data = _table_text(db), _file_bytes(db)
    assert _found(KEPT, text, data) == sorted(KEPT)
    assert KEPT[0].encode() in data  # in the file's bytes, not only through SQL


def test_masked_values_stay_where_they_were(imported):
    db, _ = imported
    con = duckdb.connect(str(db), read_only=True)
    try:
        notes = con.execute("SELECT note FROM core.sales_touches WHERE touch_id LIKE 'T_'")
        notes = sorted(r[0] for r in notes.fetchall())
        extra = con.execute("SELECT _extra FROM raw.leads WHERE lead_id = 'G1'").fetchall()
        quarantine = con.execute(
            "SELECT value FROM meta.quarantine WHERE source_file LIKE '%strict%'"
        ).fetchall()
        campaign = con.execute("SELECT campaign FROM core.leads WHERE lead_id = 'M1'").fetchall()
        iban = con.execute("SELECT campaign FROM core.leads WHERE lead_id = 'S3'").fetchall()
    finally:
        con.close()
    assert notes == ["Bitte zurückrufen: [phone]", "mail an [email]"]
    assert all(json.loads(e) == {"bemerkung": "Rückruf an [email]"} for (e,) in extra)
    assert ("[email]",) in quarantine
    assert campaign == [("Rueckruf-Kampagne [email] [phone]",)]
    assert iban == [("IBAN [iban]",)]


_GERMAN_DROPPED = ["mail", "tel.", "mobil", "rufnummer", "name des ansprechpartners", "username"]


@pytest.mark.parametrize(
    ("path", "dropped", "masked"),
    [
        (
            "strict",
            {"leads.csv": ["email", "phone", "first_name", "contact"]},
            {"leads.csv": ["created_at", "campaign", "notes"], "sales_touches.csv": ["note"]},
        ),
        ("german", {"leads.csv": _GERMAN_DROPPED}, {"leads.csv": ["bemerkung"]}),
        ("german-office", {"leads.csv": _GERMAN_DROPPED}, {"leads.csv": ["bemerkung"]}),
        ("mapping", {"kontakte.csv": ["e-mail", "nachname"]}, {"kontakte.csv": ["campaign"]}),
    ],
)
def test_the_summary_names_every_dropped_and_masked_column(imported, path, dropped, masked):
    _, results = imported
    assert results[path].dropped_columns == dropped
    assert results[path].masked_columns == masked


def test_the_cli_summary_names_masked_columns(tmp_path):
    folder = _strict_folder(tmp_path)
    db = str(tmp_path / "w.duckdb")
    res = runner.invoke(cli.app, ["import", str(folder), "--db", db, "--json"])
    assert res.exit_code == 1, res.output  # the bad row
    doc = json.loads(res.stdout)
    assert doc["dropped_columns"]["leads.csv"] == ["email", "phone", "first_name", "contact"]
    assert doc["masked_columns"]["sales_touches.csv"] == ["note"]
    res = runner.invoke(cli.app, ["import", str(folder), "--db", str(tmp_path / "x.duckdb")])
    assert "sales_touches.csv: masked e-mail addresses, phone numbers or IBANs in note" in (
        res.stderr.replace("\n", " ")
    )


@pytest.mark.parametrize(("source", "target"), [("E-Mail", "campaign"), ("Nachname", "job_title")])
def test_a_personal_column_mapped_to_a_text_column_is_refused(tmp_path, source, target):
    csv_path = _write(tmp_path / "k.csv", f"Nr;Datum;{source}\nK1;01.09.2026;x@example.org\n")
    toml = _write(
        tmp_path / "m.toml",
        f'table = "leads"\n[columns]\n"Nr" = "lead_id"\n"Datum" = "created_at"\n'
        f'"{source}" = "{target}"\n[defaults]\nsource = "other"\n',
    )
    with pytest.raises(ImportFailed) as err:
        import_export(tmp_path / "w.duckdb", csv_path, mapping=toml)
    message = str(err.value)
    assert str(toml) in message and f"'{source}' = '{target}'" in message
    assert not (tmp_path / "w.duckdb").exists()


@pytest.mark.parametrize(
    ("table", "source"), [("accounts", "Privatadresse"), ("reps", "Vorname"), ("reps", "E-Mail")]
)
def test_only_a_plain_name_column_may_fill_a_company_or_rep_name(tmp_path, table, source):
    key = "account_id" if table == "accounts" else "rep_id"
    defaults = "" if table == "accounts" else '[defaults]\nteam = "sdr"\n'
    csv_path = _write(tmp_path / "k.csv", f"Nr;{source}\nK1;Hauptstrasse 1\n")
    toml = _write(
        tmp_path / "m.toml",
        f'table = "{table}"\n[columns]\n"Nr" = "{key}"\n"{source}" = "name"\n{defaults}',
    )
    db = tmp_path / "w.duckdb"
    res = runner.invoke(cli.app, ["import", "--mapping", str(toml), str(csv_path), "--db", str(db)])
    assert res.exit_code == 2, res.output
    message = res.stderr.replace("\n", " ")
    assert f"'{source}' = 'name'" in message and f"{table}.name" in message
    assert f"m.toml: [columns] '{source}'" in message  # brackets are text, not rich markup
    assert not db.exists()
    plain = _write(tmp_path / "n.csv", "Nr;Name\nK1;Example AG\n")
    _write(
        tmp_path / "m.toml",
        f'table = "{table}"\n[columns]\n"Nr" = "{key}"\n"Name" = "name"\n{defaults}',
    )
    assert import_export(db, plain, mapping=toml).loaded == {table: 1}


def test_an_email_used_as_an_id_is_hashed_the_same_in_every_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SLA_HASH_SALT", "test")
    d = tmp_path / "in"
    _write(
        d / "leads.csv", "lead_id,created_at,source\nAnna@Example.de,2026-10-05T09:00:00Z,email\n"
    )
    _write(
        d / "lifecycle_events.csv",
        "lead_id,stage,entered_at\nanna@example.de,mql,2026-10-06T09:00:00Z\n",
    )
    result = import_export(tmp_path / "w.duckdb", d)
    assert result.loaded == {"leads": 1, "lifecycle_events": 1} and not result.rejected
    assert result.masked_columns == {"leads.csv": ["lead_id"], "lifecycle_events.csv": ["lead_id"]}
    assert b"example.de" not in _file_bytes(tmp_path / "w.duckdb")


@pytest.mark.parametrize(
    "spelt",
    [
        "anna%40example.de",
        "anna&#64;example.de",
        "anna%2540example.de",
        "anna&#x40;example.de",
        "anna\uff20example.de",
    ],
)
def test_an_id_spelt_as_in_a_url_joins_and_is_purged_with_its_plain_spelling(
    tmp_path, monkeypatch, spelt
):
    """Re-audit of the privacy fixes, MEDIUM 2: an id was hashed as written, so the event
    of ``anna%40example.de`` was an unknown lead and a purge of anna@example.de missed it."""
    from analytics.warehouse.purge import purge

    monkeypatch.setenv("SLA_HASH_SALT", "test")
    d = tmp_path / "in"
    leads = "lead_id,created_at,source\nanna@example.de,2026-10-05T09:00:00Z,email\n"
    _write(d / "leads.csv", leads)
    events = f"lead_id,stage,entered_at\n{spelt},mql,2026-10-06T09:00:00Z\n"
    _write(d / "lifecycle_events.csv", events)
    db = tmp_path / "w.duckdb"
    result = import_export(db, d)
    assert result.loaded == {"leads": 1, "lifecycle_events": 1} and not result.rejected
    purge(db, leads=["anna@example.de"], salt="test")
    assert _lead_rows_left(db) == [0, 0, 0]


#: Spellings of an e-mail address or a phone number that an export's escapes make: the
#: plain spelling, and a token that any stored remnant of it would hold.
_ESCAPED = [
    ("zz.esc1%u0040example.org", "zz.esc1@example.org", "zz.esc1"),  # JavaScript's escape()
    ("zz.esc2\\x40example.org", "zz.esc2@example.org", "zz.esc2"),  # a log's escaped string
    ("zz.esc3\\u0040example.org", "zz.esc3@example.org", "zz.esc3"),  # JSON
    ("zz.esc4\\\\u0040example.org", "zz.esc4@example.org", "zz.esc4"),  # JSON in JSON
    ("zz.esc5=40example.org", "zz.esc5@example.org", "zz.esc5"),  # quoted-printable
    ("zz=2Eesc6=40example=2Eorg", "zz.esc6@example.org", "esc6"),
    ("zz.esc7%26%2364%3Bexample.org", "zz.esc7@example.org", "zz.esc7"),  # &#64; in a URL
    ("zz.esc8@example%u002Eorg", "zz.esc8@example.org", "zz.esc8"),
    ("zz.esc9@example\\x2eorg", "zz.esc9@example.org", "zz.esc9"),
    ("%u002B49 171 5550147", "+49 171 5550147", "5550147"),
    ("\\x2B49 171 5550148", "+49 171 5550148", "5550148"),
    ("\\u002b49\\u00a0171\\u00a05550149", "+49 171 5550149", "5550149"),
    ("0170\\/5550150", "0170/5550150", "5550150"),  # JSON's escaped /
    # a character beyond ASCII escaped: Python's json.dumps, a browser's URL, a mail
    ("zz.esc10m\\u00fcller@b\\u00fccher.de", "zz.esc10m\u00fcller@b\u00fccher.de", "zz.esc10"),
    ("zz.esc11m%C3%BCller%40b%C3%BCcher.de", "zz.esc11m\u00fcller@b\u00fccher.de", "zz.esc11"),
    ("zz.esc12m=C3=BCller=40b=C3=BCcher.de", "zz.esc12m\u00fcller@b\u00fccher.de", "zz.esc12"),
    ("+49\\u202f171\\u202f5550151", "+49 171 5550151", "5550151"),
    ("+49&#8239;171&#8239;5550152", "+49 171 5550152", "5550152"),  # Word's HTML
    ("zz.esc13&#65312;example.org", "zz.esc13@example.org", "zz.esc13"),
]


@pytest.mark.parametrize(("spelt", "plain", "token"), _ESCAPED)
def test_an_escaped_value_is_stored_nowhere_and_joins_and_is_purged_as_written_plainly(
    tmp_path, monkeypatch, spelt, plain, token
):
    """Third re-audit of the privacy fixes (2026-12-06): an address or number written with
    JavaScript's ``%u0040``, an escaped string's ``\\x40``/``\\u0040``, a mail's
    quoted-printable ``=40`` or a URL-encoded ``&#64;`` was stored in clear in free text,
    and as an id it was neither hashed nor joined its plain spelling."""
    from analytics.warehouse.purge import purge

    monkeypatch.setenv("SLA_HASH_SALT", "test")
    d = tmp_path / "in"
    _write(
        d / "leads.csv",
        "lead_id,created_at,source,job_title,Notiz\n"
        f"{plain},2026-10-05T09:00:00Z,email,Kontakt {spelt} bitte,an {spelt}\n"
        "L2,2026-10-05T09:00:00Z,email,Bleibtorius-Beta,\n",
    )
    _write(d / "lifecycle_events.csv", f"lead_id,stage,entered_at\n{spelt},mql,2026-10-06\n")
    db = tmp_path / "w.duckdb"
    result = import_export(db, d)
    assert result.loaded == {"leads": 2, "lifecycle_events": 1} and not result.rejected
    assert hash_text(spelt, "test") == hash_text(plain, "test")
    assert _scan(db, [spelt, plain, token]) == []
    con = duckdb.connect(str(db), read_only=True)
    try:
        kept = con.execute(
            "SELECT job_title, _extra FROM raw.leads WHERE lead_id LIKE 'h\\_%' ESCAPE '\\'"
        ).fetchall()
    finally:
        con.close()
    mask = "[phone]" if plain[0] in "+0" else "[email]"
    assert kept == [
        (f"Kontakt {mask} bitte", json.dumps({"notiz": f"an {mask}"}, separators=(",", ":")))
    ]
    purge(db, leads=[plain], salt="test")
    assert _lead_rows_left(db) == [1, 0, 0]  # L2 stays


def test_a_value_after_an_escaped_punctuation_mark_is_stored_nowhere(tmp_path):
    """A URL-encoded ``tel:`` link (``tel%3A%2B49...``), or a comma or colon escaped
    before a number (``%2C0171...``, ``\\x3a0171...``): the escape's last letter stood
    before the number as if it were a word, and the number was stored in clear."""
    d = tmp_path / "in"
    _write(d / "reps.csv", "rep_id,name,team\nr1,Jana Vogel,sdr\n")
    _write(d / "leads.csv", "lead_id,created_at,source\nL1,2026-10-05T09:00:00Z,email\n")
    notes = [
        "?u=tel%3A%2B491715550161&x=1",
        "Ruf%3A0171 5550162",
        "a%2C0171 5550163%2Cb",
        "Ruf\\x3a0171 5550164",
        "IBAN%3ADE89370400440532013000",
    ]
    _write(
        d / "sales_touches.csv",
        "touch_id,lead_id,rep_id,occurred_at,channel,outcome,note\n"
        + "".join(
            f"T{i},L1,r1,2026-10-05T10:00:00Z,phone,no_answer,{note}\n"
            for i, note in enumerate(notes)
        ),
    )
    db = tmp_path / "w.duckdb"
    result = import_export(db, d)
    assert result.loaded == {"reps": 1, "leads": 1, "sales_touches": 5}
    assert _scan(db, ["5550161", "5550162", "5550163", "5550164", "0532013000"]) == []
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = [r[0] for r in con.execute("SELECT note FROM core.sales_touches").fetchall()]
    finally:
        con.close()
    masked = ["?u=tel%3A[phone]&x=1", "Ruf%3A[phone]", "a%2C[phone]%2Cb", "Ruf\\x3a[phone]"]
    assert sorted(stored) == sorted([*masked, "IBAN%3A[iban]"])


def test_a_broken_cell_of_a_key_column_keeps_no_personal_value(tmp_path):
    """``lifecycle_events.entered_at`` and ``stage`` and ``web_traffic.date`` are part of
    their table's key, and were scrubbed as ids: a broken cell that held a phone number
    or an IBAN in a text (not as its whole value) was kept in clear in the raw layer,
    though the quarantine showed it masked."""
    d = tmp_path / "in"
    _write(d / "leads.csv", "lead_id,created_at,source\nL1,2026-10-05T09:00:00Z,email\n")
    _write(
        d / "lifecycle_events.csv",
        "lead_id,stage,entered_at\n"
        "L1,mql,not-a-date \\x2B49 171 5550181\n"
        "L1,Ruf 0171 5550182,2026-10-06T09:00:00Z\n"
        "L1,sal,bis DE89370400440532013000\n",
    )
    _write(d / "web_traffic.csv", "date,source,visitors,sessions\nRuf 0171 5550183,organic,4,5\n")
    db = tmp_path / "w.duckdb"
    result = import_export(db, d)
    assert result.loaded["leads"] == 1 and len(result.rejected) >= 4
    assert _scan(db, ["5550181", "5550182", "5550183", "0532013000"]) == []
    con = duckdb.connect(str(db), read_only=True)
    try:
        raw = con.execute("SELECT stage, entered_at FROM raw.lifecycle_events").fetchall()
    finally:
        con.close()
    assert sorted(raw) == [
        ("Ruf [phone]", "2026-10-06T09:00:00Z"),
        ("mql", "not-a-date [phone]"),
        ("sal", "bis [iban]"),
    ]


def test_a_phone_number_or_an_iban_used_as_an_id_is_hashed_and_still_joins(tmp_path, monkeypatch):
    monkeypatch.setenv("SLA_HASH_SALT", "test")
    d = tmp_path / "in"
    _write(
        d / "leads.csv",
        "lead_id,created_at,source\n"
        "+49 170 5550099,2026-10-05T09:00:00Z,email\n"
        "DE89370400440532013000,2026-10-05T09:00:00Z,email\n"
        "114,2026-10-05T09:00:00Z,email\n"  # a HubSpot record id
        "51234567890,2026-10-05T09:00:00Z,email\n"
        "00Q5g00000AbCdE,2026-10-05T09:00:00Z,email\n",  # a Salesforce id
    )
    _write(
        d / "lifecycle_events.csv",
        "lead_id,stage,entered_at\n+49 170 5550099,mql,2026-10-06T09:00:00Z\n"
        "DE89370400440532013000,mql,2026-10-06T09:00:00Z\n",
    )
    db = tmp_path / "w.duckdb"
    result = import_export(db, d)
    assert result.loaded == {"leads": 5, "lifecycle_events": 2} and not result.rejected
    assert result.masked_columns == {"leads.csv": ["lead_id"], "lifecycle_events.csv": ["lead_id"]}
    con = duckdb.connect(str(db), read_only=True)
    try:
        leads = [r[0] for r in con.execute("SELECT lead_id FROM core.leads").fetchall()]
        joined = con.execute(
            "SELECT count(*) FROM core.lifecycle_events JOIN core.leads USING (lead_id)"
        ).fetchall()
    finally:
        con.close()
    hashed = [i for i in leads if re.fullmatch(r"h_[0-9a-f]{16}", i)]
    assert len(hashed) == 2 and sorted(set(leads) - set(hashed)) == [
        "00Q5g00000AbCdE",
        "114",
        "51234567890",
    ]
    assert joined == [(2,)]
    assert _scan(db, ["5550099", "0532013000"]) == []
    res = runner.invoke(cli.app, ["purge", "--lead", "+49 170 5550099", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["leads_not_found"] == 0 and doc["removed"]["core.leads"] == 1


def test_file_names_and_folders_are_stored_with_emails_phones_and_ibans_masked(tmp_path):
    d = _write(
        tmp_path / "von zzdir@example.com 0170 5550031" / "leads.csv",
        "lead_id,created_at,source\nF1,2026-10-05T09:00:00Z,email\nF2,someday,email\n",
    ).parent
    kontakte = _write(tmp_path / "kontakte zzfile@example.com.csv", "Nr;Datum\nM1;01.09.2026\n")
    toml = _write(
        tmp_path / "m.toml",
        'table = "leads"\n[columns]\n"Nr" = "lead_id"\n"Datum" = "created_at"\n'
        '[defaults]\nsource = "other"\n',
    )
    db = tmp_path / "w.duckdb"
    folder = f"{tmp_path}/von [email] [phone]"
    result = import_export(db, d)
    assert [r["file"] for r in result.rejected] == [f"{folder}/leads.csv"]
    result = import_export(db, kontakte, mapping=toml)
    assert result.loaded == {"leads": 1}
    con = duckdb.connect(str(db), read_only=True)
    try:
        loads = con.execute("SELECT load_id, source_file FROM meta.loads ORDER BY 1").fetchall()
        quarantine = con.execute("SELECT source_file FROM meta.quarantine").fetchall()
        raw = con.execute("SELECT DISTINCT _source_file FROM raw.leads ORDER BY 1").fetchall()
    finally:
        con.close()
    assert loads == [(1, f"{folder}/leads.csv"), (2, f"{tmp_path}/kontakte [email].csv")]
    assert quarantine == [(f"{folder}/leads.csv",)]
    assert sorted(raw) == sorted([(f"{folder}/leads.csv",), (f"{tmp_path}/kontakte [email].csv",)])
    assert _scan(db, ["zzdir@", "zzfile@", "5550031"]) == []
    # a warehouse written before names were masked: the purged load's log row is masked
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta.loads SET source_file = 'old zzold@example.com.csv' WHERE load_id = 2")
    con.close()
    res = runner.invoke(cli.app, ["purge", "--load", "2", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    con = duckdb.connect(str(db), read_only=True)
    try:
        logged = con.execute("SELECT source_file FROM meta.loads WHERE load_id = 2").fetchall()
    finally:
        con.close()
    assert logged == [("old [email].csv",)]
    assert _scan(db, ["zzold@"]) == []


# -- the header list and the value patterns --------------------------------------------


@pytest.mark.parametrize(
    ("header", "personal"),
    [
        *[(h, True) for h in ["Mail", "Tel.", "Mobil", "Rufnummer", "Name des Ansprechpartners",
                              "Username", "E-Mail-Adresse", "Telefonnummer", "Handy", "Fax",
                              "Vorname", "Nachname", "First name", "Last Name", "Full name",
                              "Kontakt", "Contact person", "Anrede", "Adresse", "Address",
                              "Straße", "Geburtsdatum", "IBAN", "Work email", "MobilePhone",
                              "Kontaktname", "Name Kontakt", "Kundenname", "Personenname",
                              "Kontoinhaber", "Kontoinhaberin", "E-Mail geschäftlich",
                              "Email (business)",
                              # Salesforce custom fields, webinar exports, profiles
                              "Full_Name__c", "Contact_Name__c", "Lead_Name__c",
                              "Attendee Name", "Teilnehmername", "Prospect Name",
                              "Lead Full Name", "Name des Leads", "Name der Teilnehmerin",
                              "LinkedIn_URL__c", "LinkedIn URL", "Xing Profil", "LinkedIn",
                              "Name of contact"]],
        *[(h, False) for h in ["Bemerkung", "Kontakt-Nr", "Contact owner", "Email subject",
                               "Company Name", "Job Title", "Lead Source", "Mailing list",
                               "Position", "Country", "Owner", "Kampagne", "Firmenname",
                               "Account Name", "Kampagnenname", "Produktname", "Kundennummer",
                               "E-Mail-Kampagne", "Campaign_Name__c", "Owner name",
                               "Lead Owner Name", "Event Name", "Webinar Name",
                               "Facebook Campaign", "LinkedIn Campaign", "LinkedIn Clicks",
                               "LinkedIn Company Page", "Customer Name"]],
    ],
)  # fmt: skip
def test_personal_headers(header, personal):
    assert is_personal(header) is personal


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Rückruf an erika@example.org", "Rückruf an [email]"),
        ("Tel. +49 170 5550001", "Tel. [phone]"),
        ("0049 170 5550001 / (030) 123 45 67", "[phone] / [phone]"),
        ("Rückruf 0049 (0)170 5550105", "Rückruf [phone]"),  # the (0) of a trunk prefix
        ("Büro 0043 (0) 664 1234567", "Büro [phone]"),
        ("Handy 01705550001", "Handy [phone]"),
        ("IBAN DE89370400440532013000", "IBAN [iban]"),
        ("Tel: 0 170 5550001", "Tel: [phone]"),
        ("call 555-867-5309 or 555.867.5309", "call [phone] or [phone]"),
        ("Auftrag 123-456-7890", "Auftrag [phone]"),  # a US number's layout: masked
        # the privacy audit (2026-12-06): an IBAN before a word, in groups, in lower case
        ("IBAN DE89370400440532013000 bitte", "IBAN [iban] bitte"),
        ("Konto DE89 3704 0044 0532 0130 00 Sparkasse", "Konto [iban] Sparkasse"),
        ("iban de89370400440532013000 ok", "iban [iban] ok"),
        ("GB82 WEST 1234 5698 7654 32 please", "[iban] please"),
        # ... an address or number in a URL or in HTML
        ("https://t.example/lp?email=zz.plant%40example.org", "https://t.example/lp?email=[email]"),
        ("?e=ana%40example.org&p=%2B4917177319942", "?e=[email]&p=[phone]"),
        ("mail ana&#64;example.org", "mail [email]"),
        # ... a number written with no-break, thin or narrow spaces, a tab, an en dash
        ("Tel +49\u00a0171\u00a07731\u00a09942", "Tel [phone]"),
        ("0171\u202f7731\u202f9942", "[phone]"),
        ("Tel.\t0171\t77319942", "Tel.\t[phone]"),
        ("Handy 0171\u201377319942", "Handy [phone]"),
        # ... after an ``_``, as after a ``-`` or a ``.`` (rules version 6: a call recording)
        ("anruf_0171 1234567.mp3", "anruf_[phone].mp3"),
        ("recording_01711234567_2026-10-05.wav", "recording_[phone]_2026-10-05.wav"),
        ("Rückruf_0049 171 1234567", "Rückruf_[phone]"),
        ("call_555-867-5309.mp3", "call_[phone].mp3"),
        # not personal: timestamps, dates, amounts, ids, codes, postcodes, a wrong IBAN
        ("report_2026_10_05.pdf", "report_2026_10_05.pdf"),
        ("webinar_20261005_0930", "webinar_20261005_0930"),
        ("rep_08 L_000123 utm_campaign_2026_q4", "rep_08 L_000123 utm_campaign_2026_q4"),
        ("2026-10-05T09:12:00.123456+02:00", "2026-10-05T09:12:00.123456+02:00"),
        ("05.10.2026 09:12", "05.10.2026 09:12"),
        ("1.234.567,50", "1.234.567,50"),
        ("0051000000AAAAA", "0051000000AAAAA"),
        ("FY2026Q4 DE2026SPRINGPROMO", "FY2026Q4 DE2026SPRINGPROMO"),
        ("01069 Dresden", "01069 Dresden"),
        ("0000-01-01", "0000-01-01"),
        ("2026-10-03, 1.234,50 EUR, 00Q5g00000AbCdE", "2026-10-03, 1.234,50 EUR, 00Q5g00000AbCdE"),
        ("Kunde 0000012345", "Kunde 0000012345"),  # zero-padded: no country code starts 0
        ("0 100 2000", "0 100 2000"),
        ("DE00370400440532013000", "DE00370400440532013000"),
        (None, None),
    ],
)
def test_masked_values(text, masked):
    assert mask_text(text) == masked
    frame = pl.DataFrame({"note": [text], "_line": [2]}, schema={"note": pl.String, "_line": int})
    assert scrub("sales_touches", frame)["note"].item() == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "https://ex.com/?q=c%2B%2B&x=%2Fp%3Fa%3D1&tel=00491711234567",
            "https://ex.com/?q=c%2B%2B&x=%2Fp%3Fa%3D1&tel=[phone]",
        ),
        ("Follow-up\tmeeting\tbooked, Ruf 030 1234567", "Follow-up\tmeeting\tbooked, Ruf [phone]"),
        (
            "Q4\u2013Kampagne \u2013 Preis 1\u00a0234,50\u00a0EUR, Ruf 030 1234567",
            "Q4\u2013Kampagne \u2013 Preis 1\u00a0234,50\u00a0EUR, Ruf [phone]",
        ),
        ("Termin 10:00\u202fAM, Ruf 030 1234567", "Termin 10:00\u202fAM, Ruf [phone]"),
        # ... and where the personal value itself is written with folded characters
        ("?q=c%2B%2B&e=ana%40example.org&p=%2B4917177319942", "?q=c%2B%2B&e=[email]&p=[phone]"),
        ("A\u2013B\tTel +49\u00a0171\u00a07731\u00a09942\tok", "A\u2013B\tTel [phone]\tok"),
        ("x&#64;y &#43; ana&#64;example.org", "x&#64;y &#43; [email]"),
        ("Preis 1\u00a0234 EUR, Ruf 030\u00a01234567", "Preis 1\u00a0234 EUR, Ruf [phone]"),
        ("Ruf 030\u00a01234567, Mail ana&#x40;example.org", "Ruf [phone], Mail [email]"),
        # an escape the fold keeps (%01) next to a value: the escapes around it kept too
        ("tel%C2%A0%0171%C2%A07731 9942 a%2Fb", "tel%C2%A0%[phone] a%2Fb"),
        (
            "Handy 0171\u20137731\u20139942 \u2013 ruft zur\u00fcck",
            "Handy [phone] \u2013 ruft zur\u00fcck",
        ),
    ],
)
def test_only_the_personal_value_of_a_cell_is_replaced(text, masked):
    """Re-audit of the privacy fixes (2026-12-06), section 2: a cell that held a personal
    value was stored as folded (``%2B`` as ``+``, tabs and en dashes as ASCII), not as read."""
    assert mask_text(text) == masked
    frame = pl.DataFrame({"created_at": [text], "note": [text], "_line": [2]})
    out = scrub("leads", frame.rename({"note": "job_title"}))
    assert out["created_at"].to_list() == out["job_title"].to_list() == [masked]


#: Pieces of text that hold no personal value, however they are put together: letters,
#: punctuation, spaces and dashes of every kind, the ``+`` and ``/`` of a URL or of HTML.
_NO_VALUE = st.lists(
    st.sampled_from(
        [
            *"abcXYZ .,;:/-_?=!\u00e4\u00df\t\u00a0\u202f\u2009\u2013\u2212\u3002()&",
            *("%2B", "&#43;", "%2F", "%28", "%29", "%26", "\U000e0020"),
            *("%3A", "%u002B", "\\u00fc", "\\u2013", "\\x2b", "\\n", "\\/", "&#8211;", "=2E"),
            *("\\u{1F600}", "\\u{e4}", "\\x{2b}", "=\n", "=\r\n", "=3D", "\\_", "\\(", "+"),
            *("%26commat", "\n"),
        ]
    ),
    max_size=30,
).map("".join)
#: A personal value, written plainly or as only the fold reads it, and its mask.
_VALUES = [
    ("ana@example.org", "[email]"),
    ("ana%40example.org", "[email]"),
    ("+49 171 7731 9942", "[phone]"),
    ("%2B49\u00a0171\u00a07731\u00a09942", "[phone]"),
    ("0171\u20137731\u20139942", "[phone]"),
    ("DE89 3704 0044 0532 0130 00", "[iban]"),
    ("ana\\u{40}example.org", "[email]"),
    ("ana\\U00000040example.org", "[email]"),
    ("ana.mu=\nller@example.org", "[email]"),
    ("ana@exam=\r\nple.org", "[email]"),
    ("ana=3D40example.org", "[email]"),
    ("ana%26commat%3Bexample.org", "[email]"),
    ("ana\\@example.org", "[email]"),
    ("+4917177319942+4917177319943", "[phone][phone]"),
    ("++49 171 7731 9942", "[phone]"),
    ("KontoDE89370400440532013000", "Konto[iban]"),
    ("Teléfono 612 345 678", "Teléfono [phone]"),
    ("Telefono: 3391234567", "Telefono: [phone]"),
]


_PIECES = [
    *"abcxyzAETZ.,;:-+_/#!?'\"()[]{}<> \t\n\r",
    *("at", "AT", "dot", "DOT", "phone", "[phone]", "[email]", "ana", "example", ".org"),
    *("@", "(at)", "[dot]", "%40", "&#64;", "=40", "\\u0040", "\u00a0", "\uff10", "ä"),
    *("0171", " 7731 9942", "+49", "DE89370400440532013000", "=\n"),
]


#: Phone numbers in the layouts text reads (a call recording's file name holds one so).
_LAYOUTS = [
    "0171 1234567", "01711234567", "+49 171 1234567", "0049 171 1234567", "030/1234567",
    "555-867-5309", "0171-1234567", "+4917112345678", "06 12 34 56 78",
]  # fmt: skip


@settings(max_examples=50)  # 3,000 passed by hand; each example masks two texts (~30 ms)
@given(
    before=st.text(alphabet="abcxyzABCÄÖÜäöüß", min_size=1, max_size=8),
    number=st.sampled_from(_LAYOUTS),
    after=st.text(alphabet="abcxyzABCÄÖÜäöüß", min_size=1, max_size=8),
    ending=st.sampled_from(["", ".mp3", ".wav"]),
)
def test_a_number_between_underscores_is_masked_as_between_dashes(before, number, after, ending):
    """Rules version 6: an ``_`` parts a number from the words around it as a ``-`` does
    (``anruf_0171 1234567_2026.mp3``); before, it glued the number to them as a letter."""
    dashed = mask_text(f"{before}-{number}-{after}{ending}")
    assert dashed == f"{before}-[phone]-{after}{ending}"
    assert mask_text(f"{before}_{number}_{after}{ending}") == f"{before}_[phone]_{after}{ending}"


@given(st.lists(st.sampled_from(_PIECES), max_size=20).map("".join))
@example("ana(at)example.org")
@example("ana[AT]example[dot]org")
@example("ana%EF%BC%A0example.org")
@example("Ruf +49 171 7731 9942")
@example("DE89370400440532013000")
def test_a_text_the_quick_pass_skips_is_one_no_rule_reads(text):
    # What any rule finds or folds has what the quick pass looks for (_MAY_HOLD): so
    # the texts it skips would have been kept as they are anyway.
    values = pl.Series([text], dtype=pl.String)
    read = (
        privacy._mask_both_readings(values).item() != text
        or privacy._personal_ids_read(values).item()
        or privacy._personal_ids_read(values, among=False).item()
        or privacy._fold(values).item() != text
    )
    if read:
        assert privacy._MAY_HOLD_RE.search(text)


@given(st.from_regex(rf"\A(?:{privacy._PLAIN_ID})\Z"))
@example("DE89")  # the start of an IBAN: two letters are a word, never one letter
@example("Tel-01711234")  # 8 digits after a phone word and a dash
def test_a_plain_id_the_quick_pass_skips_is_one_no_rule_reads(value):
    values = pl.Series([value], dtype=pl.String)
    assert not privacy._personal_ids_read(values).item()
    assert not privacy._personal_ids_read(values, among=False).item()


def test_no_phone_word_a_dash_and_8_digits_is_a_personal_id_but_9_may_be():
    """Why a plain id has at most 8 digits after its word (:data:`privacy._PLAIN_ID`):
    every phone word, in every case, with a dash or an underscore and digits in the
    shapes of a phone number."""
    digits = ["0171123456789", "0049171123456", "4917112345678", "0000000000000"]
    cases = [
        f"{case(word)}{mark}{run[:n]}"
        for word in privacy.PHONE_WORDS
        for case in (str, str.upper, str.title)
        for mark in "-_"
        for run in digits
        for n in range(1, 9)
    ]
    plain = [v for v in cases if privacy._PLAIN_ID_RE.fullmatch(v)]  # (not "tél-0171")
    assert len(plain) > 0.8 * len(cases)
    read = privacy._personal_ids_read(pl.Series(plain, dtype=pl.String))
    assert [v for v, hit in zip(plain, read, strict=True) if hit] == []
    assert is_personal_id("Tel-017112345")  # 9 digits: a phone number, read by the rules
    assert not privacy._PLAIN_ID_RE.fullmatch("Tel-017112345")


@given(
    st.sampled_from(sorted(privacy._PLAIN)).flatmap(
        lambda kind: st.from_regex(privacy._PLAIN[kind].replace("$", r"\Z"))
    )
)
def test_a_cell_plainly_of_a_key_columns_type_is_no_personal_id(value):
    # a typed key column (lifecycle_events.entered_at) reads only its other cells as ids
    assert not privacy._personal_ids_read(pl.Series([value], dtype=pl.String), among=False).item()


@pytest.mark.parametrize("repeated", [True, False])
def test_a_long_file_is_scrubbed_as_each_of_its_rows_alone(repeated):
    """A column whose values repeat is read once per distinct value (privacy._repeats):
    the same cells as a row at a time, in a text, an id and a typed key column."""
    rows = [
        ("L1", "2026-10-01T09:00:00Z", "Ruf 0171 7731 9942 an", "ana@example.org"),
        ("Tel-01711234567", "ruf 0171 7731 9942", "google-ads-2025", None),
        ("L2", None, None, "Web form"),
        ("ana(at)example.org", "2026-10-02", "Mail: ana(AT)example.org", "L-007"),
    ]
    n = privacy._FEW_TEXTS + 1
    if repeated:
        rows = rows * n
    else:  # every value its own
        rows = [tuple(v if v is None else f"{v} {i}" for v in r) for i in range(n) for r in rows]
    frame = pl.DataFrame(
        rows, schema=["lead_id", "entered_at", "reason", "trigger"], orient="row"
    ).with_row_index("_line")
    assert privacy._repeats(frame["reason"]) is repeated
    whole = scrub("lifecycle_events", frame, salt="s")
    one_by_one = pl.concat(
        [scrub("lifecycle_events", frame.slice(i, 1), salt="s") for i in range(8)], how="diagonal"
    )
    assert whole.head(8).equals(one_by_one.select(whole.columns))
    assert whole["lead_id"][1].startswith("h_") and whole["reason"][0].startswith("Ruf [phone] an")


@pytest.mark.parametrize("copies", [1, privacy._FEW_TEXTS + 1])  # read in Python; in polars
def test_the_plain_ids_skipped_change_no_verdict(copies):
    ids = ["L0000001", "rep-08", "L-000123", "4711", "Tel-01711234567", "Tel01711234567",
           "DE89370400440532013000", "ana@example.org", "L0815\n", None, "A-1-2",
           "x+4917112345678"]  # fmt: skip
    column = pl.Series(ids * copies, dtype=pl.String)
    read = privacy._personal_ids_read(column.fill_null("")).to_list()
    assert privacy._personal_ids(column).to_list() == read
    assert read[:6] == [False, False, False, False, True, True]


@pytest.mark.parametrize("copies", [1, privacy._FEW_TEXTS + 1])  # read in Python; in polars
def test_a_column_is_masked_as_each_of_its_texts_alone(copies):
    texts = ["Web form", None, "Ruf 0171 7731 9942 an", "ana(at)example.org", "L-007", "Ära"]
    column = pl.Series(texts * copies, dtype=pl.String)
    assert mask_texts(column.to_list()) == [mask_text(t) for t in texts] * copies
    ids = privacy._personal_ids(column).to_list()
    assert ids == [t is not None and is_personal_id(t) for t in texts] * copies
    assert ids[:6] == [False, False, True, True, False, False]


@given(_NO_VALUE)
def test_a_cell_with_no_personal_value_is_kept_as_it_is(text):
    assert mask_text(text) == text


@given(_NO_VALUE, st.sampled_from(_VALUES), _NO_VALUE)
def test_the_text_around_a_personal_value_is_kept_byte_for_byte(before, value, after):
    spelt, mask = value
    assert mask_text(f"{before} {spelt} {after}") == f"{before} {mask} {after}"


@given(
    st.lists(
        st.sampled_from(
            [
                *"a0@+%24B.-&#;x \t\u00a0\u2013\u3002/()\\=unE",
                "40",
                "%40",
                "&#64;",
                "&#00",
                "%2F",
                "%28",
                "%u0040",
                "\\u0040",
                "\\x40",
                "\\xc2\\xa0",
                "=40",
                "=2E",
                "%26",
                "%23",
                "%3B",
                "\\n",
                "\\/",
                "\\u00fc",
                "\\u2013",
                "%C3%BC",
                "=C3=BC",
                "\\ud83d",
                "&#8211;",
                "&#x202F;",
                "&#0252",
                "\\u{40}",
                "\\x{2b}",
                "\\U00000040",
                "\\u{1F600}",
                "{",
                "}",
                "=\n",
                "=\r\n",
                "=3D",
                "%26commat%3B",
                "\\@",
                "\\_",
            ]
        )
    ).map("".join)
)
def test_the_fold_with_its_map_writes_what_the_fold_writes(text):
    from analytics.warehouse.privacy import _READ, _READ_BEFORE

    for read in (_READ, _READ_BEFORE):
        folded, starts, ends = _fold_mapped(text, read)
        assert folded == _fold(pl.Series([text], dtype=pl.String), read).item()
        assert len(starts) == len(ends) == len(folded)
        assert all(0 <= a < b <= len(text) for a, b in zip(starts, ends, strict=True))


def test_the_escapes_polars_decodes_at_once_read_as_the_function_reads_them():
    """``_fold`` decodes the escapes (and HTML numbers) of the characters beyond ASCII
    written most from a table, and the others in Python: both must write each alike."""
    from analytics.warehouse.privacy import _AT_ONCE, _FOLDS

    patterns = {plain: pattern for pattern, plain in _FOLDS if callable(plain)}
    assert [len(table) > 1000 for table in _AT_ONCE.values()] == [True, True]
    wrong = {
        spelt: char
        for read, table in _AT_ONCE.items()
        for spelt, char in table.items()
        if (m := patterns[read].fullmatch(spelt)) is None or read(m) != char
    }
    assert wrong == {}


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("mail a.b%2540example.org", "mail [email]"),  # %-encoded twice
        ("mail a.b&#x40;example.org", "mail [email]"),
        ("mail a.b&#X40;example.org", "mail [email]"),
        ("mail a.b&amp;#64;example.org", "mail [email]"),  # HTML-escaped twice
        ("mail a.b\uff20example.org", "mail [email]"),  # full-width
        ("mail a.b\ufe6bexample.org", "mail [email]"),  # small
        ("mail a.b\u200b@example.org", "mail [email]"),  # a zero-width space
        ("mail a.b (at) example (dot) org", "mail [email]"),
        ("tel \uff0b49 171 7731 9901", "tel [phone]"),  # a full-width plus
        (
            "tel \uff10\uff11\uff17\uff11 \uff17\uff17\uff13\uff11\uff19\uff19\uff10\uff12",
            "tel [phone]",
        ),
        ("tel +49\u2002171\u20027731\u20029903", "tel [phone]"),  # en spaces
        ("tel +49\u3000171\u30007731\u30009904", "tel [phone]"),  # ideographic spaces
        ("tel +49 171\u00ad7731\u00ad9905", "tel [phone]"),  # soft hyphens
        ("tel tel:%2B49%20171%207731%209906", "tel tel:[phone]"),
        ("tel +49%C2%A0171%C2%A07731%C2%A09907", "tel [phone]"),
        ("iban GB82-WEST-1234-5698-7654-32 ok", "iban [iban] ok"),
        ("iban de89-3704-0044-0532-0130-00 ok", "iban [iban] ok"),
        ("iban FR76-3000-6000-0112-3456-7890-189 ok", "iban [iban] ok"),
        ("iban DE89.3704.0044.0532.0130.00", "iban [iban]"),
        ("iban DE89\u20133704\u20130044\u20130532\u20130130\u201300", "iban [iban]"),
        ("Bestellung DE2026-SPRING-0044-0532", "Bestellung DE2026-SPRING-0044-0532"),  # no IBAN
        # second re-audit (2026-12-06, H1): %-encoded / ( ) & inside a number
        ("?p=0170%2F5550001", "?p=[phone]"),
        ("?p=0170%2f5550001&x=1", "?p=[phone]&x=1"),
        ("tel:%2B49%20%280%29171%207731%209943", "tel:[phone]"),
        ("?x=a%26b&p=0170%2F5550001", "?x=a%26b&p=[phone]"),
        # ... HTML numeric entities with any number of zeros, or with no closing ;
        ("mail zz.l8&#x00040;example.org", "mail [email]"),
        ("mail zz.l8&#X0000040;example.org ok", "mail [email] ok"),
        ("mail zz.t5&#000064;example.org", "mail [email]"),
        ("mail zz.t6&#64example.org", "mail [email]"),
        ("mail zz.t6&#64example&#46org", "mail [email]"),
        ("mail zz.t6&#x40;example.org&#32x", "mail [email]&#32x"),
        # ... an ideographic full stop read as a dot
        ("mail zz.l4@example\u3002org", "mail [email]"),
        ("mail zz.l4@example\uff61org ok", "mail [email] ok"),
        ("mail zz.l4@example\uff0eorg", "mail [email]"),
        # ... spaces around the @
        ("mail zz.t12 @ example.org", "mail [email]"),
        ("mail zz.t12\u00a0@\u00a0example.org ok", "mail [email] ok"),
        ("mail zz.t12 @example.org", "mail [email]"),
        # ... non-ASCII addresses
        (
            "mail \u0438\u0432\u0430\u043d@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444 ok",
            "mail [email] ok",
        ),
        ("\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a", "[email]"),
        ("mail m\u00fcller@b\u00fccher.de", "mail [email]"),
        # ... IBANs with double spaces or / between groups
        ("iban DE89  3704  0044  0532  0130  00 ok", "iban [iban] ok"),
        ("iban DE89/3704/0044/0532/0130/00", "iban [iban]"),
        # ... tag characters and the combining grapheme joiner
        ("mail zz.t1\U000e0020@example.org", "mail [email]"),
        ("tel 0171 7731\U000e00209942", "tel [phone]"),
        ("tel 0171\u034f77319942", "tel [phone]"),
        ("\U000e0001mail zz.t1@example.org", "\U000e0001mail [email]"),
        # third re-audit (2026-12-06): JavaScript's, an escaped string's, a mail's escapes
        ("mail jane.doe%u0040example.com ok", "mail [email] ok"),
        ("mail jane.doe%U0040example.com", "mail [email]"),
        ("mail jane.doe\\x40example.com ok", "mail [email] ok"),
        ("mail jane.doe\\u0040example.com ok", "mail [email] ok"),
        ('{"m": "jane.doe\\\\u0040example.com"}', '{"m": "[email]"}'),  # escaped twice
        ("mail jane.doe=40example.com ok", "mail [email] ok"),
        ("mail jane=2Edoe=40example=2Ecom ok", "mail [email] ok"),
        ("mail jane.doe%26%2364%3Bexample.com ok", "mail [email] ok"),
        ("mail jane.doe%26%23x40%3Bexample.com", "mail [email]"),
        ("mail jane.doe%26amp%3B%2364%3Bexample.com", "mail [email]"),
        ("mail jane.doe\\u0026#64;example.com", "mail [email]"),
        ("mail jane.doe@example%u002Ecom ok", "mail [email] ok"),
        ("mail jane.doe@example\\x2ecom ok", "mail [email] ok"),
        ("mail jane.doe@example\\u002Ecom ok", "mail [email] ok"),
        ("tel %u002B49 171 7731 9942 ok", "tel [phone] ok"),
        ("tel \\x2B49 171 7731 9942 ok", "tel [phone] ok"),
        ("tel \\u002b49\\u00a0171\\u00a07731\\u00a09942 ok", "tel [phone] ok"),
        ("tel \\x2b49\\xc2\\xa0171\\xa07731 9942 ok", "tel [phone] ok"),
        ("tel %u002B49%u0020171%u00207731%u00209942", "tel [phone]"),
        ("tel 0170\\/5550001 ok", "tel [phone] ok"),
        # ... JSON's escaped line break or tab before or in a number (no word boundary)
        ("Ruf:\\n0171 7731 9942", "Ruf:\\n[phone]"),
        ("Ruf:\\r\\n+49 171 7731 9942\\nDanke", "Ruf:\\r\\n[phone]\\nDanke"),
        ("Ruf 0171\\t7731\\t9942", "Ruf [phone]"),
        ("?note=Ruf%0A0171 7731 9942", "?note=Ruf%0A[phone]"),
        # ... an escaped punctuation mark (its last hex digit a letter) before a value
        ("?u=tel%3A%2B4917177319942&x=1", "?u=tel%3A[phone]&x=1"),
        ("Ruf%3A0171 7731 9942", "Ruf%3A[phone]"),
        ("a%2C0171 7731 9942%2Cb", "a%2C[phone]%2Cb"),
        ("?next=%2Fcb%3Fp%3D01717731994", "?next=%2Fcb%3Fp%3D[phone]"),
        ("Ruf\\x3a0171 7731 9942", "Ruf\\x3a[phone]"),
        ("Ruf&#58;0171 7731 9942", "Ruf&#58;[phone]"),
        ("IBAN%3ADE89370400440532013000", "IBAN%3A[iban]"),
        ("mail ana%5Bat%5Dexample%5Bdot%5Dorg", "mail [email]"),
        # ... a character beyond ASCII escaped (Python's json.dumps, a browser's URL)
        ("mail m\\u00fcller@b\\u00FCcher.de ok", "mail [email] ok"),
        ("?e=m%C3%BCller%40b%c3%bccher.de&x=1", "?e=[email]&x=1"),
        ("mail m=C3=BCller=40b=C3=BCcher.de", "mail [email]"),
        ("mail m\\xc3\\xbcller\\x40b\\xc3\\xbccher.de", "mail [email]"),
        ("mail m%u00FCller%u0040example.org", "mail [email]"),
        ("mail ana\\uff20example.org", "mail [email]"),
        (
            "\\u0438\\u0432\\u0430\\u043d@\\u043f\\u0440\\u0438\\u043c\\u0435\\u0440.\\u0440\\u0444",
            "[email]",
        ),
        ('{"tel": "+49\\u202f171\\u202f7731\\u202f9942"}', '{"tel": "[phone]"}'),
        ("Handy 0171\\u20137731\\u20139942 ok", "Handy [phone] ok"),
        ("Handy 0171%E2%80%937731%E2%80%939942", "Handy [phone]"),
        ("Ruf \\u201e0171 7731 9942\\u201c", "Ruf \\u201e[phone]\\u201c"),
        ("tel +49\\u00A0171\\u200b7731\\u30009942", "tel [phone]"),
        # ... an HTML number of a character beyond ASCII (what Word's HTML writes)
        ("tel 0171&#8211;7731&#8211;9942 ok", "tel [phone] ok"),
        ("tel +49&#8239;171&#x202F;7731&#0008239;9942", "tel [phone]"),
        ("mail ana&#65312;example.org", "mail [email]"),
        ("mail ana@example&#12290;org ok", "mail [email] ok"),
        ("mail m&#252;ller@b&#xfc;cher.de", "mail [email]"),
        # fourth round (2026-12-07): what docs/import-formats.md listed as still not read
        # ... an escape by code point in braces (ES6, Rust, Swift; Perl, PHP) or in 8 digits
        ("mail max\\u{40}example.com ok", "mail [email] ok"),
        ("mail max\\u{0040}example.com", "mail [email]"),
        ("mail max\\x{40}example.com ok", "mail [email] ok"),
        ("mail max\\U00000040example.com ok", "mail [email] ok"),
        ("mail max@example\\u{2e}com", "mail [email]"),
        ("mail m\\u{fc}ller@b\\u{FC}cher.de", "mail [email]"),
        ("mail m\\U000000fcller\\U00000040b\\U000000FCcher.de", "mail [email]"),
        ('{"m": "max\\\\u{40}example.com"}', '{"m": "[email]"}'),  # escaped twice
        ("tel \\u{2B}49\\u{a0}171\\u{a0}7731\\u{a0}9942 ok", "tel [phone] ok"),
        ("tel \\U0000002B49 171 7731 9942", "tel [phone]"),
        # ... a quoted-printable soft line break in an address or a number
        ("mail max.mu=\r\nller@example.com ok", "mail [email] ok"),
        ("mail max.mu=\nller@example.com", "mail [email]"),
        ("mail max.muller@exam=\nple.com ok", "mail [email] ok"),
        ("mail max.muller@example=\r\n.com", "mail [email]"),
        ("mail max.mu= \r\nller@example.com", "mail [email]"),  # a space a transport left
        ("mail max.mu=\\r\\nller@example.com ok", "mail [email] ok"),  # in a JSON string
        ("=\nmail max.mu=\nller=40exam=\nple.com=\n", "=\nmail [email]=\n"),
        ("tel 0171 77=\r\n31 9942 ok", "tel [phone] ok"),
        # ... quoted-printable of quoted-printable (its = escaped as =3D), twice or more
        ("mail max=3D40example.com ok", "mail [email] ok"),
        ("mail max=3D2Emuster=3D40example=3D2Ecom", "mail [email]"),
        ("mail max=3D3D40example.com", "mail [email]"),
        # ... an HTML name URL-encoded, its & or ; escaped, or plain
        ("mail max%26commat%3Bexample.com ok", "mail [email] ok"),
        ("mail max%26commat;example.com", "mail [email]"),
        ("mail max&commat%3Bexample.com", "mail [email]"),
        ("mail max%26amp%3Bcommat%3Bexample.com", "mail [email]"),
        ("mail max%2526commat%253Bexample.com", "mail [email]"),
        ("mail max%26commat%3Bexample%26period%3Bcom", "mail [email]"),
        ("?e=max\\u0026commat;example.com&x=1", "?e=[email]&x=1"),
        ("mail max&commat;example.com", "mail [email]"),
        ("mail max&amp;commat;example.com", "mail [email]"),
        ("tel %26plus%3B49 171 7731 9942", "tel [phone]"),
        # ... more of the same families: a backslash before a character (Perl's
        # Data::Dumper writes \@, a Markdown export \_ \. \+ \( \)), ++ before a number
        ("perl max\\@example.com ok", "perl [email] ok"),
        ("md max\\_muster@example.com ok", "md [email] ok"),
        ("md max\\.muster@example\\.com", "md [email]"),
        ("md \\+49 171 7731 9942", "md [phone]"),
        ("md \\(030\\) 123 45 67", "md [phone]"),
        ("tel ++49 171 7731 9942 ok", "tel [phone] ok"),
        ("Tel. ++49 (0)171 7731 9942", "Tel. [phone]"),
    ],
)
def test_a_personal_value_however_it_is_spelt_is_masked(text, masked):
    """Re-audit of the privacy fixes (2026-12-06), section 3: these spellings were stored
    in clear (or an IBAN in dashed groups half as a phone number)."""
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # an image for a pixel density is no e-mail address, however its @ is written
        ("https://cdn.example.com/icon%402x.png", "https://cdn.example.com/icon%402x.png"),
        ("icon@2x.png", "icon@2x.png"),
        ("logo@3X.JPG", "logo@3X.JPG"),
        ("img/hero@1.5x.webp?v=2", "img/hero@1.5x.webp?v=2"),
        ("icon@2x.png, ana@example.org", "icon@2x.png, [email]"),
        ("ana@2x.example.org", "[email]"),  # a domain, no image
        # weighed and kept masked: written with ASCII separators they always were
        ("Bestellnr. 0815\u201347110", "Bestellnr. [phone]"),
        ("Bestellung 0171\u20134711\u20139942", "Bestellung [phone]"),
        ("Lager\t0049\t1234567", "Lager\t[phone]"),
        ("EUR 0\u00a0123\u00a0456\u00a0789", "EUR [phone]"),
        # second re-audit (2026-12-06, H1): no wider than each spelling needs
        ("meet @ 5pm", "meet @ 5pm"),
        ("meet @ Cafe", "meet @ Cafe"),
        ("5 @ 3.50 EUR", "5 @ 3.50 EUR"),
        ("?q=c%2B%2B&r=%28x%29%2Fy", "?q=c%2B%2B&r=%28x%29%2Fy"),
        ("c%2B%2B", "c%2B%2B"),
        ("icon @ 2x.png", "icon @ 2x.png"),
        ("A&#64 B &#x0040; C", "A&#64 B &#x0040; C"),
        ("\u6587\u3002\u6b21\u3002", "\u6587\u3002\u6b21\u3002"),  # a sentence's full stops
        ("Ref DE89  3704 bitte", "Ref DE89  3704 bitte"),
        ("\U000e0067\U000e0062 flag", "\U000e0067\U000e0062 flag"),
        # third re-audit: = is ordinary text too, and so are backslashes
        ("a=40", "a=40"),
        ("width=40px; height=40px", "width=40px; height=40px"),
        ("?x=40&y=1", "?x=40&y=1"),
        ("x=40.5kg, v=40.1.2", "x=40.5kg, v=40.1.2"),
        ("a =40 b.com", "a =40 b.com"),
        ("retries=40 host=example.com", "retries=40 host=example.com"),
        ("color=2E2E2E n=2e5", "color=2E2E2E n=2e5"),
        ("C:\\Users\\name\\new\\0171 notes", "C:\\Users\\name\\new\\0171 notes"),
        (
            "c\\x2b\\x2b \\u00e4rger tab\\there \\\\server\\share",
            "c\\x2b\\x2b \\u00e4rger tab\\there \\\\server\\share",
        ),
        ("?q=a%3Db%2Cc%3B%21&r=%5B1%5D%3A2", "?q=a%3Db%2Cc%3B%21&r=%5B1%5D%3A2"),
        (
            "Preis%3A 1.234%2C50 EUR%2C Termin%3A 05.10.2026",
            "Preis%3A 1.234%2C50 EUR%2C Termin%3A 05.10.2026",
        ),
        (
            "\\u00c4rger \\ud83d\\ude00 %C3%28 =C3=BC \\xe2\\x82",
            "\\u00c4rger \\ud83d\\ude00 %C3%28 =C3=BC \\xe2\\x82",
        ),
        ("&#55357; &#1114112; &#x1F600; 1&#8211;2", "&#55357; &#1114112; &#x1F600; 1&#8211;2"),
        # ... weighed and masked, as %40 in its place always was: a value that starts with
        # 40 and runs on into words parted by a dot reads as an address
        ("size=40x40.png", "[email]"),
        ("icon=402x.png", "icon=402x.png"),  # an image for a pixel density, as icon@2x.png
        # fourth round (2026-12-07): no wider than each new spelling needs
        ("\\u{1F600}", "\\u{1F600}"),
        (
            "smile \\u{1F600} \\u{40} \\x{40} \\U00000040 ok",
            "smile \\u{1F600} \\u{40} \\x{40} \\U00000040 ok",
        ),
        ("a\\u{40}b, c\\U00000040, \\u{}, \\x{zz}", "a\\u{40}b, c\\U00000040, \\u{}, \\x{zz}"),
        ("a=3D40, x=3D40&y=1, color=3D2E2E2E", "a=3D40, x=3D40&y=1, color=3D2E2E2E"),
        ("Summe=\n12,50 EUR", "Summe=\n12,50 EUR"),
        ("a =\r\nb, width=\n40px", "a =\r\nb, width=\n40px"),
        ("R%26D%3B %26commat%3B &commat; ok", "R%26D%3B %26commat%3B &commat; ok"),
        ("C:\\Users\\max\\.ssh\\id_rsa, \\(x\\)", "C:\\Users\\max\\.ssh\\id_rsa, \\(x\\)"),
        ("c++, ++i, 2++", "c++, ++i, 2++"),
        # ... weighed and masked, as size=40x40.png always was
        ("size=3D40x40.png", "[email]"),
    ],
)
def test_what_the_fold_may_take_for_a_personal_value(text, masked):
    """Re-audit of the privacy fixes (2026-12-06), section 4: ``icon%402x.png`` became
    ``[email]``; the order numbers, written as a phone number is, stay masked
    (docs/import-formats.md)."""
    assert mask_text(text) == masked


def test_an_image_name_for_a_pixel_density_is_no_personal_id():
    assert [is_personal_id(v) for v in ("icon%402x.png", "icon@2x.png", "a@2x.example.org")] == [
        False, False, True,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("spelt", "plain"),
    [
        ("a.b%2540example.de", "a.b@example.de"),
        ("a.b&#x40;example.de", "a.b@example.de"),
        ("a.b&#X40;example.de", "a.b@example.de"),
        ("a.b\uff20example.de", "a.b@example.de"),
        ("a.b\u200b@example.de", "a.b@example.de"),
        ("\uff0b49 171 7731 9942", "+49 171 7731 9942"),
        ("+49\u3000171\u30007731\u30009942", "+49 171 7731 9942"),
        ("DE89\u20133704\u20130044\u20130532\u20130130\u201300", "DE89-3704-0044-0532-0130-00"),
        # second re-audit (2026-12-06, H1)
        ("zz.l4@example\u3002org", "zz.l4@example.org"),
        ("zz.l4@example\uff61org", "zz.l4@example.org"),
        ("zz.l8&#x00040;example.org", "zz.l8@example.org"),
        ("zz.l8&#000064;example.org", "zz.l8@example.org"),
        ("zz.l8&#64example.org", "zz.l8@example.org"),
        ("zz.t12 @ example.org", "zz.t12@example.org"),
        ("zz.t12\u00a0@ example.org", "zz.t12@example.org"),
        ("zz.t1\U000e0020@example.org", "zz.t1@example.org"),
        (
            "\u0438\u0432\u0430\u043d@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444",
            "\u0418\u0432\u0430\u043d@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444",
        ),
        ("\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a", "\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a"),
        ("0170%2F5550001", "0170/5550001"),
        ("%2B49%20%280%29171%207731%209943", "+49 (0)171 7731 9943"),
        ("+49 171\u034f7731 9942", "+49 1717731 9942"),
        ("de89.3704.0044.0532.0130.00", "DE89.3704.0044.0532.0130.00"),
        ("gb82-west-1234-5698-7654-32", "GB82-WEST-1234-5698-7654-32"),
        # third re-audit (2026-12-06)
        ("jane.doe%u0040example.com", "jane.doe@example.com"),
        ("jane.doe\\x40example.com", "jane.doe@example.com"),
        ("jane.doe\\u0040example.com", "jane.doe@example.com"),
        ("jane.doe\\\\u0040example.com", "jane.doe@example.com"),
        ("jane.doe=40example.com", "jane.doe@example.com"),
        ("jane=2Edoe=40example=2Ecom", "jane.doe@example.com"),
        ("jane.doe%26%2364%3Bexample.com", "jane.doe@example.com"),
        ("jane.doe@example\\u002ecom", "jane.doe@example.com"),
        ("%u002B49 171 7731 9942", "+49 171 7731 9942"),
        ("\\x2B49\\xc2\\xa0171\\xc2\\xa07731\\xc2\\xa09942", "+49 171 7731 9942"),
        ("0170\\/5550001", "0170/5550001"),
        ("m\\u00fcller@b\\u00fccher.de", "m\u00fcller@b\u00fccher.de"),
        ("M%C3%9Cller%40b%C3%BCcher.de", "m\u00fcller@b\u00fccher.de"),
        ("m=C3=BCller=40b=C3=BCcher.de", "m\u00fcller@b\u00fccher.de"),
        ("+49\\u202f171\\u202f7731\\u202f9942", "+49 171 7731 9942"),
        ("+49%E2%80%AF171%E2%80%AF7731%E2%80%AF9942", "+49 171 7731 9942"),
        ("+49&#8239;171&#8239;7731&#8239;9942", "+49 171 7731 9942"),
        ("m&#252;ller@b&#xFC;cher.de", "m\u00fcller@b\u00fccher.de"),
        # fourth round (2026-12-07): ids no import hashed before (no hash changes)
        ("max\\u{40}example.com", "max@example.com"),
        ("max\\x{40}example.com", "max@example.com"),
        ("max\\U00000040example.com", "max@example.com"),
        ("max.muller@exam=\nple.com", "max.muller@example.com"),
        ("max.muller@exam=\r\nple.com", "max.muller@example.com"),
        ("max=3D40example.com", "max@example.com"),
        ("max%26commat%3Bexample.com", "max@example.com"),
        ("max\\@example.com", "max@example.com"),
        ("\\u{2B}49 171 7731 9942", "+49 171 7731 9942"),
    ],
)
def test_an_id_however_it_is_spelt_is_hashed_as_its_plain_spelling(spelt, plain):
    assert is_personal_id(spelt) and is_personal_id(plain)
    assert hash_text(spelt, "s") == hash_text(plain, "s")


@pytest.mark.parametrize(
    "value", ["zz.plant%40example.org", "+49\u00a0171\u00a07731\u00a09942", "ana&#64;example.org"]
)
def test_an_id_written_in_a_url_or_with_other_spaces_is_hashed(value):
    assert is_personal_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "meet @ 5pm",
        "icon @ 2x.png",
        "c%2B%2B",
        "de5217ec03f9420c3a82973ef073279b",
        "L-007",
        "a=40",
        "width=40px",
        "ref=2E5",
        "c\\x2b\\x2b",
        "L\\u0030",
        "a\\u{40}b",
        "\\u{1F600}",
        "a=3D40",
        "2+2",
        "1+1=2",
    ],
)
def test_an_id_that_only_looks_spelt_is_no_personal_id(value):
    assert not is_personal_id(value)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("+4917112345678+4917187654321", "[phone][phone]"),
        ("Tel +49 171 1234567+49 171 7654321 ok", "Tel [phone][phone] ok"),
        ("Ruf 0171 1234567+49 171 7654321", "Ruf [phone][phone]"),
        ("+4917112345678+4917187654321+4917100000001", "[phone][phone][phone]"),
        ("+4917112345678++4917187654321", "[phone][phone]"),
        ("?tel=%2B4917112345678%2B4917187654321&x=1", "?tel=[phone][phone]&x=1"),
        # not phone-like: sums, prices, versions
        ("2+2", "2+2"),
        ("1+1=2", "1+1=2"),
        ("100+200+300", "100+200+300"),
        ("12,50 EUR+3,20 EUR", "12,50 EUR+3,20 EUR"),
        ("Summe 1.234,50+19% MwSt", "Summe 1.234,50+19% MwSt"),
        ("Version 2.1+3, Q1+Q2 2026", "Version 2.1+3, Q1+Q2 2026"),
        ("+4917112345678+2", "[phone]+2"),
    ],
)
def test_phone_numbers_joined_by_their_plus_are_each_masked(text, masked):
    """Fourth round (2026-12-07): the ``+`` of the second number stood where the first
    one's match ended, so ``+49171...+49171...`` kept the second number in clear."""
    assert mask_text(text) == masked
    frame = pl.DataFrame({"note": [text], "_line": [2]})
    assert scrub("sales_touches", frame)["note"].item() == masked


@pytest.mark.parametrize(
    "value", ["+4917155500991+4917155500992", "++49 171 5550099", "+49 171 5550099+49 171 5550098"]
)
def test_an_id_of_numbers_joined_by_their_plus_or_with_two_is_hashed(value):
    assert is_personal_id(value)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("phone=\n+49 171 7731 9942", "phone=\n[phone]"),
        ("Ruf 0171 7731 9942=\nab", "Ruf [phone]=\nab"),
        ("Ruf 0171 7731 9942\\_ok", "Ruf [phone]\\_ok"),
        # (a letter before a + no longer hides a number: the escaped + is the number's)
        ("Tel\\+49 171 7731 9942", "Tel[phone]"),
        ("x0171\\x{2b}0171 7731 9942", "x0171\\x{2b}[phone]"),
    ],
)
def test_a_spelling_read_now_masks_no_less_than_before(text, masked):
    """A soft line break or a backslash read away joins what stood apart: a number can
    run into the word before or after it. What the reading before found stays masked."""
    assert mask_text(text) == masked


#: Ids an import hashed before the spellings of 2026-12-07 were read, and the hash stored
#: for each (salt ``s``, computed by the code before them): a warehouse keeps joining and
#: purging them. (An IBAN's spellings stay two ids, as they were stored: docs/import-formats.md.)
_STORED_HASHES = [
    ("Anna@Example.de", "h_505b54334de25795"),
    ("anna%40example.de", "h_505b54334de25795"),
    ("+49 171 7731 9942", "h_7d1688d47a01b39a"),
    ("DE89 3704 0044 0532 0130 00", "h_f79ccc14510153ce"),
    ("DE89370400440532013000", "h_6ae9d80b290c2fdd"),
    # ... an address the import read then, and a spelling read now beside it
    ("max.mu=\nller@example.com", "h_f8291e397c3068b7"),
    ("max.mu=\r\nller@example.com", "h_0f0465ccac598eae"),
    ("max\\_muster@example.com", "h_f5bb3f5ba50f0507"),
    ("max=3D2Emuster@example.com", "h_491cf4b636b4f6ad"),
    ("max\\u{2E}muster@example.com", "h_504cae68a2ae5552"),
    ("max%26period%3Bmuster@example.com", "h_7a7b562857f8fe1c"),
]


@pytest.mark.parametrize(("value", "stored"), _STORED_HASHES)
def test_an_id_hashed_before_keeps_the_hash_it_was_stored_with(value, stored):
    assert is_personal_id(value)
    assert hash_text(value, "s") == stored


#: The spellings of the fourth round (2026-12-07), planted in one cell on every import
#: path, and what each must be stored as.
_ROUND4 = [
    ("zz.r1\\u{40}example.org", "[email]"),
    ("zz.r2\\U00000040example.org", "[email]"),
    ("zz.r3\\x{40}example.org", "[email]"),
    ("zz.r4.mu=\r\nller@example.org", "[email]"),
    ("zz.r5@exam=\nple.org", "[email]"),
    ("zz.r6=3D40example.org", "[email]"),
    ("zz.r7%26commat%3Bexample.org", "[email]"),
    ("zz.r8\\@example.org", "[email]"),
    ("zz\\_r9@example.org", "[email]"),
    ("+4917155503011+4917155503012", "[phone][phone]"),
    ("++49 171 5550 3013", "[phone]"),
    # a call recording's file name (rules version 6: a number after an ``_`` stands apart)
    ("anruf_0171 5550 3014.mp3", "anruf_[phone].mp3"),
    ("Rückruf_017155503015_2026-10-05.wav", "Rückruf_[phone]_2026-10-05.wav"),
]
_ROUND4_NEEDLES = [
    "zz.r", "_r9", "mu=", "ller@", "exam=", "55503011", "55503012", "5550 3013", "5550 3014",
    "017155503015",
]  # fmt: skip


def _planted_cell(marker: str, spellings: list[tuple[str, str]], path: str) -> tuple[str, str]:
    """The cell planted on an import path (``marker-path`` and each spelling), and what it
    is stored as (each spelling's mask)."""
    return (
        f"{marker}-{path} " + " | ".join(s for s, _ in spellings),
        f"{marker}-{path} " + " | ".join(m for _, m in spellings),
    )


_round4 = functools.partial(_planted_cell, "Kontakt", _ROUND4)


def _write_rows(path: Path, rows: list[list[str]], delimiter: str = ",", encoding="utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def _with_cell(source: Path, target: Path, column: str, value: str) -> Path:
    """A copy of an export file with ``column`` of its first row set to ``value``."""
    rows = list(csv.reader(source.read_text(encoding="utf-8-sig").splitlines()))
    rows[1][rows[0].index(column)] = value
    return _write_rows(target, rows)


def _stored_with(db: Path, marker: str) -> set[str]:
    """Every stored text (a cell, or a value of a JSON cell) that holds ``marker``."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns"
            " WHERE data_type IN ('VARCHAR', 'JSON')"
        ).fetchall()
        cells = [
            value
            for schema, table, column in columns
            for (value,) in con.execute(
                f'SELECT "{column}"::VARCHAR FROM "{schema}"."{table}"'
                f' WHERE contains("{column}"::VARCHAR, ?)',
                [marker],
            ).fetchall()
        ]
    finally:
        con.close()
    found = set()
    for cell in cells:
        try:
            doc = json.loads(cell)
        except json.JSONDecodeError:
            doc = None
        if isinstance(doc, dict):
            found |= {v for v in doc.values() if isinstance(v, str) and marker in v}
        else:
            found.add(cell)
    return found


_ROUND4_PATHS = [
    "strict", "office", "upload", "mapping", "hubspot", "salesforce", "olist", "xeducation"
]  # fmt: skip


@pytest.fixture(scope="module")
def round4(tmp_path_factory):
    """One warehouse that every import path loaded the planted cell into."""
    root = tmp_path_factory.mktemp("round4")
    return _planted_on_every_path(root, {path: _round4(path)[0] for path in _ROUND4_PATHS})


def _planted_on_every_path(root: Path, cell: dict[str, str]) -> Path:
    """One warehouse that every import path of :data:`_ROUND4_PATHS` loaded its planted
    cell (``cell[path]``) into, as a text column and, for the canonical file, as an
    unknown column (kept in ``_extra``)."""
    db = root / "w.duckdb"
    header = ["lead_id", "created_at", "source", "job_title", "Notiz"]
    strict = _write_rows(
        root / "strict" / "leads.csv",
        [header, ["R1", "2026-10-05T09:00:00Z", "email", cell["strict"], cell["strict"]]],
    ).parent
    import_export(db, strict)
    office = _write_rows(
        root / "office" / "leads.csv",
        [header, ["R2", "05.10.2026 09:00", "email", cell["office"], ""]],
        delimiter=";",
        encoding="cp1252",
    ).parent
    import_export(db, office)
    upload = _write_rows(
        root / "upload" / "leads.csv",
        [header[:4], ["R3", "2026-10-05T09:00:00Z", "email", cell["upload"]]],
    ).parent
    import_canonical(db, upload)  # the Data page
    kontakte = _write_rows(
        root / "mapping" / "kontakte.csv",
        [["Kontakt-Nr", "Angelegt am", "Info"], ["R4", "01.09.2026", cell["mapping"]]],
        delimiter=";",
    )
    toml = _write(
        root / "mapping" / "kontakte.toml",
        'table = "leads"\n[columns]\n"Kontakt-Nr" = "lead_id"\n"Angelegt am" = "created_at"\n'
        '"Info" = "campaign"\n[defaults]\nsource = "other"\n',
    )
    import_export(db, kontakte, mapping=toml)
    for fmt, file, column in (
        ("hubspot", "contacts.csv", "Job Title"),
        ("salesforce", "Lead.csv", "Title"),
        ("olist", "olist_marketing_qualified_leads.csv", "landing_page_id"),
    ):
        folder = root / fmt
        for source in (EXPORTS / fmt).glob("*.csv"):
            _write(folder / source.name, source.read_text(encoding="utf-8"))
        _with_cell(EXPORTS / fmt / file, folder / file, column, cell[fmt])
        import_export(db, folder, fmt=fmt)
    xeducation = _write_rows(
        root / "xeducation" / "x_education_leads.csv",
        [
            ["Prospect ID", "Lead Number", "Lead Origin", "Lead Source", "Converted",
             "What is your current occupation"],
            ["u1", "77", "API", "Google", "0", cell["xeducation"]],
        ],
    )  # fmt: skip
    import_export(db, xeducation, fmt="xeducation")
    return db


def test_the_spellings_of_the_fourth_round_are_stored_nowhere(round4):
    assert _scan(round4, _ROUND4_NEEDLES) == []


@pytest.mark.parametrize("path", _ROUND4_PATHS)
def test_the_spellings_of_the_fourth_round_are_masked_on_every_import_path(round4, path):
    marker, stored = _round4(path)[0].split(" ", 1)[0], _round4(path)[1]
    assert _stored_with(round4, marker + " ") == {stored}


@pytest.mark.parametrize(
    "spelt",
    [
        "zz.j1\\u{40}example.org",
        "zz.j1\\U00000040example.org",
        "zz.j1\\x{40}example.org",
        "zz.j1@exam=\r\nple.org",
        "zz.j1=3D40example.org",
        "zz.j1%26commat%3Bexample.org",
        "zz.j1\\@example.org",
    ],
)
def test_an_id_spelt_as_read_now_joins_and_is_purged_with_its_plain_spelling(
    tmp_path, monkeypatch, spelt
):
    from analytics.warehouse.purge import purge

    monkeypatch.setenv("SLA_HASH_SALT", "test")
    d = tmp_path / "in"
    _write(d / "leads.csv", "lead_id,created_at,source\nzz.j1@example.org,2026-10-05,email\n")
    _write_rows(
        d / "lifecycle_events.csv",
        [["lead_id", "stage", "entered_at"], [spelt, "mql", "2026-10-06"]],
    )
    db = tmp_path / "w.duckdb"
    result = import_export(db, d)
    assert result.loaded == {"leads": 1, "lifecycle_events": 1} and not result.rejected
    assert _scan(db, ["zz.j1", "exam="]) == []
    purge(db, leads=["zz.j1@example.org"], salt="test")
    assert _lead_rows_left(db) == [0, 0, 0]


# -- a number glued to the word before it; an id that holds one among more ---------------

#: Numbers glued to the word before them (a letter right before the ``+``, a phone word
#: right before the number), planted in one cell on every import path, and what each is
#: stored as: the word kept.
_GLUED = [
    ("x+4917155504011", "x[phone]"),
    ("call+49 171 5550 4012", "call[phone]"),
    ("Tel+49 (0)171 5550 4013", "Tel[phone]"),
    ("Tel0171 5550414", "Tel[phone]"),
    ("Handy01715550415", "Handy[phone]"),
    ("Mobil0171/5550416", "Mobil[phone]"),
    ("Rückruf030 5550417", "Rückruf[phone]"),
]
_GLUED_NEEDLES = ["55504011", "5550 4012", "5550 4013", "5550414", "5550415", "5550416", "5550417"]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        *_GLUED,
        ("Tel+49 171 1234567 ab 9", "Tel[phone] ab 9"),
        ("tel_+4917112345678", "tel_[phone]"),
        ("fax+0049 30 1234567", "fax[phone]"),
        ("x+4917112345678+4917187654321", "x[phone][phone]"),
        ("x++49 171 1234567", "x[phone]"),
        ("?p=call%2B4917112345678&x=1", "?p=call[phone]&x=1"),
        ("x+1 (555) 123-4567", "x[phone]"),  # (was x+1 [phone])
        ("Tel01711234567, Fax0049 30 1234567", "Tel[phone], Fax[phone]"),
        ("Telefon0171-1234567", "Telefon[phone]"),
        ("TEL0171 1234567", "TEL[phone]"),
        # (as before: a mark between the word and the number)
        ("Tel:+49 171 1234567", "Tel:[phone]"),
        ("mobil:0171/1234567", "mobil:[phone]"),
        ("Tel.0171 1234567", "Tel.[phone]"),
    ],
)
def test_a_number_glued_to_the_word_before_it_is_masked(text, masked):
    """A letter right before a number's ``+``, or a phone word right before a number,
    kept it in clear (the start of a number could not follow a letter)."""
    assert mask_text(text) == masked
    frame = pl.DataFrame({"note": [text], "_line": [2]})
    assert scrub("sales_touches", frame)["note"].item() == masked


@pytest.mark.parametrize(
    "text",
    [
        # a + after a letter, and too few digits for a number, or a sum, a version, a zone
        "SKU+12345",
        "SKU+1234567",
        "c++ und C++17, ++i",
        "2+2, 1+1=2, 100+200+300",
        "Q1+Q2 2026, FY2026+1",
        "v1.2.3+build.5, 2.1+3",
        "UTC+01:00, GMT+0530, 2026-10-05T09:12:00+02:00",
        "x+49",
        "ab+4917112345678x",
        # a letter (not a phone word) right before a 0: an order's or a product's number
        "INV0123456789",
        "SKU01234567890",
        "PO0815 47110",
        "A0171 1234567",
        "Hotel01711234567",
    ],
)
def test_a_word_glued_to_what_is_no_phone_number_keeps_it(text):
    assert mask_text(text) == text
    frame = pl.DataFrame({"note": [text], "_line": [2]})
    assert scrub("sales_touches", frame)["note"].item() == text


_glued = functools.partial(_planted_cell, "Glued", _GLUED)


@pytest.fixture(scope="module")
def glued(tmp_path_factory):
    root = tmp_path_factory.mktemp("glued")
    return _planted_on_every_path(root, {path: _glued(path)[0] for path in _ROUND4_PATHS})


def test_a_number_glued_to_the_word_before_it_is_stored_nowhere(glued):
    assert _scan(glued, _GLUED_NEEDLES) == []


@pytest.mark.parametrize("path", _ROUND4_PATHS)
def test_a_number_glued_to_the_word_before_it_is_masked_on_every_import_path(glued, path):
    marker, stored = _glued(path)[0].split(" ", 1)[0], _glued(path)[1]
    assert _stored_with(glued, marker + " ") == {stored}


@pytest.mark.parametrize(
    "value",
    [
        "Tel 0171 1234567",
        "lead 0171-1234567",
        "+49 171 1234567 (mobile)",
        "0171-1234567 privat",
        "0171 - 1234567",
        "Order 01705550099",
        "lead\t0171 1234567",
        "x+4917112345678",
        "Tel:+49 171 1234567",
        "Tel01711234567",
        "A/0170/5550099",
        "Konto DE89 3704 0044 0532 0130 00",
        "DE89370400440532013000 Sparkasse",
        "Tel%200171%201234567",
    ],
)
def test_an_id_holding_a_phone_number_or_an_iban_among_more_is_hashed(value):
    """An id that held a phone number inside other text was stored in clear (only one that
    is a number as a whole was hashed)."""
    assert is_personal_id(value)
    assert hash_text(f" {value} ", "s") == hash_text(value, "s")


@pytest.mark.parametrize(
    "value",
    [
        "L-000123",
        "00Q5e000001AbCdEAF",  # Salesforce
        "12345678901",  # HubSpot
        "114",
        "01705550099",  # plain digits: an id, as they always were
        " 01705550099 ",
        "0012345678",
        "0815-47110",
        "L-0815-47110",
        "ORD-2026-0815-4711",
        "INV0123456789",
        "SKU+12345",
        "7927b2df-8bba-4d29-b9a2-b6e0beafe620",  # X Education
        "de5217ec03f9420c3a82973ef073279b",  # Olist
        "Acme GmbH",
        "Kunde 0000012345",
        "Order 12345678901",
        "lead 2026-10-05",
        "rep-08",
        # plain digits or dashed groups after a word and an ``_``: an id, as after a dash
        "SAP_0012345678",
        "rep_0171123456",
        "L_0815-47110",
    ],
)
def test_an_ordinary_id_is_not_hashed(value):
    assert not is_personal_id(value)


#: An id holding a phone number among more, planted on every import path as the lead's id.
_TEXT_IDS = {path: f"Tel 0171 55504{i:02d}" for i, path in enumerate(_ROUND4_PATHS, start=20)}


@pytest.fixture(scope="module")
def text_ids(tmp_path_factory):
    """One warehouse that every import path loaded a lead into whose id is one of
    :data:`_TEXT_IDS` (salt ``test``)."""
    return _ids_on_every_path(tmp_path_factory.mktemp("text_ids"), _TEXT_IDS)


def _ids_on_every_path(root: Path, ids: dict[str, str]) -> Path:
    """One warehouse that every import path of :data:`_ROUND4_PATHS` loaded a lead into
    whose id is ``ids[path]`` (salt ``test``)."""
    db = root / "w.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SLA_HASH_SALT", "test")
        header = ["lead_id", "created_at", "source"]
        strict = _write_rows(
            root / "strict" / "leads.csv", [header, [ids["strict"], "2026-10-05", "email"]]
        ).parent
        _write_rows(
            strict / "lifecycle_events.csv",
            [["lead_id", "stage", "entered_at"], [f" {ids['strict']} ", "mql", "2026-10-06"]],
        )
        import_export(db, strict)
        office = _write_rows(
            root / "office" / "leads.csv",
            [header, [ids["office"], "05.10.2026 09:00", "email"]],
            delimiter=";",
            encoding="cp1252",
        ).parent
        import_export(db, office)
        upload = _write_rows(
            root / "upload" / "leads.csv", [header, [ids["upload"], "2026-10-05", "email"]]
        ).parent
        import_canonical(db, upload)  # the Data page
        kontakte = _write_rows(
            root / "mapping" / "kontakte.csv",
            [["Kontakt-Nr", "Angelegt am"], [ids["mapping"], "01.09.2026"]],
            delimiter=";",
        )
        toml = _write(
            root / "mapping" / "kontakte.toml",
            'table = "leads"\n[columns]\n"Kontakt-Nr" = "lead_id"\n"Angelegt am" = "created_at"\n'
            '[defaults]\nsource = "other"\n',
        )
        import_export(db, kontakte, mapping=toml)
        for fmt, file, column in (
            ("hubspot", "contacts.csv", "Record ID"),
            ("salesforce", "Lead.csv", "Id"),
            ("olist", "olist_marketing_qualified_leads.csv", "mql_id"),
        ):
            folder = root / fmt
            for source in (EXPORTS / fmt).glob("*.csv"):
                _write(folder / source.name, source.read_text(encoding="utf-8"))
            _with_cell(EXPORTS / fmt / file, folder / file, column, ids[fmt])
            import_export(db, folder, fmt=fmt)
        xeducation = _write_rows(
            root / "xeducation" / "x_education_leads.csv",
            [
                ["Prospect ID", "Lead Number", "Lead Origin", "Lead Source", "Converted"],
                ["u1", ids["xeducation"], "API", "Google", "0"],
            ],
        )
        import_export(db, xeducation, fmt="xeducation")
    return db


def _stored_lead_ids(db: Path) -> set[str]:
    """The lead ids of ``core.leads``, as stored."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT lead_id FROM core.leads").fetchall()}
    finally:
        con.close()


def test_an_id_holding_a_phone_number_is_stored_nowhere(text_ids):
    assert _scan(text_ids, [v.split(" ", 1)[1] for v in _TEXT_IDS.values()]) == []


@pytest.mark.parametrize("path", _ROUND4_PATHS)
def test_an_id_holding_a_phone_number_is_hashed_on_every_import_path(text_ids, path):
    leads = _stored_lead_ids(text_ids)
    assert hash_text(_TEXT_IDS[path], "test") in leads


def test_an_id_holding_a_phone_number_joins_and_is_purged_with_its_spelling(tmp_path, monkeypatch):
    from analytics.warehouse.purge import purge

    monkeypatch.setenv("SLA_HASH_SALT", "test")
    d = tmp_path / "in"
    _write(
        d / "leads.csv",
        "lead_id,created_at,source\nTel 0171 5550431,2026-10-05,email\n"
        "lead 0171-5550432,2026-10-05,email\nx+4917155504033,2026-10-05,email\n"
        "L-000123,2026-10-05,email\n",
    )
    _write_rows(
        d / "lifecycle_events.csv",
        [
            ["lead_id", "stage", "entered_at"],
            [" Tel 0171 5550431", "mql", "2026-10-06"],
            ["lead 0171%2D5550432", "mql", "2026-10-06"],
            ["x%2B4917155504033", "mql", "2026-10-06"],
            ["L-000123", "mql", "2026-10-06"],
        ],
    )
    db = tmp_path / "w.duckdb"
    result = import_export(db, d)
    assert result.loaded == {"leads": 4, "lifecycle_events": 4} and not result.rejected
    assert result.masked_columns == {"leads.csv": ["lead_id"], "lifecycle_events.csv": ["lead_id"]}
    con = duckdb.connect(str(db), read_only=True)
    try:
        leads = sorted(r[0] for r in con.execute("SELECT lead_id FROM core.leads").fetchall())
        joined = con.execute(
            "SELECT count(*) FROM core.lifecycle_events JOIN core.leads USING (lead_id)"
        ).fetchall()
    finally:
        con.close()
    assert leads == sorted(
        [hash_text(v, "test") for v in ("Tel 0171 5550431", "lead 0171-5550432", "x+4917155504033")]
        + ["L-000123"]
    )
    assert joined == [(4,)]
    assert _scan(db, ["5550431", "5550432", "55504033"]) == []
    purge(db, leads=["Tel 0171 5550431", "lead 0171-5550432", "x+4917155504033"], salt="test")
    assert _lead_rows_left(db) == [1, 1, 1]  # L-000123 stays


# -- an IBAN glued to the word before it, or after a mark in an id ------------------------


def _valid_iban(country: str, bban: str) -> str:
    """An IBAN of ``country`` with ``bban`` after its check digits, the check digits made
    to fit (ISO 13616: 98 minus the rest mod 97 of the BBAN, the country and ``00``)."""
    digits = "".join(str(int(ch, 36)) for ch in f"{bban}{country}00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("KontoDE89370400440532013000", "Konto[iban]"),
        ("IBANDE89 3704 0044 0532 0130 00 bitte", "IBAN[iban] bitte"),
        ("iban_DE89370400440532013000", "iban_[iban]"),
        ("KtoGB82WEST12345698765432", "Kto[iban]"),
        ("Überweisung auf KontoDE89-3704-0044-0532-0130-00.", "Überweisung auf Konto[iban]."),
        ("KontoDE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000", "Konto[iban]"),
        ("Konto%3ADE89370400440532013000", "Konto%3A[iban]"),
        # (as before: a mark or a space between the word and the IBAN)
        ("IBAN:DE89370400440532013000", "IBAN:[iban]"),
        ("IBAN DE89 3704 0044 0532 0130 00", "IBAN [iban]"),
        # a candidate that is no IBAN ran on into the IBAN after it, and hid it
        ("Filiale AB12 DE89 3704 0044 0532 0130 00", "Filiale AB12 [iban]"),
        ("IBAN DE00 DE89370400440532013000", "IBAN DE00 [iban]"),
    ],
)
def test_an_iban_glued_to_the_word_before_it_is_masked(text, masked):
    """``\\b`` before the country code hid an IBAN glued to a word: the word is kept."""
    assert mask_text(text) == masked
    frame = pl.DataFrame({"note": [text], "_line": [2]})
    assert scrub("sales_touches", frame)["note"].item() == masked


#: Ids and words that look like an IBAN glued to a word, and are none: neither masked in
#: text nor hashed as an id.
_NO_IBAN = [
    "de5217ec03f9420c3a82973ef073279b",  # Olist (hex)
    "FB73B4C3128F46FC8691FDF5704DBE93",
    "7927b2df-8bba-4d29-b9a2-b6e0beafe620",  # X Education (UUID)
    "00Q5g00000AbCdE",  # Salesforce, 15 and 18 characters
    "00Q5e000001AbCdEAF",
    "a0B5g00000XyZ12AAB",
    "12345678901",  # HubSpot
    "INV0123456789",
    "SKU-4711-0815",
    "ORD-2026-0815-4711",
    "Deutschland2024",
    "Gutscheincode12345678901234567890",  # a word ending in small letters: no country code
    "xyzde89370400440532013000",  # (so also a country code in small letters glued to a
    "a1de89370400440532013000",  # word for no account, or to a digit)
    "ab12cdDE89370400440532013000",  # a word with a digit before: a hex id
    "ABDE00370400440532013000",  # the check digits do not fit
    "KontoDE00370400440532013000",
    "VGXI97604200221972887630",  # the sum fits, but XI are no check digits
    "DE89370400440532013000x",  # one letter glued after: a code's suffix as often
    "DE89370400440532013000ab12",  # letters and digits after: a longer code
    "A1DE00370400440532013000",
    "7927B2DF-8BBA-4D29-B9A2-B6E0BEAFE620",  # a UUID in capitals
    "3E5515FEC495EFD8BE72868DFF979BAA",  # a hex id: BE72868DFF979BAA passes the check
    "D8LT00S96B4ZAY0DDXDVFO",  # a code: LT00S96B4ZAY0DDXDVFO passes it too
    "5F8D0D55B54764421B7156C3",  # a MongoDB ObjectId
]


@pytest.mark.parametrize("value", _NO_IBAN)
def test_what_only_looks_like_an_iban_glued_to_a_word_is_kept(value):
    assert mask_text(value) == value
    assert not is_personal_id(value)


_COUNTRIES = sorted(IBAN_LENGTHS)


@st.composite
def _ibans(draw) -> str:
    """A valid IBAN of any registered country (digits after the check digits), written
    compact or in groups of four."""
    country = draw(st.sampled_from(_COUNTRIES))
    size = IBAN_LENGTHS[country] - 4
    iban = _valid_iban(country, draw(st.text("0123456789", min_size=size, max_size=size)))
    if draw(st.booleans()):
        iban = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    return iban


@given(st.text("abcdefghijklmnopqrstuvwxyzABCKOTNÄÖÜäöüßé_", min_size=1, max_size=12), _ibans())
def test_an_iban_glued_to_any_word_is_masked_and_hashed_as_an_id(word, iban):
    assert mask_text(f"{word}{iban}") == f"{word}[iban]"
    assert mask_text(f"a {word}{iban}, b") == f"a {word}[iban], b"
    assert is_personal_id(f"{word}{iban}")
    assert is_personal_id(f"{word}:{iban}")


@pytest.mark.parametrize(
    "value",
    [
        "IBAN:DE89370400440532013000",
        "KontoDE89370400440532013000",
        "iban=DE89370400440532013000",
        "Kto.-Nr.DE89370400440532013000",
        "L-DE89370400440532013000",
        "Konto:de89370400440532013000",
        "IBAN:DE89 3704 0044 0532 0130 00",
        "Kunde 4711 IBAN:DE89370400440532013000",
        "Kunde 4711 KontoDE89370400440532013000",
        "KontoDE89370400440532013000 Sparkasse",
    ],
)
def test_an_id_holding_an_iban_after_a_label_is_hashed(value):
    """An id that held an IBAN after a mark or glued to a word, with no space, was stored in
    clear (only a whole IBAN, or one among words parted by a space, was hashed)."""
    assert is_personal_id(value)


def test_an_iban_id_keeps_the_hash_of_its_spelling():
    """An IBAN id is hashed as written (folded, in lower case): its spellings with other
    separators stay two ids, as every warehouse stores them (docs/import-formats.md)."""
    spaced, compact = "DE89 3704 0044 0532 0130 00", "DE89370400440532013000"
    assert hash_text(spaced, "s") != hash_text(compact, "s")
    assert hash_text(compact.lower(), "s") == hash_text(compact, "s")


#: A label and an IBAN, planted as a lead's id on every import path.
_IBAN_IDS = {
    path: f"{label}{_valid_iban('DE', f'3704004405320{i:05d}')}"
    for i, (path, label) in enumerate(
        zip(_ROUND4_PATHS, ["IBAN:", "Konto", "iban=", "KtoNr", "Kto:", "IBAN", "L-", "Konto:"],
            strict=True)
    )
}  # fmt: skip


@pytest.fixture(scope="module")
def iban_ids(tmp_path_factory):
    return _ids_on_every_path(tmp_path_factory.mktemp("iban_ids"), _IBAN_IDS)


def test_an_id_holding_an_iban_after_a_label_is_stored_nowhere(iban_ids):
    needles = [v[-18:] for v in _IBAN_IDS.values()]  # the BBANs
    assert len(needles) == len(set(needles)) == len(_ROUND4_PATHS)
    assert _scan(iban_ids, needles) == []


@pytest.mark.parametrize("path", _ROUND4_PATHS)
def test_an_id_holding_an_iban_after_a_label_is_hashed_on_every_import_path(iban_ids, path):
    leads = _stored_lead_ids(iban_ids)
    assert hash_text(_IBAN_IDS[path], "test") in leads


# -- an IBAN glued to a digit before it or a word after it (rules version 3) ------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("A1DE89370400440532013000", "A1[iban]"),
        ("Ref.2DE89370400440532013000", "Ref.2[iban]"),
        ("Kunde 4711 2024DE89 3704 0044 0532 0130 00.", "Kunde 4711 2024[iban]."),
        ("DE89370400440532013000bitte", "[iban]bitte"),
        ("IBAN DE89 3704 0044 0532 0130 00bitte überweisen", "IBAN [iban]bitte überweisen"),
        ("GB82WEST12345698765432Danke", "[iban]Danke"),
        ("A1DE89370400440532013000bitte", "A1[iban]bitte"),
        ("KontoDE89370400440532013000bitte", "Konto[iban]bitte"),
        # a word glued after that is longer than the pattern's 30 characters of body
        ("DE89370400440532013000Sparkassenfilialeprüfen", "[iban]Sparkassenfilialeprüfen"),
    ],
)
def test_an_iban_glued_to_a_digit_before_or_a_word_after_is_masked(text, masked):
    """``\\b`` before the country code and after the last digit hid them: the digit and
    the word are kept."""
    assert mask_text(text) == masked
    frame = pl.DataFrame({"note": [text], "_line": [2]})
    assert scrub("sales_touches", frame)["note"].item() == masked


@given(st.from_regex(r"\A[A-Za-z]?[0-9]{1,6}\Z"), _ibans())
def test_an_iban_glued_to_any_code_ending_in_a_digit_is_masked(code, iban):
    iban = iban.replace(" ", "")  # (a spaced one after a code reads as the code's groups)
    assert mask_text(f"{code}{iban}") == f"{code}[iban]"
    assert mask_text(f"Ref {code}{iban}, ok") == f"Ref {code}[iban], ok"


@given(_ibans(), st.text("abcdefghijklmnopqrstuvwxyzABCÄÖÜäöüßé", min_size=2, max_size=12))
def test_an_iban_glued_to_any_word_after_it_is_masked(iban, word):
    assert mask_text(f"{iban}{word}") == f"[iban]{word}"
    assert mask_text(f"IBAN: {iban}{word} ok") == f"IBAN: [iban]{word} ok"


@given(
    st.text("0123456789ABCDEF", max_size=10).map(lambda h: f"{h}7"),
    st.text("0123456789ABCDEF", min_size=11, max_size=11).filter(lambda b: not b.isdigit()),
    st.text("ABCDEF", max_size=6),
    st.sampled_from([str, str.lower]),
)
def test_an_iban_glued_inside_a_hex_id_is_no_iban(before, bban, after, case):
    """A glued IBAN is read across a code, so one in about 10,000 hex ids in capitals held
    a run that passes the check digits (``...D8BE72868DFF979BAA``): with a letter in a
    BBAN that is digits in its country's IBANs (as in every country of hex letters but
    Andorra), it is none."""
    assume(before or after)
    text = case(f"{before}{_valid_iban('BE', bban)}{after}")
    assert mask_text(text) == text
    assert mask_text(f"{text[:8]}-{text[8:]}") == f"{text[:8]}-{text[8:]}"


@given(
    st.uuids().map(str), st.sampled_from([str, str.upper, lambda u: f"{{{u.upper()}}}"]), _ibans()
)
@example("cf109cd7-ad06-baf8-78fc-ba7530c4facc", str, "DE89 3704 0044 0532 0130 00")
@example("19674278-ce1f-a8d3-be62-939807119383", str.upper, "DE89370400440532013000")
@example("11c4e4c4-0594-2688-6562-924de124fe54", str, "DE89370400440532013000")
def test_no_personal_value_is_read_inside_a_uuid(value, spelling, iban):
    """A UUID's groups after a dash run on as an IBAN in groups does (15 in a million
    random ones passed Andorra's check digits), and its middle groups, when all digits,
    as a phone number (``0594-2688-6562``: one in about 280): neither is read in one; an
    IBAN or a phone number beside one still is."""
    text = spelling(value)
    assert mask_text(text) == text
    assert not is_personal_id(text)
    beside = mask_text(f"{text} {iban}, Tel 030 1234567")
    assert beside == f"{text} [iban], Tel [phone]"


#: A UUID whose middle groups are all digits (found by the property test above).
_DIGIT_UUID = "11c4e4c4-0594-2688-6562-924de124fe54"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("11c4e4c4-0594-2688-6562-924de124fe54", "11c4e4c4-0594-2688-6562-924de124fe54"),
        ("{11C4E4C4-0594-2688-6562-924DE124FE54}", "{11C4E4C4-0594-2688-6562-924DE124FE54}"),
        (
            "Tel 0171 1234567, ref 11c4e4c4-0594-2688-6562-924de124fe54",
            "Tel [phone], ref 11c4e4c4-0594-2688-6562-924de124fe54",
        ),
        (
            f"{_DIGIT_UUID} {_DIGIT_UUID[:-1]}5 0171 1234567",
            f"{_DIGIT_UUID} {_DIGIT_UUID[:-1]}5 [phone]",
        ),
        # the mapped path (a dash the fold reads): the UUID is kept byte for byte
        (
            "Tel 0171\u20137731\u20139942 / 11c4e4c4-0594-2688-6562-924de124fe54",
            "Tel [phone] / 11c4e4c4-0594-2688-6562-924de124fe54",
        ),
        (
            "Tel 0171\u20137731\u20139942 / " + _DIGIT_UUID.replace("-", "\u2013"),
            "Tel [phone] / " + _DIGIT_UUID.replace("-", "\u2013"),
        ),
        # not a UUID standing apart: its digit groups are read as before
        ("x11c4e4c4-0594-2688-6562-924de124fe54", "x11c4e4c4-[phone]-924de124fe54"),
    ],
)
def test_a_uuid_of_digit_groups_is_no_phone_number(text, masked):
    """Found by the property test above (before, text masked ``11c4e4c4-[phone]-924de...``)."""
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    ("text", "masked", "hashed_as_id"),
    [
        # a hex id's run after a dash that passed the check digits: letters in a BBAN of
        # digits (Belgium, Lithuania): no IBAN in text; an id keeps the reading that
        # hashed it before (a stored hash must be met again)
        ("00000007-BE1416A1E3D669DF", "00000007-BE1416A1E3D669DF", False),
        ("BE1416A1E3D669DF", "BE1416A1E3D669DF", True),
        ("Ref BE1416A1E3D669DF ok", "Ref BE1416A1E3D669DF ok", True),
        ("L-BE1416A1E3D669DF", "L-BE1416A1E3D669DF", True),
        ("D8-LT00S96B4ZAY0DDXDVFO", "D8-LT00S96B4ZAY0DDXDVFO", False),
        # real ones stand as they did
        ("Kto BE68539007547034 ok", "Kto [iban] ok", True),
        ("00000007-BE68539007547034", "00000007-[iban]", True),
        ("IBAN GB82 WEST 1234 5698 7654 32", "IBAN [iban]", True),
        ("MT84MALT011000012345MTLCAST001S", "[iban]", True),
    ],
)
def test_an_iban_candidate_unlike_its_country_is_no_iban_in_text(text, masked, hashed_as_id):
    """Belgium's BBAN is 12 digits: ``BE14 16A1 E3D6 69DF`` passes the check digits
    (one hex run in 97 does) but is none. Before, only a glued candidate was read so."""
    assert mask_text(text) == masked
    assert is_personal_id(text) is hashed_as_id


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("kontode89370400440532013000", "konto[iban]"),
        ("Kontode89370400440532013000", "Konto[iban]"),
        ("ibande89 3704 0044 0532 0130 00", "iban[iban]"),
        ("iban_de89370400440532013000", "iban_[iban]"),
        ("Girokontode89370400440532013000", "Girokonto[iban]"),
        ("kontonummerde89370400440532013000", "kontonummer[iban]"),
        ("cuentaes9121000418450200051332", "cuenta[iban]"),
        ("accountgb82west12345698765432", "account[iban]"),
        ("überweisung auf kontode89370400440532013000bitte", "überweisung auf konto[iban]bitte"),
    ],
)
def test_an_iban_in_small_letters_glued_to_a_word_for_an_account_is_masked(text, masked):
    """A country code in small letters glued to a word was kept (``Gutscheincode1234...``
    runs into a code as often): after a word for an account, it is an IBAN."""
    assert mask_text(text) == masked
    frame = pl.DataFrame({"note": [text], "_line": [2]})
    assert scrub("sales_touches", frame)["note"].item() == masked


@given(st.sampled_from(IBAN_WORDS), st.sampled_from([str, str.upper, str.title]), _ibans())
def test_an_iban_glued_to_any_word_for_an_account_is_masked_and_hashed_as_an_id(word, case, iban):
    word, iban = case(word), iban.replace(" ", "").lower()
    assert mask_text(f"{word}{iban}") == f"{word}[iban]"
    assert is_personal_id(f"{word}{iban}")


@pytest.mark.parametrize(
    ("value", "personal"),
    [
        ("kontode89370400440532013000", True),
        ("iban_de89370400440532013000", True),
        ("Kunde 4711 A1DE89370400440532013000", True),  # among words: as text reads it
        ("Kunde 4711 DE89370400440532013000bitte", True),
        # an id with no space: what text masks as an IBAN (since version 7; version 2
        # read a label of letters only and an IBAN to its end)
        ("A1DE89370400440532013000", True),
        ("DE89370400440532013000bitte", True),
        ("A1:DE89370400440532013000", True),
        ("4711-DE89370400440532013000", True),
        ("4711_DE89370400440532013000", True),
        ("K4711/GB82WEST12345698765432", True),
        # what text keeps: a code's letters meeting its digits, a one-letter suffix
        ("xyzde89370400440532013000", False),
        ("a1de89370400440532013000", False),
        ("4711-DE89370400440532013000x", False),
    ],
)
def test_an_id_holding_a_glued_iban(value, personal):
    assert is_personal_id(value) is personal
    assert (mask_text(value) != value) is personal  # as text reads it


# -- a national number after a phone word, in the languages of Europe's CRMs -------------

#: A national number (no ``+``, no leading ``0``) after a phone word, and what it is
#: stored as: the word and what stands between kept.
_NATIONAL = [
    ("Teléfono 612 345 678", "Teléfono [phone]"),
    ("Telefono 3391234567", "Telefono [phone]"),
    ("TELÉFONO: 612345678", "TELÉFONO: [phone]"),
    ("Tele\u0301fono 612 345 678", "Tele\u0301fono [phone]"),  # its accent decomposed
    ("telefono movil 612 34 56 78", "telefono movil [phone]"),
    ("Móvil - 612 345 678", "Móvil - [phone]"),
    ("Tfno. 912 345 678", "Tfno. [phone]"),
    ("cel. 3391234567", "cel. [phone]"),
    ("Cellulare: 339 123 4567", "Cellulare: [phone]"),
    ("Celular 912 345 678", "Celular [phone]"),
    ("Telemóvel 912 345 678", "Telemóvel [phone]"),
    ("téléphone portable: 612 345 678", "téléphone portable: [phone]"),
    ("telefoon: 612345678", "telefoon: [phone]"),
    ("GSM 470 12 34 56", "GSM [phone]"),
    ("tel. kom. 612-345-678", "tel. kom. [phone]"),
    ("Komórka 612 345 678", "Komórka [phone]"),
    ("Tlf. 12 34 56 78", "Tlf. [phone]"),
    ("Mobil 412 34 567", "Mobil [phone]"),
    ("Mobilnummer: 70 123 45 67", "Mobilnummer: [phone]"),
    ("Cep: 532 123 45 67", "Cep: [phone]"),
    ("Phone number: 612 345 678", "Phone number: [phone]"),
    ("Tel.-Nr.: 612 345 678", "Tel.-Nr.: [phone]"),
    ("Teléfono nº 612345678", "Teléfono nº [phone]"),
    ("Telefono 339.123.4567", "Telefono [phone]"),
    ("Telefon 612/345678", "Telefon [phone]"),
    ("Rückruf erbeten, Tel 612 345 678, ab 9", "Rückruf erbeten, Tel [phone], ab 9"),
]


@pytest.mark.parametrize(("text", "masked"), _NATIONAL)
def test_a_national_number_after_a_phone_word_is_masked(text, masked):
    """A number with no ``+`` and no leading ``0`` (Spain, Italy, Poland, Portugal,
    Scandinavia, Turkey) was kept in clear even after ``Teléfono``."""
    assert mask_text(text) == masked
    frame = pl.DataFrame({"note": [text], "_line": [2]})
    assert scrub("sales_touches", frame)["note"].item() == masked


@pytest.mark.parametrize(
    "text",
    [
        # no phone word: an order's number as often
        "Pedido 612345678",
        "Ordine 3391234567",
        "Rechnung 612 345 678",
        "Tel Aviv office",
        # a date, a time, an amount after a phone word
        "Rückruf 12.10.2026",
        "Rückruf 12.10.2026 09:12",
        "Rückruf 12.10.2026-14.10.2026",
        "Anruf 05/10/2026, call 2026-10-05T09:12:00Z",
        "Anruf 20261005",  # 8 digits as one run: a date as often
        "Fax 1.234,50 EUR",
        "Telefon 12.345.678 EUR",  # 8 digits in groups: a date's count
        "Telefon 1.234.567.890",  # a first group of one digit: an amount
        "SMS 2026, GSM 900 1800",
        # a phone word inside a longer word, a code glued to one
        "Telefónica 612345678",
        "Telekom 612345678",
        "CALL12345678, CALL-12345678, SMS20261005",
    ],
)
def test_what_is_no_national_number_after_a_phone_word_is_kept(text):
    assert mask_text(text) == text
    frame = pl.DataFrame({"note": [text], "_line": [2]})
    assert scrub("sales_touches", frame)["note"].item() == text


def _strip_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


@st.composite
def _nationals(draw) -> str:
    """A national number: 9 to 12 digits, the first not 0, as one run or in groups of 3
    parted by spaces."""
    digits = draw(st.sampled_from("123456789")) + draw(
        st.text("0123456789", min_size=8, max_size=11)
    )
    if draw(st.booleans()):
        return digits
    return " ".join(digits[i : i + 3] for i in range(0, len(digits), 3))


@given(
    st.sampled_from(PHONE_WORDS),
    st.sampled_from([str, str.upper, str.title, _strip_accents]),
    st.sampled_from([" ", ". ", ": ", ".: ", ":", " - "]),
    _nationals(),
)
def test_a_national_number_after_any_phone_word_is_masked(word, case, gap, number):
    word = case(word)
    assert mask_text(f"{word}{gap}{number}") == f"{word}{gap}[phone]"
    assert mask_text(f"Notiz: {word}{gap}{number}, danke") == f"Notiz: {word}{gap}[phone], danke"
    assert is_personal_id(f"{word}{gap}{number}")


@given(st.sampled_from(["Pedido", "Ordine", "Rechnung", "Order", "Kunde", "Ticket"]), _nationals())
def test_a_national_number_after_any_other_word_is_kept(word, number):
    assume(" 0" not in number)  # (a group from 0 is a number of its own: 000 000 00)
    text = f"{word} {number}"
    assert mask_text(text) == text
    assert not is_personal_id(text)


#: Pieces of text with no digit: phone and number words, marks, and what looks like an
#: IBAN's start.
_NO_DIGIT = st.lists(
    st.sampled_from(
        [*PHONE_WORDS, *NUMBER_WORDS, " ", ".", ":", "-", "/", "Konto", "IBAN", "DE", "Tel Aviv"]
    ),
    max_size=12,
).map("".join)


@given(_NO_DIGIT)
def test_a_text_with_no_digit_and_no_address_is_never_changed(text):
    assert mask_text(text) == text


@given(
    st.lists(
        st.sampled_from(
            ["Tel", "Teléfono", "Konto", " ", ".", ":", "-", "/", "+", "0", "1", "3", "6", "9",
             "DE89", "3704", "0044", "0532", "0130", "00", "612", "345", "a", "@", "x.de"]
        ),
        max_size=25,
    ).map("".join)
)  # fmt: skip
def test_masking_a_masked_text_changes_nothing(text):
    once = mask_text(text)
    assert mask_text(once) == once


@pytest.mark.parametrize(
    "value",
    [
        "Tel:01711234567",
        "Tel.612345678",
        "Teléfono 612 345 678",
        "Telefono: 3391234567",
        "Lead Cep 532 123 45 67",
        "Tel 1234567",
        "Tel.:345 67 89",
        # a phone word, a dash and a phone number (rules version 5): text read it already
        "Tel-01711234567",
        "Mobil-0171-1234567",
        "fax-00491711234567",
        "Handy-+4917112345678",
        # ... or an ``_`` (rules version 6), and any layout standing apart after an ``_``
        "anruf_01711234567",
        "Tel_0171-1234567",
        "call_0171 1234567",
        "x_0049 171 1234567",
    ],
)
def test_an_id_holding_a_phone_number_after_a_phone_word_is_hashed(value):
    """An id with a phone word, a mark and a number (no space) was stored in clear, and
    so was a national number after a phone word."""
    assert is_personal_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "CALL12345678", "Call-12345678", "SMS20261005", "Order 612345678", "Tel-0815-4711",
        "Order 1234567", "CALL1234567", "Tel-123456", "Tel 12345",
    ],
)  # fmt: skip
def test_an_id_with_a_phone_word_and_no_phone_number_is_not_hashed(value):
    assert not is_personal_id(value)


# -- a short national number after a phone word (rules version 3) ------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Tel 1234567", "Tel [phone]"),
        ("Telefon 345 67 89", "Telefon [phone]"),
        ("Tel. 123456", "Tel. [phone]"),
        ("Fon: 12 34 56", "Fon: [phone]"),
        ("Tlf 12 34 567", "Tlf [phone]"),
        ("Telefono 345-67-89", "Telefono [phone]"),
        ("Rückruf erbeten, Tel.-Nr.: 1234567, danke", "Rückruf erbeten, Tel.-Nr.: [phone], danke"),
        # 6 digits with no mark after a phone word are a number, even where they could be a
        # date (a date after a phone word is written with its marks: 26.10.26)
        ("Rückruf 261026", "Rückruf [phone]"),
    ],
)
def test_a_short_national_number_after_a_phone_word_is_masked(text, masked):
    """6 or 7 digits after a phone word were kept (version 2 read 8 or more)."""
    assert mask_text(text) == masked
    frame = pl.DataFrame({"note": [text], "_line": [2]})
    assert scrub("sales_touches", frame)["note"].item() == masked


@pytest.mark.parametrize(
    "text",
    [
        "Order 1234567, Ticket 7654321, Pedido 345 67 89",  # no phone word
        "Tel 12345, Fon 10115 Berlin",  # 5 digits: a postcode as often
        "GSM 900 1800, Tel 555 1234, Fax 250 000",  # two groups: bands, amounts
        "Rückruf 900-1200",  # dashed other than 3, 2, 2: a time span
        "Rückruf 12.10.26, Anruf 12/10/26, call 2026-10, Tel 1.234.567",
        "Rückruf 14:30, Anruf 9.30 Uhr",
        "Anruf 20261005, Tlf 41555044",  # (as before: 8 digits in one run are a date as often)
        "CALL1234567, SMS-123456",  # glued, or after a dash alone: a code
    ],
)
def test_what_is_no_short_national_number_after_a_phone_word_is_kept(text):
    assert mask_text(text) == text
    frame = pl.DataFrame({"note": [text], "_line": [2]})
    assert scrub("sales_touches", frame)["note"].item() == text


@st.composite
def _short_nationals(draw) -> str:
    """A short national number: 6 or 7 digits, the first not 0, as one run or in three
    groups parted by spaces (2, 2, 2 or 3, 2, 2)."""
    digits = draw(st.sampled_from("123456789")) + draw(
        st.text("0123456789", min_size=5, max_size=6)
    )
    if draw(st.booleans()):
        return digits
    first = len(digits) - 4
    return f"{digits[:first]} {digits[first : first + 2]} {digits[first + 2 :]}"


@given(st.sampled_from(PHONE_WORDS), st.sampled_from([" ", ". ", ": ", " - "]), _short_nationals())
def test_a_short_national_number_after_any_phone_word_is_masked(word, gap, number):
    assert mask_text(f"{word}{gap}{number}") == f"{word}{gap}[phone]"
    assert mask_text(f"Notiz: {word}{gap}{number}, danke") == f"Notiz: {word}{gap}[phone], danke"
    assert is_personal_id(f"{word}{gap}{number}")


@given(
    st.sampled_from(["Pedido", "Ordine", "Rechnung", "Order", "Kunde", "Ticket", "PLZ"]),
    _short_nationals(),
)
def test_a_short_national_number_after_any_other_word_is_kept(word, number):
    text = f"{word} {number}"
    assert mask_text(text) == text
    assert not is_personal_id(text)


# -- a second number after a phone number, with no phone word of its own (version 3) ----


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Teléfono 612 345 678 o 622 333 444", "Teléfono [phone] o [phone]"),
        ("Tel 612 345 678 / 622 333 444", "Tel [phone] / [phone]"),
        ("Tel 612345678/622333444", "Tel [phone]/[phone]"),
        ("Telefon 0171 1234567 oder 612 345 678", "Telefon [phone] oder [phone]"),
        ("Tel 612 345 678, 622 333 444 bzw. 1234567", "Tel [phone], [phone] bzw. [phone]"),
        ("Mobile: +34 612 345 678 or 622 333 444", "Mobile: [phone] or [phone]"),
        ("Tlf. 12 34 56 78 eller 87 65 43 21", "Tlf. [phone] eller [phone]"),
        ("Cep 532 123 45 67 veya 533 765 43 21", "Cep [phone] veya [phone]"),
        ("Tel 612 345 678 - 622 333 444; 345 67 89", "Tel [phone] - [phone]; [phone]"),
        ("Tel 612\u00a0345\u00a0678 / 622\u00a0333\u00a0444", "Tel [phone] / [phone]"),
        ("Tel%20612%20345%20678%20o%20622%20333%20444", "Tel%20[phone]%20o%20[phone]"),
        # a text a warehouse of version 2 stored (its first number masked): the second too
        ("Tel [phone] / 622 333 444", "Tel [phone] / [phone]"),
        ("Tel [phone],622333444", "Tel [phone],[phone]"),
    ],
)
def test_a_second_number_after_a_phone_number_is_masked(text, masked):
    """A national number was read only right after a phone word: the second of two kept."""
    assert mask_text(text) == masked
    frame = pl.DataFrame({"note": [text], "_line": [2]})
    assert scrub("sales_touches", frame)["note"].item() == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Pedido 612345678 o 622333444", "Pedido 612345678 o 622333444"),  # no phone word
        ("Tel 612 345 678 und 20 Stück", "Tel [phone] und 20 Stück"),
        ("Tel 612 345 678, Pedido 622333444", "Tel [phone], Pedido 622333444"),
        ("Tel 612 345 678, 12.10.2026, 1.234,56 EUR", "Tel [phone], 12.10.2026, 1.234,56 EUR"),
        ("Tel 612 345 678 y 2026-12-06", "Tel [phone] y 2026-12-06"),
        ("Tel 612 345 678, GSM 900 1800", "Tel [phone], GSM 900 1800"),
        ("ana@example.org / 612345678", "[email] / 612345678"),  # an address is no number
        # only a space between: read as one number of up to 12 digits, the rest kept
        ("Tel 612 345 678 622 333 444", "Tel [phone] 333 444"),
    ],
)
def test_what_follows_a_phone_number_and_is_no_number_is_kept(text, masked):
    assert mask_text(text) == masked


@given(
    st.sampled_from(PHONE_WORDS),
    _nationals(),
    st.sampled_from([" / ", "/", ", ", "; ", " o ", " oder ", " or ", " - ", " bzw. ", " & "]),
    st.one_of(_nationals(), _short_nationals()),
)
def test_a_national_number_after_any_phone_number_and_a_join_is_masked(word, first, join, second):
    assume(" 0" not in second)  # (a group from 0 is a number of its own: 000 000 00)
    text = f"{word} {first}{join}{second}"
    assert mask_text(text) == f"{word} [phone]{join}[phone]"
    assert mask_text(f"Notiz: {text}, danke") == f"Notiz: {word} [phone]{join}[phone], danke"


# -- a time, a date or an amount after a phone number (rules version 3) -----------------

_DATES = st.dates(date(1990, 1, 1), date(2099, 12, 31))


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Tel 612 345 678 14:30", "Tel [phone] 14:30"),
        ("Rückruf Tel 612 345 678 9.30 Uhr", "Rückruf Tel [phone] 9.30 Uhr"),
        ("Tel +49 170 5550001 14:30", "Tel [phone] 14:30"),
        ("Tel 0171 1234567 9.30 Uhr", "Tel [phone] 9.30 Uhr"),  # (the time was taken whole)
        ("Tel 0171 1234567 12.10.2026", "Tel [phone] 12.10.2026"),
        ("Fax 030 1234567 2026-12-06", "Fax [phone] 2026-12-06"),
        ("Tel 612 345 678 12,50 EUR", "Tel [phone] 12,50 EUR"),
        ("Telefon 345 67 89 14:30", "Telefon [phone] 14:30"),
        ("Tel 612 345 678 / 622 333 444 14:30", "Tel [phone] / [phone] 14:30"),
        ("+4917112345678+4917187654321 14:30", "[phone][phone] 14:30"),
        ("Tel 612\u00a0345\u00a0678 14:30", "Tel [phone] 14:30"),
        ("Tel%20612%20345%20678%2014%3A30", "Tel%20[phone]%2014%3A30"),
        # a time with no minutes is the number's last group as often (612 345 678 14)
        ("Tel 612 345 678 14 Uhr", "Tel [phone] Uhr"),
        # what an older version stored so lost its hour with the number: it stays lost
        ("Tel [phone]:30", "Tel [phone]:30"),
    ],
)
def test_a_time_a_date_or_an_amount_after_a_phone_number_stays(text, masked):
    """The number's groups ran on into the hour: ``Tel 612 345 678 14:30`` was stored as
    ``Tel [phone]:30``."""
    assert mask_text(text) == masked
    frame = pl.DataFrame({"note": [text], "_line": [2]})
    assert scrub("sales_touches", frame)["note"].item() == masked


@given(
    st.one_of(
        st.tuples(st.sampled_from(PHONE_WORDS), _nationals()).map(" ".join),
        st.sampled_from(["+49 170 5550001", "0171 1234567", "Tel 030 123 456 78", "Tel 1234567"]),
    ),
    st.one_of(
        st.tuples(st.integers(0, 23), st.integers(0, 59), st.sampled_from(":.")).map(
            lambda t: f"{t[0]}{t[2]}{t[1]:02d}"
        ),
        _DATES.map(lambda d: d.strftime("%d.%m.%Y")),
        _DATES.map(lambda d: d.isoformat()),
        st.integers(1, 999).map(lambda n: f"{n},50 EUR"),
    ),
)
def test_what_follows_any_phone_number_after_a_space_stays(phone, after):
    assert mask_text(f"{phone} {after}").endswith(f"[phone] {after}")


def test_the_docs_list_every_phone_word():
    docs = (ROOT / "docs" / "import-formats.md").read_text(encoding="utf-8").lower()
    assert [w for w in PHONE_WORDS if f"`{w}`" not in docs] == []


@pytest.mark.parametrize("words", [IBAN_WORDS, OR_WORDS])
def test_the_docs_list_every_word_for_an_account_and_every_join(words):
    docs = (ROOT / "docs" / "import-formats.md").read_text(encoding="utf-8").lower()
    assert [w for w in words if f"`{w}`" not in docs] == []


#: What the rules of version 2 read, planted in one cell on every import path, and what
#: each is stored as.
_V2 = [
    ("KontoDE89370400440532013000", "Konto[iban]"),
    ("IBANGB82WEST12345698765432", "IBAN[iban]"),
    ("Teléfono 612 345 601", "Teléfono [phone]"),
    ("Telefono: 3391234602", "Telefono: [phone]"),
    ("Komórka 612-345-603", "Komórka [phone]"),
    ("Tlf. 12 34 56 04", "Tlf. [phone]"),
]
_V2_NEEDLES = [
    "370400440532013000", "12345698765432", "612 345 601", "3391234602", "612-345-603",
    "12 34 56 04",
]  # fmt: skip


_v2 = functools.partial(_planted_cell, "V2", _V2)


@pytest.fixture(scope="module")
def v2(tmp_path_factory):
    root = tmp_path_factory.mktemp("v2")
    return _planted_on_every_path(root, {path: _v2(path)[0] for path in _ROUND4_PATHS})


def test_what_the_rules_of_version_2_read_is_stored_nowhere(v2):
    assert _scan(v2, _V2_NEEDLES) == []


@pytest.mark.parametrize("path", _ROUND4_PATHS)
def test_what_the_rules_of_version_2_read_is_masked_on_every_import_path(v2, path):
    marker, stored = _v2(path)[0].split(" ", 1)[0], _v2(path)[1]
    assert _stored_with(v2, marker + " ") == {stored}


#: What the rules of version 3 read, planted in one cell on every import path, and what
#: each is stored as.
_V3 = [
    ("Ref A1GB82WEST12345698765432", "Ref A1[iban]"),
    ("DE75512108001245126199bitte", "[iban]bitte"),
    ("kontode89370400440532013000", "konto[iban]"),
    ("Tel 5550461", "Tel [phone]"),
    ("Telefon 345 67 62", "Telefon [phone]"),
    ("Teléfono 612 345 603 o 622 555 063", "Teléfono [phone] o [phone]"),
    ("Tel 612 345 604 14:30", "Tel [phone] 14:30"),
]
_V3_NEEDLES = [
    "12345698765432", "512108001245126199", "370400440532013000", "5550461", "345 67 62",
    "612 345 603", "622 555 063", "612 345 604",
]  # fmt: skip


_v3 = functools.partial(_planted_cell, "V3", _V3)


@pytest.fixture(scope="module")
def v3(tmp_path_factory):
    root = tmp_path_factory.mktemp("v3")
    return _planted_on_every_path(root, {path: _v3(path)[0] for path in _ROUND4_PATHS})


def test_what_the_rules_of_version_3_read_is_stored_nowhere(v3):
    assert _scan(v3, _V3_NEEDLES) == []


@pytest.mark.parametrize("path", _ROUND4_PATHS)
def test_what_the_rules_of_version_3_read_is_masked_on_every_import_path(v3, path):
    marker, stored = _v3(path)[0].split(" ", 1)[0], _v3(path)[1]
    assert _stored_with(v3, marker + " ") == {stored}


#: What the rules of version 4 read, planted in one cell on every import path, and what
#: each is stored as: an address with its ``@`` or ``.`` written out in any case, in
#: parentheses, brackets or braces.
_V4 = [
    ("ana.vier(AT)example.org", "[email]"),
    ("BEN.VIER [AT] EXAMPLE [DOT] ORG", "[email]"),
    ("eva.vier{at}example{dot}org", "[email]"),
    ("Mail an max.vier (At) example.org bitte", "Mail an [email] bitte"),
    ("meet (AT) noon", "meet (AT) noon"),  # no address: both sides must read as one
]
_V4_NEEDLES = ["ana.vier", "BEN.VIER", "eva.vier", "max.vier"]


_v4 = functools.partial(_planted_cell, "V4", _V4)


@pytest.fixture(scope="module")
def v4(tmp_path_factory):
    root = tmp_path_factory.mktemp("v4")
    return _planted_on_every_path(root, {path: _v4(path)[0] for path in _ROUND4_PATHS})


def test_what_the_rules_of_version_4_read_is_stored_nowhere(v4):
    assert _scan(v4, _V4_NEEDLES) == []


@pytest.mark.parametrize("path", _ROUND4_PATHS)
def test_what_the_rules_of_version_4_read_is_masked_on_every_import_path(v4, path):
    marker, stored = _v4(path)[0].split(" ", 1)[0], _v4(path)[1]
    assert _stored_with(v4, marker + " ") == {stored}


#: An address with its ``@`` written out, planted as a lead's id on every import path.
_SPELT_IDS = {
    path: f"lead{i}.vier{at}example.org"
    for i, (path, at) in enumerate(
        zip(_ROUND4_PATHS, ["(at)", "(AT)", "[at]", "[AT]", "{at}", " (At) ", "{AT}", "[aT]"],
            strict=True)
    )
}  # fmt: skip


@pytest.fixture(scope="module")
def spelt_ids(tmp_path_factory):
    return _ids_on_every_path(tmp_path_factory.mktemp("spelt_ids"), _SPELT_IDS)


def test_an_id_holding_an_address_with_its_at_written_out_is_hashed_and_stored_nowhere(
    spelt_ids,
):
    """Such an id was stored in clear (only an id with an ``@`` was read as an address)."""
    needles = [v.split(".")[0] for v in _SPELT_IDS.values()]
    assert len(set(needles)) == len(_ROUND4_PATHS)
    assert _scan(spelt_ids, needles) == []
    leads = _stored_lead_ids(spelt_ids)
    assert {hash_text(v, "test") for v in _SPELT_IDS.values()} <= leads
    # the same address as its plain spelling: one lead, and `sla purge --lead` finds it
    assert hash_text(_SPELT_IDS[_ROUND4_PATHS[0]], "test") == hash_text(
        "lead0.vier@example.org", "test"
    )


#: A phone word, a mark and a phone number, planted as a lead's id on every import path:
#: stored in clear before rules version 5 with a dash (where text masked it as
#: ``Tel-[phone]``) and before version 6 with an ``_`` (a call recording's name).
_MARKED_IDS = {
    mark: {
        path: f"{word}{mark}0171555{first + i}"
        for i, (path, word) in enumerate(zip(_ROUND4_PATHS, words, strict=True))
    }
    for mark, first, words in (
        ("-", 460, ["Tel", "Mobil", "Handy", "Fax", "tel", "Phone", "Telefono", "GSM"]),
        ("_", 480, ["anruf", "Tel", "call", "Rueckruf", "mobile", "fon", "sms", "cel"]),
    )
}


@pytest.fixture(scope="module", params=list(_MARKED_IDS))
def marked_ids(request, tmp_path_factory):
    """The mark, and a warehouse that every import path loaded a lead into whose id is one
    of ``_MARKED_IDS[mark]``."""
    root = tmp_path_factory.mktemp("marked_ids")
    return request.param, _ids_on_every_path(root, _MARKED_IDS[request.param])


def test_an_id_of_a_phone_word_a_mark_and_a_number_is_hashed_on_every_path(marked_ids):
    mark, db = marked_ids
    ids = _MARKED_IDS[mark].values()
    assert _scan(db, [v.split(mark)[1] for v in ids]) == []
    assert {hash_text(v, "test") for v in ids} <= _stored_lead_ids(db)


def test_headers_and_the_sla_owners_keep_no_personal_data(tmp_path):
    """Privacy audit (2026-12-06), findings 5 and 8: an unknown column's header that is an
    e-mail address or holds a phone number was kept in every raw row's ``_extra``; the SLA
    config's owners (name, e-mail, phone) in its recorded versions."""
    from analytics.config import load_config

    config = tmp_path / "sla.toml"
    config.write_text(
        (ROOT / "data" / "sla.toml")
        .read_text(encoding="utf-8")
        .replace(
            'owners = ["Head of Marketing", "Head of Sales"]',
            'owners = ["Ana <zz.owner@example.org>, +49 171 7731 9942", "Head of Sales"]',
        ),
        encoding="utf-8",
    )
    folder = _write(
        tmp_path / "in" / "leads.csv",
        "lead_id,created_at,source,zz.header@example.org,Kontakt +49 171 7731 9943,notiz\n"
        "L1,2026-10-01T09:00:00Z,email,a,b,IBAN DE89370400440532013000 bitte\n",
    ).parent
    db = tmp_path / "w.duckdb"
    import_canonical(db, folder, config=load_config(config))
    needles = ["zz.header@example.org", "7731 9943", "zz.owner@example.org", "7731 9942",
               "DE89370400440532013000"]  # fmt: skip
    assert _found(needles, _table_text(db), _file_bytes(db)) == []


def test_a_very_long_value_is_masked_whole():
    """A 300,000-character quarantined key (audit refresh 15): Python's backtracking regex
    took minutes for it; the masking is now linear, and still finds what is personal."""
    run = "a" * 300_000
    assert mask_text(run) == run
    assert mask_text(f"{run} erika@example.org {run}") == f"{run} [email] {run}"
    assert mask_texts([None, f"Tel. +49 170 5550001 {run}", run]) == [
        None, f"Tel. [phone] {run}", run,
    ]  # fmt: skip


# -- erasure: sla purge -------------------------------------------------------------------

#: Texts of lead P1 (to be erased) and of lead P2 (to stay).
ERASED = ["Purgatorius-Alpha", "Loeschkampagne-Eins", "Notiz-Loeschen-Eins", "Kaputtwert-P1x"]
STAYING = ["Bleibtorius-Beta", "Notiz-Bleibt-Zwei"]


def _purge_folder(root: Path, name: str = "p", leads: tuple[str, ...] = ("P1", "P2")) -> Path:
    d = root / name
    texts = {"P1": ERASED, "P2": [STAYING[0], "Kampagne-Zwei", STAYING[1], None]}
    lead_rows = "".join(
        f"{lead},2026-10-0{i + 1}T09:00:00Z,email,{texts[lead][1]},{texts[lead][0]}\n"
        for i, lead in enumerate(leads)
    )
    _write(d / "reps.csv", "rep_id,name,team\nr1,Jana Vogel,sdr\n")
    _write(d / "leads.csv", "lead_id,created_at,source,campaign,job_title\n" + lead_rows)
    _write(
        d / "sales_touches.csv",
        "touch_id,lead_id,rep_id,occurred_at,channel,outcome,note\n"
        + "".join(
            f"T-{lead},{lead},r1,2026-10-05T10:00:00Z,phone,no_answer,{texts[lead][2]}\n"
            for lead in leads
        ),
    )
    _write(
        d / "lifecycle_events.csv",
        "lead_id,stage,entered_at\n"
        + "".join(f"{lead},mql,2026-10-06T09:00:00Z\n" for lead in leads)
        + ("P1,Kaputtwert-P1x,2026-10-07T09:00:00Z\n" if "P1" in leads else ""),
    )
    _write(
        d / "opportunities.csv",
        "opportunity_id,lead_id,created_at,amount,status\n"
        + "".join(f"O-{lead},{lead},2026-10-08T09:00:00Z,1000,open\n" for lead in leads),
    )
    return d


def _scan(db: Path, needles) -> list[str]:
    return _found(needles, _table_text(db), _file_bytes(db))


def test_purge_of_a_lead_leaves_no_byte_of_it(tmp_path):
    db = tmp_path / "w.duckdb"
    result = import_export(db, _purge_folder(tmp_path))
    assert [r["column"] for r in result.rejected] == ["stage"]  # the quarantined P1 row
    assert _scan(db, ERASED + STAYING) == sorted(ERASED + STAYING)  # the scan sees them
    assert all(text.encode() in _file_bytes(db) for text in ERASED)  # in the bytes, too
    # a result stored before the purge (a review's breach list names the lead) goes with it
    from analytics.precompute import ResultKey
    from analytics.warehouse.precomputed import store_results

    store_results(db, {ResultKey("review", "2026-10", "c", "", "code"): ERASED[1].encode()})
    res = runner.invoke(cli.app, ["purge", "--lead", "P1", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["removed"] == {
        "core.leads": 1,
        "core.lifecycle_events": 1,
        "core.sales_touches": 1,
        "meta.quarantine": 1,
        "raw.leads": 1,
        "raw.lifecycle_events": 2,
        "raw.sales_touches": 1,
    }
    assert doc["unlinked"] == {"raw.opportunities": 1, "core.opportunities": 1}
    assert _scan(db, ERASED) == []
    assert _scan(db, STAYING) == sorted(STAYING)
    con = duckdb.connect(str(db), read_only=True)
    try:
        opportunities = con.execute(
            "SELECT opportunity_id, lead_id, amount FROM core.opportunities ORDER BY 1"
        ).fetchall()
        log = con.execute(
            "SELECT load_id, source_file, rows_read FROM meta.loads WHERE table_name = 'purge'"
        ).fetchall()
    finally:
        con.close()
    assert opportunities == [("O-P1", None, 1000.0), ("O-P2", "P2", 1000.0)]  # revenue stays
    assert log == [(doc["load_id"], "sla purge --lead (1 id)", 8)]  # no erased id in the log


def _folder_holds(folder: Path, needles) -> list[str]:
    """The needles whose bytes (UTF-8) some file under ``folder`` holds."""
    data = b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())
    return sorted(n for n in needles if n.encode() in data)


def test_purge_of_a_lead_erases_the_free_text_of_its_opportunities_in_every_version(tmp_path):
    """An unlinked deal keeps its amount and status, never its loss reason or unknown
    columns (they may name the person): in core and in every raw version (a refresh)."""
    head = "opportunity_id,lead_id,created_at,closed_at,amount,status,loss_reason,notiz\n"
    leads = (
        "lead_id,created_at,source\nP1,2026-10-01T09:00:00Z,email\nP2,2026-10-02T09:00:00Z,email\n"
    )
    versions = ["Zacharias Plantmann went silent QuokkalossV1", "QuokkalossV2"]
    db = tmp_path / "data" / "w.duckdb"
    for n, reason in enumerate(versions, 1):
        d = tmp_path / f"in{n}"
        _write(d / "leads.csv", leads)
        _write(
            d / "opportunities.csv",
            head + f"O-P1,P1,2026-10-08,2026-10-09,1000,lost,{reason},QuokkanotizV{n}\n"
            "O-P2,P2,2026-10-08,2026-10-09,2000,lost,Bleibgrund-Zwei,Bleibnotiz-Zwei\n",
        )
        import_export(db, d)
    erased = [*versions, "Plantmann", "QuokkanotizV1", "QuokkanotizV2"]
    staying = ["Bleibgrund-Zwei", "Bleibnotiz-Zwei"]
    assert _folder_holds(db.parent, erased + staying) == sorted(erased + staying)
    res = runner.invoke(cli.app, ["purge", "--lead", "P1", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["unlinked"] == {"raw.opportunities": 2, "core.opportunities": 1}
    con = duckdb.connect(str(db), read_only=True)
    try:
        core = con.execute(
            "SELECT opportunity_id, lead_id, amount, status, loss_reason "
            "FROM core.opportunities ORDER BY 1"
        ).fetchall()
        raw = con.execute(
            "SELECT opportunity_id, lead_id, amount, status, loss_reason, _extra::VARCHAR "
            "FROM raw.opportunities ORDER BY 1, _load_id"
        ).fetchall()
    finally:
        con.close()
    assert core == [
        ("O-P1", None, 1000.0, "lost", None),
        ("O-P2", "P2", 2000.0, "lost", "Bleibgrund-Zwei"),
    ]
    # both versions of O-P1 are the same row now: one is kept
    assert raw == [
        ("O-P1", None, "1000", "lost", None, None),
        ("O-P2", "P2", "2000", "lost", "Bleibgrund-Zwei", '{"notiz":"Bleibnotiz-Zwei"}'),
    ]
    assert _scan(db, erased) == []
    assert _folder_holds(db.parent, erased + staying) == sorted(staying)


def test_purge_of_a_lead_finds_its_raw_rows_read_with_spaces_around_the_id(tmp_path):
    d = tmp_path / "in"
    _write(
        d / "leads.csv",
        "lead_id,created_at,source,job_title\n"
        " L7 ,2026-10-05T09:00:00Z,email,Leerzeichen-Sieben\n"
        "L8,2026-10-05T09:00:00Z,email,Bleibtorius-Beta\n",
    )
    _write(
        d / "lifecycle_events.csv",
        "lead_id,stage,entered_at\n\tL7,mql,2026-10-06T09:00:00Z\nL8,mql,2026-10-06T09:00:00Z\n",
    )
    _write(
        d / "opportunities.csv",
        "opportunity_id,lead_id,created_at,amount,status\nO7, L7,2026-10-08T09:00:00Z,1000,open\n",
    )
    db = tmp_path / "w.duckdb"
    import_export(db, d)
    res = runner.invoke(cli.app, ["purge", "--lead", "L7", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["leads_not_found"] == 0
    assert doc["removed"] == {
        "core.leads": 1,
        "core.lifecycle_events": 1,
        "raw.leads": 1,
        "raw.lifecycle_events": 1,
    }
    assert doc["unlinked"] == {"raw.opportunities": 1, "core.opportunities": 1}
    assert _scan(db, ["Leerzeichen-Sieben", " L7 ", "\tL7"]) == []
    assert _scan(db, ["Bleibtorius-Beta"]) == ["Bleibtorius-Beta"]


def test_purge_of_a_lead_erases_its_notifications_too(tmp_path):
    from analytics.warehouse.notifications import log_path, notification_log, record_notifications

    db = tmp_path / "w.duckdb"
    import_export(db, _purge_folder(tmp_path))
    sent = {"kind": "handoff", "episode": 1, "recipient": "rep:r1", "period": "2026-10-07",
            "channel": "email", "status": "sent", "attempts": 1, "run_id": "run-1"}  # fmt: skip
    assert record_notifications(db, [{**sent, "lead_id": "P1"}, {**sent, "lead_id": "P2"}]) == 2
    log = log_path(db)
    assert b"run-1" in log.read_bytes()
    res = runner.invoke(cli.app, ["purge", "--lead", "P1", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["removed"]["meta.notifications"] == 1
    assert notification_log(db)["lead_id"].to_list() == ["P2"]
    # no byte of the erased rows is left in the log's file (nor a journal beside it)
    assert b"P1" not in log.read_bytes() and b"P2" in log.read_bytes()
    assert sorted(p.name for p in tmp_path.glob("w.duckdb.notifications*")) == [log.name]


def test_purge_of_a_load_keeps_what_other_loads_brought(tmp_path):
    db = tmp_path / "w.duckdb"
    import_export(db, _purge_folder(tmp_path, "a", leads=("P2",)))
    import_export(db, _purge_folder(tmp_path, "b", leads=("P1", "P2")))
    assert all(text.encode() in _file_bytes(db) for text in ERASED)
    res = runner.invoke(cli.app, ["purge", "--load", "2", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    assert _scan(db, ERASED) == []
    leads = duckdb.connect(str(db), read_only=True)
    try:
        kept = leads.execute("SELECT lead_id FROM core.leads").fetchall()
        raw_loads = leads.execute("SELECT DISTINCT _load_id FROM raw.leads").fetchall()
    finally:
        leads.close()
    assert kept == [("P2",)] and raw_loads == [(1,)]


def test_purge_before_a_day_erases_every_older_load(tmp_path):
    db = tmp_path / "w.duckdb"
    import_export(db, _purge_folder(tmp_path))
    res = runner.invoke(cli.app, ["purge", "--before", "2999-01-01", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["loads"] == [1]
    assert _scan(db, ERASED + STAYING) == []


@pytest.fixture(scope="module")
def purged_load_1(tmp_path_factory) -> Path:
    """Two imports (loads 1 and 2), then ``sla purge --load 1`` (logged as load 3)."""
    root = tmp_path_factory.mktemp("purged")
    db = root / "w.duckdb"
    import_export(db, _purge_folder(root))
    import_export(db, _purge_folder(root, "q", leads=("P2",)))
    assert runner.invoke(cli.app, ["purge", "--load", "1", "--db", str(db)]).exit_code == 0
    return db


@pytest.mark.parametrize(
    ("load", "needle"),
    [
        (1, "load 1 was erased already: none of its rows is left"),
        (3, "load 3 is no import but the log of 'sla purge --load 1': it brought no rows"),
        (9, "there is no load 9"),
    ],
)
def test_purge_of_a_load_with_nothing_to_erase_says_why_and_which_can_be(
    purged_load_1, load, needle
):
    """The load log keeps an erased load and the purge's own record: ``--load`` offered
    them as loads ("loads: 1, 2, 3") and erasing one erased nothing."""
    db = purged_load_1  # (each case leaves it as it was: nothing is erased)
    before = db.read_bytes()
    res = runner.invoke(cli.app, ["purge", "--load", str(load), "--db", str(db)])
    assert res.exit_code == 2, res.output
    said = res.stderr.replace("\n", " ")
    assert f"{needle} (loads that can be erased: 2); nothing was erased" in said
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ([], "give exactly one of"),
        (["--lead", "P1", "--load", "1"], "give exactly one of"),
        (["--load", "7"], "there is no load 7 (loads that can be erased: 1)"),
        (["--before", "05.10.2026"], "is not a date (YYYY-MM-DD)"),
    ],
)
def test_purge_usage_errors_exit_2_and_change_nothing(tmp_path, args, needle):
    db = tmp_path / "w.duckdb"
    import_export(db, _purge_folder(tmp_path))
    before = db.read_bytes()
    res = runner.invoke(cli.app, ["purge", *args, "--db", str(db)])
    assert res.exit_code == 2, res.output
    assert needle in res.stderr.replace("\n", " ")
    assert db.read_bytes() == before


def test_purge_without_a_warehouse_exits_2(tmp_path):
    res = runner.invoke(cli.app, ["purge", "--lead", "x", "--db", str(tmp_path / "no.duckdb")])
    assert res.exit_code == 2 and "no warehouse here" in res.stderr


# -- the salt --------------------------------------------------------------------------


def test_the_salt_comes_from_the_environment_then_the_config_then_next_to_the_warehouse(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("SLA_HASH_SALT", "from-env")
    outside = tmp_path / "secrets" / "hash.salt"
    assert hash_salt(tmp_path / "data" / "w.duckdb", salt_file=outside) == "from-env"
    assert not outside.exists()
    monkeypatch.delenv("SLA_HASH_SALT")
    first = hash_salt(tmp_path / "data" / "w.duckdb", salt_file=outside)
    assert outside.read_text().strip() == first and outside.stat().st_mode & 0o777 == 0o600
    assert hash_salt(tmp_path / "other.duckdb", salt_file=outside) == first  # kept
    assert not (tmp_path / "data" / "w.duckdb.salt").exists()
    legacy = hash_salt(tmp_path / "data" / "w.duckdb")
    assert (tmp_path / "data" / "w.duckdb.salt").read_text().strip() == legacy != first


def test_a_salt_next_to_the_warehouse_gives_a_warning(tmp_path, monkeypatch):
    monkeypatch.delenv("SLA_HASH_SALT", raising=False)
    db = tmp_path / "data" / "w.duckdb"
    assert salt_warning(db) is None  # no salt made yet
    hash_salt(db)
    assert "sits in the warehouse's folder" in salt_warning(db)
    inside = tmp_path / "data" / "keys" / "hash.salt"
    hash_salt(db, salt_file=inside)
    assert "sits in the warehouse's folder" in salt_warning(db, inside)
    outside = tmp_path / "elsewhere" / "hash.salt"
    hash_salt(db, salt_file=outside)
    assert salt_warning(db, outside) is None
    monkeypatch.setenv("SLA_HASH_SALT", "x")
    assert salt_warning(db) is None


@pytest.mark.parametrize("configured", [False, True])
def test_cli_import_uses_the_configured_salt_file_and_warns_about_one_next_to_the_data(
    tmp_path, monkeypatch, configured
):
    monkeypatch.delenv("SLA_HASH_SALT", raising=False)
    outside = tmp_path / "home" / "hash.salt"
    text = (Path(__file__).parents[1] / "data" / "sla.toml").read_text(encoding="utf-8")
    if configured:
        text += f'\n[privacy]\nsalt_file = "{outside}"\n'
    config = _write(tmp_path / "sla.toml", text)
    db = tmp_path / "data" / "w.duckdb"
    args = ["import", "--format", "hubspot", str(EXPORTS / "hubspot"), "--db", str(db)]
    res = runner.invoke(cli.app, [*args, "--config", str(config)])
    assert res.exit_code in (0, 1), res.output
    warned = "sits in the warehouse's folder" in res.stderr.replace("\n", " ")
    assert warned is not configured
    assert outside.exists() is configured
    assert (tmp_path / "data" / "w.duckdb.salt").exists() is not configured


def test_purge_finds_a_lead_whose_email_id_was_stored_hashed(tmp_path, monkeypatch):
    monkeypatch.setenv("SLA_HASH_SALT", "test")
    d = tmp_path / "in"
    _write(
        d / "leads.csv",
        "lead_id,created_at,source,job_title\n"
        "Anna@Example.de,2026-10-05T09:00:00Z,email,Hashtorius-Gamma\n"
        "L2,2026-10-05T09:00:00Z,email,Bleibtorius-Beta\n",
    )
    db = tmp_path / "w.duckdb"
    import_export(db, d)
    assert b"Hashtorius-Gamma" in _file_bytes(db)
    res = runner.invoke(cli.app, ["purge", "--lead", "anna@example.de", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["removed"] == {"core.leads": 1, "raw.leads": 1} and doc["leads_not_found"] == 0
    assert _scan(db, ["Hashtorius-Gamma"]) == [] and _scan(db, ["Bleibtorius-Beta"])


def test_a_ragged_row_and_a_parquet_file_keep_no_personal_value(tmp_path):
    d = tmp_path / "in"
    _write(
        d / "reps.csv",
        "rep_id,name,team\nr1,Jana Vogel,sdr\nr2,Tom,sdr,tom.ragged@example.com,0170 5550009\n",
    )
    pl.DataFrame(
        {
            "lead_id": ["Q1"],
            "created_at": ["2026-10-05T09:00:00Z"],
            "source": ["email"],
            "E-Mail": ["quinn.parquet@example.com"],
            "Kommentar": ["ruft zurück: +49 170 5550008"],
        }
    ).write_parquet(d / "leads.parquet")
    db = tmp_path / "w.duckdb"
    result = import_export(db, d)
    assert [(Path(r["file"]).name, r["line"]) for r in result.rejected] == [("reps.csv", 3)]
    assert result.dropped_columns == {"leads.parquet": ["e-mail"]}
    assert result.masked_columns == {"leads.parquet": ["kommentar"]}
    needles = ["tom.ragged@example.com", "5550009", "quinn.parquet@example.com", "5550008"]
    assert _scan(db, needles) == []
    con = duckdb.connect(str(db), read_only=True)
    try:
        (value,) = con.execute("SELECT value FROM meta.quarantine").fetchone()
    finally:
        con.close()
    # misaligned: no cell under a personal header, beyond the header, or that is a word
    assert json.loads(value) == {"rep_id": "r2", "name": "[withheld]", "team": "[withheld]"}


#: Per import path: a file whose line 3 has 4 fields and line 4 has 7 (the header has 6),
#: names and addresses under personal headers and, in line 3, a name moved under a
#: header that is not personal; the mapping (--mapping) or format to read it with.
_MISALIGNED = {
    "canonical": ("leads.csv", ",", "lead_id,created_at,source", "2026-10-05T09:00:00Z", ""),
    "german": ("leads.csv", ";", "lead_id;created_at;source", "05.10.2026", ""),
    "mapping": ("kontakte.csv", ";", "Nr;Datum;Quelle", "05.10.2026", "mapping"),
    "hubspot": (
        "contacts.csv",
        ",",
        "Record ID,Create Date,Original Source",
        "2026-10-05",
        "hubspot",
    ),
}


@pytest.mark.parametrize("path", sorted(_MISALIGNED))
def test_a_misaligned_row_keeps_no_personal_cell_and_purge_finds_it(tmp_path, path):
    name, d_, head, day, how = _MISALIGNED[path]
    rows = [
        f"{head}{d_}Vorname{d_}E-Mail{d_}Bemerkung",
        d_.join(["701", day, "email", "Okina", "ok@example.org", "fine"]),
        d_.join(["707", day, "Shortina", "zzshort@example.com"]),
        d_.join(["709", day, "email", "Longina", "zzlong@example.com", "ruf 0170 5550077", "x"]),
    ]
    source = _write(tmp_path / "in" / name, "\n".join(rows) + "\n")
    db = tmp_path / "w.duckdb"
    if how == "mapping":
        toml = _write(
            tmp_path / "m.toml",
            'table = "leads"\n[columns]\n"Nr" = "lead_id"\n"Datum" = "created_at"\n'
            '"Quelle" = "source"\n',
        )
        result = import_export(db, source, mapping=toml)
    else:
        result = import_export(db, source.parent, fmt=how or "canonical")
    assert [(r["line"], r["reason"]) for r in result.rejected] == [
        (3, "has 4 fields, the header has 6"),
        (4, "has 7 fields, the header has 6"),
    ]
    header = [h.lower() for h in rows[0].split(d_)]
    withheld = "[withheld]"
    assert [json.loads(r["value"]) for r in result.rejected] == [
        {header[0]: "707", header[1]: day, header[2]: withheld, header[3]: withheld},
        dict(zip(header, ["709", day, withheld, withheld, withheld, withheld], strict=True)),
    ]
    secrets = ["Shortina", "zzshort", "Longina", "zzlong", "5550077"]
    assert _scan(db, secrets) == []
    res = runner.invoke(cli.app, ["purge", "--lead", "707", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    purged = json.loads(res.stdout)
    assert purged["removed"] == {"meta.quarantine": 1}
    assert purged["leads_not_found"] == 0  # known from its rejected row alone
    con = duckdb.connect(str(db), read_only=True)
    try:
        lines = con.execute("SELECT line FROM meta.quarantine ORDER BY line").fetchall()
    finally:
        con.close()
    assert lines == [(4,)]


def test_a_long_cell_of_a_misaligned_row_is_judged_in_linear_time():
    """A misaligned row's 64,000-digit cell took 28 s to judge plain or not (refresh
    re-audit F7): what is shown is still cut and withheld as before."""
    from analytics.warehouse.privacy import MISALIGNED_CELL_CHARS, WITHHELD, misaligned_row

    shown = json.loads(
        misaligned_row("leads", {"created_at": "1" * 64_000, "title": "9" * 64_000 + "x"})
    )
    assert shown == {"created_at": "1" * MISALIGNED_CELL_CHARS, "title": WITHHELD}
