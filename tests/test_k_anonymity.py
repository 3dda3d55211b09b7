"""k-anonymity of the stored quasi-identifiers: what the audit measures, on tables small enough to check by hand."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.audit.k_anonymity import PrivacyThresholds, measure, measure_source, quasi_identifiers
from pipelines.lib.sealing import write_sealed
from pipelines.lib.settings import DEFAULT_CONFIG, MonitorConfig
from pseudonymisation.contract import load_contract

GROUPS = ("brin", "vestigingsnummer", "onderwijssoort")
STRICT = PrivacyThresholds(k=5, max_share_unique=0.01, max_share_below_k=0.05, group_columns=GROUPS)


def residents() -> pl.DataFrame:
    """Eight persons, nine rows. On (cohort, wijk): 2014/WK1 is shared by p1-p5 (k = 5), 2014/WK2 by p6 and p7
    (k = 2), 2015/WK1 by p8 alone (k = 1); p1 also lived alone in 2014/WK3 (k = 1), so p1 is unique too."""
    rows = [
        *[(f"p{i}", 2014, "WK1") for i in range(1, 6)],
        ("p6", 2014, "WK2"),
        ("p7", 2014, "WK2"),
        ("p8", 2015, "WK1"),
        ("p1", 2014, "WK3"),
    ]
    return pl.DataFrame(rows, schema=["person_id", "geboortecohort", "wijk_code"], orient="row").with_columns(
        gemeente_code=pl.lit("GM0034"), datum_vanaf=pl.date(2010, 1, 1), datum_tot=pl.lit(None, pl.Date)
    )


def test_k_counts_persons_not_rows_and_a_person_counts_at_their_most_exposed_row() -> None:
    m = measure(residents(), "bewoners", ("geboortecohort", "wijk_code"), k=5)
    assert (m.persons, m.unique, m.below_k) == (8, 2, 4), "unique: p1 and p8; below 5: p1, p6, p7, p8"
    assert (m.share_unique, m.share_below_k) == (0.25, 0.5)
    assert m.exceeds(STRICT)
    assert not m.exceeds(PrivacyThresholds(5, 0.25, 0.5, GROUPS)), "at the limit is within it"
    twice = pl.concat([residents(), residents()])
    assert measure(twice, "bewoners", ("geboortecohort", "wijk_code"), k=5) == m, "a repeated row adds nobody"


def test_null_is_a_value_like_any_other() -> None:
    frame = residents().with_columns(
        pl.when(pl.col("person_id") == "p8").then(None).otherwise("wijk_code").alias("wijk_code")
    )
    m = measure(frame, "bewoners", ("geboortecohort", "wijk_code"), k=5)
    assert (m.unique, m.below_k) == (2, 4), "p8 with an unknown wijk is still alone in cohort 2015"


def test_the_quasi_identifiers_are_the_stored_generalisations_plus_the_group_columns() -> None:
    assert quasi_identifiers(load_contract("bewoners"), GROUPS) == ("geboortecohort", "wijk_code", "gemeente_code")
    assert quasi_identifiers(load_contract("inschrijvingen"), GROUPS) == (
        "geboortecohort",
        "brin",
        "vestigingsnummer",
        "onderwijssoort",
    )
    assert quasi_identifiers(load_contract("diplomas"), GROUPS) == (), "no birth date or address: nothing to measure"
    assert quasi_identifiers(load_contract("toewijzingen"), GROUPS) == ()


def test_a_staged_source_is_measured_sealed_with_and_without_its_dates(tmp_path: Path) -> None:
    write_sealed(residents(), tmp_path / "bewoners.parquet")
    gating, dated = measure_source(tmp_path, load_contract("bewoners"), STRICT)
    assert gating.gating and gating.columns == ("geboortecohort", "wijk_code", "gemeente_code")
    assert (gating.persons, gating.unique, gating.below_k) == (8, 2, 4)
    assert not dated.gating and dated.columns[-2:] == ("datum_vanaf", "datum_tot")
    assert dated.exceeds(PrivacyThresholds(5, 0.0, 0.0, GROUPS)) is False, "the dated combination never gates"
    assert measure_source(tmp_path, load_contract("inschrijvingen"), STRICT) == [], "not staged: nothing measured"


def test_the_limits_come_from_monitor_toml() -> None:
    config = MonitorConfig.load(DEFAULT_CONFIG)
    assert (config.k_anonymity_k, config.max_share_unique, config.max_share_below_k) == (
        STRICT.k,
        STRICT.max_share_unique,
        STRICT.max_share_below_k,
    )
    assert config.k_anonymity_groups == GROUPS
