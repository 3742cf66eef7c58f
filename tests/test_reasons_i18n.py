"""Why a row was rejected, and why a threshold is recommended: texts in either language.

A rejected row's reason is stored in English (the quarantine, ``sla import``); the Data
page reads it back into its text (``reject.*`` of analytics/texts.py) and shows it in the
UI language, including reasons stored by imports older than the texts. The recommended
threshold's reason is a ``threshold.*`` text rendered in the asked language.
"""

from __future__ import annotations

import polars as pl
import pytest

from analytics.schema import TABLES
from analytics.scoring.thresholds import recommend_threshold
from analytics.texts import TEXTS, Text, codes
from analytics.warehouse.validate import (
    parse_reason,
    reason_text,
    reason_texts,
    split_duplicates,
    validate_rows,
)

# -- quarantine reasons ----------------------------------------------------------------------

#: Reasons as imports store them (the English of today and of older imports), and the
#: German the Data page shows for each (written by hand).
STORED = [
    ("required value is missing", "Pflichtwert fehlt"),
    (
        "not one of the allowed values: email, seo, events",
        "keiner der erlaubten Werte: email, seo, events",
    ),
    ("cannot be read as a whole number", "keine ganze Zahl"),
    ("cannot be read as a number", "keine Zahl"),
    ("cannot be read as true or false", "weder true noch false"),
    (
        "cannot be read as an ISO 8601 timestamp (2026-10-05T09:12:00+02:00)",
        "kein Zeitstempel nach ISO 8601 (2026-10-05T09:12:00+02:00)",
    ),
    ("cannot be read as a date YYYY-MM-DD", "kein Datum im Format JJJJ-MM-TT"),
    (
        "cannot be read in the layout %d.%m.%Y (05.10.2026) nor as ISO 8601 "
        "(2026-10-05T09:12:00+02:00)",
        "weder im Format %d.%m.%Y (05.10.2026) noch nach ISO 8601 (2026-10-05T09:12:00+02:00) "
        "lesbar",
    ),
    (
        "there is no such day (read in the layout %d.%m.%Y: the month has fewer days)",
        "diesen Tag gibt es nicht (gelesen im Format %d.%m.%Y: der Monat hat weniger Tage)",
    ),
    (
        "looks like a long number a spreadsheet saved in scientific notation (1.23457E+11), "
        "not an id: its last digits are lost, so it cannot name its record. Format the "
        "column as text in the spreadsheet, or import the CRM's export as it came",
        "sieht aus wie eine lange Zahl, die eine Tabellenkalkulation in "
        "Exponentialschreibweise gespeichert hat (1,23457E+11), keine ID: ihre letzten "
        "Ziffern sind verloren, sie kann ihren Datensatz nicht benennen. Die Spalte in der "
        "Tabellenkalkulation als Text formatieren oder den Export des CRM unverändert "
        "importieren",
    ),
    (
        "looks like an Excel serial date (a day number such as 46296.5 for 2026-10-01 "
        "12:00), not a date: format the column as a date in the spreadsheet (e.g. "
        "01.10.2026 12:00) and save the CSV again",
        "sieht aus wie eine fortlaufende Excel-Datumszahl (etwa 46296,5 für den 01.10.2026 "
        "12:00), kein Datum: die Spalte in der Tabellenkalkulation als Datum formatieren "
        "(z. B. 01.10.2026 12:00) und die CSV neu speichern",
    ),
    (
        "date layout needed: '%m/%d/%Y' (month first, as in the US) or '%d/%m/%Y' (day first) "
        "(--date-format, or a mapping's [csv] date_format; a date with slashes such as "
        "10/05/2026 is read only in a layout given)",
        "Datumsformat nötig: '%m/%d/%Y' (Monat vorn, wie in den USA) oder '%d/%m/%Y' (Tag "
        "vorn) (--date-format oder date_format unter [csv] eines Mappings; ein Datum mit "
        "Schrägstrichen wie 10/05/2026 wird nur in einem angegebenen Format gelesen)",
    ),
    (
        "date layout needed: '%d/%m/%Y %H:%M' (--date-format, or a mapping's [csv] "
        "date_format; 13/05/2026 09:12 shows the day first, and a date with slashes is read "
        "only in a layout given)",
        "Datumsformat nötig: '%d/%m/%Y %H:%M' (--date-format oder date_format unter [csv] "
        "eines Mappings; 13/05/2026 09:12 zeigt den Tag vorn, und ein Datum mit "
        "Schrägstrichen wird nur in einem angegebenen Format gelesen)",
    ),
    (
        "date layout needed: '%m/%d/%y %I:%M %p' (--date-format, or a mapping's [csv] "
        "date_format; 5/13/26 9:12 PM shows the month first, and a date with slashes is read "
        "only in a layout given)",
        "Datumsformat nötig: '%m/%d/%y %I:%M %p' (--date-format oder date_format unter [csv] "
        "eines Mappings; 5/13/26 9:12 PM zeigt den Monat vorn, und ein Datum mit "
        "Schrägstrichen wird nur in einem angegebenen Format gelesen)",
    ),
    ("must be >= 0", "muss >= 0 sein"),
    ("refers to an unknown lead", "verweist auf einen unbekannten Lead"),
    ("refers to an unknown rep", "verweist auf einen unbekannten Mitarbeiter"),
    ("refers to an unknown account", "verweist auf einen unbekannten Account"),
    ("required when status is won or lost", "Pflichtwert, wenn der Status won oder lost ist"),
    ("duplicate key: first seen on line 12045", "doppelter Schlüssel: zuerst in Zeile 12045"),
    (
        "other values than in exports/contacts_a.csv line 2 of the same export: which is right "
        "is unknown",
        "andere Werte als in exports/contacts_a.csv Zeile 2 desselben Exports: welche stimmen, "
        "ist unbekannt",
    ),
    (
        "this lead's row or another of its dates could not be read: its stored stage dates "
        "stay as they were",
        "die Zeile dieses Leads oder ein anderes seiner Daten war nicht lesbar: seine "
        "gespeicherten Phasendaten bleiben, wie sie waren",
    ),
    (
        "another file of this export gives this lead's stage dates otherwise: that file's stay",
        "eine andere Datei dieses Exports gibt die Phasendaten dieses Leads anders an: deren "
        "bleiben",
    ),
    (
        "its lead has other values in another file of this export (quarantined with it)",
        "sein Lead hat in einer anderen Datei dieses Exports andere Werte (mit ihm zurückgestellt)",
    ),
    ("has 5 fields, the header has 4", "hat 5 Felder, die Kopfzeile hat 4"),
    ("not valid UTF-8 text", "kein gültiger UTF-8-Text"),
    (
        'a quote (") opened in this line is not closed before the next rows begin: the line '
        "is left out and the rows after it are read on their own (close or remove the quote)",
        'ein in dieser Zeile geöffnetes Anführungszeichen (") wird nicht vor den nächsten '
        "Zeilen geschlossen: die Zeile bleibt draußen, die Zeilen danach werden für sich "
        "gelesen (das Anführungszeichen schließen oder entfernen)",
    ),
    ("not a finite number (inf, nan or too large)", "keine endliche Zahl (inf, nan oder zu groß)"),
    (
        "outside the plausible range 1900-01-01 to 2027-12-02",
        "außerhalb des plausiblen Bereichs 1900-01-01 bis 2027-12-02",
    ),
    (  # the lead's own reason is read in German too
        "lead L7 was rejected: leads.csv line 9, created_at required value is missing",
        "Lead L7 wurde abgewiesen: leads.csv Zeile 9, created_at Pflichtwert fehlt",
    ),
    (  # ... also after the export's column, which has spaces
        "lead K1 was rejected: kontakte.csv line 2, Angelegt am (created_at) must be >= 0",
        "Lead K1 wurde abgewiesen: kontakte.csv Zeile 2, Angelegt am (created_at) muss >= 0 sein",
    ),
]


