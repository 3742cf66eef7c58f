"""No personal data at rest: personal columns, masked values, hashed ids, the hash salt.

Every import path (canonical strict and lenient, every adapter, mapping files, the app's
upload) passes each chunk of cells through :func:`scrub` before anything is validated,
staged or written, and every quarantine value through :func:`mask_text` (a row with
the wrong number of fields through :func:`misaligned_row` first):

- a column whose header is personal (:func:`is_personal`, the list in
  :data:`PERSONAL_WORDS`, :data:`PERSONAL_NAMES` and :data:`PERSONAL_PARTS`, matched
  after :func:`normalise_header`) is dropped, whether it is a column of its own or a key
  of the raw layer's ``_extra``;
- in every other text (free text such as ``sales_touches.note``, ``campaign``,
  ``job_title``, ``reason``, the kept ``_extra`` values, a broken cell of a typed column)
  e-mail addresses, phone numbers and IBANs are replaced by ``[email]``, ``[phone]`` and
  ``[iban]`` (:func:`mask_expr`);
- an id column (``lead_id``, ``rep_id``...) whose value holds an e-mail address, or is a
  phone number or an IBAN as a whole, or holds one among other text (``Tel 0171
  1234567``, ``x+4917112345678``: :func:`is_personal_id`), keeps a salted hash of it
  instead (``h_`` + 16 hex characters), so that files still join.

Adapters drop the personal columns they know before this (they report them as their
``dropped_columns``); what :func:`scrub` drops or masks is reported per file by the load
(``dropped_columns``, ``masked_columns``). The salt of the hashes: :func:`hash_salt`.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import re
import secrets
import string
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from analytics.schema import TABLES

# the version of these rules, recorded in the warehouse: raise it with every change of what
# a stored cell becomes (a warehouse on older rules is brought to them: rescrub.py)
from analytics.warehouse.privacy_rules import PRIVACY_RULES as PRIVACY_RULES

# -- personal headers -------------------------------------------------------------------

#: A header holding one of these words (after :func:`normalise_header`) is personal.
PERSONAL_WORDS = frozenset(
    {
        # phone (English, German)
        "phone",
        "phones",
        "telephone",
        "cellphone",
        "tel",
        "telefon",
        "mobile",
        "mobil",
        "handy",
        "fax",
        "telefax",
        "rufnummer",
        "durchwahl",
        # names
        "vorname",
        "nachname",
        "familienname",
        "geburtsname",
        "firstname",
        "lastname",
        "fullname",
        "surname",
        "username",
        "benutzername",
        "ansprechpartner",
        "ansprechpartnerin",
        "ansprechpartners",
        "kontaktperson",
        "anrede",
        "salutation",
        # address, birth, bank
        "address",
        "adresse",
        "anschrift",
        "postanschrift",
        "street",
        "strasse",
        "hausnummer",
        "wohnort",
        "geburtsdatum",
        "geburtstag",
        "birthday",
        "birthdate",
        "dob",
        "iban",
        "kontonummer",
        "bankverbindung",
    }
)

#: Whole headers (after :func:`normalise_header`) that name a person.
PERSONAL_NAMES = frozenset(
    {
        "name",
        "first name",
        "last name",
        "full name",
        "middle name",
        "given name",
        "family name",
        "nick name",
        "maiden name",
        "user name",
        "contact",
        "contact name",
        "contact person",
        "contact full name",
        "lead name",
        "person",
        "person name",
        "kontakt",
        "kontakt name",
        "name des ansprechpartners",
        "name des kontakts",
        "date of birth",
        "geb datum",
        "birth date",
        "assistant name",
        "assistantname",
        "associated contact",
        "associated contacts",
        "name kontakt",
        "name kunde",
        "name des kunden",
    }
)

#: Nouns for a person: ``<noun> name`` (``Attendee Name``, ``Lead Full Name``) and
#: ``name des|der|von <noun>`` (``Name des Leads``) name one; a company's, campaign's or
#: owner's name (``Account Name``, ``Owner name``: the company's own staff) do not.
PERSON_NOUNS = frozenset(
    {
        "contact", "lead", "leads", "attendee", "prospect", "participant", "person",
        "registrant", "subscriber", "visitor", "recipient", "applicant", "member",
        "guest", "speaker", "student", "teilnehmer", "teilnehmers", "teilnehmerin",
        "interessent", "interessenten", "besucher", "besuchers",
        "kontakts", "kontaktes", "empfänger", "empfaengers", "bewerber", "bewerbers",
    }
)  # fmt: skip

#: Profiles of a person on a business network (``LinkedIn URL``, ``Xing-Profil``): the
#: network's name alone, or with one of :data:`_PROFILE_OF` (``LinkedIn Campaign`` and
#: ``LinkedIn Clicks`` are marketing's, and kept).
PROFILE_WORDS = frozenset({"linkedin", "xing"})
_PROFILE_OF = frozenset({"url", "profile", "profil", "link", "handle"})

#: Parts of German compound headers that make them personal (``Telefonnummer``,
#: ``Mobilnummer``, ``Privatadresse``, ``Straßenname``, ``Kundenname``...). A company's,
#: campaign's or product's name (``Firmenname``, ``Kampagnenname``) is not among them.
PERSONAL_PARTS = (
    "phone",
    "telefon",
    "rufnummer",
    "handynummer",
    "mobilnummer",
    "faxnummer",
    "vorname",
    "nachname",
    "ansprechpartner",
    "kontaktperson",
    "adresse",
    "anschrift",
    "strasse",
    "geburts",
    "kontaktname",
    "kundenname",
    "personenname",
    "kontoinhaber",
    "teilnehmername",
    "interessentenname",
    "besuchername",
)

#: E-mail words: personal when last, or followed only by :data:`_EMAIL_TAIL`
#: (``E-Mail``, ``Work email``, ``E-Mail-Adresse 2``, ``E-Mail geschäftlich``; not
#: ``Email subject``).
_EMAIL_WORDS = frozenset({"email", "mail", "emailadresse", "mailadresse", "emails"})
_EMAIL_TAIL = frozenset(
    {
        "address",
        "adresse",
        "addr",
        "adr",
        "privat",
        "private",
        "work",
        "business",
        "personal",
        "home",
        "primary",
        "secondary",
        "geschäftlich",
        "geschaeftlich",
        "dienstlich",
    }
)


def normalise_header(name: str) -> str:
    """A header as compared with the personal lists: words in lower case, ``ß`` as ``ss``.

    CamelCase is split, punctuation and ``_`` become spaces, ``e mail`` becomes ``email``.

    >>> [normalise_header(h) for h in ["E-Mail-Adresse", "Tel.", "MobilePhone", "Straße_1"]]
    ['email adresse', 'tel', 'mobile phone', 'strasse 1']
    """
    text = unicodedata.normalize("NFKC", name)
    text = re.sub(r"(?<=[a-zäöü])(?=[A-ZÄÖÜ])", " ", text).lower().replace("ß", "ss")
    text = re.sub(r"[\W_]+", " ", text).strip()
    return re.sub(r"\be mail\b", "email", text)


def is_personal(column: str) -> bool:
    """Whether a header names personal data: a name, e-mail, phone, address, birth date, IBAN.

    >>> [is_personal(c) for c in ["Mail", "Tel.", "Mobil", "Rufnummer", "Username",
    ...                           "Name des Ansprechpartners", "Bemerkung", "Contact owner",
    ...                           "Email subject", "Company name", "Kontakt-ID"]]
    [True, True, True, True, True, True, False, False, False, False, False]
    >>> [is_personal(c) for c in ["Full_Name__c", "Attendee Name", "Name des Leads",
    ...                           "LinkedIn_URL__c", "Campaign_Name__c", "Owner name"]]
    [True, True, True, True, False, False]
    """
    if re.search(r"__p?c$", column.strip()):  # a Salesforce custom field: Full_Name__c
        column = re.sub(r"__p?c$", "", column.strip())
    norm = normalise_header(column)
    if not norm:
        return False
    if norm in PERSONAL_NAMES:
        return True
    words = norm.split()
    if any(w in PERSONAL_WORDS for w in words):
        return True
    squashed = norm.replace(" ", "")  # LinkedIn splits into "linked in"
    network = any(n in squashed for n in PROFILE_WORDS)
    if network and (squashed in PROFILE_WORDS or set(words) & _PROFILE_OF):
        return True  # a person's profile (LinkedIn URL), not a campaign's (LinkedIn Clicks)
    if "name" in words:
        at = words.index("name")
        before, after = words[:at], words[at + 1 :]
        while before and before[-1] in ("full", "first", "last", "given", "family"):
            before = before[:-1]
        if before and before[-1] in PERSON_NOUNS:  # Attendee Name, Lead Full Name
            return True  # (Lead Owner Name: the owner's, one of the company's own staff)
        if after[:1] and after[0] in ("des", "der", "von", "of") and set(after[1:]) & PERSON_NOUNS:
            return True  # Name des Leads, Name der Teilnehmerin
    squashed = norm.replace(" ", "")
    if any(part in squashed for part in PERSONAL_PARTS):
        return True
    for i, word in enumerate(words):
        if word in _EMAIL_WORDS and all(w in _EMAIL_TAIL or w.isdigit() for w in words[i + 1 :]):
            return True
    return False


def personal_columns(columns: Iterable[str]) -> list[str]:
    """The personal ones among column names (``_line`` and ``_extra`` never are)."""
    return [c for c in columns if c not in ("_line", "_extra") and is_personal(c)]


#: Free-text columns that may hold names or phone numbers (a deal is often named after
#: its contact): the adapters never load them.
FREE_TEXT = frozenset(
    {
        "call notes",
        "call body",
        "hs_call_body",
        "email body",
        "email text",
        "hs_email_text",
        "notes",
        "description",
        "message",
        "subject",
        "email subject",
        "comments",
        "deal name",
        "call title",
        "meeting name",
    }
)


def is_private(column: str) -> bool:
    """Personal (:func:`is_personal`) or free text the adapters leave out (:data:`FREE_TEXT`)."""
    return is_personal(column) or column.strip().lower() in FREE_TEXT


# -- personal values ----------------------------------------------------------------------

#: Patterns are written for both Python's ``re`` and polars (Rust ``regex``: no look-around),
#: so a match starts after group 1 (the start or a character that cannot precede one).
#: Letters and digits of any script (``иван@пример.рф``, ``用户@例子.广告``); a top-level
#: domain is letters only.
EMAIL = r"[\w.+%'-]+(?:@|\s?[\(\[]at[\)\]]\s?)[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}"
#: Phone number layouts: a leading ``+`` or ``00``, separators or parentheses; and
#: :data:`_PHONE_DIGITS`, a ``0`` and 8 to 12 more digits. Three groups of 3, 3 and 4
#: digits (``555-867-5309``) are a US number, even when they are an order number.
_PLUS_PHONE = r"\+\d{1,3}(?:[ ./-]?\(0\))?(?:[ ./-]{0,2}\(?\d\)?){7,14}"  # +49 170 5550001
_US_PHONE = r"\(\d{3}\)\s?\d{3}[ .-]\d{4}"  # (555) 123-4567
_PHONE_LAYOUTS = (
    r"\+?" + _PLUS_PHONE,  # also ++49 170 5550001, as the international prefix was written
    # 0049 170 5550001, 0049 (0)170 5550001 (no country code starts with 0)
    r"00[1-9]\d{0,2}(?:[ ./-]?\(0\))?(?:[ ./-]{0,2}\d){6,14}",
    r"\(?0\d{2,5}\)?(?:[ ./-]+|\)\s*)\d(?:[ ./-]?\d){4,12}",  # 030 1234567, 0170/5550001
    r"0[ /-]\d{2,5}[ ./-]\d(?:[ ./-]?\d){5,12}",  # 0 170 5550001
    _US_PHONE,
    r"\d{3}-\d{3}-\d{4}|\d{3}\.\d{3}\.\d{4}",  # 555-867-5309, 555.867.5309
    r"0\d(?: \d{2}){4}",  # 06 12 34 56 78 (five pairs: no date is written so)
)
_PHONE_DIGITS = r"0[1-9]\d{7,12}"  # 01705550001
_PHONE_ANY = "|".join((*_PHONE_LAYOUTS, _PHONE_DIGITS))
#: Words for a phone number, in German and English and in the languages of Europe's
#: other CRMs (French, Spanish, Italian, Portuguese, Dutch, Polish, Swedish, Danish,
#: Norwegian, Turkish), each with and without its accents (:func:`_accents_optional`):
#: what a number is glued to (``Tel0171 1234567``, ``Handy01711234567``), and what says
#: that a national number after it is one (:data:`_NATIONAL`).
PHONE_WORDS = (
    # German, English
    "tel", "telefon", "fon", "phone", "telephone", "cellphone", "mobil", "mobile", "handy",
    "fax", "ruf", "anruf", "rückruf", "rueckruf", "call", "cell", "whatsapp", "sms",
    "telefonnummer", "handynummer", "mobilnummer", "rufnummer", "faxnummer",
    # French, Spanish, Italian, Portuguese
    "téléphone", "tél", "portable", "teléfono", "tfno", "telf", "móvil", "celular", "cel",
    "telefono", "cellulare", "telefone", "telemóvel", "tlm",
    # Dutch, Polish, Swedish, Danish, Norwegian, Turkish
    "telefoon", "mobiel", "gsm", "komórka", "komórkowy", "kom", "tlf", "tfn",
    "mobiltelefon", "telefonu", "cep",
)  # fmt: skip
#: Words for "number" that may stand between a phone word and its number (``Phone
#: number: ...``, ``Tel.-Nr. ...``, ``Teléfono nº ...``, ``Telefon numarası ...``).
NUMBER_WORDS = (
    "number", "nummer", "numer", "numéro", "número", "num", "nr", "no", "nº", "n°",
    "numara", "numarası",
)  # fmt: skip


def _accents_optional(word: str) -> str:
    """A pattern for ``word`` with each accented letter written as it is, decomposed (a
    letter and its combining accent) or without its accent.

    >>> _accents_optional("tél")
    't(?:é|e\u0301|e)l'
    >>> bool(re.fullmatch(_accents_optional("móvil"), "movil"))
    True
    """
    pattern = []
    for char in word:
        base = unicodedata.normalize("NFD", char)
        pattern.append(f"(?:{char}|{base}|{base[0]})" if len(base) > 1 else re.escape(char))
    return "".join(pattern)


def _words(words: Iterable[str]) -> str:
    """One case-insensitive pattern for ``words`` (:func:`_accents_optional`), the longer
    first."""
    each = sorted({_accents_optional(w) for w in words}, key=lambda w: (-len(w), w))
    return "(?i:" + "|".join(each) + ")"


#: A word for a phone number, as a pattern (:data:`PHONE_WORDS`), in any case.
_PHONE_WORDS = _words(PHONE_WORDS)
#: What stands between a phone word and a national number: optionally a word for
#: "number" (:data:`NUMBER_WORDS`, after a ``.``, ``:`` or ``-``, or glued:
#: ``Telefonnr``), then a space, a ``.`` or a ``:`` (``Tel. ``, ``tel.:``, ``Móvil - ``). A
#: national number glued to a phone word is read as a code (``CALL12345678``,
#: ``SMS20261005``), as a dash alone (``CALL-12345678``).
_BEFORE_NATIONAL = (
    rf"(?:[ \t]*(?:[.:-][ \t]*){{0,2}}{_words(NUMBER_WORDS)})?"
    r"(?:[ \t]*[.:][ \t]*(?:[.:][ \t]*)?|[ \t]+(?:-[ \t]+)?)"
)
#: A national number, without a ``+`` or a leading ``0`` (Spain ``612 345 678``, Italy
#: ``339 1234567``, Poland ``612-345-678``, Denmark ``12 34 56 78``, Norway ``412 34
#: 567``, Turkey ``532 123 45 67``): masked only after a phone word
#: (:data:`_BEFORE_NATIONAL`), as it is an order's number (``Pedido 612345678``) as
#: often. 9 to 12 digits as one run or in groups parted by a dash, a dot or a slash
#: (``3391234567``, ``339.123.4567``: a date has 8, ``12.10.2026``, ``2026-10-05``,
#: ``20261005``), or 8 to 12 in groups parted by spaces, the first of 2 or 3 digits
#: (``12 34 56 78``; a year first, ``2026 10 05``, is none).
_NATIONAL = "|".join(
    (
        r"[1-9]\d{8,11}",
        r"[1-9]\d \d(?: ?\d){5,9}",
        r"[1-9]\d{2} \d(?: ?\d){4,8}",
        *(
            rf"[1-9]\d{s}\d(?:{s}?\d){{6,9}}|[1-9]\d{{2}}{s}\d(?:{s}?\d){{5,8}}"
            for s in ("-", r"\.", "/")
        ),
    )
)
#: A short national number, 6 or 7 digits (a local number, Iceland's, Estonia's:
#: ``1234567``, ``345 67 89``, ``12 34 56``, ``345-67-89``), right after a phone word as
#: :data:`_NATIONAL` is: 5 digits are a postcode as often (``Fon 10115 Berlin``). Groups
#: parted by spaces are three (two, ``900 1800``, ``250 000``, are bands and amounts as
#: often); by dashes, of 3, 2 and 2 digits (``900-1200`` is a time span as often); none
#: parted by dots or slashes (``12.10.26``, ``1.234.567``, ``12/10/26``).
_NATIONAL_SHORT = "|".join(
    (
        r"[1-9]\d{5,6}",
        r"[1-9]\d \d{2} \d{2,3}|[1-9]\d \d{3} \d{2}|[1-9]\d{2} \d{2} \d{2}",
        r"[1-9]\d{2}-\d{2}-\d{2}",
    )
)
#: What a phone word says is a phone number (the longer layouts first).
_AFTER_PHONE_WORD = f"{_NATIONAL}|{_NATIONAL_SHORT}"
#: Words for "or" and "and" in the languages of :data:`PHONE_WORDS`: what may join a
#: second number to a phone number (:data:`_JOIN`).
OR_WORDS = (
    "or", "and", "oder", "und", "bzw", "sowie", "ou", "et", "o", "u", "y", "e", "oppure",
    "of", "en", "lub", "albo", "i", "oraz", "eller", "och", "og", "veya", "ve",
)  # fmt: skip
#: What joins a second number to a phone number before it (``612 345 678 o 622 333 444``,
#: ``612 345 678 / 622 333 444``): a ``/ , ; & |``, a dash between spaces, or one of
#: :data:`OR_WORDS` between spaces (after a ``,`` or ``;``, with a ``.``: ``bzw.``).
_JOIN = (
    r"[ \t]*[/,;&|][ \t]*|[ \t]+-[ \t]+"
    rf"|[ \t]*[,;]?[ \t]+{_words(OR_WORDS)}\.?[ \t]+"
)
#: What may stand right before a phone number that stands apart: the start, a character
#: that cannot precede one (not a letter, a digit or ``+``), or an ``_``, which parts
#: words as a ``-`` or a ``.`` does (``anruf_0171 1234567.mp3``, since version 6 of the
#: rules). Text and ids read it alike.
_NUMBER_START = r"^|[^\w+]|_"
#: Where a phone number ends: a word's end, or an ``_`` that parts it from the next word as a
#: ``-`` or a ``.`` does (``anruf_01711234567_2026-10-05.mp3``, since version 6 of the
#: rules; the patterns have no look-ahead, so the ``_`` is matched and written back).
_NUMBER_END = r"_|\b"
#: The phone numbers of :data:`PHONE`: what stands before one (kept) and the number. The
#: start or a character that cannot precede one (not a letter, a digit or ``+``; an ``_``
#: parts words as a ``-`` or a ``.`` does, ``anruf_0171 1234567.mp3``, since version 6 of
#: the rules);
#: a letter or ``_`` right before its ``+`` (``x+4917112345678``, ``call+49 171
#: 1234567``: a digit there is a sum, ``2+2``, and 7 digits or fewer after a ``+`` are no
#: number, ``SKU+12345``); one of :data:`_PHONE_WORDS` right before it; a national
#: number after a phone word (``Teléfono 612 345 678``, ``Tel 1234567``:
#: :data:`_AFTER_PHONE_WORD`).
_PHONE_KINDS = (
    (_NUMBER_START, _PHONE_ANY),
    (r"[^\W\d]", rf"\+?{_PLUS_PHONE}"),
    (rf"\b{_PHONE_WORDS}", _PHONE_ANY),
    (rf"\b{_PHONE_WORDS}{_BEFORE_NATIONAL}", _AFTER_PHONE_WORD),
)


#: What the last group of a phone number cannot be: the start of a time, a date or an
#: amount after a space (``Tel 612 345 678 14:30`` read ``678 14`` as the number's end:
#: ``Tel [phone]:30``). A time with its minutes (``14:30``, ``9.30``), a date
#: (``12.10.2026``, ``2026-12-06``), an amount with its cents (``12,50``).
_NOT_ITS_END = r"[ \t]+(?:\d{1,2}[:.]\d{2}|\d{1,3},\d{2}|\d{4}-\d{2}-\d{2})"


def _phones(kinds: Iterable[tuple[str, str]], *, timed: bool = False) -> tuple[str, str, str]:
    r"""One pattern of ``kinds`` (what stands before a number, the number), each a group,
    and what :func:`_mask_phones` and :func:`_mask_mapped` write for a match: the mask,
    and the number between :data:`_OPEN` and :data:`_CLOSE`, with what stood before it.
    ``timed``: each kind is first tried with :data:`_NOT_ITS_END` after it (a group of its
    own, kept). A number ends at a word's end or an ``_`` (:data:`_NUMBER_END`, kept).

    >>> pattern, mask, _ = _phones([("Tel ", r"\d[\d ]+\d")], timed=True)
    >>> re.sub(pattern, _template(mask), "Tel 612 345 678 14:30, Tel 1234567")
    'Tel [phone] 14:30, Tel [phone]'
    """
    parts: list[str] = []
    kept, numbers, after = [], [], []
    for before, number in kinds:
        for end in ([_NOT_ITS_END] if timed else []) + [_NUMBER_END]:
            first = re.compile("|".join(parts)).groups + 1 if parts else 1
            parts.append(f"({before})({number})({end})")
            kept.append(f"${{{first}}}")
            numbers.append(f"${{{first + 1}}}")
            after.append(f"${{{first + 2}}}")
    kept_text, after_text = "".join(kept), "".join(after)
    return (
        "|".join(parts),
        f"{kept_text}[phone]{after_text}",
        f"{kept_text}{_OPEN}{''.join(numbers)}{_CLOSE}{after_text}",
    )


def _after_phone(found: str) -> tuple[str, str]:
    """The kind of a national number after a phone number found before it (``found``: a
    pattern for one) and :data:`_JOIN` (``Tel 612 345 678 / 622 333 444``: the phone word
    is for both)."""
    return f"{found}(?:{_JOIN})", _AFTER_PHONE_WORD


#: Around a match while :func:`_mask_mapped` finds the matches, and over one already found,
#: a phone number apart (the fold writes every control character as a space: no folded
#: text holds one).
_OPEN, _CLOSE, _FOUND, _FOUND_PHONE = "\x02", "\x03", "\x01", "\x04"
#: A UUID hidden from the phone rules (:data:`_UUID_APART`).
_UUID_HIDDEN = _FOUND * 36
#: A phone number in text (:data:`_PHONE_KINDS`); :data:`_PHONE_MASK` writes what is kept
#: and the mask.
PHONE, _PHONE_MASK, _ = _phones(_PHONE_KINDS)
#: ... with :data:`_NOT_ITS_END`: for the texts where :data:`PHONE` found one and a digit
#: stands before one of those values (:data:`_AFTER_A_NUMBER`). Over every text it took
#: ten times as long.
_PHONE_TIMED, _PHONE_TIMED_MASK, _ = _phones(_PHONE_KINDS, timed=True)
_AFTER_A_NUMBER = rf"\d{_NOT_ITS_END}"
#: A phone number after one masked (:func:`_mask_phones`): a pass of its own, as the
#: join's words in :data:`PHONE` made it take five times as long.
_PHONE_AFTER_PHONE, _PHONE_AFTER_PHONE_MASK, _ = _phones([_after_phone(r"\[phone\]")], timed=True)
#: :data:`PHONE` and :data:`_PHONE_AFTER_PHONE` in one, where the phone numbers found are
#: hidden (:func:`_hidden`), not masked, and what :func:`_mask_mapped` marks; and timed.
_HIDDEN_KINDS = (*_PHONE_KINDS, _after_phone(f"{_FOUND_PHONE}+"))
_PHONE_HIDDEN, _, _PHONE_HIDDEN_MARKS = _phones(_HIDDEN_KINDS)
_PHONE_HIDDEN_TIMED, _, _PHONE_HIDDEN_TIMED_MARKS = _phones(_HIDDEN_KINDS, timed=True)
#: What finds the texts that may hold one of :data:`PHONE` (which is one, :data:`PHONE`
#: decides): any layout after anything but a digit or a ``+`` (a phone word's last letter
#: too), a ``+`` number after a letter, a national number after a space, ``.`` or ``:``,
#: a digit after a mask on its line (a text masked before: ``[phone]/622333444``).
#: No word list, no word boundary: a third cheaper than :data:`PHONE`.
_PHONE_SEEN = (
    rf"(?:^|[^\d+])(?:{_PHONE_ANY})(?:{_NUMBER_END})"
    rf"|[^\W\d]\+?{_PLUS_PHONE}(?:{_NUMBER_END})"
    rf"|[ \t.:](?:{_AFTER_PHONE_WORD})(?:{_NUMBER_END})"
    r"|\[phone\][^\d\n]*[1-9]"
)
#: An IBAN candidate (two letters, two check digits, 11 to 30 more); masked when its
#: check digits are right (ISO 13616 mod 97).
#: Its groups may be parted by a space, a dot, a dash or a slash, once or twice
#: (:data:`_IBAN_SEPARATORS`).
_IBAN_BODY = r"(?:[ ./-]{0,2}[A-Za-z0-9]){11,30}"
#: What may end a candidate: a word boundary, after the letters of a word glued to it
#: (``DE89370400440532013000bitte``: :func:`_iban_end` cuts the IBAN at its country's
#: length and keeps the word).
_IBAN_END = r"[^\W\d_]*\b"
IBAN = rf"\b[A-Za-z]{{2}}\d{{2}}{_IBAN_BODY}{_IBAN_END}"
#: Words for a bank account, in the languages of :data:`PHONE_WORDS`: what an IBAN with
#: its country code in small letters may be glued to (:data:`IBAN_GLUED`).
IBAN_WORDS = (
    "iban", "konto", "kontonr", "kontonummer", "kto", "ktonr", "bankverbindung", "bank",
    "account", "acct", "compte", "cuenta", "conto", "conta", "rekening", "rachunek", "hesap",
)  # fmt: skip
_IBAN_WORDS = _words(IBAN_WORDS)
#: An IBAN glued to the word before it (``KontoDE89370400440532013000``,
#: ``IBANDE89 3704 ...``: the word is kept): a word of letters (or ``_``) from its start
#: (group 1), then the IBAN (group 2) with its country code in capitals as banks write
#: it, or in either case after a word for an account (:data:`IBAN_WORDS`, also as a
#: word's end: ``kontode89...``, ``Girokontode89...``; :func:`_iban_spans` tells). A word
#: with a digit before (``ab12cdDE89...``: a hex id) is no such word, and any other word
#: ending in small letters runs into a code as often as into an IBAN
#: (``Gutscheincode...``, ``format...``).
IBAN_GLUED = rf"\b([^\W\d]+)([A-Za-z]{{2}}\d{{2}}{_IBAN_BODY}{_IBAN_END})"
#: An IBAN glued to a digit before it, or to a digit and an ``_``
#: (``A1DE89370400440532013000``, ``Ref.2DE89...``, ``4711_DE89...``: group 3), its
#: country code in capitals as banks write it: a hex id or a UUID in small letters holds
#: no such run.
IBAN_AFTER_DIGIT = rf"\d_?([A-Z]{{2}}\d{{2}}{_IBAN_BODY}{_IBAN_END})"
_IBANS = f"{IBAN}|{IBAN_GLUED}|{IBAN_AFTER_DIGIT}"
#: What finds the texts that may hold one of :data:`_IBANS`: two letters, two digits and
#: the body, wherever they stand. One alternative, no word boundary: an alternative per
#: kind of glue took four times as long over every cell.
_IBANS_SEEN = rf"[A-Za-z]{{2}}\d{{2}}{_IBAN_BODY}"
_IBAN_SEPARATORS = " ./-"
#: A UUID (8-4-4-4-12 hex digits, either case): its groups after a dash run on as an IBAN
#: in groups does (``...-ad06-baf8-78fc-ba7530c4facc`` is Andorra's length, and one in 97
#: passes the check digits: 15 in a million random UUIDs), so none is read inside one.
_UUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
#: A UUID standing apart (:data:`_UUID`), as phone numbers are sought: its groups of
#: digits are none (``11c4e4c4-0594-2688-6562-924de124fe54``: one random UUID in about
#: 280 has such a run), so it is hidden from the phone rules (:data:`_UUID_HIDDEN`, as
#: long as the UUID: no pattern matches it, and what stands around it reads the same).
_UUID_APART = rf"\b{_UUID}\b"
_UUID_RE = re.compile(_UUID_APART)


def _uuid_spans(text: str) -> list[tuple[int, int]]:
    """Where the UUIDs standing apart in ``text`` are (:data:`_UUID_APART`).

    >>> _uuid_spans("id 11c4e4c4-0594-2688-6562-924de124fe54")
    [(3, 39)]
    """
    return [match.span() for match in _UUID_RE.finditer(text)]


#: The layouts of a phone number that an id is not also written in: a leading ``+``, or
#: digit groups parted by spaces, a slash or parentheses. Plain digits (a record id
#: ``51234567890``, an SAP customer number ``0012345678``) and groups parted by dashes or
#: dots only (an order number ``0815-47110``) are ids, as they are in most CRMs.
_ID_PHONE_LAYOUTS = (
    _PLUS_PHONE,
    # 0049 170 5550001, 0049 (0)170 5550001
    r"00[1-9]\d{0,2}(?:[ /]?\(0\)[ /]?|[ /])\d(?:[ ./-]?\d){5,13}",
    r"\(?0\d{2,5}\)?(?: +|/|\)\s*)\d(?:[ ./-]?\d){4,12}",  # 030 1234567, 0170/5550001
    r"0[ /]\d{2,5}[ ./-]\d(?:[ ./-]?\d){5,12}",  # 0 170 5550001
    r"(?:\(0\)|0)\d{1,4} \d(?: ?\d){5,11}",  # 06 12 34 56 78, 02 1234 5678, (0)6 12...
    _US_PHONE,
)
#: A whole id cell that is a phone number: one of :data:`_ID_PHONE_LAYOUTS`.
_ID_PHONE = r"^\s*(?:" + "|".join(_ID_PHONE_LAYOUTS) + r")\s*$"
#: ... or written with ``++`` (``++49 170 5550099``), or several, each joined to the one
#: before by its ``+`` (``+4917155500991+4917155500992``).
_ID_PHONES = (
    r"^\s*(?:"
    + "|".join((r"\+" + _PLUS_PHONE, *_ID_PHONE_LAYOUTS))
    + rf")(?:\+?{_PLUS_PHONE})*\s*$"
)
#: A whole id cell that may be an IBAN (hashed when its check digits are right), in
#: either case (``de89.3704...`` is spelt so in text too); a hex id (Olist's
#: ``ab12cd...``, 32 characters) is no country's length (:data:`IBAN_LENGTHS`).
_ID_IBAN = r"^\s*[A-Za-z]{2}\d{2}(?:[ ./-]{0,2}[A-Za-z0-9]){11,30}\s*$"
#: A whole id cell that may be a label and an IBAN (hashed when :func:`_labelled_iban`
#: reads one): a word with no digit or space (``IBAN:``, ``Konto``, ``Kto.-Nr.``), the
#: IBAN right after a mark in it (``IBAN:DE89370400440532013000``) or glued to its
#: letters, its country code in capitals (``KontoDE89370400440532013000``) or, after a
#: word for an account, in either case (``kontode89...``: :data:`IBAN_GLUED`).
_ID_LABELLED_IBAN = (
    rf"^\s*(?:[^\W\d][^\s\d]*?(?:[^\w\s][A-Za-z]{{2}}|[A-Z]{{2}})"
    rf"|[^\W\d]*?{_IBAN_WORDS}_?[A-Za-z]{{2}})\d{{2}}{_IBAN_BODY}\s*$"
)
#: A phone number inside an id with more in it (``x+4917112345678``,
#: ``A/0170/5550099``, ``Tel01711234567``): one of :data:`_ID_PHONE_LAYOUTS` standing
#: apart as :data:`PHONE` reads one in text, a ``+`` number right after a letter, or
#: any layout right after one of :data:`_PHONE_WORDS` or after one and a dash
#: (``Tel-01711234567``, as text reads it since version 5 of the rules) or an ``_``
#: (``anruf_01711234567``, version 6; a layout after an ``_`` stands apart too,
#: ``call_0171 1234567``). (Plain digits and dashed groups glued to an id's letters,
#: ``L-0815-47110``, ``CALL12345678``, ``SAP_0012345678``, ``Call-12345678``, stay ids,
#: as they are whole.)
_ID_PHONE_INSIDE = (
    rf"(?:{_NUMBER_START})(?:{'|'.join(_ID_PHONE_LAYOUTS)})(?:{_NUMBER_END})"
    rf"|[^\W\d]\+?{_PLUS_PHONE}(?:{_NUMBER_END})"
    rf"|\b{_PHONE_WORDS}[-_]?(?:{_PHONE_ANY})(?:{_NUMBER_END})"
)
#: ... or any layout or a national number after a phone word and a mark or a space
#: (``Tel:01711234567``, ``Teléfono 612 345 678``: :data:`_BEFORE_NATIONAL`). A pass of
#: its own: joined to :data:`_ID_PHONE_INSIDE`, the one pattern took ten times as long.
_ID_PHONE_AFTER_WORD = (
    rf"\b{_PHONE_WORDS}{_BEFORE_NATIONAL}(?:{_PHONE_ANY}|{_AFTER_PHONE_WORD})(?:{_NUMBER_END})"
)
#: An id with words parted by a space (``Tel 0171 1234567``, ``lead 0171-1234567``,
#: ``0171 - 1234567``) is text, not a CRM's id: a phone number in any layout of
#: :data:`PHONE` (:data:`_ID_PHONE_AMONG`) or an IBAN (:data:`_ID_TEXT_IBAN`, as text
#: reads one: standing apart or glued to a word, its check digits and length) anywhere in
#: it makes it personal.
_ID_SPACED = r"\S\s+\S"
_ID_PHONE_AMONG = rf"(?:{_NUMBER_START})(?:{_PHONE_ANY})(?:{_NUMBER_END})"
_ID_TEXT_IBAN = rf"\S\s+.*(?:{_IBANS})|(?:{_IBANS}).*\s+\S"

_IBAN_CANDIDATE = re.compile(_IBANS)
#: One pass that finds the cells worth masking (a DFA, no captures: fast).
_ANY = f"{EMAIL}|{_PHONE_SEEN}|{_IBANS_SEEN}"


#: The length of an IBAN per country (the ISO 13616 registry): a hex id whose first
#: letters are no such country, or whose length is not that country's, is no IBAN even
#: when its check digits happen to fit (one in 97).
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip
_COUNTRY = f"(?:{'|'.join(sorted(IBAN_LENGTHS))})"
_COUNTRY_ANY_CASE = f"(?i:{'|'.join(sorted(IBAN_LENGTHS))})"
#: Among the texts of :data:`_IBANS_SEEN` (hex ids hold many), those worth
#: :func:`_iban_spans`: a registered country code, glued as :data:`_IBANS` may glue it.
_IBANS_NEAR = (
    rf"\b{_COUNTRY_ANY_CASE}\d{{2}}{_IBAN_BODY}|\w{_COUNTRY}\d{{2}}{_IBAN_BODY}"
    rf"|{_IBAN_WORDS}_?{_COUNTRY_ANY_CASE}\d{{2}}{_IBAN_BODY}"
)


def _is_iban(text: str) -> bool:
    """ISO 13616: a registered country with its length, and check digits that fit
    (two digits after the country; letters as 10..35, the first four characters moved to
    the end).

    >>> _is_iban("DE89 3704 0044 0532 0130 00"), _is_iban("FB73B4C3128F46FC8691FDF5704DBE93")
    (True, False)
    >>> _is_iban("VGXI97604200221972887630")  # the sum fits, but XI are no check digits
    False
    """
    compact = text.translate(_NO_IBAN_SEPARATORS).upper()
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum():
        return False
    if not compact.isascii() or not compact[2:4].isdigit():
        return False
    return int((compact[4:] + compact[:4]).translate(_IBAN_LETTERS)) % 97 == 1


_NO_IBAN_SEPARATORS = str.maketrans("", "", _IBAN_SEPARATORS)
#: An IBAN's letters as its check reads them: A as 10 ... Z as 35.
_IBAN_LETTERS = str.maketrans({c: str(int(c, 36)) for c in string.ascii_uppercase})


def _mask_ibans(text: str) -> str:
    """IBANs masked (:func:`_iban_spans`); a candidate that runs on into the next word
    (``DE89...3000 bitte``, ``DE89...3000bitte``: the pattern cannot tell where an IBAN
    ends) is cut at its country's length, and one glued to the word or the digit before
    it keeps them.

    >>> _mask_ibans("IBAN DE89370400440532013000 bitte; DE89 3704 0044 0532 0130 00 Bank")
    'IBAN [iban] bitte; [iban] Bank'
    >>> _mask_ibans("KontoDE89370400440532013000, IBAN_DE89370400440532013000")
    'Konto[iban], IBAN_[iban]'
    >>> _mask_ibans("A1DE89370400440532013000, DE89370400440532013000bitte")
    'A1[iban], [iban]bitte'
    >>> _mask_ibans("4711_DE89370400440532013000, 00000007-BE1416A1E3D669DF")
    '4711_[iban], 00000007-BE1416A1E3D669DF'
    """
    return _masked_at(text, [(a, b, "[iban]") for a, b in _iban_spans(text)])


def _iban_spans(text: str, *, as_id: bool = False) -> list[tuple[int, int]]:
    """Where the IBANs of ``text`` stand (``text[a:b]``): each candidate of :data:`IBAN`,
    :data:`IBAN_GLUED` or :data:`IBAN_AFTER_DIGIT` (without the word or the digit before
    it) that :func:`_iban_end` reads as one and that is like its country
    (:func:`_unlike_its_country`). After a
    candidate that is none, the search goes on inside it: one that is no IBAN can run
    into the IBAN after it (``Filiale AB12 DE89 3704 ...``).

    ``as_id``: an id's reading, where a candidate standing apart needs its check digits
    only (``L-BE1416A1E3D669DF`` is hashed), also inside a UUID (:data:`_UUID`). An id
    hashed once must hash again at every import to join its rows, and a stored hash
    cannot be undone, so what an id's reading hashes never narrows; a text's masks can.

    >>> _iban_spans("Filiale AB12 DE89 3704 0044 0532 0130 00")
    [(13, 40)]
    >>> _iban_spans("KontoDE89370400440532013000"), _iban_spans("KontoDE00370400440532013000")
    ([(5, 27)], [])
    >>> _iban_spans("L-BE1416A1E3D669DF"), _iban_spans("L-BE1416A1E3D669DF", as_id=True)
    ([], [(2, 18)])
    >>> _iban_spans("cf109cd7-ad06-baf8-78fc-ba7530c4facc")  # a UUID
    []
    """
    spans: list[tuple[int, int]] = []
    uuids: list[tuple[int, int]] | None = None  # (read at the first candidate: few have one)
    at = 0
    while found := _IBAN_CANDIDATE.search(text, at):
        group = found.lastindex or 0  # (the word or digit it is glued to: before the group)
        start = found.start(group)
        if not as_id:
            if uuids is None:
                uuids = _uuid_spans(text)
            if any(a <= start < b for a, b in uuids):
                at = start + 1
                continue
        end = _iban_end(text[start : found.end()])
        if group == 2 and not text[start : start + 2].isupper():
            end = end if found[1].rstrip("_").lower().endswith(IBAN_WORDS) else 0
        glued = group == 3 or (start + end < len(text) and text[start + end].isalpha())
        if (
            end
            and (glued or not as_id)
            and _unlike_its_country(text[start : start + end], glued=glued)
        ):
            end = 0
        if end:
            spans.append((start, start + end))
        at = start + (end or 1)
    return spans


def _unlike_its_country(iban: str, *, glued: bool = True) -> bool:
    """Whether an IBAN's BBAN is unlike its country's: a letter where the registry has
    only digits (:data:`_DIGIT_BBANS`), or, for one glued to a word or a code, more than a
    bank's four letters. A glued IBAN is read across a code, so codes passed its check
    digits: one in about 10,000 hex ids in capitals (``...D8BE72868DFF979BAA``), one in
    about 17,000 codes of a digit and 20 capitals or digits (``D8LT00S96B4ZAY0DDXDVFO``);
    one standing apart passed them too (``00000007-BE1416A1E3D669DF``).

    >>> [_unlike_its_country(v) for v in ("BE72868DFF979BAA", "LT00S96B4ZAY0DDXDVFO")]
    [True, True]
    >>> [_unlike_its_country(v) for v in ("DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432")]
    [False, False]
    >>> _unlike_its_country("BE1416A1E3D669DF", glued=False)  # letters in a Belgian BBAN
    True
    >>> _unlike_its_country("LT00S96B4ZAY0DDXDVFO", glued=False)  # (as LT allows no letter)
    True
    """
    compact = iban.translate(_NO_IBAN_SEPARATORS).upper()
    letters = sum(c.isalpha() for c in compact[4:])
    if compact[:2] in _DIGIT_BBANS:
        return letters > 0
    return glued and letters > 4


#: The countries whose BBAN is digits only (the ISO 13616 registry).
_DIGIT_BBANS = frozenset({
    "AE", "AT", "BA", "BE", "CR", "CZ", "DE", "DK", "EE", "EG", "ES", "FI", "FO", "GL", "HR",
    "HU", "IL", "IS", "LT", "ME", "MR", "NO", "PL", "PT", "RS", "SE", "SI", "SK", "ST", "TL",
    "TN", "VA", "XK",
})  # fmt: skip


def _iban_end(candidate: str) -> int:
    """How many characters of ``candidate`` (an :data:`IBAN` match) are an IBAN: all, its
    start up to its country's length when a word follows (after a separator, or glued:
    :data:`_WORD_AFTER`), or none (0).

    >>> [_iban_end(c) for c in ("DE89370400440532013000bitte", "DE89370400440532013000x")]
    [22, 0]
    """
    if _is_iban(candidate):
        return len(candidate)
    length = IBAN_LENGTHS.get(candidate[:2].upper())
    if length is None:
        return 0
    seen = 0
    for end, ch in enumerate(candidate, start=1):
        seen += ch not in _IBAN_SEPARATORS
        if seen == length:  # the country's length reached: an IBAN up to here?
            rest = candidate[end:]
            ok = not rest or rest[0] in _IBAN_SEPARATORS or _WORD_AFTER.match(rest)
            return end if ok and _is_iban(candidate[:end]) else 0
    return 0


#: A word glued to the end of an IBAN (``...3000bitte``): two letters or more, to a
#: separator or the candidate's end. One letter is a code's suffix as often (``...3000x``,
#: ``4711a``); letters and digits after (``...3000ab12``) are a longer code.
_WORD_AFTER = re.compile(r"[^\W\d_]{2,}(?:[ ./-]|$)")


def _mask_iban_series(values: pl.Series) -> pl.Series:
    """:func:`_mask_ibans` on the values that hold an IBAN candidate (few), not on all."""
    hit = values.str.contains(_IBANS_SEEN).fill_null(False)
    if not hit.any():
        return values
    at = hit.arg_true()
    near = values.gather(at).str.contains(_IBANS_NEAR)
    if not near.any():
        return values
    at = at.filter(near)
    return values.clone().scatter(at, [_mask_ibans(v) for v in values.gather(at).to_list()])


def mask_text(text: str | None) -> str | None:
    """A text with e-mail addresses, phone numbers and IBANs replaced (:func:`mask_texts`).

    >>> mask_text("Rückruf an erika@example.org, Tel. +49 170 5550001 oder 030 1234567")
    'Rückruf an [email], Tel. [phone] oder [phone]'
    >>> mask_text("IBAN DE89 3704 0044 0532 0130 00, am 05.10.2026 09:12, 1.234,50 EUR")
    'IBAN [iban], am 05.10.2026 09:12, 1.234,50 EUR'
    """
    return None if text is None else mask_texts([text])[0]


def mask_texts(texts: Sequence[str | None]) -> list[str | None]:
    """:func:`mask_text` of many texts at once, in time linear in their length: the
    patterns run in polars' regex engine (a backtracking one took minutes for a
    300,000-character quarantined key with no ``@`` in it).

    >>> mask_texts(["x@example.org", None, "9" * 5])
    ['[email]', None, '99999']
    """
    return _mask_series(pl.Series(list(texts), dtype=pl.String)).to_list()


def _cases(text: str) -> set[str]:
    """``text`` with each letter in either case (``%2b``, ``%2B``)."""
    return {"".join(t) for t in itertools.product(*({c.lower(), c.upper()} for c in text))}


#: HTML's named characters that :func:`_fold_table` reads (``&commat;``, ``&nbsp;``).
_HTML_NAMED = {"nbsp": " ", "ensp": " ", "emsp": " ", "thinsp": " ", "Tab": " ", "shy": "",
               "hyphen": "-", "dash": "-", "ndash": "-", "mdash": "-", "minus": "-",
               "commat": "@", "plus": "+", "period": "."}  # fmt: skip


def _fold_table() -> dict[str, str]:
    """Each spelling of :data:`_FOLD_RULES`' table and what it is written as: a character
    that NFKC writes as ASCII (``＠ ﹫ ＋``, full-width digits, en and ideographic spaces,
    ``…``), a format character (Unicode's ``Cf``: zero-width spaces and joiners, the soft
    hyphen, direction marks; also the tag characters and the combining grapheme joiner:
    dropped), a tab or other control character, a line or paragraph separator (a space),
    a dash (``-``), an ideographic full stop (``.``), and an escape of a space, a soft
    hyphen, a line break or ASCII punctuation but ``%`` and ``\\`` (``@``, ``+``, ``.``,
    ``:``...): a URL's (``%40``, ``%2F``, ``%3A``, ``%0A``), HTML's (``&#x40;``,
    ``&nbsp;``), JavaScript's ``escape`` (``%u0040``), and an escaped string's in a JSON
    or log export (``\\u0040``, ``\\x40``, the UTF-8 bytes ``\\xc2\\xa0``, and JSON's
    ``\\t``, ``\\n``, ``\\r``, ``\\/``)."""
    table = {}
    for code in (*range(0x80, 0x3400), *range(0xF900, 0x10000), *range(0x1D400, 0x1D800)):
        char = chr(code)
        plain = unicodedata.normalize("NFKC", char)
        if plain != char and plain.isascii():
            table[char] = plain
        elif unicodedata.category(char) == "Cf":
            table[char] = ""
    controls = [*map(chr, range(0x20)), "\x7f", "\x85", "\u1680", "\u2028", "\u2029"]
    table |= {c: " " for c in controls if c not in "\n\r"}
    table |= dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58", "-")
    table |= dict.fromkeys("\u3002\uff61", ".")  # ideographic full stops (IDNA: a dot)
    # tag characters (Cf, or unassigned, past the ranges above), the combining grapheme joiner
    table |= dict.fromkeys([*map(chr, range(0xE0000, 0xE0080)), "\u034f"], "")
    # (ASCII punctuation: tel%3A%2B49..., %2C0171...: no letter of an escape before a number)
    punctuation = [(c, c) for c in string.punctuation if c not in "%\\"]
    for char, plain in ((" ", " "), ("\t", " "), ("\xa0", " "), ("\xad", ""), ("\u200b", ""),
                        ("\n", "\n"), ("\r", "\r"), *punctuation):  # fmt: skip
        code, utf8 = ord(char), char.encode()
        table |= dict.fromkeys(_cases("".join(f"%{b:02x}" for b in utf8)), plain)
        table |= {f"&#{code};": plain}  # (with zeros or no ;: written so by _FOLD_RULES)
        table |= {f"&#{x}{h};": plain for x in "xX" for h in _cases(f"{code:x}")}
        table |= dict.fromkeys(_cases(f"%u{code:04x}"), plain)  # JavaScript: %u0040, %U0040
        table |= {f"\\u{h}": plain for h in _cases(f"{code:04x}")}  # JSON, JavaScript
        byte_runs = {utf8.hex()} | ({f"{code:02x}"} if code < 0x100 else set())
        table |= {  # C, Python, a log: \x40, and \xa0 or its UTF-8 bytes \xc2\xa0
            "".join(f"\\x{h[i : i + 2]}" for i in range(0, len(h), 2)): plain
            for run in byte_runs
            for h in _cases(run)
        }
    table |= {"\\t": " ", "\\n": "\n", "\\r": "\r", "\\/": "/"}  # JSON's short escapes
    table |= {f"&{name};": plain for name, plain in _HTML_NAMED.items()}
    return table


_FOLD_TABLE = _fold_table()
#: The spellings of :data:`_FOLD_TABLE` that are one character written as one (most):
#: written so by ``str.translate``, with no character moved.
_FOLD_CHARS = {k: v for k, v in _FOLD_TABLE.items() if len(k) == len(v) == 1}


def _utf8_escapes(lead: str, end: str = "") -> str:
    """A pattern for the UTF-8 bytes of one character beyond ASCII, each byte written
    ``<lead>XX<end>`` (``%C3%BC``, ``\\xc3\\xbc``, ``=C3=BC``)."""
    byte = f"{lead}[89abAB][0-9a-fA-F]{end}"
    return (
        f"{lead}[cdCD][0-9a-fA-F]{end}{byte}|{lead}[eE][0-9a-fA-F]{end}{byte}{byte}"
        f"|{lead}[fF][0-4]{end}{byte}{byte}{byte}"
    )


#: Four hex digits of a character beyond ASCII (``00fc``, ``2013``), with no look-ahead.
_HEX_BEYOND_ASCII = (
    r"(?:00[89a-fA-F][0-9a-fA-F]|0[1-9a-fA-F][0-9a-fA-F]{2}|[1-9a-fA-F][0-9a-fA-F]{3})"
)
#: An escape of a character beyond ASCII: JSON's or JavaScript's ``\u00fc`` (no
#: surrogate: an emoji is no part of an address or a number), JavaScript's ``%u00FC``,
#: and its UTF-8 bytes in a URL (``%C3%BC``), an escaped string (``\xc3\xbc``) or
#: quoted-printable (``=C3=BC``). Python's ``json.dumps`` writes every such character so
#: (``m\u00fcller@b\u00fccher.de``, ``+49\u202f171...``), a browser every one in a URL.
_BEYOND_ASCII = "|".join(
    (
        rf"\\u{_HEX_BEYOND_ASCII}",
        rf"%[uU]{_HEX_BEYOND_ASCII}",
        _utf8_escapes("%"),
        _utf8_escapes(r"\\x"),
        _utf8_escapes("="),
    )
)


def _beyond_ascii(spelt: re.Match[str]) -> str:
    r"""The character an escape of :data:`_BEYOND_ASCII` stands for, or the escape as it is
    written when it stands for none (a surrogate, bytes that are no UTF-8).

    >>> [_beyond_ascii(re.search(_BEYOND_ASCII, t)) for t in (r"\u00fc", "%C3%BC", "=E2=80=93")]
    ['ü', 'ü', '–']
    """
    text = spelt[0]
    if text[1] in "uU":
        code = int(text[2:], 16)
        return text if 0xD800 <= code <= 0xDFFF else chr(code)
    step = 3 if text[0] in "%=" else 4  # %C3 =C3, \xc3
    hexes = "".join(text[i + step - 2 : i + step] for i in range(0, len(text), step))
    try:
        return bytes.fromhex(hexes).decode()
    except UnicodeDecodeError:
        return text


#: The characters beyond ASCII written most: the Latin letters of Latin-1 and Latin
#: Extended-A (``ü``), the spaces, dashes and quotes of General Punctuation (``\u202f``,
#: ``–``, ``„``), the ideographic space and full stops, the full-width ``+ . @`` and the
#: byte order mark. Polars decodes their escapes at once (:data:`_AT_ONCE`).
_WRITTEN_MOST = (
    *range(0xA0, 0x180),
    *range(0x2000, 0x2070),
    *(0x3000, 0x3002, 0xFEFF, 0xFF0B, 0xFF0E, 0xFF20, 0xFF61),
)


def _beyond_ascii_table() -> dict[str, str]:
    """The escapes of :data:`_BEYOND_ASCII` of the characters of :data:`_WRITTEN_MOST`,
    their hex digits in lower or in upper case, and their characters."""
    table = {}
    for code in _WRITTEN_MOST:
        utf8 = chr(code).encode().hex()
        for case in (str.lower, str.upper):
            hexes = case(f"{code:04x}")
            pairs = [case(utf8[i : i + 2]) for i in range(0, len(utf8), 2)]
            table |= dict.fromkeys((f"\\u{hexes}", f"%u{hexes}", f"%U{hexes}"), chr(code))
            table |= {lead + lead.join(pairs): chr(code) for lead in ("%", "\\x", "=")}
    return table


#: An HTML number of a character beyond ASCII as the rule before it writes one (no
#: leading zeros, a closing ``;``): ``&#8211;``, ``&#x202F;``, ``&#65312;``.
_HTML_BEYOND_ASCII = (
    r"&#(?:12[89]|1[3-9][0-9]|[2-9][0-9]{2}|[1-9][0-9]{3,6});"
    r"|&#[xX](?:[89a-fA-F][0-9a-fA-F]|[1-9a-fA-F][0-9a-fA-F]{2,5});"
)


def _html_beyond_ascii(spelt: re.Match[str]) -> str:
    """What an HTML number of :data:`_HTML_BEYOND_ASCII` is read as: its character as the
    fold writes it (``&#8211;`` as ``-``, ``&#8239;`` as a space, ``&#252;`` as ``ü``),
    or as written when it is no character (a surrogate, past U+10FFFF).

    >>> [_html_beyond_ascii(re.search(_HTML_BEYOND_ASCII, t)) for t in ("&#8211;", "&#xFF20;")]
    ['-', '@']
    """
    text = spelt[0]
    code = int(text[3:-1], 16) if text[2] in "xX" else int(text[2:-1])
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return text
    return _FOLD_TABLE.get(chr(code), chr(code))


#: The functions of :data:`_FOLD_RULES` (Python, text by text) and what polars writes at
#: once before them: the spellings of the characters of :data:`_WRITTEN_MOST`.
_AT_ONCE: dict[Callable[[re.Match[str]], str], dict[str, str]] = {
    _beyond_ascii: _beyond_ascii_table(),
    _html_beyond_ascii: {
        spelt: _FOLD_TABLE.get(chr(code), chr(code))
        for code in _WRITTEN_MOST
        for spelt in (
            f"&#{code};",
            *(f"&#{x}{case(f'{code:x}')};" for x in "xX" for case in (str.lower, str.upper)),
        )
    },
}


#: An escape of one character by its code point in braces, as ES6 JavaScript, Rust and
#: Swift write one (``\u{40}``, ``\u{fc}``) and Perl and PHP (``\x{40}``), or in eight
#: hex digits as C, C++ and Python do (``\U00000040``).
_LONG_ESCAPE = r"\\[ux]\{0*[0-9A-Fa-f]{1,6}\}|\\U[0-9A-Fa-f]{8}"


def _long_escape(spelt: re.Match[str]) -> str:
    r"""An escape of :data:`_LONG_ESCAPE` as JSON's ``\uXXXX`` of its character (which
    the rules after it read), or as written when it is none: a character past the Basic
    Multilingual Plane (an emoji is no part of an address or a number), a surrogate, no
    character at all.

    >>> [_long_escape(re.search(_LONG_ESCAPE, t)) for t in (r"\u{40}", r"\U000000FC", r"\u{1F600}")]
    ['\\u0040', '\\u00fc', '\\u{1F600}']
    """
    text = spelt[0]
    code = int(text[2:].strip("{}"), 16)
    if code > 0xFFFF or 0xD800 <= code <= 0xDFFF:
        return text
    return f"\\u{code:04x}"


#: A mail export's quoted-printable soft line break (RFC 2045: ``=`` at a line's end, and
#: the next line goes on the same word; a transport may leave spaces before the break):
#: ``max.mu=`` and ``ller@example.com`` on the next line are one address.
_SOFT_LINE_BREAK = r"=[ \t]*\r?\n"
#: Quoted-printable of quoted-printable (a mail forwarded as an attachment, an export of an
#: encoded body): ``=3D`` is its escape of ``=``, so ``max=3D40example.com`` is
#: ``max=40example.com``, and that is read as :data:`_QUOTED_PRINTABLE` reads it.
_QUOTED_PRINTABLE_TWICE = (r"=(?:3[dD])+(40|2[eE])", "=${1}")
#: A character written after a backslash, as Perl's ``Data::Dumper`` writes an ``@``
#: (``max\@example.com``) and a Markdown export escapes ``_``, ``.``, ``+``, ``-``,
#: ``(`` and ``)`` (``max\_muster@example.com``, ``\+49 171...``): the characters of an
#: address or a number.
_BACKSLASHED = (r"\\([@._+()'-])", "${1}")

#: A mail export's quoted-printable ``@`` and ``.`` (``jane.doe=40example=2Ecom``; RFC
#: 2047 writes both so in a header, and an encoder may write ``@`` so in a body): read
#: as ``@`` and ``.`` wherever they stand, after the spaces around an ``@`` are undone,
#: so that ``a =40 b.com`` does not read as one. ``=40`` is also ordinary text (``a=40``,
#: ``width=40px``, ``?x=40&y=1``, ``=40.5``): what decides is, as for ``%40``, that
#: :data:`EMAIL` reads an address there, a local part, then a domain with a dot and a
#: top-level domain of letters. So ``a=40``, ``width=40px``, ``?x=40&y=2``,
#: ``x=40.5kg`` stay as they are, and a value that starts with ``40`` and runs on into
#: words parted by a dot is masked, as ``%40`` in its place always was (``size=40x40.png``,
#: ``w=40cm.Bitte``: privacy wins). A ``+`` is never written ``=2B`` by either, and
#: ``=2B`` is a hex value's start in ordinary text (``color=2B2B2B``): not read.
_QUOTED_PRINTABLE = ((r"=2[eE]", "."), (r"=40", "@"))

_LONG_ESCAPE_RULE = (_LONG_ESCAPE, _long_escape)
#: An HTML name of :data:`_HTML_NAMED` URL-encoded (``%26commat%3B``, as a URL carries
#: ``&commat;``), its ``&`` or its ``;`` escaped, written as the table reads it.
_NAMED = "|".join(sorted(_HTML_NAMED, key=lambda name: (-len(name), name)))
_HTML_NAMED_ESCAPED = (
    rf"(?:%26|%[uU]0026|\\u0026|\\x26)(?:amp(?:;|%3[bB]))*({_NAMED})(?:;|%3[bB])"
    rf"|&(?:amp(?:;|%3[bB]))*({_NAMED})%3[bB]",
    "&${1}${2};",
)
#: ``@`` and ``.`` as a person writes them out, in any case and in parentheses, brackets
#: or braces (``ana(AT)example{dot}org``, ``ANA [AT] EXAMPLE [DOT] ORG``; privacy rules
#: 4): read as ``@`` and ``.``, so that an id holding one is hashed as an address.
#: (``(dot)`` and ``[dot]`` were read before them, by their own rule.)
_SPELT_OUT = r"[(\[{](?:[aA][tT]|[dD][oO][tT])[)\]}]"
_SPELT_OUT_RULES = (
    (r"\s?[(\[{][aA][tT][)\]}]\s?", "@"),
    (r"\s?(?:[(\[{][dD][oO][tT][)\]}])\s?", "."),
)
#: The rules of :data:`_FOLD_RULES` added after ids were first hashed with the fold
#: (2026-12-07): an id the import hashed before them keeps its hash (:func:`hash_text`).
_RULES_SINCE = (
    *_SPELT_OUT_RULES,
    _LONG_ESCAPE_RULE,
    _BACKSLASHED,
    _HTML_NAMED_ESCAPED,
    (_SOFT_LINE_BREAK, ""),
    _QUOTED_PRINTABLE_TWICE,
)

#: What personal values hide behind (few texts have one), in the order it is undone: a
#: URL's, HTML's or an escaped string's escapes applied twice or more (``%2540``,
#: ``&amp;#64;``, ``\\u0040``); an escape by code point in braces or in eight digits as
#: the ``\uXXXX`` it stands for (:data:`_LONG_ESCAPE`), a character after a backslash as
#: itself (:data:`_BACKSLASHED`: ``\@``); an escape of a character beyond ASCII, as that
#: character (:data:`_BEYOND_ASCII`: ``\u2013``, ``%E2%80%AF``; in Python, on the few
#: texts that hold one); an HTML name in a URL (:data:`_HTML_NAMED_ESCAPED`); then
#: :data:`_FOLD_TABLE`: compatibility forms (full-width ``＠``), format
#: characters (dropped), spaces other than the ASCII space, dashes other than the
#: hyphen-minus, and the escapes of a URL (``ana%40example.org``),
#: HTML (``&#64;``, ``&#x40;``, ``&nbsp;``, also URL-encoded: ``%26%2364%3B``), JavaScript
#: (``%u0040``) or an escaped string (``\u0040``, ``\x40``), one character for one first;
#: a quoted-printable soft line break (dropped: :data:`_SOFT_LINE_BREAK`);
#: `` (dot) `` as a person writes it; a mail's quoted-printable ``=40`` and ``=2E``, also
#: escaped twice (:data:`_QUOTED_PRINTABLE_TWICE`, :data:`_QUOTED_PRINTABLE`); last, the
#: ``@`` of an image's name for a pixel density (``icon@2x.png``) is read as no ``@``.
#: Each is a pattern (for ``re``; None: per character) and what it is written as (a
#: table: polars reads its spellings literally).
_FOLD_RULES: tuple[
    tuple[str | None, str | dict[str, str] | Callable[[re.Match[str]], str]], ...
] = (
    (r"&(?:amp;)+", "&"),
    (r"%(?:25)+", "%"),
    (r"\\{2,}", "\\"),  # a JSON string inside a JSON string: \\u0040
    _LONG_ESCAPE_RULE,  # \u{40}, \x{40}, \U00000040 as \u0040
    _BACKSLASHED,  # \@, \_
    (_BEYOND_ASCII, _beyond_ascii),  # then read as a character is: \u2013 as -, \uff20 as @
    (None, _FOLD_CHARS),
    # an HTML number URL-encoded (``%26%2364%3B``: ``&#64;``), its ``&`` escaped otherwise
    (
        r"(?:&|%26|%[uU]0026|\\u0026|\\x26)(?:amp(?:;|%3[bB]))*%23"
        r"|(?:%26|%[uU]0026|\\u0026|\\x26)(?:amp(?:;|%3[bB]))*#",
        "&#",
    ),
    # an HTML number as the table spells it: no leading zeros, a closing ; (HTML reads
    # ``&#x00040;`` and ``&#64`` before a non-digit as ``@`` too; ``%3B``: a URL's ;)
    (
        r"&#0*([0-9]+)(?:;|%3[bB])?|&#([xX])0*([0-9A-Fa-f]+)(?:;|%3[bB])?",
        "&#${1}${2}${3};",
    ),
    (_HTML_BEYOND_ASCII, _html_beyond_ascii),  # &#8211; as -, &#8239; as a space
    _HTML_NAMED_ESCAPED,  # %26commat%3B as &commat;
    (
        r"[^\x00-\x7f]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|%[cC]2%[aA][0dD]|%[eE]2%80%8[bB]"
        r"|%[0-9A-Fa-f]{2}|%[uU][0-9A-Fa-f]{4}|\\u[0-9A-Fa-f]{4}|\\x[cC]2\\x[aA][0dD]"
        r"|\\x[eE]2\\x80\\x8[bB]|\\x[0-9A-Fa-f]{2}|\\[tnr/]|&#[xX]?[0-9A-Fa-f]+;|&[A-Za-z]+;",
        {k: v for k, v in _FOLD_TABLE.items() if k not in _FOLD_CHARS},
    ),
    (_SOFT_LINE_BREAK, ""),  # (after the table: also =%0A, =\n in a JSON string)
    (r"\s?[(\[]dot[)\]]\s?", "."),
    *_SPELT_OUT_RULES,
    # spaces around an @ (``ana @ example.org``): an address only when both sides read as
    # one; ``meet @ 5pm`` stays no address
    (r"[ \t]+@[ \t]*|@[ \t]+", "@"),
    _QUOTED_PRINTABLE_TWICE,
    *_QUOTED_PRINTABLE,
    # an image for a pixel density (icon@2x.png, icon%402x.png) is no e-mail address
    (r"@(?i:[1-9](?:\.5)?x\.(?:png|jpe?g|gif|svg|webp|avif|ico))\b", "_2x.png"),
)
#: What any rule of :data:`_FOLD_RULES` needs (more texts have one): a character other
#: than printable ASCII, ``%``, ``&``, ``\``, a spelt-out ``(dot)`` or ``[AT]``
#: (:data:`_SPELT_OUT`), ``@`` and a digit, a space and ``@``, ``=40``, ``=2E``, ``=3D``,
#: quoted-printable bytes beyond ASCII or a soft line break; one cheap pass.
_FOLDED = (
    rf"[^\x20-\x7e\n\r]|[%&\\]|{_SPELT_OUT}|@[1-9]|[ \t]@|@[ \t]"
    r"|=(?:40|2[eE]|3[dD]|[c-fC-F][0-9a-fA-F]=|[ \t]*\r?\n)"
)


def _template(plain: str) -> str | Callable[[re.Match[str]], str]:
    """A rule's text for ``re``: as it is, or, where it names groups (``&#${1}${2};``), a
    function that writes them (``Match.expand`` parses its template again at every match).

    >>> _template("&#${1}${2};")(re.match("(a)(b)?", "a")), _template("@")
    ('&#a;', '@')
    """
    parts = re.split(r"\$\{(\d+)\}", plain)
    if len(parts) == 1:
        return plain

    def expand(spelt: re.Match[str]) -> str:
        return "".join((spelt[int(p)] or "") if i % 2 else p for i, p in enumerate(parts))

    return expand


_FOLDS = tuple(
    (re.compile(pattern), _template(plain) if isinstance(plain, str) else plain)
    if pattern
    else (None, str.maketrans(plain))
    for pattern, plain in _FOLD_RULES
)
#: :data:`_FOLDS` without :data:`_RULES_SINCE`: the fold as ids were hashed before them.
_FOLDS_BEFORE = tuple(
    fold for rule, fold in zip(_FOLD_RULES, _FOLDS, strict=True) if rule not in _RULES_SINCE
)
#: A reading of a text: rules of :data:`_FOLD_RULES` with their :data:`_FOLDS`; all of them,
#: and those before :data:`_RULES_SINCE`. The rules since join what stood apart: a soft
#: line break's ``=`` and line break, the backslash of ``\_`` or of ``\x{2b}`` is no
#: longer there to end a word. Read so, a number can run into the word after it
#: (``0171 7731 9942=`` and ``ab`` on the next line) or after a word (``phone=`` and
#: ``+49 171...`` on the next line): :func:`_mask_series` masks what either reading finds.
_READ = tuple(zip(_FOLD_RULES, _FOLDS, strict=True))
_READ_BEFORE = tuple(rule for rule in _READ if rule[0] not in _RULES_SINCE)
#: What a text needs for the two readings to differ (a cheap superset: a backslash, ``%``
#: or ``&``, a literal soft line break, ``=3D``, a spelt-out ``@`` or ``.``).
_READ_OTHERWISE = rf"[\\%&]|=[ \t]*\r?\n|=3[dD]|{_SPELT_OUT}"


def _folded_as(
    plain: str | Mapping[Any, str] | Callable[[re.Match[str]], str], spelt: re.Match[str]
) -> str:
    """What a rule writes ``spelt`` (its pattern's match) as: its text; a table keeps what
    it lacks; a function (one that writes groups: :func:`_template`) says it."""
    if callable(plain):
        return plain(spelt)
    if isinstance(plain, str):
        return plain
    return plain.get(spelt[0], spelt[0])


def _fold_text(text: str, folds: tuple[Any, ...] = _FOLDS) -> str:
    """One text as :func:`_fold` writes it (``folds``: as :data:`_FOLDS_BEFORE` did).

    >>> _fold_text("a.b%2540example.de"), _fold_text("＋49\u2002171\u00ad7731")
    ('a.b@example.de', '+49 1717731')
    """
    for pattern, plain in folds:
        if pattern is None:
            text = text.translate(plain)
        else:
            text = pattern.sub(lambda m, t=plain: _folded_as(t, m), text)
    return text


def _fold(values: pl.Series, read: tuple[Any, ...] = _READ) -> pl.Series:
    """``values`` as :data:`_FOLD_RULES` write them (a space, ``-``, ``@``, ``+``...), so
    that the patterns see an address or a number however it was written; only the texts
    that may hold a spelling of them (:data:`_FOLDED`) are rewritten. ``read``: the
    rules (:data:`_READ`, or :data:`_READ_BEFORE`).

    >>> _fold(pl.Series(["Tel +49\u00a0171\u20137731", "?u=ana%40example.org", "x"])).to_list()
    ['Tel +49 171-7731', '?u=ana@example.org', 'x']
    """
    hit = values.str.contains(_FOLDED).fill_null(False)
    if not hit.any():
        return values
    at = hit.arg_true()
    found = values.gather(at)
    for (pattern, plain), (compiled, _) in read:
        if isinstance(plain, str):
            found = found.str.replace_all(pattern, plain)
        elif callable(plain):  # the spellings written most from a table (_AT_ONCE, where
            if plain in _AT_ONCE:  # it has one), the few others in Python, each distinct
                found = found.str.replace_many(_AT_ONCE[plain])  # text once
            has = found.str.contains(pattern).fill_null(False)
            if has.any():
                where, texts = has.arg_true(), found.filter(has)
                each = texts.unique()
                written = [compiled.sub(plain, t) for t in each.to_list()]
                found = found.scatter(where, texts.replace_strict(each, written))
        else:
            found = found.str.replace_many(plain)
    return values.clone().scatter(at, found)


def _fold_mapped(text: str, read: tuple[Any, ...] = _READ) -> tuple[str, list[int], list[int]]:
    """``text`` as :func:`_fold` writes it (with the rules ``read``), and where each of its
    characters came from: character ``i`` stands for ``text[starts[i]:ends[i]]``.

    >>> _fold_mapped("a%40b")
    ('a@b', [0, 1, 4], [1, 4, 5])
    """
    starts, ends = list(range(len(text))), list(range(1, len(text) + 1))
    for _, (pattern, plain) in read:
        if pattern is None:  # one character for one: none moves
            text = text.translate(plain)
            continue
        pieces: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        last = 0
        for match in pattern.finditer(text):
            a, b = match.span()
            written = _folded_as(plain, match)
            if written == match[0]:  # kept as written (``%01``: no spelling of the table):
                continue  # each of its characters still stands for itself
            pieces += (text[last:a], written)
            new_starts += starts[last:a] + [starts[a]] * len(written)
            new_ends += ends[last:a] + [ends[b - 1]] * len(written)
            last = b
        if last:
            pieces.append(text[last:])
            text = "".join(pieces)
            starts, ends = new_starts + starts[last:], new_ends + ends[last:]
    return text, starts, ends


#: :data:`_JOINED` where the phone numbers found are hidden (:func:`_hidden`).
_JOINED_HIDDEN = re.compile(rf"{_FOUND_PHONE}(?:\+\+?\d|(?:{_JOIN})[1-9])")


def _marked_spans(marked: str) -> list[tuple[int, int]]:
    """Where the texts between :data:`_OPEN` and :data:`_CLOSE` stand without the marks."""
    spans, at, marks = [], marked.find(_OPEN), 0
    while at >= 0:
        end = marked.index(_CLOSE, at)
        spans.append((at - marks, end - marks - 1))
        marks += 2
        at = marked.find(_OPEN, end)
    return spans


def _hidden(text: str, spans: list[tuple[int, int]], found: str = _FOUND) -> str:
    """``text`` with the characters of ``spans`` written as ``found`` (no pattern matches
    one, as none matches a mask), the length kept."""
    pieces, last = [], 0
    for a, b in spans:
        pieces += (text[last:a], found * (b - a))
        last = b
    return "".join(pieces) + text[last:]


def _mask_mapped(texts: list[str], read: tuple[Any, ...] = _READ) -> list[str]:
    """:func:`mask_text` on texts whose personal values only :func:`_fold` shows: the
    matches are found in the folded text (in the order and with the engines of
    :func:`_mask_plain`) and replaced in the text as written, the rest kept byte for byte.

    >>> _mask_mapped(["?q=c%2B%2B&e=ana%40example.org\\tTel 0171\u20137731\u20139942"])
    ['?q=c%2B%2B&e=[email]\\tTel [phone]']
    """
    spans = _mapped_spans(texts, read)
    return [_masked_at(text, found) for text, found in zip(texts, spans, strict=True)]


def _mapped_spans(texts: list[str], read: tuple[Any, ...]) -> list[list[tuple[int, int, str]]]:
    """Where :func:`_mask_mapped` finds the personal values of each text (as written:
    ``text[a:b]``) and their masks.

    >>> _mapped_spans(["a ana%40example.org"], _READ)
    [[(2, 19, '[email]')]]
    """
    folds = [_fold_mapped(text, read) for text in texts]
    found: list[list[tuple[int, int, str]]] = []
    current = []
    for folded, _, _ in folds:
        spans = _iban_spans(folded)
        found.append([(a, b, "[iban]") for a, b in spans])
        current.append(_hidden(folded, spans))
    for pattern, marks, label in (
        (EMAIL, f"{_OPEN}${{0}}{_CLOSE}", "[email]"),
        (_PHONE_HIDDEN, _PHONE_HIDDEN_MARKS, "[phone]"),
    ):
        hide = _FOUND_PHONE if label == "[phone]" else _FOUND
        if label == "[phone]":  # no phone number in a UUID (:data:`_UUID_APART`)
            current = [_hidden(text, _uuid_spans(text)) for text in current]
        todo = list(range(len(current)))
        while todo:  # again where a number is joined to the one found (_JOINED)
            seek = pl.Series([current[i] for i in todo], dtype=pl.String)
            marked = seek.str.replace_all(pattern, marks)
            if label == "[phone]":
                marked = _timed(seek, marked, _PHONE_HIDDEN_TIMED, _PHONE_HIDDEN_TIMED_MARKS)
            marked = marked.to_list()
            again = []
            for i, text in zip(todo, marked, strict=True):
                spans = _marked_spans(text)
                found[i] += [(a, b, label) for a, b in spans]
                current[i] = _hidden(current[i], spans, hide)
                if spans and label == "[phone]" and _JOINED_HIDDEN.search(current[i]):
                    again.append(i)
            todo = again
    return [
        [(starts[a], ends[b - 1], label) for a, b, label in spans]  # as written
        for (_, starts, ends), spans in zip(folds, found, strict=True)
    ]


def _timed(texts: pl.Series, done: pl.Series, pattern: str, written: str) -> pl.Series:
    """``done`` (``texts`` with their phone numbers masked or marked), where a number may
    have taken a time, a date or an amount after it (:data:`_AFTER_A_NUMBER`), done again
    with ``pattern`` (timed: :func:`_phones`) and what it writes.

    >>> texts = pl.Series(["Tel 0171 1234567 9.30 Uhr", "Tel 0171 1234567"])
    >>> done = texts.str.replace_all(PHONE, _PHONE_MASK)
    >>> done.to_list()[0], _timed(texts, done, _PHONE_TIMED, _PHONE_TIMED_MASK).to_list()
    ('Tel [phone] Uhr', ['Tel [phone] 9.30 Uhr', 'Tel [phone]'])
    """
    risk = (done != texts) & texts.str.contains(_AFTER_A_NUMBER)
    if not risk.fill_null(False).any():
        return done
    at = risk.fill_null(False).arg_true()
    return done.scatter(at, texts.gather(at).str.replace_all(pattern, written))


def _masked_at(text: str, spans: list[tuple[int, int, str]]) -> str:
    """``text`` with each span ``(a, b, mask)`` of it replaced by its mask; spans that
    overlap (a folded character that two matches share, or the matches of two readings)
    are one, masked as the first.

    >>> _masked_at("Ruf 0171 7731 9942", [(4, 13, "[phone]"), (4, 18, "[phone]")])
    'Ruf [phone]'
    """
    pieces, last = [], 0
    for a, b, label in sorted(spans):
        if a < last:
            last = max(last, b)
            continue
        pieces += (text[last:a], label)
        last = b
    return "".join(pieces) + text[last:]


def _mask_plain(values: pl.Series) -> pl.Series:
    """IBANs, e-mail addresses and phone numbers replaced in ``values`` as written."""
    found = _mask_iban_series(values)
    return _mask_phones(found.str.replace_all(EMAIL, "[email]"))


#: A number joined to the one before it by its ``+`` (``+4917112345678+4917187654321``),
#: or by :data:`_JOIN` (``612 345 678 / 622 333 444``): it stands where the first
#: number's match ends, so no match can start there.
_JOINED = rf"\[phone\](?:\+\+?\d|(?:{_JOIN})[1-9])"
_PLUS_JOINED = r"\[phone\]\+\+?\d"


def _mask_phones(values: pl.Series) -> pl.Series:
    """Phone numbers replaced in ``values`` (:func:`_mask_phone_numbers`), none read inside
    a UUID (:data:`_UUID_APART`: sought only in the texts where one was found).

    >>> _mask_phones(pl.Series(["11c4e4c4-0594-2688-6562-924de124fe54, Tel 030 1234567"])).to_list()
    ['11c4e4c4-0594-2688-6562-924de124fe54, Tel [phone]']
    """
    masked = _mask_phone_numbers(values)
    found = (masked != values).fill_null(False)
    if not found.any():
        return masked
    at = found.arg_true()
    texts = values.gather(at)
    with_uuid = texts.str.contains(_UUID_APART)
    if not with_uuid.any():
        return masked
    at, texts = at.filter(with_uuid), texts.filter(with_uuid)
    again = _mask_phone_numbers(texts.str.replace_all(_UUID_APART, _UUID_HIDDEN))
    shown = [
        _with_uuids(text, uuids)
        for text, uuids in zip(
            again.to_list(), texts.str.extract_all(_UUID_APART).to_list(), strict=True
        )
    ]
    return masked.scatter(at, shown)


def _with_uuids(text: str, uuids: list[str]) -> str:
    """``text`` with its UUIDs (:data:`_UUID_HIDDEN`) shown again, in their order.

    >>> _with_uuids(f"a {_UUID_HIDDEN} [phone] {_UUID_HIDDEN}", ["u1", "u2"])
    'a u1 [phone] u2'
    """
    first, *rest = text.split(_UUID_HIDDEN)
    return first + "".join(uuid + after for uuid, after in zip(uuids, rest, strict=True))


def _mask_phone_numbers(values: pl.Series) -> pl.Series:
    """Phone numbers replaced in ``values``, also each one joined to the one before it
    (:data:`_JOINED`: sought again after that one's mask, as often as the chain is long).

    >>> _mask_phone_numbers(pl.Series(["+4917112345678+4917187654321", "2+2", "1+1=2"])).to_list()
    ['[phone][phone]', '2+2', '1+1=2']
    >>> _mask_phone_numbers(pl.Series(["Tel 612 345 678 o 622 333 444 / 1234567"])).to_list()
    ['Tel [phone] o [phone] / [phone]']
    """
    masked = values.str.replace_all(PHONE, _PHONE_MASK)
    masked = _timed(values, masked, _PHONE_TIMED, _PHONE_TIMED_MASK)
    todo = masked.str.contains(_JOINED).fill_null(False)
    while todo.any():
        at = todo.arg_true()
        before = masked.gather(at)
        again = before.str.replace_all(_PHONE_AFTER_PHONE, _PHONE_AFTER_PHONE_MASK)
        plus = again.str.contains(_PLUS_JOINED)  # (PHONE costs more: only where it is needed)
        if plus.any():
            more_at = plus.arg_true()
            again = again.scatter(
                more_at, again.gather(more_at).str.replace_all(_PHONE_TIMED, _PHONE_TIMED_MASK)
            )
        masked = masked.scatter(at, again)
        more = (again != before) & again.str.contains(_JOINED)
        todo = pl.Series([False] * len(masked)).scatter(at, more)
    return masked


def _fold_char(char: str) -> str:
    return _FOLD_TABLE.get(char, char)


def _inside_rules() -> tuple[tuple[str, str], ...]:
    """:data:`_INSIDE`, from :data:`_FOLD_TABLE` and :data:`_AT_ONCE`."""

    def spellings(plain: str) -> str:
        """A pattern for every spelling of ``plain``: the longer ones first (a backslash
        escaped: ``\\u0040`` is one), then a class of the characters."""
        longer = {k for k, v in _FOLD_TABLE.items() if v == plain and k not in _FOLD_CHARS}
        longer |= {k for t in _AT_ONCE.values() for k, c in t.items() if _fold_char(c) == plain}
        chars = "".join(k for k, v in _FOLD_CHARS.items() if v == plain)
        ordered = sorted(longer, key=lambda k: (-len(k), k))
        return "|".join([k.replace("\\", "\\\\") for k in ordered] + [f"[{chars}]"])

    return (
        (f"(\\d)(?:{spellings(' ')})(\\d)", "${1} ${2}"),
        (f"(\\d)(?:{spellings('-')})(\\d)", "${1}-${2}"),
        (f"(?:{spellings('@')})(\\w)", "@${1}"),
        (f"(?:{spellings('+')})(\\d)", "+${1}"),
    )


#: Where a folded spelling stands inside a personal value most often, and what it is
#: written as there (a pattern for polars, a replacement): a space or a dash between
#: digits (a phone number's or an IBAN's groups: ``\u00a0``, ``%20``, ``\u202f``), an
#: ``@`` between an address's halves, a ``+`` before a digit (``%2B49``), however each is
#: spelt. :func:`_mask_series` tries them before :func:`_mask_mapped`.
_INSIDE = _inside_rules()


def _mask_inside(texts: pl.Series) -> pl.Series:
    """:func:`_mask_plain` of ``texts`` with :data:`_INSIDE` written plainly."""
    for pattern, plain in (*_INSIDE, *_INSIDE):  # twice: groups of one digit
        texts = texts.str.replace_all(pattern, plain)
    return _mask_plain(texts)


def _kept_around_masks(masked: pl.Series, texts: pl.Series) -> pl.Series:
    """Whether each text between the masks of ``masked`` stands in ``texts`` as written."""
    pieces = pl.DataFrame({"piece": masked.str.replace_all(_MASKS, "\x02"), "text": texts})
    pieces = pieces.with_row_index("row").with_columns(pl.col("piece").str.split("\x02"))
    return (
        pieces.explode("piece")
        .group_by("row", maintain_order=True)
        .agg(pl.col("text").str.contains(pl.col("piece"), literal=True).all())["text"]
    )


_MASKS = r"\[(?:email|phone|iban)\]"


#: What a text needs for any rule to find something in it, or for :func:`_fold` to rewrite
#: it (more texts have one): a character beyond printable ASCII, a digit, ``@``, ``%``,
#: ``&``, ``\``, ``=``, a spelt-out ``(at)`` or ``{DOT}`` (:data:`_SPELT_OUT`). Most
#: cells of a column (a stage, a source, a campaign's name) have none, and are read no
#: further.
_MAY_HOLD = rf"[^\x20-\x7e\n\r]|[0-9@%&\\=]|{_SPELT_OUT}"
_MAY_HOLD_RE = re.compile(_MAY_HOLD)
#: Up to this many texts, :func:`_texts_to_read` reads them in Python: each polars call on
#: a series costs about 0.2 ms however short it is, and the patterns take a dozen.
_FEW_TEXTS = 2_000


def _texts_to_read(values: pl.Series, *, plain_ids: bool = False) -> pl.Series:
    """Where the texts of ``values`` stand that may hold a personal value (:data:`_MAY_HOLD`);
    ``plain_ids``: but for the plain ids (:data:`_PLAIN_ID`).

    >>> _texts_to_read(pl.Series(["Web form", None, "Tel 0171", "ana(AT)example.org"])).to_list()
    [2, 3]
    >>> _texts_to_read(pl.Series(["L0815", "rep-08", "Tel 0171"]), plain_ids=True).to_list()
    [2]
    """
    if values.len() <= _FEW_TEXTS:
        texts = values.to_list()
        at = [
            i
            for i, text in enumerate(texts)
            if text is not None
            and _MAY_HOLD_RE.search(text)
            and not (plain_ids and _PLAIN_ID_RE.fullmatch(text))
        ]
        return pl.Series(at, dtype=pl.UInt32)
    may_hold = values.str.contains(_MAY_HOLD)
    if plain_ids:
        may_hold = may_hold & ~values.str.contains(f"^(?:{_PLAIN_ID})$")
    return may_hold.fill_null(False).arg_true()


def _mask_series(values: pl.Series) -> pl.Series:
    """:func:`mask_text` on a text series: the texts that may hold a personal value
    (:func:`_texts_to_read`) masked by :func:`_mask_both_readings`, the others kept.

    >>> _mask_series(pl.Series(["Web form", "ana@example.org", None])).to_list()
    ['Web form', '[email]', None]
    """
    at = _texts_to_read(values)
    if at.len() == values.len():
        return _mask_both_readings(values)
    if at.is_empty():
        return values
    return values.clone().scatter(at, _mask_both_readings(values.gather(at)))


def _mask_both_readings(values: pl.Series) -> pl.Series:
    r""":func:`mask_text` on a text series (:func:`_mask_read`). A text that the rules
    of :data:`_RULES_SINCE` read otherwise than the rules before them (few: a soft line
    break, ``\_``, ``\u{40}``...) has what either reading finds masked
    (:data:`_READ_BEFORE`): no text is masked less than it was before them.

    >>> _mask_both_readings(pl.Series([r"max\_muster@example.com", r"x0171\x{2b}0171 7731 9942",
    ...                         r"Ruf 0171 7731 9942\_ok"])).to_list()
    ['[email]', 'x0171\\x{2b}[phone]', 'Ruf [phone]\\_ok']
    """
    folded = _fold(values, _READ)
    masked = _mask_read(values, _READ, folded)
    maybe = values.str.contains(_READ_OTHERWISE).fill_null(False)
    if not maybe.any():
        return masked
    at = maybe.arg_true()
    texts = values.gather(at)
    differ = folded.gather(at) != _fold(texts, _READ_BEFORE)
    if not differ.any():
        return masked
    at, texts = at.filter(differ), texts.filter(differ)
    seen = _mask_read(texts, _READ_BEFORE) != texts  # a value the reading before finds
    if not seen.any():
        return masked
    at, texts = at.filter(seen), texts.filter(seen)
    each = texts.unique()  # a value repeated down a column is read once
    words = each.to_list()
    both = [
        _masked_at(text, now + before)
        for text, now, before in zip(
            words, _mapped_spans(words, _READ), _mapped_spans(words, _READ_BEFORE), strict=True
        )
    ]
    # (should the spans ever miss what a reading finds, it is masked over them)
    both = _mask_read(_mask_read(pl.Series(both, dtype=pl.String), _READ), _READ_BEFORE)
    return masked.clone().scatter(at, texts.replace_strict(each, both, return_dtype=pl.String))


def _mask_read(
    values: pl.Series, read: tuple[Any, ...], folded: pl.Series | None = None
) -> pl.Series:
    """``values`` masked as the rules ``read`` read them. A match is sought in the text as
    :func:`_fold` writes it, but only the matched characters of the text as written are
    replaced: a text that folds to itself (most) is masked as it is; one that does not, as
    it is with :data:`_INSIDE` written plainly when that reads as the folded text masked
    and keeps the rest as written, else by :func:`_mask_mapped` (few: the personal value
    itself is written with other folded characters). ``folded``: ``values`` folded so,
    when the caller has it."""
    folded = _fold(values, read) if folded is None else folded
    hit = folded.str.contains(_ANY).fill_null(False)
    if not hit.any():
        return values
    at = hit.arg_true()
    written, masked = values.gather(at), _mask_plain(folded.gather(at))
    odd = written != folded.gather(at)
    if odd.any():
        at_odd = odd.arg_true()
        texts, want = written.gather(at_odd), masked.gather(at_odd)
        found = _mask_inside(texts)
        wrong = (_fold(found, read) != want) | ~_kept_around_masks(found, texts)
        if wrong.any():  # the personal value is written with other folded characters
            at_wrong = wrong.arg_true()
            slow = texts.gather(at_wrong)
            each = slow.unique()  # a value repeated down a column is mapped once
            mapped = slow.replace_strict(
                each, _mask_mapped(each.to_list(), read), return_dtype=pl.String
            )
            # (should the two ever read differently, the folded text masked is stored)
            same = _fold(mapped, read) == want.gather(at_wrong)
            found = found.scatter(
                at_wrong,
                pl.select(pl.when(same).then(mapped).otherwise(want.gather(at_wrong))).to_series(),
            )
        masked = masked.clone().scatter(at_odd, found)
    return values.clone().scatter(at, masked)


#: An id that no rule of :func:`_personal_ids_read` reads as personal, as most CRMs write
#: theirs: digits after one letter or none (``L0000001``, ``4711``: an address needs an
#: ``@``, an IBAN two letters before its digits, a phone number a ``+``, a mark inside it
#: or a phone word before it), or at most 8 digits after a word and a dash or an
#: underscore (``rep-08``, ``L-000123``: after a phone word and a dash a phone number has 9
#: digits or more, an IBAN more after them). Read in one pass, not a dozen. Written
#: without anchors: Python's ``$`` would also match before a final line break.
_PLAIN_ID = r"[A-Za-z]?[0-9]+|[A-Za-z]+[-_][0-9]{1,8}"
_PLAIN_ID_RE = re.compile(_PLAIN_ID)


def _personal_ids(values: pl.Series, *, among: bool = True) -> pl.Series:
    """Which id cells hold an e-mail address, or a phone number or an IBAN as
    :func:`is_personal_id` reads them (as :func:`_fold` writes them): those that may hold
    one (:func:`_texts_to_read`) and are no plain id (:data:`_PLAIN_ID`) read by
    :func:`_personal_ids_read`.

    >>> _personal_ids(pl.Series(["L-007", "ana@example.org", "won", None])).to_list()
    [False, True, False, False]
    """
    at = _texts_to_read(values, plain_ids=True)
    if at.len() == values.len():
        return _personal_ids_read(values, among=among)
    hit = pl.Series(values.name, np.zeros(values.len(), dtype=bool))
    if at.is_empty():
        return hit
    return hit.scatter(at, _personal_ids_read(values.gather(at), among=among))


def _personal_ids_read(values: pl.Series, *, among: bool = True) -> pl.Series:
    """:func:`_personal_ids` of each text. ``among=False``: a phone number or an IBAN
    only as a whole (a broken cell of a key column that is a typed value,
    ``lifecycle_events.stage``: text around a number is masked as text)."""
    values = _fold(values)
    hit = values.str.contains("@", literal=True).fill_null(False)
    if hit.any():
        hit = values.str.contains(EMAIL).fill_null(False)
    phones = f"{_ID_PHONES}|{_ID_PHONE_INSIDE}" if among else _ID_PHONES
    hit = hit | values.str.contains(phones).fill_null(False)
    if among:
        hit = hit | values.str.contains(_ID_PHONE_AFTER_WORD).fill_null(False)
    iban = values.str.contains(_ID_IBAN).fill_null(False)
    if among:
        more = values.str.contains(_ID_PHONE_AMONG).fill_null(False) & ~hit  # (apart: faster)
        if more.any():  # (most are plain digits: 01705550099, an id)
            at = more.arg_true()
            hit = hit.scatter(at, values.gather(at).str.contains(_ID_SPACED))
        iban = iban | _may_hold_iban(values)
    iban = iban & ~hit
    if iban.any():
        at = iban.arg_true()
        valid = [_iban_id(v, among=among) for v in values.gather(at).to_list()]
        hit = hit.scatter(at, [h or ok for h, ok in zip(hit.gather(at), valid, strict=True)])
    return hit


def _may_hold_iban(ids: pl.Series) -> pl.Series:
    """Which ids :func:`_iban_id` reads (among more): those text may read an IBAN in
    (:data:`_IBANS_NEAR`) but a UUID (:data:`_WHOLE_UUID`, one in 20 of which has a
    candidate), and those of an id's own reading (:data:`_ID_TEXT_IBAN`,
    :data:`_ID_LABELLED_IBAN`).

    >>> _may_hold_iban(pl.Series(["4711-DE89370400440532013000", "L-0815",
    ...                           "cf109cd7-ad06-baf8-78fc-ba7530c4facc"])).to_list()
    [True, False, False]
    """
    own = ids.str.contains(f"{_ID_TEXT_IBAN}|{_ID_LABELLED_IBAN}").fill_null(False)
    near = ids.str.contains(_IBANS_NEAR).fill_null(False) & ~own  # (apart: faster)
    if not near.any():
        return own
    at = near.arg_true()
    return own.scatter(at, ~ids.gather(at).str.contains(_WHOLE_UUID))


def _iban_id(value: str, *, among: bool = True) -> bool:
    """Whether an id is an IBAN as a whole, or (``among``) holds one as text reads one
    (:func:`_iban_spans`: ``4711-DE89...``, ``A1DE89...``), or is a label and an IBAN
    (:func:`_labelled_iban`) or holds one among words parted by a space (both in the
    reading of ids: ``as_id``).

    >>> [_iban_id(v) for v in ("DE89370400440532013000", "Konto DE89 3704 0044 0532 0130 00",
    ...                        "DE89370400440532013000x", "be-7927b2df-8bba")]
    [True, True, False, False]
    >>> [_iban_id(v) for v in ("4711-DE89370400440532013000", "A1DE89370400440532013000",
    ...                        "00000007-BE1416A1E3D669DF")]
    [True, True, False]
    >>> [_iban_id(v) for v in ("IBAN:DE89370400440532013000", "KontoDE89370400440532013000",
    ...                        "Kunde 4711 IBAN:DE89370400440532013000")]
    [True, True, True]
    """
    if _is_iban(value.strip()):
        return True
    if not among:
        return False
    if _SPACED_RE.search(value):  # (the reading of ids finds all that text finds, and more)
        return bool(_iban_spans(value, as_id=True))
    if not _WHOLE_UUID_RE.match(value) and _iban_spans(value):  # (none in a UUID: faster)
        return True
    return bool(_LABELLED_RE.match(value)) and _labelled_iban(value)


#: The label of :func:`_labelled_iban`: a word with no digit or space, from a letter.
_IBAN_LABEL = re.compile(r"[^\W\d][^\s\d]*")
_SPACED_RE, _LABELLED_RE = re.compile(_ID_SPACED), re.compile(_ID_LABELLED_IBAN)
#: An id that is a UUID, maybe in braces (Dynamics writes ``{...}``): text reads no IBAN
#: in it, so the reading of ids as text does not try it (most ids of many CRMs).
_WHOLE_UUID = rf"^\s*\{{?{_UUID}\}}?\s*$"
_WHOLE_UUID_RE = re.compile(_WHOLE_UUID)


def _labelled_iban(value: str) -> bool:
    """Whether an id with no space in it is a label and an IBAN, the IBAN after a mark
    (``IBAN:DE89...``, ``L-DE89...``) or glued to the label's letters (``KontoDE89...``:
    :data:`IBAN_GLUED`, also ``kontode89...``), the IBAN to the id's end.

    >>> iban = "DE89370400440532013000"
    >>> [_labelled_iban(v) for v in (f"IBAN:{iban}", f"Kto.-Nr.{iban}", f"IBAN:{iban}x",
    ...                              f"A1:{iban}", f"konto{iban.lower()}", f"xy{iban.lower()}")]
    [True, True, False, False, True, False]
    """
    text = value.strip()
    spans = _iban_spans(text, as_id=True)
    if len(spans) != 1 or spans[0][1] != len(text):
        return False
    return bool(_IBAN_LABEL.fullmatch(text[: spans[0][0]]))


def is_personal_id(value: str | None) -> bool:
    """Whether an id is stored as its salted hash: it holds an e-mail address, or it is a
    phone number (a leading ``+``, or digit groups parted by spaces, a slash or
    parentheses: :data:`_ID_PHONE_LAYOUTS`) or an IBAN (valid check digits) as a whole,
    or it holds a phone number among more: one of those layouts standing apart
    (``A/0170/5550099``), after a letter (``x+4917112345678``) or a phone word
    (``Tel01711234567``: :data:`_ID_PHONE_INSIDE`), or after one and a mark or a space
    (``Tel:01711234567``, ``Teléfono 612 345 678``: :data:`_ID_PHONE_AFTER_WORD`); or it
    is a label and an IBAN, the
    IBAN after a mark or glued to the label's letters (``IBAN:DE89...``, ``KontoDE89...``:
    :func:`_labelled_iban`); in an id with words parted by a space, a phone number in any
    layout free text masks, or an IBAN as text reads one (``Tel 0171 1234567``, ``lead
    0171-1234567``, ``Kunde 4711 IBAN:DE89...``: :data:`_ID_SPACED`). Plain digits and
    dashed groups are ids, alone or glued to an id's letters (``01705550099``,
    ``L-0815-47110``).

    >>> [is_personal_id(v) for v in ["Ana@Example.com", "+49 170 5550099", "0170/5550099",
    ...                              "DE89370400440532013000", "0049 30 1234567",
    ...                              "06 12 34 56 78", "02 1234 5678", "(0)6 12 34 56 78",
    ...                              "0049 (0)170 5550099"]]
    [True, True, True, True, True, True, True, True, True]
    >>> is_personal_id("de5217ec03f9420c3a82973ef073279b")  # an Olist id, "valid" as an IBAN
    False
    >>> [is_personal_id(v) for v in ["DE00370400440532013000", "114", "51234567890",
    ...                              "01705550099", "00Q5g00000AbCdE", "0000012345", "L-007",
    ...                              "0012345678", "0049123456", "0815-47110", None]]
    [False, False, False, False, False, False, False, False, False, False, False]
    >>> [is_personal_id(v) for v in ["Tel 0171 1234567", "lead 0171-1234567", "x+4917112345678",
    ...                              "+49 171 1234567 (mobile)", "Tel01711234567",
    ...                              "Konto DE89 3704 0044 0532 0130 00"]]
    [True, True, True, True, True, True]
    >>> [is_personal_id(v) for v in ["IBAN:DE89370400440532013000", "KontoDE89370400440532013000"]]
    [True, True]
    >>> [is_personal_id(v) for v in ["L-000123", "00Q5e000001AbCdEAF", "12345678901",
    ...                              "L-0815-47110", "Kunde 0000012345", "SKU+12345"]]
    [False, False, False, False, False, False]
    """
    if value is None:
        return False
    return bool(_personal_ids(pl.Series([value], dtype=pl.String)).item())


def mask_expr(cell: pl.Expr) -> pl.Expr:
    """Expression: :func:`mask_text` on a text column.

    >>> pl.DataFrame({"t": ["call 0170/5550001", "2026-10-05T09:12:00+02:00", None]}).select(
    ...     mask_expr(pl.col("t")))["t"].to_list()
    ['call [phone]', '2026-10-05T09:12:00+02:00', None]
    """
    return cell.map_batches(_mask_series, return_dtype=pl.String, is_elementwise=True)


# -- hashes -------------------------------------------------------------------------------


def salted_hash(cell: pl.Expr, salt: str) -> pl.Expr:
    """Expression: ``h_`` + 16 hex characters of SHA-256(salt + trimmed lower-case value).

    >>> pl.DataFrame({"e": [" Ana@Example.com", "ana@example.com", None]}).select(
    ...     salted_hash(pl.col("e"), "s"))["e"].to_list()  # doctest: +ELLIPSIS
    ['h_...', 'h_...', None]
    """
    return cell.map_elements(lambda v: hash_text(v, salt), return_dtype=pl.String)


Salt = str | Callable[[], str] | None


def _no_salt() -> Exception:
    from analytics.warehouse.loader import ImportFailed  # the loader imports this module

    return ImportFailed("no hash salt: set SLA_HASH_SALT")


def resolve_salt(salt: Salt) -> str:
    """The salt itself: a string, or the result of a callable (made only when needed)."""
    if salt is None:
        raise _no_salt()
    return salt() if callable(salt) else salt


def salt_path(db_path: str | Path | None, salt_file: str | Path | None = None) -> Path | None:
    """The file the salt is read from: None when ``SLA_HASH_SALT`` is set, else the
    config's ``[privacy] salt_file``, else ``<warehouse>.salt`` next to the warehouse."""
    if os.environ.get("SLA_HASH_SALT"):
        return None
    if salt_file:
        return Path(salt_file).expanduser()
    return None if db_path is None else Path(f"{db_path}.salt")


