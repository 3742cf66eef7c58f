"""Export adapters in general: office CSVs (German spreadsheet conventions), --mapping,
privacy, the format registry, and the command line's messages and exit codes."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from analytics import cli
from analytics.warehouse import read_core_table
from analytics.warehouse.adapters import (
    ADAPTERS,
    FORMATS,
    CsvOptions,
    ImportFailed,
    import_export,
    reader,
)
from analytics.warehouse.adapters.common import (
    date_text,
    decode,
    hash_salt,
    is_personal,
    number_text,
    salted_hash,
    sniff_delimiter,
    timestamp_text,
)

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
runner = CliRunner()


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- reading office CSVs -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "timezone", "expected"),
    [
        ("05.10.2026 09:12", "UTC", "2026-10-05T09:12:00Z"),
        ("05.10.2026 09:12:30", "UTC", "2026-10-05T09:12:30Z"),
        ("05.10.2026", "UTC", "2026-10-05T00:00:00Z"),
        ("05-10-2026 09:12", "UTC", "2026-10-05T09:12:00Z"),  # Olist
        ("2026-10-05 09:12", "UTC", "2026-10-05T09:12:00Z"),  # HubSpot
        ("2026-10-05T09:12:00.000Z", "Europe/Berlin", "2026-10-05T09:12:00Z"),  # Salesforce
        ("2026-10-05T09:12:00+02:00", "UTC", "2026-10-05T07:12:00Z"),
        # naive times in Berlin: +02:00 in October (summer time), +01:00 in December
        ("05.10.2026 09:12", "Europe/Berlin", "2026-10-05T07:12:00Z"),
        ("05.12.2026 09:12", "Europe/Berlin", "2026-12-05T08:12:00Z"),
        ("31.02.2026", "UTC", "31.02.2026"),  # no such day: kept, so validation rejects it
        ("10/05/2026", "UTC", "10/05/2026"),  # slashes are ambiguous without --date-format
        # Excel's TT.MM.JJ: this century (was the year 26, quarantined as 0026-10-04T23:06:32Z)
        ("05.10.26 09:12", "Europe/Berlin", "2026-10-05T07:12:00Z"),
        ("05.10.26", "UTC", "2026-10-05T00:00:00Z"),
        ("05.10.026", "UTC", "05.10.026"),  # a three-digit year: kept as written, rejected
        # the night clocks jump from 02:00 to 03:00 in Berlin: 02:30 is shifted forward (it
        # was read as 02:30 UTC, after 03:00 Berlin), however it is written
        ("2026-03-29 02:30", "Europe/Berlin", "2026-03-29T01:30:00Z"),
        ("2026-03-29T02:30:00", "Europe/Berlin", "2026-03-29T01:30:00Z"),
        ("29.03.2026 02:30", "Europe/Berlin", "2026-03-29T01:30:00Z"),
        ("2026-03-29 03:00", "Europe/Berlin", "2026-03-29T01:00:00Z"),
        ("2026-03-29 01:59", "Europe/Berlin", "2026-03-29T00:59:00Z"),
        ("31.12.99", "UTC", "1999-12-31T00:00:00Z"),  # 69-99: the last century, as %y
    ],
)
def test_timestamp_text(text, timezone, expected):
    frame = pl.DataFrame({"t": [text]})
    assert frame.select(timestamp_text(pl.col("t"), timezone=timezone)).item() == expected


def test_a_reading_of_a_reading_is_a_small_expression():
    """A date read, then its timestamp (Salesforce's task time): each reading is a step of
    its own, so the expression does not repeat the steps before it (it had grown to
    250,000 characters, a fifth of a second to plan for a dozen rows), and it reads as
    the two readings one after the other."""
    nested = timestamp_text(date_text(pl.col("t")), timezone="Europe/Berlin")
    assert len(str(nested)) < 1_000
    frame = pl.DataFrame({"t": ["05.10.2026", "05.10.26", "x", None]})
    assert frame.select(nested)["t"].to_list() == [
        "2026-10-04T22:00:00Z", "2026-10-04T22:00:00Z", "x", None
    ]  # fmt: skip
    # a column the export lacks is a literal: read as one, broadcast over the rows
    lacking = timestamp_text(pl.lit(None, dtype=pl.String)).alias("lacking")
    assert frame.with_columns(lacking)["lacking"].to_list() == [None] * 4


def test_an_explicit_date_format_reads_slashes_day_first():
    frame = pl.DataFrame({"t": ["10/05/2026 14:00"]})
    got = frame.select(timestamp_text(pl.col("t"), date_format="%d/%m/%Y %H:%M")).item()
    assert got == "2026-05-10T14:00:00Z"


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("1.234,50", True, "1234.50"),
        ("12.500.000,5", True, "12500000.5"),
        ("1.234", True, "1234"),  # a German thousands separator
        ("0,5", True, "0.5"),
        ("1234.5", True, "1234.5"),  # no grouping pattern: a decimal point stays
        ("350 000,00 €", True, "350000.00"),
        ("1,234", False, "1234"),  # English grouping
        ("1234.5", False, "1234.5"),
        ("1,234,567.89", False, "1234567.89"),  # every group (was '1234,567.89': quarantined)
        ("$1,000,000", False, "1000000"),
        ("-4,500.5", False, "-4500.5"),
        ("12,5", False, "12,5"),  # not a grouping: left for the type check to name
    ],
)
def test_number_text(text, decimal_comma, expected):
    frame = pl.DataFrame({"n": [text]})
    assert frame.select(number_text(pl.col("n"), decimal_comma=decimal_comma)).item() == expected


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=99))
def test_german_grouped_numbers_read_back_exactly(whole, cents):
    # 1234567,05 written as a German spreadsheet does: 1.234.567,05
    grouped = f"{whole:,}".replace(",", ".") + f",{cents:02d}"
    frame = pl.DataFrame({"n": [grouped]})
    text = frame.select(number_text(pl.col("n"), decimal_comma=True)).item()
    assert text == f"{whole}.{cents:02d}"


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 12, 31)))
def test_office_timestamps_read_back_to_the_minute(moment):
    moment = moment.replace(second=0, microsecond=0)
    frame = pl.DataFrame({"t": [moment.strftime("%d.%m.%Y %H:%M"), moment.strftime("%d-%m-%Y")]})
    got = frame.select(timestamp_text(pl.col("t")))["t"].to_list()
    assert got == [
        moment.strftime("%Y-%m-%dT%H:%M:00Z"),
        moment.strftime("%Y-%m-%dT00:00:00Z"),
    ]


def test_decode_and_sniff():
    assert decode("Geschäftsführer".encode("cp1252"), None) == ("Geschäftsführer", "cp1252")
    assert decode("\ufeffid".encode(), None) == ("id", "utf-8-sig")
    assert decode("ä".encode(), None) == ("ä", "utf-8")
    assert sniff_delimiter("a\tb\tc") == "\t"
    assert sniff_delimiter('"x;y",b,c') == ","  # delimiters inside quotes do not count


@pytest.mark.parametrize(
    ("column", "personal"),
    [
        ("Email", True),
        ("E-Mail", True),
        ("Work email", True),
        ("Phone Number", True),
        ("Mobile Phone Number", True),
        ("Telefonnummer", True),
        ("First Name", True),
        ("LastName", True),
        ("Nachname", True),
        ("Street Address", True),
        ("Name", True),
        ("Job Title", False),
        ("Company Name", False),
        ("Contact owner", False),
        ("Email subject", False),
        ("Lead Status", False),
    ],
)
def test_personal_columns(column, personal):
    assert is_personal(column) is personal


def test_salted_hash_is_stable_per_salt_and_differs_between_salts():
    frame = pl.DataFrame({"e": ["Ana@Example.com ", "ana@example.com"]})
    a = frame.select(salted_hash(pl.col("e"), "one"))["e"].to_list()
    b = frame.select(salted_hash(pl.col("e"), "two"))["e"].to_list()
    assert a[0] == a[1] and a[0] != b[0]
    assert a[0].startswith("h_") and len(a[0]) == 18


def test_the_salt_comes_from_the_environment_or_a_file_next_to_the_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("SLA_HASH_SALT", "from-env")
    assert hash_salt(tmp_path / "w.duckdb") == "from-env"
    monkeypatch.delenv("SLA_HASH_SALT")
    first = hash_salt(tmp_path / "w.duckdb")
    assert hash_salt(tmp_path / "w.duckdb") == first  # kept, so later imports join
    assert (tmp_path / "w.duckdb.salt").stat().st_mode & 0o777 == 0o600
    assert hash_salt(tmp_path / "other.duckdb") != first


# -- the canonical format as a German office saves it ----------------------------------


@pytest.fixture(scope="module")
def german(tmp_path_factory):
    db = tmp_path_factory.mktemp("german") / "w.duckdb"
    return db, import_export(db, EXPORTS / "german")


def test_german_office_files_are_detected_and_read(german):
    db, result = german
    assert result.loaded == {"accounts": 2, "reps": 2, "leads": 4}
    leads = read_core_table(db, "leads").sort("lead_id")
    assert leads.select("lead_id", "created_at", "job_title").rows() == [
        ("007", ts("2026-10-08T06:00"), "Leiter IT"),  # an ISO offset still works
        ("L-001", ts("2026-10-05T09:12"), "Geschäftsführer"),  # Windows-1252
        ("L-002", ts("2026-10-06T00:00"), "Einkäufer"),
        ("L-004", ts("2026-10-07T23:30"), None),  # source "messe" loads as "other"
    ]
    reps = read_core_table(db, "reps").sort("rep_id")  # UTF-8 with BOM, ja/nein, 1.200
    assert reps.select("rep_id", "weekly_capacity", "active").rows() == [
        ("r1", 40, True),
        ("r2", 1200, False),
    ]
    accounts = read_core_table(db, "accounts").sort("account_id")
    assert accounts.select("employees", "annual_revenue").rows() == [
        (1250, 12500000.5),
        (7, 350000.0),
    ]


def test_german_office_rejections_and_dropped_columns(german):
    _, result = german
    assert [(Path(r["file"]).name, r["line"], r["column"]) for r in result.rejected] == [
        ("accounts.csv", 4, "employees"),  # "viele"
        ("leads.csv", 4, "created_at"),  # 31.02.2026
    ]
    # "messe" is not a source: it loads as "other" and is reported with the config line
    assert result.other_values == [
        {
            "table": "leads",
            "column": "source",
            "value": "messe",
            "rows": 1,
            "config": '[enums] source = ["messe"]',
        }
    ]
    assert result.dropped_columns == {"leads.csv": ["nachname", "e-mail"]}


def test_plain_canonical_files_stay_strict(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "leads.csv").write_text("lead_id,created_at,source\n1,05.10.2026,email\n")
    result = import_export(tmp_path / "w.duckdb", d)
    assert [r["column"] for r in result.rejected] == ["created_at"]
    # the same file with a flag is read as an office export
    result = import_export(tmp_path / "w2.duckdb", d, options=CsvOptions(decimal_comma=True))
    assert result.loaded == {"leads": 1}


def test_flags_override_detection(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "leads.csv").write_text("lead_id|created_at|source\n1|10/05/2026 14:00|email\n")
    options = CsvOptions(delimiter="|", date_format="%d/%m/%Y %H:%M", timezone="Europe/Berlin")
    import_export(tmp_path / "w.duckdb", d, options=options)
    assert read_core_table(tmp_path / "w.duckdb", "leads")["created_at"].to_list() == [
        ts("2026-05-10T12:00")
    ]


# -- --mapping -------------------------------------------------------------------------


def test_a_mapping_imports_any_csv_with_values_stages_and_hashes(tmp_path, monkeypatch):
    monkeypatch.setenv("SLA_HASH_SALT", "test")
    db = tmp_path / "w.duckdb"
    import_export(db, EXPORTS / "mapping" / "reps.csv")
    result = import_export(
        db, EXPORTS / "mapping" / "kontakte.csv", mapping=EXPORTS / "mapping" / "kontakte.toml"
    )
    # 6 rows: K1 twice (line 6 rejected), K5 "kein Datum" and unknown owner r9
    assert result.loaded == {"leads": 4, "lifecycle_events": 3}
    assert {(r["line"], r["column"]) for r in result.rejected} == {
        (6, "lead_id"),
        (7, "created_at"),  # r9 alone would only make a placeholder rep
    }
    assert result.dropped_columns == {"kontakte.csv": ["e-mail", "vorname"]}
    leads = read_core_table(db, "leads").sort("lead_id")
    # Europe/Berlin (from the mapping): 01.09.2026 08:00 is 06:00 UTC
    assert leads.select("lead_id", "created_at", "source").rows() == [
        ("K1", ts("2026-09-01T06:00"), "paid_search"),
        ("K2", ts("2026-09-02T07:30"), "event"),
        ("K3", ts("2026-09-03T22:00"), "email"),
        ("K4", ts("2026-09-05T11:00"), "other"),  # empty Quelle -> [defaults]
    ]
    ev = read_core_table(db, "lifecycle_events").sort("lead_id", "entered_at")
    assert ev.select("lead_id", "stage", "entered_at").rows() == [
        ("K1", "mql", ts("2026-09-03T08:00")),
        ("K1", "sql", ts("2026-09-05T12:30")),
        ("K3", "mql", ts("2026-09-05T22:00")),
    ]


def test_a_personal_column_mapped_to_an_id_is_stored_as_a_salted_hash(tmp_path, monkeypatch):
    monkeypatch.setenv("SLA_HASH_SALT", "test")
    (tmp_path / "m.toml").write_text(
        'table = "leads"\n[columns]\n"E-Mail" = "lead_id"\n"Datum" = "created_at"\n'
        '[defaults]\nsource = "other"\n'
    )
    (tmp_path / "k.csv").write_text("E-Mail;Datum\nanna@example.de;01.09.2026\n")
    result = import_export(tmp_path / "w.duckdb", tmp_path / "k.csv", mapping=tmp_path / "m.toml")
    assert result.loaded == {"leads": 1}
    (lead_id,) = read_core_table(tmp_path / "w.duckdb", "leads")["lead_id"].to_list()
    expected = pl.DataFrame({"e": ["anna@example.de"]}).select(salted_hash(pl.col("e"), "test"))
    assert lead_id == expected.item() and "@" not in lead_id


# -- the registry and the command line --------------------------------------------------


def test_the_cli_offers_every_registered_format():
    assert cli.FORMATS == FORMATS
    assert set(ADAPTERS) == set(FORMATS)
    # every format has a reader (xeducation's lives in its own module, see its docstring)
    assert all(callable(reader(fmt)) for fmt in FORMATS)
    with pytest.raises(ImportFailed, match="'pipedrive' is not known; allowed: canonical"):
        reader("pipedrive")


def test_cli_import_of_an_export_prints_dropped_columns_in_the_json(tmp_path):
    res = runner.invoke(
        cli.app,
        ["import", str(EXPORTS / "german"), "--db", str(tmp_path / "w.duckdb"), "--json"],
    )
    assert res.exit_code == 1, res.output  # rows were rejected
    doc = json.loads(res.stdout)
    assert doc["dropped_columns"] == {"leads.csv": ["nachname", "e-mail"]}
    assert doc["loaded"] == {"accounts": 2, "reps": 2, "leads": 4}


def test_cli_reading_flags_reach_the_reader(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "accounts.csv").write_bytes(
        "account_id|name|annual_revenue|employees\nA1|Müller GmbH|1.234,50|12\n".encode("cp1252")
    )
    (d / "leads.csv").write_bytes(b"lead_id|created_at|source\nL1|10/05/2026 14:00|email\n")
    db = tmp_path / "w.duckdb"
    args = ["--delimiter", "|", "--encoding", "cp1252", "--decimal-comma"]
    args += ["--date-format", "%d/%m/%Y %H:%M", "--timezone", "Europe/Berlin"]
    res = runner.invoke(cli.app, ["import", str(d), *args, "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    assert read_core_table(db, "accounts").select("name", "annual_revenue").rows() == [
        ("Müller GmbH", 1234.5)
    ]
    # 10 May 2026 14:00 in Berlin (summer time, +02:00) is 12:00 UTC
    assert read_core_table(db, "leads")["created_at"].to_list() == [ts("2026-05-10T12:00")]


def test_cli_exit_0_and_dropped_columns_printed(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "reps.csv").write_text("rep_id;name;team;Telefon\nr1;Ana;sdr;0301\n", encoding="utf-8")
    res = runner.invoke(cli.app, ["import", str(d), "--db", str(tmp_path / "w.duckdb")])
    assert res.exit_code == 0, res.output
    assert "reps.csv: dropped personal columns telefon" in res.stderr


def _bad(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("case", "needle"),
    [
        ("unknown_format", "--format 'pipedrive' is not known; allowed: canonical, hubspot"),
        ("wrong_delimiter", "try --delimiter ';'"),
        ("missing_columns", "missing column(s) won_date"),
        ("not_a_hubspot_file", "not a HubSpot export"),
        ("not_a_salesforce_file", "not a Salesforce export"),
        ("no_such_path", "no such file or folder"),
        ("bad_encoding", "--encoding 'klingon' is not a known encoding"),
        ("bad_timezone", "--timezone 'Mars/Olympus' is not an IANA time zone"),
        ("mapping_and_format", "--mapping and --format hubspot exclude each other"),
        ("mapping_bad_table", "table 'kontakte' is not a canonical table"),
        ("mapping_missing_column", "missing column(s) kontakt-nr"),
        ("mapping_bad_toml", "not valid TOML"),
    ],
)
def test_bad_input_gives_one_message_and_exit_2(tmp_path, case, needle):
    db = tmp_path / "w.duckdb"
    olist_semicolons = _bad(
        tmp_path, "olist_marketing_qualified_leads.csv", "mql_id;first_contact_date;origin\n"
    )
    deals = _bad(tmp_path, "olist_closed_deals.csv", "mql_id,seller_id,sdr_id,sr_id\nm1,s,a,b\n")
    other = _bad(tmp_path, "other.csv", "a,b\n1,2\n")
    mapping = _bad(tmp_path, "m.toml", 'table = "leads"\n[columns]\n"Kontakt-Nr" = "lead_id"\n'
                   '"Datum" = "created_at"\n[defaults]\nsource = "other"\n')  # fmt: skip
    args = {
        "unknown_format": ["--format", "pipedrive", str(other)],
        "wrong_delimiter": ["--format", "olist", "--delimiter", ",", str(olist_semicolons)],
        "missing_columns": ["--format", "olist", str(deals)],
        "not_a_hubspot_file": ["--format", "hubspot", str(other)],
        "not_a_salesforce_file": ["--format", "salesforce", str(other)],
        "no_such_path": ["--format", "olist", str(tmp_path / "nothing")],
        "bad_encoding": ["--encoding", "klingon", "--format", "olist", str(deals)],
        "bad_timezone": ["--timezone", "Mars/Olympus", str(other)],
        "mapping_and_format": ["--format", "hubspot", "--mapping", str(mapping), str(other)],
        "mapping_bad_table": [
            "--mapping",
            str(_bad(tmp_path, "t.toml", 'table = "kontakte"\n[columns]\nx = "y"\n')),
            str(other),
        ],
        "mapping_missing_column": ["--mapping", str(mapping), str(other)],
        "mapping_bad_toml": ["--mapping", str(_bad(tmp_path, "b.toml", "table = \n")), str(other)],
    }[case]
    res = runner.invoke(cli.app, ["import", *args, "--db", str(db)])
    assert res.exit_code == 2, res.output
    assert needle in res.stderr.replace("\n", " ")
    assert "Traceback" not in res.output + res.stderr
    assert not db.exists()  # nothing was imported


def test_the_salt_file_is_made_only_when_a_hash_is_needed(tmp_path):
    env = os.environ.pop("SLA_HASH_SALT", None)
    try:
        shutil.copytree(EXPORTS / "salesforce", tmp_path / "sf")
        import_export(tmp_path / "w.duckdb", tmp_path / "sf", fmt="salesforce")
        assert not (tmp_path / "w.duckdb.salt").exists()
        import_export(tmp_path / "w.duckdb", EXPORTS / "hubspot", fmt="hubspot")
        assert (tmp_path / "w.duckdb.salt").exists()  # e-mails name contacts by address
    finally:
        if env is not None:
            os.environ["SLA_HASH_SALT"] = env


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("delimiter = 5", "[csv] delimiter = 5: must be a text in quotes"),
        ("encoding = 1252", "[csv] encoding = 1252: must be a text in quotes"),
        ("timezone = 1", "[csv] timezone = 1: must be a text in quotes"),
        ('decimal_comma = "false"', "[csv] decimal_comma = 'false': must be true or false"),
        ('delimiter = ";;"', "[csv] delimiter = ';;': must be one character"),
        ('timezone = "Europe/Berln"', "[csv] timezone = 'Europe/Berln': not a time zone"),
        # was "--encoding 'utf-99' is not a known encoding", a flag nobody gave
        ('encoding = "utf-99"', "[csv] encoding = 'utf-99': not an encoding"),
        ('encoding = "rot13"', "[csv] encoding = 'rot13': not an encoding"),  # no text codec
    ],
)
def test_a_mapping_csv_value_of_the_wrong_type_is_named(tmp_path, line, message):
    """Each crashed with a TypeError traceback; "false" switched decimal commas on."""
    from analytics.warehouse.adapters.mapping import load_mapping

    mapping = tmp_path / "m.toml"
    mapping.write_text(
        f'table = "leads"\n[csv]\n{line}\n[columns]\nId = "lead_id"\nCreated = "created_at"\n'
        'Source = "source"\n',
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as info:
        load_mapping(mapping)
    assert str(info.value).startswith(f"{mapping}: {message}")


@pytest.mark.parametrize(
    ("text", "layout", "expected"),
    [
        ("10/05/26", "%m/%d/%y", "2026-10-05T00:00:00Z"),  # was quarantined after 141a9ae
        ("26-10-05", "%y-%m-%d", "2026-10-05T00:00:00Z"),  # was read as 2005-10-26
    ],
)
def test_a_given_date_format_reads_the_cell_as_written(text, layout, expected):
    """(a format with an offset: test_a_mapping_date_format_with_an_offset_reads_instants)"""
    frame = pl.DataFrame({"t": [text]})
    assert frame.select(timestamp_text(pl.col("t"), date_format=layout)).item() == expected
    day_only = frame.select(date_text(pl.col("t"), date_format=layout)).item()
    assert day_only == expected[:10]


def test_a_mapping_date_format_with_an_offset_reads_instants(tmp_path):
    """``%z`` in a mapping's date format failed with a polars error ("failed to determine
    supertype of datetime[us, UTC] and datetime[us]"), naming no key."""
    from analytics.warehouse import read_core_table

    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'table = "leads"\n[csv]\ndate_format = "%d.%m.%Y %H:%M %z"\ntimezone = "Europe/Berlin"\n'
        '[columns]\nId = "lead_id"\nCreated = "created_at"\nSource = "source"\n',
        encoding="utf-8",
    )
    data = tmp_path / "leads.csv"
    data.write_text(
        "Id,Created,Source\nA,05.10.2026 09:12 +0100,email\nB,05.10.2026 09:12,email\n",
        encoding="utf-8",
    )
    import_export(tmp_path / "w.duckdb", data, mapping=mapping)
    created = read_core_table(tmp_path / "w.duckdb", "leads").sort("lead_id")["created_at"]
    assert [t.isoformat() for t in created] == [
        "2026-10-05T08:12:00+00:00",  # its own offset
        "2026-10-05T07:12:00+00:00",  # none: the mapping's time zone (CEST)
    ]