@pytest.mark.parametrize(("stored", "german"), STORED)
def test_a_stored_reason_reads_in_german(stored, german):
    assert reason_text(stored, lang="de") == german
    assert reason_text(stored, lang="en") == stored
    # read back into its text, it renders the very words stored
    assert parse_reason(stored).render(lang="en") == stored


def test_every_reason_text_is_covered_by_the_stored_examples():
    parsed = {parse_reason(stored).code for stored, _ in STORED}
    assert parsed == {f"reject.{name}" for name in codes("reject.")}


def test_words_not_written_from_a_text_are_shown_as_stored():
    assert parse_reason("a reason of some adapter") is None
    assert reason_text("a reason of some adapter", lang="de") == "a reason of some adapter"
    assert reason_text(None, lang="de") is None


def test_a_column_of_reasons_is_translated_keeping_nulls_and_order():
    stored = pl.Series("reason", ["must be >= 0", None, "odd", "must be >= 0"])
    assert reason_texts(stored, lang="de").to_list() == [
        "muss >= 0 sein",
        None,
        "odd",
        "muss >= 0 sein",
    ]
    assert reason_texts(stored, lang="en").equals(stored)
    assert reason_texts(pl.Series("reason", [], dtype=pl.String), lang="de").len() == 0


def test_every_reference_of_the_schema_has_a_reason_text():
    referenced = {c.references[0] for t in TABLES.values() for c in t.columns if c.references}
    assert referenced and all(f"reject.unknown.{table}" in TEXTS for table in referenced)