def hash_salt(db_path: str | Path | None, *, salt_file: str | Path | None = None) -> str:
    """The salt of personal-data hashes: env ``SLA_HASH_SALT``, else a secret in a file.

    The file is the SLA config's ``[privacy] salt_file`` (keep it outside the data
    folder), else ``<warehouse>.salt`` next to the warehouse (:func:`salt_warning` warns
    about that one). It is created on first use with 32 random hex characters (mode
    0600). Keep it (or set ``SLA_HASH_SALT``) to get the same hashes on the next import.
    """
    env = os.environ.get("SLA_HASH_SALT")
    if env:
        return env
    path = salt_path(db_path, salt_file)
    if path is None:
        raise _no_salt()
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_hex(16)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(salt + "\n")
    return salt


def existing_salt(db_path: str | Path, salt_file: str | Path | None = None) -> str | None:
    """The salt :func:`hash_salt` would use, without making one (None: no salt yet)."""
    env = os.environ.get("SLA_HASH_SALT")
    if env:
        return env
    path = salt_path(db_path, salt_file)
    return path.read_text(encoding="utf-8").strip() if path and path.exists() else None


def hash_text(value: str, salt: str) -> str:
    r""":func:`salted_hash` of one value, as :func:`_fold` writes it: an id spelt
    ``ana%40example.org`` in one file and ``ana@example.org`` in another joins, and
    ``sla purge --lead ana@example.org`` finds both.

    An id that an import hashed before the spellings of :data:`_RULES_SINCE` were read
    (it held an address or was a phone number or an IBAN as read then) keeps the hash it
    was stored with: ``max\_muster@example.com`` (``_muster@example.com`` was read) still
    joins its rows of earlier imports, and ``sla purge --lead`` with it still finds them.

    >>> hash_text(" Ana@Example.com", "s") == hash_text("ana%40example.com", "s")
    True
    >>> hash_text(r"max\u{40}example.com", "s") == hash_text("max@example.com", "s")
    True
    >>> hash_text(r"max\_muster@example.com", "s") == hash_text("max_muster@example.com", "s")
    False
    """
    folded = _fold_text(value)
    if _SINCE_SPELT.search(value):
        before = _fold_text(value, _FOLDS_BEFORE)
        if before != folded and _hashed_before(before):
            folded = before
    return "h_" + hashlib.sha256((salt + folded.strip().lower()).encode()).hexdigest()[:16]


