"""The version of the privacy rules (:mod:`analytics.warehouse.privacy`) a warehouse holds.

Every import scrubs its cells with the rules of its code, and those rules get stricter
(a phone number glued to a word, an id holding a phone number among more text, an IBAN
glued to a word, a second number after a phone number). A
warehouse written by an older version keeps what those rules let through, until it is
brought to today's (:mod:`analytics.warehouse.rescrub`). So the warehouse records the
version of the rules its cells satisfy: ``meta.privacy_rules``, one row per time it was
brought to (or created with) a version. A warehouse with none recorded (written before
this table) is on older rules.

This module needs DuckDB only (``sla info`` reads it without polars);
:mod:`analytics.warehouse.privacy` re-exports :data:`PRIVACY_RULES`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

#: The version of the privacy rules of this code. Raise it with every change of
#: :mod:`analytics.warehouse.privacy` that masks or hashes more (or otherwise changes what
#: a stored cell becomes): a warehouse recorded with a lower version (or none) has every
#: stored cell brought to the new rules at its next import or ``sla rescrub``.
#:
#: 1: the rules of 2026-12-06: a phone number glued to the word before it is masked
#: (``x+4917112345678`` -> ``x[phone]``), and an id holding a phone number or an IBAN among
#: more text is hashed (``Tel 0171 1234567``); and every rule before them.
#: 2: an IBAN glued to the word before it is masked (``KontoDE89...`` -> ``Konto[iban]``),
#: and a national number after a phone word of the languages of Europe's CRMs
#: (``Teléfono 612 345 678`` -> ``Teléfono [phone]``); an id that is a label and an IBAN
#: (``IBAN:DE89...``, ``KontoDE89...``) or holds a phone word, a mark and a number
#: (``Tel:01711234567``) is hashed.
#: 3: an IBAN glued to a digit before it or to a word after it (``A1DE89...`` ->
#: ``A1[iban]``, ``DE89...3000bitte`` -> ``[iban]bitte``) or, in small letters, to a
#: word for an account (``kontode89...`` -> ``konto[iban]``, also hashed as an id); a
#: national number of 6 or 7 digits after a phone word (``Tel 1234567`` -> ``Tel
#: [phone]``, also hashed as an id) and one after a phone number and a join
#: (``Teléfono 612 345 678 o 622 333 444`` -> ``Teléfono [phone] o [phone]``) are
#: masked; a time, a date or an amount after a number stays (``Tel 612 345 678 14:30``
#: -> ``Tel [phone] 14:30``, not ``Tel [phone]:30``).
#: 4: an address with its ``@`` or its ``.`` written out in any case, in parentheses,
#: brackets or braces (``ana(AT)example.org``, ``ana{at}example{dot}org``) is masked, and
#: an id holding one is hashed (as the address: ``ana(at)example.org`` joins
#: ``ana@example.org``; before, only ``(at)`` and ``[at]`` in small letters were read, in
#: text alone).
#: 5: an id of a phone word, a dash and a phone number (``Tel-01711234567``,
#: ``Mobil-0171-1234567``) is hashed, as text already read it (``Tel-[phone]``); a
#: national number after a dash alone stays an id (``Call-12345678``).
#: 6: a phone number after an ``_`` is masked, as after a ``-`` or a ``.`` (a call
#: recording's file name, ``anruf_0171 1234567.mp3`` -> ``anruf_[phone].mp3``; before,
#: an ``_`` glued it to the word as a letter does), and an id holding one is hashed
#: (``anruf_01711234567``, ``call_0171 1234567``); plain digits after a word and an
#: ``_`` stay an id (``SAP_0012345678``), as after a dash.
#: 7: an IBAN after a code and an ``_`` is masked (``4711_DE89...`` -> ``4711_[iban]``), and
#: an id holding an IBAN wherever text reads one is hashed (``4711-DE89...``, ``A1DE89...``;
#: before, only an IBAN as a whole, after a label or among words parted by a space).
#: Masked less, which needs no version (a stored mask cannot be undone, nor need it be):
#: in text, a run that passes an IBAN's check digits with a letter where its country has
#: only digits (``00000007-BE1416A1E3D669DF``, a hex id).
PRIVACY_RULES = 7

DDL = (
    "CREATE SCHEMA IF NOT EXISTS meta",
    """CREATE TABLE IF NOT EXISTS meta.privacy_rules (
        rules INTEGER, recorded_at TIMESTAMPTZ, load_id INTEGER, cells BIGINT)""",
    "COMMENT ON TABLE meta.privacy_rules IS 'Grain: one row per version of the privacy "
    "rules the warehouse was created with or brought to (rules: "
    "analytics.warehouse.privacy_rules.PRIVACY_RULES)'",
)


def recorded_rules(con: duckdb.DuckDBPyConnection, catalog: str = "") -> int | None:
    """The latest version of the privacy rules recorded in the warehouse (None: none).

    >>> con = duckdb.connect()
    >>> recorded_rules(con)
    >>> record_rules(con)
    >>> recorded_rules(con) == PRIVACY_RULES
    True
    """
    prefix = f"{catalog}." if catalog else ""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'meta' "
        "AND table_name = 'privacy_rules'"
        + (f" AND database_name = '{catalog}'" if catalog else "")
    ).fetchall()[0][0]
    if not found:
        return None
    (latest,) = con.execute(f"SELECT max(rules) FROM {prefix}meta.privacy_rules").fetchall()[0]
    return None if latest is None else int(latest)


def is_current(rules: int | None) -> bool:
    """Whether a warehouse recorded with ``rules`` needs nothing of this code's rules.

    >>> is_current(None), is_current(PRIVACY_RULES - 1), is_current(PRIVACY_RULES)
    (False, False, True)
    """
    return rules is not None and rules >= PRIVACY_RULES


def record_rules(
    con: duckdb.DuckDBPyConnection,
    *,
    load_id: int | None = None,
    cells: int = 0,
) -> None:
    """Record that the warehouse's cells satisfy this code's rules (nothing when they are
    recorded already and nothing was changed): ``load_id``, the load that brought them
    there (None: a new warehouse, or nothing to change), ``cells`` the cells it changed."""
    for statement in DDL:
        con.execute(statement)
    if cells == 0 and is_current(recorded_rules(con)):
        return
    con.execute(
        "INSERT INTO meta.privacy_rules VALUES (?, ?, ?, ?)",
        [PRIVACY_RULES, datetime.now(UTC), load_id, cells],
    )


__all__ = ["PRIVACY_RULES", "is_current", "record_rules", "recorded_rules"]
