"""Minimisation's fast paths give exactly what the plain ones give: HMAC, pseudonyms across batches, areas."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.defs.ingest import _summarise
from pipelines.lib.settings import Paths
from pseudonymisation.config import load_hashing_config
from pseudonymisation.contract import load_contract
from pseudonymisation.key import PseudonymKey
from pseudonymisation.minimise import AreaLookup, KnownPseudonyms, Minimiser, address_lookup, birth_cohort
from pseudonymisation.pseudonymiser import Pseudonymiser, hmac_sha256
from pseudonymisation.read_csv import FILE_COLUMN, LINE_COLUMN
from pseudonymisation.staging import PHASES
from tests.handmade_inbox import valid_bsn
from tests.test_bad_inputs import ENROL_HEADER, GOOD_ROWS, csv_bytes, ingest_bytes

CONFIG = load_hashing_config().for_gemeente("GM0034")


def make(secret: bytes = b"k" * 32) -> Pseudonymiser:
    return Pseudonymiser(CONFIG, PseudonymKey(secret, "test", "label", 16))


def reference(secret: bytes, identifier_type: str, value: str) -> str:
    """The pseudonym as the plain primitive defines it."""
    message = f"{CONFIG.domain_label}|{identifier_type}|{value}".encode()
    return hmac_sha256(secret, message).hex()[: CONFIG.output.length]


@settings(max_examples=60, deadline=None)
@given(
    secret=st.binary(min_size=1, max_size=200),
    values=st.lists(st.text(max_size=30), max_size=5),
    identifier_type=st.sampled_from(["bsn", "onderwijsnummer"]),
)
def test_precomputed_key_states_give_exactly_hmac_sha256(
    secret: bytes, values: list[str], identifier_type: str
) -> None:
    """Keys shorter than, equal to and longer than the 64-byte block (hashed first, RFC 2104)."""
    assert make(secret).pseudonymise_many(identifier_type, values) == [
        reference(secret, identifier_type, v) for v in values
    ]


def test_block_sized_keys_give_exactly_hmac_sha256() -> None:
    for secret in (b"a" * 63, b"b" * 64, b"c" * 65, b"\xaa" * 131):
        assert make(secret).pseudonymise("bsn", "111222333") == reference(secret, "bsn", "111222333")


def declarations(bsns: list[str | None]) -> pl.DataFrame:
    """Accepted declaration rows (as `validate` types them) for the given BSNs."""
    n = len(bsns)
    return pl.DataFrame(
        {
            "bsn": pl.Series(bsns, dtype=pl.String),
            "toewijzingnummer": ["T1"] * n,
            "periode_begin": [None] * n,
            "periode_einde": [None] * n,
            "bedrag": [None] * n,
            "debet_credit": ["D"] * n,
            FILE_COLUMN: ["declaraties.csv"] * n,
            LINE_COLUMN: list(range(2, n + 2)),
        },
        schema_overrides={"periode_begin": pl.Date, "periode_einde": pl.Date, "bedrag": pl.Decimal(18, 2)},
    )


def test_pseudonyms_over_many_batches_equal_hashing_every_value() -> None:
    """Identifiers that come back in later batches come from the cache; odd values are hashed directly."""
    secret = b"s" * 32
    p, contract = make(secret), load_contract("declaraties")
    minimiser = Minimiser(contract, p)
    people = [valid_bsn(i) for i in range(1, 40)]
    rng = np.random.default_rng(3)
    for batch in range(8):
        bsns: list[str | None] = [people[i] for i in rng.integers(0, len(people), 50)]
        bsns += [None, "12345678", f"x{batch}"]  # not nine digits: never cached, still hashed
        staged = minimiser(declarations(bsns))
        expected = [reference(secret, "bsn", b) if b is not None else None for b in bsns]
        assert staged.get_column("person_id").to_list() == expected
        assert staged.get_column("id_type").to_list() == ["bsn" if b is not None else None for b in bsns]
    known = minimiser.known["bsn"]
    assert known.enabled and known.hits > 0
    assert sum(k.size for k, _ in known.runs) == len({b for b in people})


def test_the_cache_gives_itself_up_when_identifiers_do_not_come_back() -> None:
    secret = b"t" * 32
    minimiser = Minimiser(load_contract("declaraties"), make(secret))
    for batch in range(KnownPseudonyms.PROBE_BATCHES + 2):
        bsns: list[str | None] = [valid_bsn(1000 + 20 * batch + i) for i in range(20)]
        staged = minimiser(declarations(bsns))
        assert staged.get_column("person_id").to_list() == [reference(secret, "bsn", str(b)) for b in bsns]
    assert not minimiser.known["bsn"].enabled and not minimiser.known["bsn"].runs


def addresses() -> pl.DataFrame:
    """The pc6hnr table as staged: area codes as text in their stored form (pseudonymisation/cbs_area.py)."""
    return pl.DataFrame(
        {
            "postcode": ["1311AA", "1311AA", "1311AB", "9999ZZ", "1311AA"],
            "huisnummer": [1, 2, 1, 99999, 1],  # the last repeats 1311AA 1 with other areas: the first wins
            "buurt": ["BU00340101", "BU00340102", "BU00340103", "BU09999901", "BU00111111"],
            "wijk": ["WK003401", "WK003401", "WK003401", "WK099999", "WK001111"],
            "gemeente": ["GM0034", "GM0034", "GM0034", "GM0999", "GM0011"],
        }
    )


def plain_join(frame: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("huisnummer").cast(pl.Int64)).join(
        address_lookup(table), on=["postcode", "huisnummer"], how="left", maintain_order="left"
    )


def test_area_lookup_by_binary_search_equals_the_plain_join() -> None:
    batch = pl.DataFrame(
        {
            "postcode": ["1311AB", "1311AA", "1311AA", "9999ZZ", "1311AC", "1311aa", None, "0311AA", "1311AA"],
            "huisnummer": [1, 1, 2, 99999, 1, 1, 1, 1, 10_000_001],
        }
    )
    areas = AreaLookup(addresses())
    assert areas.keys is not None, "national PC6 addresses are numbered"
    assert areas.join(batch).equals(plain_join(batch, addresses()))
    assert areas.join(batch).row(1)[2:] == ("WK003401", "GM0034"), "the buurt leads to the wijk, it is not kept"
    assert areas.join(batch.clear()).equals(plain_join(batch.clear(), addresses()))


def test_area_lookup_with_addresses_it_cannot_number_joins_the_plain_way() -> None:
    odd = pl.concat(
        [
            addresses(),
            pl.DataFrame(
                {
                    "postcode": ["B-1000"],
                    "huisnummer": [5],
                    "buurt": ["BU00000101"],
                    "wijk": ["WK000001"],
                    "gemeente": ["GM0001"],
                }
            ),
        ]
    )
    batch = pl.DataFrame({"postcode": ["B-1000", "1311AA"], "huisnummer": [5, 2]})
    areas = AreaLookup(odd)
    assert areas.keys is None
    assert areas.join(batch).equals(plain_join(batch, odd))


def test_seconds_per_phase_are_recorded_in_the_summary(tmp_path: Path) -> None:
    out = ingest_bytes(tmp_path, "inschrijvingen", csv_bytes(ENROL_HEADER, GOOD_ROWS))
    assert set(out.ingested.seconds) == set(PHASES) and all(s >= 0 for s in out.ingested.seconds.values())
    paths = Paths(tmp_path / "inbox", tmp_path / "out")
    paths.staged.mkdir(parents=True)
    _summarise(out.ingested, paths)
    summary = json.loads((paths.staged / "inschrijvingen.summary.json").read_text(encoding="utf-8"))
    assert set(summary["seconds"]) == {"read_validate", "pseudonymise", "write"}


def test_rows_past_retention_are_left_out_and_those_without_the_date_stay() -> None:
    """declaraties count retention from periode_einde: before the cutoff the row is never staged; no end = running."""
    frame = declarations([valid_bsn(1), valid_bsn(2), valid_bsn(3)]).with_columns(
        periode_einde=pl.Series([date(2020, 1, 31), date(2020, 2, 1), None], dtype=pl.Date)
    )
    staged = Minimiser(load_contract("declaraties"), make(), retention_cutoff=date(2020, 2, 1))(frame)
    assert staged.get_column("periode_einde").to_list() == [date(2020, 2, 1), None], "the cutoff day itself stays"
    assert Minimiser(load_contract("declaraties"), make())(frame).height == 3, "no cutoff, nothing left out"


def test_the_birth_cohort_gives_the_age_on_every_peildatum_as_the_birth_month_did() -> None:
    """Age on 1 October y = y - cohort; the old rule from the month: y - year - (month >= 10)."""
    births = pl.DataFrame({"geboren": [date(2010, m, d) for m in range(1, 13) for d in (1, 15, 28)]})
    ages = births.with_columns(cohort=birth_cohort(pl.col("geboren")))
    for year in (2015, 2022, 2030):
        by_month = year - ages["geboren"].dt.year() - (ages["geboren"].dt.month() >= 10).cast(pl.Int32)
        assert (year - ages["cohort"]).to_list() == by_month.to_list()
    assert ages.filter(pl.col("geboren").dt.month() == 9)["cohort"].unique().to_list() == [2010]
    assert ages.filter(pl.col("geboren").dt.month() == 10)["cohort"].unique().to_list() == [2011]