#: A character that a spelling read by :data:`_RULES_SINCE` needs (the rest of the ids
#: are folded once).
_SINCE_SPELT = re.compile(rf"[\\=%&]|{_SPELT_OUT}")
_EMAIL_RE, _ID_PHONE_RE, _ID_IBAN_RE = map(re.compile, (EMAIL, _ID_PHONE, _ID_IBAN))


def _hashed_before(folded: str) -> bool:
    r"""Whether an id, as :data:`_FOLDS_BEFORE` wrote it, was hashed by the imports before
    :data:`_RULES_SINCE` (:func:`_personal_ids` as it was: an address, one phone number
    or an IBAN).

    >>> [_hashed_before(v) for v in (r"max\_muster@example.com", r"max\u{40}example.com")]
    [True, False]
    """
    if "@" in folded and _EMAIL_RE.search(folded):
        return True
    if _ID_PHONE_RE.search(folded):
        return True
    return bool(_ID_IBAN_RE.search(folded)) and _is_iban(folded.strip())


def salt_warning(db_path: str | Path, salt_file: str | Path | None = None) -> str | None:
    """A warning when the salt file in use sits in the warehouse's folder (or below it).

    A copy of that folder would carry the salt with the hashes, and hashes with their
    salt can be reversed by trying known e-mail addresses. None when ``SLA_HASH_SALT``
    is set, no salt file exists yet, or it lives elsewhere.
    """
    path = salt_path(db_path, salt_file)
    if path is None or not path.exists():
        return None
    folder = Path(db_path).resolve().parent
    if not path.resolve().is_relative_to(folder):
        return None
    return (
        f"the hash salt {path} sits in the warehouse's folder {folder}: a copy of that folder "
        "carries the salt with the hashes; set SLA_HASH_SALT or [privacy] salt_file in the "
        "SLA config to a path outside it and move the file there (docs/import-formats.md)"
    )


