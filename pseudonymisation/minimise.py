"""Data minimisation: what ingest does to each field before anything is written to disk.

Driven by each field's `fate` in its contract: direct identifiers are pseudonymised (keyed HMAC, see
`pseudonymisation/`) or dropped, quasi-identifiers generalised to what the indicators need and no more
(birth date → birth cohort, the year in which a person is 0 on the peildatum, which gives the age on every
peildatum; postcode and house number → wijk and gemeente, looked up through the buurt but not storing it)
and then dropped, attributes kept or dropped. The result holds one person key, `person_id`, and `id_type`
(which identifier it came from), never a raw identifier, and no pointer back into the raw file (no file
name, no line number: with the raw export those alone re-identify every row; see docs/minimisation.md).

Retention is enforced here too: a row whose contract's `retentionField` lies before the cutoff (today minus
the contract's `retention`) is dropped before anything is written, so it never enters a run.

Ingest minimises a source batch by batch through one `Minimiser`, which does the per-source work once:
the address lookup is prepared once, and each distinct identifier is hashed once per source, not once per
batch (declarations name the same child in hundreds of rows spread over the whole file).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pyarrow as pa

from pseudonymisation.contract import Contract
from pseudonymisation.pseudonymiser import Pseudonymiser

AREA_COLUMNS = ("wijk_code", "gemeente_code")  # the buurt only leads to the wijk: no indicator reports it
PERSON_COLUMNS = ("person_id", "id_type")
# None: a staged row keeps no file name or line number (it is not traceable into a raw export). The name
# stays because `pseudonymisation/at_source.py` drops "the lineage columns" from what it writes.
# The peildatum is 1 October (spec §2, sql/school_years.sql); a birth cohort starts in this month.
PEILDATUM_MONTH = 10
_NINE_DIGITS = r"^[0-9]{9}$"  # what every valid BSN and onderwijsnummer is after normalisation
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LETTER_PAIRS = {f"{a}{b}": 26 * i + j for i, a in enumerate(_ALPHABET) for j, b in enumerate(_ALPHABET)}


def cohort_column(field_name: str) -> str:
    """Where a generalised birth date goes: `geboortedatum` → `geboortecohort`."""
    return f"{field_name.removesuffix('datum')}cohort" if field_name.endswith("datum") else f"{field_name}_cohort"


def birth_cohort(birth_date: pl.Expr) -> pl.Expr:
    """The year c in which a person is 0 on the peildatum (1 October): born 1 October c-1 to 30 September c.

    The age on the peildatum of year y is then y - c, for every y. That is all any indicator needs of a
    birth date (spec §2: age in whole years on 1 October; born in October itself counts as not yet, as
    before), and a cohort is twelve birth months at once.
    """
    return (birth_date.dt.year() + (birth_date.dt.month() >= PEILDATUM_MONTH).cast(pl.Int32)).cast(pl.Int32)


def staged_columns(contract: Contract) -> list[str]:
    """The columns a source has after minimisation, in order: what may be stored, and nothing else."""
    lead = list(PERSON_COLUMNS) if contract.identifier_fields else []
    kept: list[str] = []
    for f in contract.properties:
        if f.fate == "keep" or f in contract.linkable_fields:
            kept.append(f.name)
        elif f.generalisation == "birth_cohort":
            kept.append(cohort_column(f.name))
    if any(f.generalisation == "buurt_wijk" for f in contract.properties):
        kept += AREA_COLUMNS
    return [*lead, *kept]


class KnownPseudonyms:
    """The pseudonyms (as digest bytes) of the nine-digit identifiers of one type hashed so far.

    Kept in memory only, as sorted runs of (identifier as a number, digest) that are merged as they
    grow, so a lookup is a binary search and adding costs O(log n) copies per entry: about 24 bytes per
    distinct identifier. If the identifiers of a source hardly ever come back (an extract sorted by
    person), the cache gives itself up after a few batches instead of growing for nothing.
    """

    PROBE_BATCHES = 4
    MIN_HIT_SHARE = 0.02
    MAX_ENTRIES = 20_000_000  # 480 MB: past this, identifiers are hashed per batch again

    def __init__(self, width: int) -> None:
        self.width = width
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []
        self.batches = self.looked_up = self.hits = 0
        self.enabled = True

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found mask, digests) for sorted `keys` (sorted needles keep the binary searches local, ten times
        faster); rows not found hold zero bytes."""
        found = np.zeros(keys.size, dtype=bool)
        digests = np.zeros(keys.size, dtype=np.dtype((np.void, self.width)))
        for run_keys, run_digests in self.runs:
            position = np.searchsorted(run_keys, keys).clip(max=run_keys.size - 1)
            hit = (run_keys[position] == keys) & ~found
            digests[hit] = run_digests[position[hit]]
            found |= hit
        self.looked_up += keys.size
        self.hits += int(found.sum())
        return found, digests

    def add(self, keys: np.ndarray, digests: np.ndarray) -> None:
        self.batches += 1
        if self.batches >= self.PROBE_BATCHES and self.hits < self.MIN_HIT_SHARE * self.looked_up:
            self.enabled, self.runs = False, []
            return
        if keys.size and sum(k.size for k, _ in self.runs) + keys.size <= self.MAX_ENTRIES:
            order = np.argsort(keys, kind="stable")
            self.runs.append((keys[order], digests[order]))
        while len(self.runs) > 1 and self.runs[-2][0].size <= 2 * self.runs[-1][0].size:
            (k1, d1), (k2, d2) = self.runs.pop(), self.runs.pop()
            merged_keys = np.concatenate([k2, k1])
            order = np.argsort(merged_keys, kind="stable")
            self.runs.append((merged_keys[order], np.concatenate([d2, d1])[order]))