KONTAKTE = (
    "Kontakt-Nr;Angelegt am;Quelle;MQL am\n"
    "K-1;03.09.2026;Messe;05.09.2026\n"
    "K-4;31.09.2026;Messe;\n"  # a day September does not have
    "K-5;2026/09/30;Messe;31.09.2026\n"  # another layout; its MQL on no day
)
KONTAKTE_TOML = (
    'table = "leads"\n[csv]\ndate_format = "%d.%m.%Y"\n[columns]\n"Kontakt-Nr" = "lead_id"\n'
    '"Angelegt am" = "created_at"\n"Quelle" = "source"\n[stages]\n"MQL am" = "mql"\n'
)


def test_a_date_the_declared_layout_does_not_read_is_quarantined_naming_that_layout(tmp_path):
    """Audit 2026-12-06 (notebooks) M5: the mapping declared ``%d.%m.%Y`` and
    ``31.09.2026`` was quarantined as "cannot be read as an ISO 8601 timestamp"."""
    (tmp_path / "k.csv").write_text(KONTAKTE, encoding="utf-8")
    (tmp_path / "k.toml").write_text(KONTAKTE_TOML, encoding="utf-8")
    result = import_export(tmp_path / "w.duckdb", tmp_path / "k.csv", mapping=tmp_path / "k.toml")
    no_day = "there is no such day (read in the layout %d.%m.%Y: the month has fewer days)"
    other = (
        "cannot be read in the layout %d.%m.%Y (05.10.2026) nor as ISO 8601 "
        "(2026-10-05T09:12:00+02:00)"
    )
    assert [(r["line"], r["column"], r["reason"]) for r in result.rejected] == [
        (3, "created_at", no_day),
        (4, "created_at", other),
        (4, "entered_at", no_day),
        (4, "lead_id", f"lead K-5 was rejected: k.csv line 4, Angelegt am (created_at) {other}"),
    ]
    assert result.loaded == {"leads": 1, "lifecycle_events": 1}