# -- scrubbing a chunk of cells -------------------------------------------------------------


@dataclass
class ScrubReport:
    """What :func:`scrub` did to one file: personal columns dropped, columns masked."""

    dropped: list[str] = field(default_factory=list)
    masked: list[str] = field(default_factory=list)

    def add(self, *, dropped: Iterable[str] = (), masked: Iterable[str] = ()) -> None:
        self.dropped += [c for c in dropped if c not in self.dropped]
        self.masked += [c for c in masked if c not in self.masked]


def _id_columns(table: str) -> set[str]:
    t = TABLES[table]
    return {c.name for c in t.columns if c.name.endswith("_id") or c.references} | set(t.key)


#: Cells of a typed column that are plainly a value need no scan (most cells: a scan of
#: every timestamp of a 10M-row file costs more than the rest of the scrub). A value with
#: a leading zero or a ``+`` is no plain number: it may be a phone number.
_PLAIN = {
    "timestamp": r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"(?:Z|[+-]\d{2}(?::?\d{2})?)?$",
    "date": r"^\d{4}-\d{2}-\d{2}$",
    "int": r"^-?(?:0|[1-9]\d*)(?:\.\d+)?$",
    "float": r"^-?(?:0|[1-9]\d*)(?:\.\d+)?$",
    "bool": r"^(?i:true|false|yes|no|ja|nein|wahr|falsch|x|0|1)$",
    "enum": r"^[A-Za-z_ -]{1,60}$",
}


