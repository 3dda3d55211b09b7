"""The whole pipeline on a synthetic region: the six gemeenten of jeugdregio JZ08 Flevoland in one inbox.

Every gemeente gets its own publication from the one protected table (docs/levels.md): Almere, the run's own, in
`publish/`, the others in `gemeenten/<code>/`; each shows its own schools and wijken, itself and the levels above it
(its samenwerkingsverbanden, JZ08, complete here), and vergelijking.parquet.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from dev.synthetic import Region, generate
from dev.synthetic.places import named
from dev.synthetic.region import write_region_config
from pipelines.publish.gemeenten import GEMEENTEN_FOLDER
from tests.conftest import TEST_CONFIG_FILE, materialize_all

FLEVOLAND = ["GM0034", "GM0995", "GM0171", "GM0050", "GM0303", "GM0184"]  # Almere first: the run's own
SCALE = 0.05
SEED = 21


@pytest.fixture(scope="module")
def region_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dg.ExecuteInProcessResult]:
    root = tmp_path_factory.mktemp("flevoland")
    region = Region(named(FLEVOLAND))
    generate(root / "inbox", scale=SCALE, seed=SEED, region=region)
    config = write_region_config(root, region, base=TEST_CONFIG_FILE)
    return root / "out", materialize_all(root / "inbox", root / "out", raise_on_error=False, config=config)


def publications(out: Path) -> dict[str, Path]:
    others = {p.name: p for p in sorted((out / GEMEENTEN_FOLDER).iterdir())}
    return {"GM0034": out / "publish", **others}


def test_the_region_runs_through_every_stage_and_check(region_run: tuple[Path, dg.ExecuteInProcessResult]) -> None:
    _, result = region_run
    assert result.success
    blocking = [e for e in result.get_asset_check_evaluations() if e.blocking]
    assert blocking and all(e.passed for e in blocking), [e.check_name for e in blocking if not e.passed]
    assert {"disclosure_check", "linkage_disclosure_check"} <= {e.check_name for e in blocking}


def test_every_gemeente_has_a_publication_of_its_own_units_and_the_levels_above(
    region_run: tuple[Path, dg.ExecuteInProcessResult],
) -> None:
    out, _ = region_run
    published = publications(out)
    assert sorted(published) == sorted(FLEVOLAND)
    schools_seen: dict[str, str] = {}
    for code, folder in published.items():
        table = pl.read_parquet(folder / "indicatoren.parquet")
        own = table.filter(pl.col("niveau").is_in(["school", "wijk", "gemeente"]))
        assert set(own.get_column("gemeente_code").unique()) == {code}, code
        assert set(table.filter(pl.col("niveau") == "gemeente").get_column("eenheid_code").unique()) == {code}
        assert set(table.filter(pl.col("niveau") == "jeugdregio").get_column("eenheid_code").unique()) == {"JZ08"}
        for school in own.filter(pl.col("niveau") == "school").get_column("eenheid_code").unique():
            assert school not in schools_seen, f"{school} in {schools_seen.get(school)} and {code}"
            schools_seen[school] = code
        benchmark = pl.read_parquet(folder / "vergelijking.parquet")
        assert {"eigen", "jeugdregio"} <= set(benchmark.get_column("rol").unique())
        assert (folder / "dashboard" / "index.html").is_file()


def test_the_jeugdregio_is_the_sum_of_its_gemeenten_where_all_are_shown(
    region_run: tuple[Path, dg.ExecuteInProcessResult],
) -> None:
    """G1 (pupils, by residence) of JZ08 is the six gemeenten's together, in every year all seven are shown."""
    out, _ = region_run
    table = pl.read_parquet(out / "publish" / "indicatoren.parquet")
    region = table.filter(pl.col("indicator") == "G1", pl.col("niveau") == "jeugdregio").select("schooljaar", "teller")
    parts = pl.concat(
        pl.read_parquet(folder / "indicatoren.parquet").filter(
            pl.col("indicator") == "G1", pl.col("niveau") == "gemeente"
        )
        for folder in publications(out).values()
    )
    sums = parts.group_by("schooljaar").agg(pl.col("teller").sum(), pl.col("teller").is_null().any().alias("hidden"))
    compared = region.join(sums.filter(~pl.col("hidden")), on="schooljaar", suffix="_sum")
    assert compared.height > 0
    assert (compared.get_column("teller") == compared.get_column("teller_sum")).all()