def test_every_rule_of_the_validation_writes_a_reason_the_page_can_read():
    """Each rule's reason, as validate_rows writes it today, is one of the texts."""
    cells = pl.DataFrame(
        {
            "opportunity_id": ["o1", None, "o3", "o1"],
            "lead_id": ["L1", "L1", "L404", "L1"],
            "created_at": ["2026-10-01", "yesterday", "2026-10-01", "2026-10-01"],
            "amount": ["-5", "many", "10", "10"],
            "status": ["won", "maybe", "open", "open"],
            "_line": [2, 3, 4, 5],
        }
    )
    known = {"leads.lead_id": pl.Series(["L1"])}
    _, rejected = validate_rows("opportunities", cells, known_keys=known)
    reps = pl.DataFrame({"rep_id": ["r1"], "name": ["Ana"], "team": ["sdr"]})
    reps = reps.with_columns(weekly_capacity=pl.lit("x"), active=pl.lit("perhaps"), _line=2)
    _, bad_reps = validate_rows("reps", reps)
    traffic = pl.DataFrame({"date": ["2026-13-01"], "source": ["email"], "visitors": ["1"]})
    _, bad_dates = validate_rows("web_traffic", traffic.with_columns(_line=pl.lit(2)))
    reasons = pl.concat([rejected, bad_reps, bad_dates])["reason"].unique().to_list()
    assert len(reasons) >= 8
    assert all(parse_reason(r) is not None for r in reasons), reasons


def test_the_duplicate_rule_writes_the_line_of_the_first_row():
    rows = pl.DataFrame({"rep_id": ["a", "a"], "_line": [2, 1207]})
    _, bad = split_duplicates("reps", rows)
    assert bad["reason"].to_list() == ["duplicate key: first seen on line 2"]
    assert parse_reason(bad["reason"][0]) == Text("reject.duplicate", {"line": "2"})


# -- the recommended threshold ---------------------------------------------------------------

TABLE = {
    "threshold": [40.0, 50.0, 60.0],
    "mqls_per_week": [1300.0, 1150.0, 90.0],
    "expected_sqls_per_month": [1290.0, 1260.0, 45.0],
}


@pytest.mark.parametrize(
    ("ratios", "en", "de"),
    [
        (
            [1.5, 0.75, 0.45],
            "Threshold 50 gives the most expected SQLs (1,260.0 a month) while its 1,150 MQLs "
            "a week stay within the reps' capacity (75 % of it).",
            "Die Schwelle 50 ergibt die meisten erwarteten SQLs (1.260,0 im Monat), und ihre "
            "1.150 MQLs pro Woche bleiben innerhalb der Kapazität des Vertriebs (75 % davon).",
        ),
        (
            [3.0, 2.0, 1.25],
            "No threshold keeps MQLs within the reps' weekly capacity; 60 comes closest "
            "(workload 125 % of capacity, 45.0 expected SQLs a month).",
            "Keine Schwelle hält die MQLs innerhalb der Wochenkapazität des Vertriebs; 60 kommt "
            "am nächsten (Auslastung 125 % der Kapazität, 45,0 erwartete SQLs im Monat).",
        ),
        (
            [None, None, None],
            "Threshold 40 gives the most expected SQLs (1,290.0 a month); the reps' weekly "
            "capacity is unknown, so workload was not checked.",
            "Die Schwelle 40 ergibt die meisten erwarteten SQLs (1.290,0 im Monat); die "
            "Wochenkapazität des Vertriebs ist unbekannt, daher wurde die Auslastung nicht "
            "geprüft.",
        ),
    ],
)
def test_the_recommendation_reads_in_each_language(ratios, en, de):
    table = pl.DataFrame(
        {**TABLE, "workload_ratio": ratios}, schema_overrides={"workload_ratio": pl.Float64}
    )
    threshold, reason = recommend_threshold(table)
    assert reason == en
    assert recommend_threshold(table, lang="de") == (threshold, de)


def test_no_recommendation_reads_in_each_language():
    table = pl.DataFrame(
        {"threshold": [1.0], "mqls_per_week": [0.0], "expected_sqls_per_month": [None],
         "workload_ratio": [0.0]},
        schema_overrides={"expected_sqls_per_month": pl.Float64},
    )  # fmt: skip
    assert recommend_threshold(table) == (
        None,
        "No threshold has MQLs whose conversion window has closed yet, so none is recommended.",
    )
    assert recommend_threshold(table, lang="de") == (
        None,
        "Bei keiner Schwelle gibt es schon MQLs mit abgeschlossenem Konversionsfenster, daher "
        "wird keine empfohlen.",
    )