def _changed(values: pl.Series, at: pl.Series, new: list[str | None] | pl.Series) -> pl.Series:
    return values.clone().scatter(at, new)


def _mask_frame(
    frame: pl.DataFrame, columns: list[str], ids: set[str], salt: Salt, kinds: dict[str, str]
) -> tuple[pl.DataFrame, list[str]]:
    """Mask (or hash, in id columns) the given text columns; returns the frame and the
    columns in which something changed. ``kinds``: column -> canonical kind.

    A column whose values repeat (a campaign, an enum: :func:`_repeats`) is read once per
    distinct value, as each cell is masked alone (:func:`_mask_column`)."""
    out: dict[str, pl.Series] = {}
    for name in columns:
        values = frame[name].cast(pl.String)
        mask = functools.partial(
            _mask_column, is_id=name in ids, plain=_PLAIN.get(kinds.get(name, "")), salt=salt
        )
        if _repeats(values):
            each = values.drop_nulls().unique()
            masked = mask(each)
            differ = masked != each
            new = values.replace(each.filter(differ), masked.filter(differ))
        else:
            new = mask(values)
        if not new.equals(values, null_equal=True):
            out[name] = new
    if not out:
        return frame, []
    return frame.with_columns(out.values()), list(out)


def _repeats(values: pl.Series) -> bool:
    """Whether a long column's values repeat: its first :data:`_FEW_TEXTS` hold fewer than a
    quarter as many distinct values (a guess that costs a few ms: only the time depends on
    it, not what is masked).

    >>> _repeats(pl.Series(["email", "web"] * 2_000)), _repeats(pl.Series(range(9_000)))
    (True, False)
    """
    return values.len() > _FEW_TEXTS and values.head(_FEW_TEXTS).n_unique() * 4 < _FEW_TEXTS