class Minimiser:
    """`minimise` for the batches of one source: per-source preparation once, each identifier hashed once.

    `pseudonymised`: the identifier columns already hold their pseudonyms, made with this pseudonymiser before
    the rows were built (iJw records kept between runs, `pseudonymisation/ijw_tokens.py`); they are taken as
    they are, everything else is minimised as always."""

    def __init__(
        self,
        contract: Contract,
        pseudonymiser: Pseudonymiser | None,
        addresses: pl.DataFrame | None = None,
        retention_cutoff: date | None = None,
        pseudonymised: bool = False,
    ):
        for f in [*contract.identifier_fields, *contract.linkable_fields]:
            if f.identifierType is None or pseudonymiser is None:
                raise ValueError(
                    f"{contract.id}: field {f.name} needs an identifier type and a key to be pseudonymised"
                )
        self.contract = contract
        self.pseudonymiser = pseudonymiser
        self.pseudonymised = pseudonymised
        self.known: dict[str, KnownPseudonyms] = {}
        self.areas: AreaLookup | None = None
        if any(f.generalisation == "buurt_wijk" for f in contract.properties):
            if addresses is None:
                raise ValueError(f"{contract.id}: generalising addresses needs the pc6hnr reference table")
            self.areas = AreaLookup(addresses)
        self.columns = staged_columns(contract)
        self.retention_cutoff = retention_cutoff if contract.retentionField is not None else None

    def __call__(self, accepted: pl.DataFrame) -> pl.DataFrame:
        """Apply every field's fate to a batch of accepted rows; rows past retention are left out (the only rows
        ever left out: the caller counts them as the difference)."""
        frame = accepted
        if self.retention_cutoff is not None and self.contract.retentionField is not None:
            reference = pl.col(self.contract.retentionField)
            frame = frame.filter(reference.is_null() | (reference >= self.retention_cutoff))
        person: list[pl.Series] = []
        kinds: list[pl.Expr] = []
        for i, f in enumerate(self.contract.identifier_fields):
            assert f.identifierType is not None
            person.append(self.pseudonyms(frame.get_column(f.name), f.identifierType).alias(f"_pseudonym{i}"))
            kinds.append(pl.when(pl.col(f.name).is_not_null()).then(pl.lit(f.identifierType)))
        if person:
            frame = frame.with_columns(person).with_columns(
                pl.coalesce([s.name for s in person]).alias("person_id"), pl.coalesce(kinds).alias("id_type")
            )
        linkable = [
            self.pseudonyms(frame.get_column(f.name), f.identifierType or "") for f in self.contract.linkable_fields
        ]
        if linkable:
            frame = frame.with_columns(linkable)
        cohorts = [
            birth_cohort(pl.col(f.name)).alias(cohort_column(f.name))
            for f in self.contract.properties
            if f.generalisation == "birth_cohort"
        ]
        if cohorts:
            frame = frame.with_columns(cohorts)
        if self.areas is not None:
            frame = self.areas.join(frame)
        return frame.select(self.columns)

    def pseudonyms(self, column: pl.Series, identifier_type: str) -> pl.Series:
        """The column's pseudonyms, row for row (null stays null); each distinct value hashed once per source.

        Nine-digit identifiers (all valid BSNs and onderwijsnummers) are handled as numbers: distinct per
        batch with numpy, looked up in and added to the source's cache of digests. Anything else is hashed
        as it is, row by row; validation lets no such value through, so that path stays simple.
        """
        if self.pseudonymised:
            return column.cast(pl.String)
        assert self.pseudonymiser is not None
        p = self.pseudonymiser
        width = p.digest_bytes
        column = column.cast(pl.String)
        digests = np.zeros(column.len(), dtype=np.dtype((np.void, width)))
        nine = column.str.contains(_NINE_DIGITS).fill_null(False)
        numbers, rows = np.unique(column.filter(nine).cast(pl.UInt64).to_numpy(), return_inverse=True)
        known = self.known.setdefault(identifier_type, KnownPseudonyms(width))
        if known.enabled:
            found, distinct = known.find(numbers)
        else:
            found, distinct = np.zeros(numbers.size, dtype=bool), np.zeros(numbers.size, dtype=digests.dtype)
        fresh = numbers[~found]
        texts = pl.Series(fresh, dtype=pl.UInt64).cast(pl.String).str.zfill(9).cast(pl.Binary).to_list()
        if texts:
            distinct[~found] = _as_array(p.digests(identifier_type, texts), digests.dtype)
            if known.enabled:
                known.add(fresh, distinct[~found])
        digests[nine.to_numpy()] = distinct[rows]
        other = column.is_not_null() & ~nine
        if other.any():
            values = column.filter(other).cast(pl.Binary).to_list()
            digests[other.to_numpy()] = _as_array(p.digests(identifier_type, values), digests.dtype)
        text = _hex(digests, width).str.slice(0, p.length)
        return pl.select(pl.when(column.is_not_null()).then(text)).to_series().alias(column.name)


