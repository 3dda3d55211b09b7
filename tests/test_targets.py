"""Targets (streefwaarden): the file is validated, progress is computed from the protected cells only, and the
check blocks a targets table that shows more than those cells.

The published table here is written by hand in the published schema (what `indicatoren.parquet` holds after
protection: a suppressed cell has no teller, noemer or waarde). One target, `vsv-swv`, covers the five schools
of a samenwerkingsverband: E1 from 2021/2022 (baseline, from the monitor) to 2025/2026, a fifth lower
(relatief -0.2). The latest measurement is 2023/2024, half-way: the straight path is at baseline - 0.5 x 20 %.

| school | 2021/2022 | 2023/2024 | goal | path 2023/2024 | 95 % interval (Wilson) | status |
|---|---|---|---|---|---|---|
| S1 | 500/10 000 = 5.0 % | 400/10 000 = 4.0 % | 4.0 | 4.5 | 3.63-4.40 (0.77 wide) | op koers (met: at the goal) |
| S2 | 500/10 000 = 5.0 % | 490/10 000 = 4.9 % | 4.0 | 4.5 | 4.49-5.34 (0.85) | niet op koers (missed: above the path) |
| S3 | 50/1 000 = 5.0 % | 45/1 000 = 4.5 % | 4.0 | 4.5 | 3.38-5.97 (2.59) | niet te beoordelen: wider than 1.0 |
| S4 | 500/10 000 = 5.0 % | suppressed | 4.0 | - | - | niet te beoordelen, no value (2022/2023: 4.5 % shown, not used) |
| S5 | suppressed | 420/10 000 = 4.2 % | - | - | 3.83-4.61 | niet te beoordelen: baseline suppressed, no goal value |

A second target, `thuiszitters`, F4 for the gemeente, a fixed goal of 3.0 per 1 000 in 2025/2026 from 200/40 000 =
5.0 in 2021/2022; latest 2024/2025: 120/40 000 = 3.0, path 5.0 - 2.0 x 3/4 = 3.5, Garwood interval 2.49-3.59
(1.10 wide, less than the 2.0 asked): op koers. A third, on wijk W1's A1, asks 5 % more than 96 %.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from pipelines.lib.published_schema import PUBLISHED_SCHEMA
from pipelines.targets.agreements import SCHEMA_FILE, TargetsError, json_schema, load_targets
from pipelines.targets.check import check_targets
from pipelines.targets.progress import NOT_ASSESSABLE, OFF_TRACK, ON_TRACK, target_progress

GM = "GM0034"
S1, S2, S3, S4, S5 = "11AA00", "22BB00", "33CC00", "44DD00", "55EE00"
W1 = "WK003401"

TARGETS = f"""
apiVersion: jeugdmonitor-streefwaarden/v1
versie: "2024-1"
gemeente: {GM}
streefwaarden:
  - id: vsv-swv
    omschrijving: {{nl: Een vijfde minder voortijdig schoolverlaters., en: A fifth fewer early school leavers.}}
    indicator: E1
    eenheden: {{niveau: school, eenheden: [{S1}, {S2}, {S3}, {S4}, {S5}], naam: SWV VO}}
    basis: {{schooljaar: 2021/2022}}
    doel: {{schooljaar: 2025/2026, relatief: -0.2}}
    afspraak: {{overleg: OOGO, datum: 2024-03-12, partijen: [Gemeente, SWV VO]}}
  - id: thuiszitters
    omschrijving: {{nl: Hoogstens 3 thuiszitters per 1.000 leerlingen., en: "At most 3 per 1,000 pupils."}}
    indicator: F4
    eenheden: {{niveau: gemeente}}
    basis: {{schooljaar: 2021/2022, bron: monitor}}
    doel: {{schooljaar: 2025/2026, waarde: 3.0}}
    afspraak: {{overleg: OOGO, datum: 2024-03-12, partijen: [Gemeente]}}
  - id: bijna-allen
    omschrijving: {{nl: Nog meer leerlingen op school., en: Even more pupils at school.}}
    indicator: A1
    eenheden: {{niveau: wijk, eenheden: [{W1}]}}
    basis: {{schooljaar: 2021/2022}}
    doel: {{schooljaar: 2025/2026, relatief: 0.05}}
    afspraak: {{overleg: OOGO, datum: 2024-03-12, partijen: [Gemeente]}}
