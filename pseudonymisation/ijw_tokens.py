"""The identifiers of parsed iJw records replaced by what ingest would store, before the update order.

Why: the monitor keeps the parse of every iJw file between runs (`pipelines/ingest/ijw_cache.py`), so that a
monthly run parses only the files it has not seen; nothing raw may be kept, so before anything is kept every
BSN and toewijzingnummer of a record is checked by the rules of its contract field (`validate.field_verdicts`,
the expressions validation itself uses) and replaced by a *token*:

* a valid value by its pseudonym (the one the staged tables carry: the value normalised, then hashed as the
  `Minimiser` hashes it);
* an invalid value by `validate.invalid_token`: the rules it broke, the masked value quarantine shows (its
  length in asterisks) and a keyed hash of it (HMAC under the pseudonymisation key with a label of its own)
  that keeps equal values equal. It is no pseudonym and is never staged: validation quarantines its row.

The provider's ReferentieAanbieder, which only links a JW315 to its JW301, becomes such a keyed hash too.

The update order (`pseudonymisation/ijw.py`) compares these values only for equality (which toewijzing, which
person, which debet a credit cancels), and the tokens are equal exactly when the values are (a BSN is nine
digits by the XSD and a toewijzingnummer its canonical integer, so normalising changes neither); so the
rows, counts and checks are those of the raw values, with the identifiers already pseudonymised. Validation
then reads the verdicts from the tokens (`validate(..., prechecked=PRECHECKED)`) and the `Minimiser` keeps the
pseudonyms (`pseudonymised=True`). The one difference: toewijzing rows are ordered by pseudonym, not number.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

import polars as pl

from pseudonymisation.contract import Contract, Field_
from pseudonymisation.ijw import FileParse, IjwRejection, ParsedEntry, ParsedMessage
from pseudonymisation.ijw_xml import Allocation, CareEvent, Claim, Record, Request
from pseudonymisation.pseudonymiser import Pseudonymiser
from pseudonymisation.staging import contract_text
from pseudonymisation.validate import INVALID_MARK, field_verdicts, invalid_token

#: The contract fields whose values records carry, checked and pseudonymised before the update order.
PRECHECKED = frozenset({"bsn", "toewijzingnummer"})
_KEYED_LABEL = "jeugdmonitor ijw token v1"
_REFERENCE = "referentie_aanbieder"


class Tokeniser:
    """Tokens for the identifiers of parsed records, by the rules of the youth-care contracts."""

    def __init__(self, contracts: Sequence[Contract], pseudonymiser: Pseudonymiser) -> None:
        self.fields: dict[str, Field_] = {}
        for contract in contracts:
            for name in PRECHECKED:
                f = contract.field(name)
                if f.identifierType is None:
                    raise ValueError(f"{contract.id}.{name} has no identifier type to be pseudonymised under")
                known = self.fields.setdefault(name, f)
                if known.model_dump(exclude={"description"}) != f.model_dump(exclude={"description"}):
                    raise ValueError(
                        f"{name}: the youth-care contracts differ in its rules; one token cannot serve both"
                    )
        self.pseudonymiser = pseudonymiser

    def _keyed(self, name: str, values: list[str]) -> list[str]:
        """A keyed hash per value that is no pseudonym (its own label): equal values stay equal."""
        secret, length = self.pseudonymiser.key.secret, self.pseudonymiser.length
        domain = self.pseudonymiser.config.domain_label
        prefix = f"{_KEYED_LABEL}|{domain}|{name}|"
        return [hmac.digest(secret, (prefix + v).encode(), "sha256").hex()[:length] for v in values]

    def tokens(self, name: str, values: set[str]) -> dict[str, str]:
        """Each distinct value of field `name` → its token ("" for an empty one, which `required` reports)."""
        distinct = sorted(values)
        f = self.fields[name]
        assert f.identifierType is not None  # checked in __init__
        trimmed = pl.DataFrame({name: distinct}, schema={name: pl.String}).select(contract_text(pl.col(name)))
        verdicts = field_verdicts(f, trimmed.to_series())
        normalised = verdicts.get_column("normalised").to_list()
        failed = verdicts.get_column("failed").to_list()
        shown = verdicts.get_column("shown").to_list()
        valid = [n for n, broken in zip(normalised, failed, strict=True) if n is not None and not broken]
        invalid = [n for n, broken in zip(normalised, failed, strict=True) if n is not None and broken]
        pseudonyms = dict(zip(valid, self.pseudonymiser.pseudonymise_many(f.identifierType, valid), strict=True))
        hashed = dict(zip(invalid, self._keyed(name, invalid), strict=True))
        out: dict[str, str] = {}
        for value, n, broken, masked in zip(distinct, normalised, failed, shown, strict=True):
            if n is None:
                out[value] = ""
            elif broken:
                out[value] = invalid_token(broken, masked, hashed[n])
            else:
                out[value] = pseudonyms[n]
        return out

    def files(self, parses: list[FileParse]) -> list[FileParse]:
        """The same parses with every identifier of every record replaced by its token."""
        seen: dict[str, set[str]] = {"bsn": set(), "toewijzingnummer": set(), _REFERENCE: set()}
        for record in _records(parses):
            if isinstance(record, Request):
                seen[_REFERENCE].add(record.referentie)
                continue
            seen["bsn"].add(record.bsn)
            if record.toewijzingnummer is not None:
                seen["toewijzingnummer"].add(record.toewijzingnummer)
            if isinstance(record, Allocation) and record.referentie is not None:
                seen[_REFERENCE].add(record.referentie)
        bsn, nummer = self.tokens("bsn", seen["bsn"]), self.tokens("toewijzingnummer", seen["toewijzingnummer"])
        references = sorted(seen[_REFERENCE])
        reference = dict(zip(references, self._keyed(_REFERENCE, references), strict=True))

        def token(record: Record) -> Record:
            if isinstance(record, Request):
                return record._replace(referentie=reference[record.referentie])
            if isinstance(record, Allocation):
                ref = None if record.referentie is None else reference[record.referentie]
                return record._replace(
                    bsn=bsn[record.bsn], toewijzingnummer=nummer[record.toewijzingnummer], referentie=ref
                )
            if isinstance(record, CareEvent):
                number = None if record.toewijzingnummer is None else nummer[record.toewijzingnummer]
                return record._replace(bsn=bsn[record.bsn], toewijzingnummer=number)
            return record._replace(bsn=bsn[record.bsn], toewijzingnummer=nummer[record.toewijzingnummer])

        def entry(e: ParsedEntry) -> ParsedEntry:
            if isinstance(e.parsed, IjwRejection):
                return e
            return e._replace(parsed=ParsedMessage(e.parsed.message_type, [token(r) for r in e.parsed.records]))

        return [FileParse([entry(e) for e in p.messages], p.problems, p.ignored) for p in parses]


def pseudonyms_of(tokens: list[str]) -> list[str | None]:
    """The pseudonyms tokens stand for (an invalid value has none: its rows are quarantined)."""
    return [None if t.startswith(INVALID_MARK) else t for t in tokens]


def _records(parses: list[FileParse]) -> list[Allocation | CareEvent | Request | Claim]:
    return [
        record
        for p in parses
        for e in p.messages
        if not isinstance(e.parsed, IjwRejection)
        for record in e.parsed.records
    ]