def test_date_format_given_on_the_command_line_is_named_too(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "leads.csv").write_text("lead_id|created_at|source\n1|31/04/2026 14:00|email\n")
    args = ["import", str(d), "--db", str(tmp_path / "w.duckdb"), "--json"]
    args += ["--date-format", "%d/%m/%Y %H:%M"]
    run = CliRunner().invoke(cli.app, args)
    assert run.exit_code == 1, run.output
    (rejection,) = json.loads(run.stdout)["rejected"]
    assert rejection["reason"] == (
        "there is no such day (read in the layout %d/%m/%Y %H:%M: the month has fewer days)"
    )
    # without a declared layout, the layout that reads it is named (its day shows it)
    (d / "leads.csv").write_text("lead_id,created_at,source\n1,31/04/2026 14:00,email\n")
    result = import_export(tmp_path / "w2.duckdb", d)
    assert result.rejected[0]["reason"] == (
        "date layout needed: '%d/%m/%Y %H:%M' (--date-format, or a mapping's [csv] "
        "date_format; 31/04/2026 14:00 shows the day first, and a date with slashes is "
        "read only in a layout given)"
    )


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        # Excel's BOM and its sep=; line with the encoding given as the default: was refused
        # ("not a HubSpot export ... the header has: sep=")
        (b"\xef\xbb\xbfsep=;\r\nRecord ID;Create Date;Original Source\r\n"
         b"301;05.10.2026 09:12;Organic Search\r\n", "utf-8"),
        # UTF-16 without a byte order mark: its header was printed with NUL bytes, refused
        ("Record ID;Create Date;Original Source\n301;05.10.2026 09:12;Organic Search\n"
         .encode("utf-16-le"), None),
        ("Record ID;Create Date;Original Source\n301;05.10.2026 09:12;Organic Search\n"
         .encode("utf-16-be"), "cp1252"),
        # mostly CJK text (few NUL bytes), and a stray last byte: was refused, header garbled
        ("Record ID;Create Date;Original Source;備註\n301;05.10.2026 09:12;Organic Search;"
         "客戶說明客戶說明客戶說明客戶說明\n".encode("utf-16-le") + b"\x00", None),
    ],
)  # fmt: skip
def test_excel_variants_load_whatever_encoding_is_given(tmp_path, data, codec):
    from analytics.warehouse import read_core_table
    from analytics.warehouse.adapters.common import CsvOptions

    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "contacts.csv").write_bytes(data)
    options = CsvOptions(encoding=codec)
    import_export(tmp_path / "w.duckdb", folder, fmt="hubspot", options=options)
    leads = read_core_table(tmp_path / "w.duckdb", "leads")
    assert leads.select("lead_id", "source").rows() == [("301", "organic")]