def _mask_column(values: pl.Series, *, is_id: bool, plain: str | None, salt: Salt) -> pl.Series:
    """One text column masked, each cell alone (:func:`_mask_frame`): an id column's personal
    ids hashed whole; other text masked. ``plain``: the pattern of a cell plainly of the
    column's type (:data:`_PLAIN`), which is neither read nor masked.

    >>> cells = pl.Series(["2026-10-01", "ruf 0171 7731 9942"])
    >>> _mask_column(cells, is_id=True, plain=_PLAIN["date"], salt="s").to_list()
    ['2026-10-01', 'ruf [phone]']
    """
    new = values
    scan = None if plain is None else (~values.str.contains(plain)).fill_null(False)
    if is_id:
        if scan is None:
            hit = _personal_ids(values)
        else:  # a typed key column: a cell plainly of its type is no personal id
            hit = _changed(
                pl.Series(values.name, np.zeros(values.len(), dtype=bool)),
                at := scan.arg_true(),
                _personal_ids(values.gather(at), among=False),
            )
        if hit.any():
            key, at = resolve_salt(salt), hit.arg_true()
            new = _changed(values, at, [hash_text(v, key) for v in values.gather(at).to_list()])
        if scan is None:  # an id: as it is, or hashed whole
            return new
        # a key column that is a typed value (``lifecycle_events.entered_at``): a cell
        # that is no such value is text, masked as any other (and quarantined)
        scan = scan & ~hit
    if scan is None:
        return _mask_series(values)
    if scan.any():
        at = scan.arg_true()
        return _changed(new, at, _mask_series(values.gather(at)))
    return new