def _as_array(digests: list[bytes], dtype: np.dtype) -> np.ndarray:
    return np.frombuffer(b"".join(digests), dtype=dtype)


def _hex(digests: np.ndarray, width: int) -> pl.Series:
    array = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(width), len(digests), [None, pa.py_buffer(digests.tobytes())]
    )
    return pl.Series(pl.from_arrow(array)).cast(pl.Binary).bin.encode("hex")


class AreaLookup:
    """(postcode, huisnummer) → wijk and gemeente codes from the pc6hnr table, prepared once per source.

    A left join against 3.6 million national addresses hashes the whole table for every batch; instead
    each address becomes one number (PC6 digits, letters and house number) kept sorted, and a batch's
    addresses are found by binary search. An address that cannot be numbered (not `1234AB`, house number
    out of range) cannot be in a table whose addresses all can, so it gets no area, as in the join. A
    table with other addresses is joined the plain way.
    """

    PC6 = r"^[1-9][0-9]{3}[A-Z]{2}$"
    HOUSE_NUMBERS = 1_000_000

    def __init__(self, addresses: pl.DataFrame) -> None:
        self.table = address_lookup(addresses)
        self.keys: pl.Series | None = None
        if self.table.select(self._key().is_not_null().all()).item():
            self.table = self.table.with_columns(self._key().alias("_key")).sort("_key")
            self.keys = self.table.get_column("_key")
            self.table = self.table.select(AREA_COLUMNS)

    def _key(self) -> pl.Expr:
        postcode, number = pl.col("postcode"), pl.col("huisnummer").cast(pl.Int64)
        digits = postcode.str.slice(0, 4).cast(pl.Int64, strict=False)
        letters = postcode.str.slice(4, 2).replace_strict(_LETTER_PAIRS, default=None, return_dtype=pl.Int64)
        valid = postcode.str.contains(self.PC6) & (number >= 0) & (number < self.HOUSE_NUMBERS)
        return pl.when(valid).then((digits * 676 + letters) * self.HOUSE_NUMBERS + number)

    def join(self, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` with the area columns of its (postcode, huisnummer) added, null where the address is unknown."""
        if self.keys is None:
            return frame.with_columns(pl.col("huisnummer").cast(pl.Int64)).join(
                self.table, on=["postcode", "huisnummer"], how="left", maintain_order="left"
            )
        if not self.keys.len():
            return frame.with_columns(pl.lit(None, pl.String).alias(c) for c in AREA_COLUMNS)
        keys = self.keys.to_numpy()
        probe = frame.select(self._key()).to_series().fill_null(-1).to_numpy()  # keys are >= 0
        order = np.argsort(probe)  # sorted needles keep the binary searches local: three times faster
        position = np.empty(probe.size, dtype=np.int64)
        position[order] = np.searchsorted(keys, probe[order])
        position = position.clip(max=keys.size - 1)
        found = pl.Series(keys[position] == probe)
        rows = pl.select(pl.when(found).then(pl.Series(position))).to_series()
        return pl.concat([frame, self.table[rows]], how="horizontal")


def address_lookup(addresses: pl.DataFrame) -> pl.DataFrame:
    """The pc6hnr table as (postcode, huisnummer) → wijk and gemeente codes, first row per address.

    The codes are text in their stored form (`WK0363AF`, `GM0363`): validation normalised them (`cbs_area`)."""
    return addresses.select(
        "postcode",
        pl.col("huisnummer").cast(pl.Int64),
        pl.col("wijk").alias("wijk_code"),
        pl.col("gemeente").alias("gemeente_code"),
    ).unique(subset=["postcode", "huisnummer"], keep="first", maintain_order=True)