def test_a_mapped_file_with_another_delimiter_is_named_with_the_mapping_key(tmp_path):
    """A mapped file saved as Excel's "Unicode text" (UTF-16, tab) under a mapping that
    says ';': the refusal read "not a leads file as m.toml describes file" and named only
    --delimiter, not the mapping's key (audit 2026-12-06 messy exports, finding 6)."""
    from analytics.warehouse import ImportFailed

    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'table = "leads"\n[csv]\ndelimiter = ";"\n[columns]\nId = "lead_id"\n'
        'Created = "created_at"\nSource = "source"\n',
        encoding="utf-8",
    )
    data = tmp_path / "leads.csv"
    data.write_bytes(
        b"\xff\xfe" + "Id\tCreated\tSource\r\nA\t05.10.2026 09:12\temail\r\n".encode("utf-16-le")
    )
    with pytest.raises(ImportFailed) as caught:
        import_export(tmp_path / "w.duckdb", data, mapping=mapping)
    assert str(caught.value) == (
        f"{data}: not a leads file as m.toml describes it: missing column(s) id, created, "
        "source (the header has: Id\tCreated\tSource; it looks like '\\t' separates the "
        "columns: try --delimiter '\\t' or delimiter = \"\\t\" under [csv] in m.toml)"
    )
    # the key as the hint writes it reads the file
    mapping.write_text(mapping.read_text().replace('delimiter = ";"', 'delimiter = "\\t"'))
    assert import_export(tmp_path / "w.duckdb", data, mapping=mapping).loaded == {"leads": 1}