"""


def cell(
    jaar: str, niveau: str, code: str, indicator: str, teller: float | None, noemer: float | None, factor: float
) -> dict[str, object]:
    """A published cell; teller None = suppressed (then noemer and waarde are None too)."""
    hidden = teller is None
    return {
        "schooljaar": jaar,
        "niveau": niveau,
        "eenheid_code": code,
        "eenheid_naam": f"naam {code}",
        "indicator": indicator,
        "indicator_naam": indicator,
        "dimensie": None,
        "categorie": None,
        "teller": teller,
        "noemer": None if hidden else noemer,
        "waarde": None if hidden or teller is None or noemer is None else teller / noemer * factor,
        "eenheid": "%",
        "gemeente_code": "GM0034",
        "gemeente_waarde": None,
        "onderdrukt": hidden,
        "reden": "primair" if hidden else None,
    }


def published() -> pl.DataFrame:
    e1 = [
        ("2021/2022", S1, 500, 10000), ("2023/2024", S1, 400, 10000),
        ("2021/2022", S2, 500, 10000), ("2023/2024", S2, 490, 10000),
        ("2021/2022", S3, 50, 1000), ("2023/2024", S3, 45, 1000),
        ("2021/2022", S4, 500, 10000), ("2022/2023", S4, 450, 10000), ("2023/2024", S4, None, None),
        ("2021/2022", S5, None, None), ("2023/2024", S5, 420, 10000),
    ]  # fmt: skip
    rows = [cell(j, "school", code, "E1", t, n, 100) for j, code, t, n in e1]
    rows += [
        cell("2021/2022", "gemeente", GM, "F4", 200, 40000, 1000),
        cell("2024/2025", "gemeente", GM, "F4", 120, 40000, 1000),
        cell("2021/2022", "wijk", W1, "A1", 96, 100, 100),
    ]
    return pl.DataFrame(rows, schema=PUBLISHED_SCHEMA)


@pytest.fixture
def targets_file(tmp_path: Path) -> Path:
    path = tmp_path / "streefwaarden.yaml"
    path.write_text(TARGETS, encoding="utf-8")
    return path


@pytest.fixture
def doelen(targets_file: Path) -> pl.DataFrame:
    return target_progress(load_targets(targets_file), published(), GM)


def row(doelen: pl.DataFrame, code: str) -> dict[str, Any]:
    return doelen.filter(pl.col("eenheid_code") == code).to_dicts()[0]


def test_a_target_met_is_on_track(doelen: pl.DataFrame) -> None:
    r = row(doelen, S1)
    assert (r["basiswaarde"], r["doelwaarde"], r["meetjaar"], r["waarde"]) == (5.0, 4.0, "2023/2024", 4.0)
    assert r["padwaarde"] == pytest.approx(4.5)
    assert (r["interval_laag"], r["interval_hoog"]) == (3.6333, 4.4021)
    assert (r["status"], r["reden"]) == (ON_TRACK, None)
    assert r["afspraak"] == "OOGO 2024-03-12" and r["groep"] == "SWV VO" and r["eenheid_naam"] == f"naam {S1}"


def test_a_target_missed_is_off_track(doelen: pl.DataFrame) -> None:
    r = row(doelen, S2)
    assert r["waarde"] == pytest.approx(4.9) and r["padwaarde"] == pytest.approx(4.5)
    assert r["status"] == OFF_TRACK


def test_a_target_whose_interval_is_wider_than_the_change_asked_is_not_assessable(doelen: pl.DataFrame) -> None:
    r = row(doelen, S3)
    assert r["waarde"] == pytest.approx(4.5) and r["interval_hoog"] - r["interval_laag"] > 1.0
    assert (r["status"], r["reden"]) == (NOT_ASSESSABLE, "interval breder dan de afgesproken verandering")


def test_a_target_on_a_suppressed_cell_shows_no_value_and_is_not_assessed(doelen: pl.DataFrame) -> None:
    """S4's latest cell is suppressed: no teller, noemer, waarde, interval or path; the shown 2022/2023 cell is
    not used in its place. S5's baseline is suppressed: no baseline and no goal (a relative goal would give the
    baseline away); its latest value is the published one."""
    r = row(doelen, S4)
    assert (r["status"], r["reden"], r["meetjaar"]) == (NOT_ASSESSABLE, "laatste meting onderdrukt", "2023/2024")
    numbers = ("teller", "noemer", "waarde", "interval_laag", "interval_hoog", "padwaarde")
    assert all(r[n] is None for n in numbers)
    r = row(doelen, S5)
    assert (r["status"], r["reden"]) == (NOT_ASSESSABLE, "basiswaarde onderdrukt")
    assert r["basiswaarde"] is None and r["doelwaarde"] is None and r["waarde"] == pytest.approx(4.2)


def test_a_fixed_goal_on_a_rate_uses_the_poisson_interval(doelen: pl.DataFrame) -> None:
    r = row(doelen, GM)
    assert (r["basiswaarde"], r["doelwaarde"], r["meetjaar"], r["waarde"]) == (5.0, 3.0, "2024/2025", 3.0)
    assert r["padwaarde"] == pytest.approx(3.5)
    assert (r["interval_laag"], r["interval_hoog"], r["status"]) == (2.4873, 3.5873, ON_TRACK)


def test_a_relative_goal_on_a_share_is_held_to_100_percent(doelen: pl.DataFrame) -> None:
    """96 % plus 5 % of it would be 100.8 %: a share cannot get there, the goal is 100 %."""
    assert row(doelen, W1)["doelwaarde"] == 100.0


def test_the_check_passes_the_computed_table_and_blocks_one_that_shows_a_hidden_cell(doelen: pl.DataFrame) -> None:
    """Published as computed: passes. A table where S4's suppressed 2023/2024 value (true: 300 of 10 000) was
    filled in from the unprotected indicators, or given a status, is refused."""
    assert check_targets(doelen, published()).passed
    leaky = doelen.with_columns(
        pl.when(pl.col("eenheid_code") == S4).then(3.0).otherwise(pl.col("waarde")).alias("waarde"),
        pl.when(pl.col("eenheid_code") == S4).then(pl.lit(ON_TRACK)).otherwise(pl.col("status")).alias("status"),
    )
    report = check_targets(leaky, published())
    assert not report.passed
    assert any(S4 in v and "not shown" in v for v in report.violations), report.violations
    shifted = doelen.with_columns(
        pl.when(pl.col("eenheid_code") == S5).then(5.1).otherwise(pl.col("basiswaarde")).alias("basiswaarde")
    )
    assert any("baseline" in v for v in check_targets(shifted, published()).violations)


def test_another_gemeente_of_the_region_gets_no_targets(targets_file: Path) -> None:
    assert target_progress(load_targets(targets_file), published(), "GM0995").is_empty()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("indicator: E1", "indicator: X9"), "field indicator: 'X9' is not in the catalogue"),
        (("relatief: -0.2}", "relatief: -0.2, waarde: 4.0}"), "either a waarde or a relatief"),
        (("schooljaar: 2025/2026, relatief", "schooljaar: 2020/2021, relatief"), "after the baseline"),
        (("eenheden: [", "sector: po, eenheden: ["), "either its units or"),
        (("niveau: gemeente", "niveau: wijk"), "names either its units"),
        (
            ("datum: 2024-03-12, partijen: [Gemeente]", "datum: 2024-13-12, partijen: [Gemeente]"),
            "month must be in 1..12",
        ),
    ],
)
def test_a_malformed_targets_file_is_refused_naming_the_field(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(TARGETS.replace(*change, 1), encoding="utf-8")
    with pytest.raises(TargetsError, match=message):
        load_targets(path)


def test_no_targets_file_means_no_targets(tmp_path: Path) -> None:
    assert load_targets(tmp_path / "missing.yaml") is None
    assert target_progress(None, published(), GM).is_empty()


def test_the_schema_in_the_repository_is_generated_from_the_model_and_describes_fields_in_both_languages() -> None:
    """Regenerate with `python -m pipelines.targets.agreements schema`."""
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema()
    assert "relative change from the baseline" in json_schema() and "relatieve verandering" in json_schema()


def test_the_demo_targets_file_is_valid() -> None:
    from pipelines.lib.settings import MonitorConfig

    targets = load_targets(MonitorConfig.load().targets_file)
    assert targets is not None and len(targets.streefwaarden) >= 4
