"""What a personal identifier looks like, without knowing any: the patterns of the audit scan.

The audit has no access to the raw exports, so it cannot look for known BSNs (that is
`pipelines.audit.known_identifiers`); it looks for anything with the shape of one. Shapes are only flagged as whole
tokens (not inside a longer run of letters and digits, such as a hex pseudonym or a BRIN code) and numbers
only when they are not part of a decimal number (amounts):

- **BSN**: nine digits (or `1234.56.782`) passing the eleven-test. Seven or eight digits are left-padded
  (lost leading zeros) only in a column whose name says it holds a BSN: elsewhere eight digits are dates
  (`20240207`), message and allocation numbers, and one in eleven of those would pass.
- **onderwijsnummer**: nine digits starting with 10 whose weighted sum is 5 modulo 11.
- **postcode**: four digits (not starting with 0) and two capital letters, with or without a space, except
  the letter pairs SA, SD and SS, which PostNL never issues, and hex colours (`#3366CC`).
- **e-mail address**, and **Dutch phone numbers** (06 mobile, or an area code with a separator:
  `020-1234567`, `+31 6 12345678`).
- **names**: a free-text name has no pattern, so columns are judged by their name (`voornaam`,
  `achternaam`, `straat`, `telefoon`, `email`, `bsn`, a bare `naam`, …). The contracts and the minimisation
  step make sure only declared columns are stored; this catches a column that slipped through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pseudonymisation import bsn, onderwijsnummer

# Digit runs as long as a BSN with its leading zeros lost, up to a whole one (`pseudonymisation.bsn`).
_DIGITS = f"{{{min(bsn.PADDED_LENGTHS)},{bsn.LENGTH}}}"
_START = r"(?<![0-9A-Za-z])(?<!\d\.)"
_END = r"(?![0-9A-Za-z])(?!\.\d)"
_PATTERN = re.compile(
    rf"{_START}(?P<number>\d{_DIGITS}|\d{{4}}\.\d{{2}}\.\d{{3}}){_END}"
    r"|(?<![0-9A-Za-z#])(?P<postcode>[1-9]\d{3} ?[A-Z]{2})(?![0-9A-Za-z])"
    r"|(?<![A-Za-z0-9._%+-])(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
    r"|(?<![0-9A-Za-z+])(?P<phone>(?:\+31[ -]?|0031[ -]?|0)6[ -]?\d{8}|0[1-9]\d{1,2}[ -]\d{6,7})(?![0-9A-Za-z])"
)
# The same shapes loosely, in RE2 syntax (DuckDB): a superset that selects the values worth a closer look.
PREFILTER = (
    rf"(^|[^0-9A-Za-z])([0-9]{_DIGITS}|[0-9]{{4}}\.[0-9]{{2}}\.[0-9]{{3}})([^0-9A-Za-z]|$)"
    r"|(^|[^0-9A-Za-z])[1-9][0-9]{3} ?[A-Z]{2}([^0-9A-Za-z]|$)"
    r"|@"
    r"|(^|[^0-9A-Za-z+])(\+31|0031|0)[ -]?[0-9]{1,3}[ -]?[0-9]{6,8}([^0-9A-Za-z]|$)"
)
_UNISSUED_POSTCODE_LETTERS = {"SA", "SD", "SS"}

# Column names that hold persons' names, contact or address details or raw identifiers.
PERSON_COLUMN_WORDS = frozenset(
    {
        "voornaam",
        "voornamen",
        "achternaam",
        "geslachtsnaam",
        "roepnaam",
        "tussenvoegsel",
        "voorletters",
        "firstname",
        "lastname",
        "surname",
        "straat",
        "straatnaam",
        "adres",
        "woonadres",
        "huisnummer",
        "postcode",
        "woonplaats",
        "telefoon",
        "telefoonnummer",
        "mobiel",
        "email",
        "emailadres",
        "mail",
        "bsn",
        "burgerservicenummer",
        "onderwijsnummer",
        "geboortedatum",
    }
)
# A bare `naam` is a person's name when nothing else qualifies it, or when a person qualifies it.
PERSON_WORDS = frozenset({"leerling", "client", "cliënt", "kind", "jeugdige", "ouder", "persoon", "verzorger"})
BSN_COLUMN_WORDS = frozenset({"bsn", "burgerservicenummer"})


@dataclass(frozen=True)
class Hit:
    kind: str  # bsn, onderwijsnummer, postcode, e-mail, telefoon
    value: str


def _column_words(column: str) -> list[str]:
    return [w for w in re.split(r"[^0-9a-zà-ÿ]+", column.lower()) if w]


def is_bsn_column(column: str) -> bool:
    """A column whose name says it holds a BSN: there, lost leading zeros are restored before the test."""
    return any(w in BSN_COLUMN_WORDS for w in _column_words(column))


def person_column_reason(column: str) -> str | None:
    """Why a column's name suggests names, contact details or raw identifiers (None: it does not)."""
    words = _column_words(column)
    for word in words:
        if word in PERSON_COLUMN_WORDS:
            return f"kolomnaam bevat '{word}'"
    if ("naam" in words or "name" in words) and (len(words) == 1 or any(w in PERSON_WORDS for w in words)):
        return "kolomnaam wijst op de naam van een persoon"
    return None


def _number_kind(token: str, bsn_column: bool) -> str | None:
    digits = onderwijsnummer.compact(token)  # separators only: a BSN's lost zeros count only in a BSN column
    if len(digits) == 9 and onderwijsnummer.is_valid(digits):
        return "onderwijsnummer"
    if (len(digits) == 9 or bsn_column) and bsn.is_valid(digits):
        return "bsn"
    return None


def find_identifiers(text: str, bsn_column: bool = False) -> list[Hit]:
    """Every token in `text` shaped like a personal identifier (see the module docstring)."""
    hits: list[Hit] = []
    for match in _PATTERN.finditer(text):
        token = match.group(0)
        if match.lastgroup == "number":
            kind = _number_kind(token, bsn_column)
            if kind is not None:
                hits.append(Hit(kind, token))
        elif match.lastgroup == "postcode":
            if token[-2:] not in _UNISSUED_POSTCODE_LETTERS:
                hits.append(Hit("postcode", token))
        elif match.lastgroup == "email":
            hits.append(Hit("e-mail", token))
        elif match.lastgroup == "phone":
            hits.append(Hit("telefoon", token))
    return hits


def number_kind(value: int, bsn_column: bool = False) -> str | None:
    """An integer that is a BSN or onderwijsnummer (nine digits; fewer only in a BSN column)."""
    return _number_kind(str(value), bsn_column) if 0 < value < 10**bsn.LENGTH else None


def mask(value: str) -> str:
    """First and last character only: enough to find the value again, not enough to use it."""
    return value[0] + "*" * (len(value) - 2) + value[-1] if len(value) > 2 else "*" * len(value)