def test_a_mapping_refresh_moves_and_clears_stage_dates(tmp_path):
    """A mapping's [stages] columns hold one date per stage and lead, as HubSpot's: next
    month's file that moved K1's MQL date added a second MQL beside the first (two MQLs
    counted, a re-MQL that never was), and one that cleared K2's kept it (audit
    2026-12-06 messy exports, finding 12)."""
    from analytics.warehouse import read_core_table

    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'table = "leads"\n[columns]\nId = "lead_id"\nCreated = "created_at"\n'
        'Source = "source"\n[stages]\n"MQL am" = "mql"\n',
        encoding="utf-8",
    )
    db = tmp_path / "w.duckdb"
    data = tmp_path / "leads.csv"
    head = "Id;Created;Source;MQL am\n"
    data.write_text(
        head + "K1;01.09.2026 08:00;email;03.09.2026 10:00\nK2;02.09.2026 09:30;email;04.09.2026\n"
    )
    import_export(db, data, mapping=mapping)
    data.write_text(
        head + "K1;01.09.2026 08:00;email;05.09.2026 10:00\nK2;02.09.2026 09:30;email;\n"
    )
    again = import_export(db, data, mapping=mapping)
    events = read_core_table(db, "lifecycle_events").sort("lead_id")
    assert events.select("lead_id", "stage", "entered_at").rows() == [
        ("K1", "mql", datetime(2026, 9, 5, 10, 0, tzinfo=UTC))
    ]
    assert again.changes["lifecycle_events"] == {
        "added": 1, "changed": 0, "unchanged": 0, "removed": 2
    }  # fmt: skip


def test_a_file_refused_for_its_columns_names_its_header_as_written_and_masked(tmp_path):
    """A file without a header line starts with a row: the refusal quoted it lower-cased
    and in clear (an address, a phone number); now as written, personal data masked."""
    data = tmp_path / "kontakte.csv"
    data.write_text("Anna Schmidt,anna.schmidt@example.de,+49 170 5550123,Kaltakquise\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'table = "leads"\n[columns]\n"Kontakt-Nr" = "lead_id"\n"Angelegt am" = "created_at"\n'
        '[defaults]\nsource = "other"\n'
    )
    with pytest.raises(ImportFailed) as caught:
        import_export(tmp_path / "w.duckdb", data, mapping=mapping)
    assert str(caught.value) == (
        f"{data}: not a leads file as m.toml describes it: missing column(s) kontakt-nr, "
        "angelegt am (the header has: Anna Schmidt, [email], [phone], Kaltakquise)"
    )