def _scrub_extra(frame: pl.DataFrame, salt: Salt, report: ScrubReport) -> pl.DataFrame:
    """Drop personal keys of the ``_extra`` JSON, and keys that hold personal data
    themselves (a header that is an e-mail address: reported masked), and mask the values
    of the others."""
    extra = frame["_extra"]
    if extra.null_count() == extra.len():
        return frame
    values = extra.str.json_decode(infer_schema_length=None)
    if not isinstance(values.dtype, pl.Struct) or not values.dtype.fields:
        return frame
    values = values.struct.unnest()
    masked_keys = dict(zip(values.columns, mask_texts(values.columns), strict=True))
    telling = [k for k, m in masked_keys.items() if m != k]
    drop = [c for c in personal_columns(values.columns) if c not in telling]
    values = values.drop(drop + telling)
    drop += [masked_keys[k] for k in telling]
    strings = [c for c, dtype in values.schema.items() if dtype == pl.String]
    values, changed = _mask_frame(values, strings, set(), salt, {})
    report.add(dropped=drop, masked=changed)
    if not drop and not changed:
        return frame
    encoded = (
        values.select(pl.struct(pl.all()).struct.json_encode().alias("_extra"))["_extra"]
        if values.width
        else pl.Series("_extra", ["{}"] * values.height, dtype=pl.String)
    )
    return frame.with_columns(
        pl.when(pl.col("_extra").is_null()).then(None).otherwise(encoded).alias("_extra")
    )


def scrub(
    table: str, cells: pl.DataFrame, *, salt: Salt = None, report: ScrubReport | None = None
) -> pl.DataFrame:
    """One chunk of an import's text cells with no personal data left.

    Parameters
    ----------
    table
        The canonical table the cells are for.
    cells
        Text columns (canonical ones, unknown ones, optionally ``_extra`` JSON) and
        ``_line``.
    salt
        Salt of the hashes that replace e-mail addresses, phone numbers and IBANs in id
        columns (a string or a callable that makes it only when needed).
    report
        Collects the dropped and masked column names (a file's chunks share one).

    Returns
    -------
    pl.DataFrame
        The cells without personal columns, e-mails/phones/IBANs masked in text, ids
        that are one (:func:`is_personal_id`) hashed.

    >>> cells = pl.DataFrame({"lead_id": ["a@b.de"], "note": ["call +49 170 5550001"],
    ...                       "E-Mail": ["a@b.de"], "_line": [2]})
    >>> r = ScrubReport()
    >>> out = scrub("sales_touches", cells, salt="s", report=r)
    >>> out.columns, out["note"].item(), out["lead_id"].item().startswith("h_"), r
    (['lead_id', 'note', '_line'], 'call [phone]', True, \
ScrubReport(dropped=['E-Mail'], masked=['lead_id', 'note']))
    """
    report = report if report is not None else ScrubReport()
    known = set(TABLES[table].column_names)
    drop = [c for c in personal_columns(cells.columns) if c not in known]
    if drop:
        cells = cells.drop(drop)
        report.add(dropped=drop)
    text = [c for c, dtype in cells.schema.items() if c not in ("_line", "_extra")]
    kinds = {c.name: c.kind for c in TABLES[table].columns}
    cells, changed = _mask_frame(cells, text, _id_columns(table), salt, kinds)
    report.add(masked=changed)
    if "_extra" in cells.columns:
        cells = _scrub_extra(cells, salt, report)
    return cells


#: What a quarantined misaligned row shows instead of a cell it may not keep.
WITHHELD = "[withheld]"
#: Characters kept of each cell of a misaligned row (after masking).
MISALIGNED_CELL_CHARS = 100
#: A cell that is plainly a value wherever it stands: digits and punctuation (a date, a
#: time, an amount, a count), a truth value, or a mask (``[email]``).
_PLAIN_CHARS = re.compile(r"(?i)^[\d\s.,:/+%€$TZ-]+$")
_PLAIN_WORD = re.compile(r"(?i)^(?:true|false|\[(?:email|phone|iban)\])$")
_DIGIT = re.compile(r"\d")


def _plain_cell(value: str) -> bool:
    """:data:`_PLAIN_CHARS` with a digit, or a :data:`_PLAIN_WORD`, in time linear in the
    cell (one pattern with a digit between two runs of the same characters took seconds
    for a 16,000-digit cell).

    >>> [_plain_cell(v) for v in ("05.10.2026 09:12", "[email]", "T-", "x1")]
    [True, True, False, False]
    """
    if _PLAIN_WORD.match(value):
        return True
    return bool(_PLAIN_CHARS.match(value)) and _DIGIT.search(value) is not None


#: Last words of a header that names an id (``Record ID``, ``Kontakt-Nr``, ``Lead Number``).
_ID_WORDS = frozenset({"id", "ids", "nr", "no", "number", "nummer", "key"})


def _id_header(name: str, ids: set[str]) -> bool:
    words = normalise_header(name).split()
    return name in ids or (bool(words) and (words[-1] in _ID_WORDS or words[-1].endswith("nummer")))


def misaligned_row(table: str | None, cells: Mapping[str, str | None], *, salt: Salt = None) -> str:
    """A row with more or fewer fields than its header, as the quarantine keeps it.

    Its cells cannot be trusted to stand under their headers (a name may have moved
    under ``source``), so only what is safe wherever it stands is kept: JSON of
    header -> cell for the headers the row reaches, in the file's order. Every cell is
    trimmed and scrubbed as a cell of that column of ``table`` (:func:`scrub`: e-mails,
    phone numbers and IBANs masked, a personal id hashed). It is kept when it stands
    under an id header (``lead_id``, ``Record ID``: ``sla purge --lead`` finds the row by
    it) or is plainly a value (a date, a number, ``true``, a mask), cut at
    :data:`MISALIGNED_CELL_CHARS`; any other cell, and every cell under a personal,
    free-text or unnamed header (:func:`is_private`), is :data:`WITHHELD`. Fields beyond
    the header are left out (the reason says how many fields the row had).

    Parameters
    ----------
    table
        The canonical table the file was read for (None: cells are only masked).
    cells
        Header -> cell, for the headers the row reaches (``dict(zip(header, record))``).
    salt
        Salt of the hashes of personal ids.

    Returns
    -------
    str
        The JSON text stored as the quarantine's ``value``.

    >>> misaligned_row("leads", {"lead_id": " L7", "created_at": "2026-10-05",
    ...                          "source": "Erika", "Vorname": "Tom"})
    '{"lead_id": "L7", "created_at": "2026-10-05", "source": "[withheld]", "Vorname": "[withheld]"}'
    """
    ids = _id_columns(table) if table in TABLES else set()
    named = [n for n in cells if n.strip() and not n.startswith("_") and not is_private(n)]
    frame = pl.DataFrame(
        {name: [(cells[name] or "").strip()] for name in named},
        schema={name: pl.String for name in named},
    )
    if named and table in TABLES:
        frame = scrub(table, frame, salt=salt)
    elif named:
        frame = frame.select(mask_expr(pl.col(name)) for name in named)
    values = frame.row(0, named=True) if named else {}
    shown = {}
    for name in cells:
        value = values.get(name)
        safe = value is not None and (
            value == "" or _id_header(name, ids) or _plain_cell(value)
        )  # an empty cell holds nothing to withhold
        shown[name] = value[:MISALIGNED_CELL_CHARS] if safe else WITHHELD
    return json.dumps(shown, ensure_ascii=False)


def report_into(result: Any, source_file: str, report: ScrubReport) -> None:
    """Add what :func:`scrub` did to a file to an import result's ``dropped_columns`` and
    ``masked_columns`` (keyed by the file's name, as the adapters report)."""
    name = Path(source_file.split("#", 1)[0]).name
    for attr, columns in (("dropped_columns", report.dropped), ("masked_columns", report.masked)):
        if columns:
            listed = getattr(result, attr).setdefault(name, [])
            listed += [c for c in columns if c not in listed]
