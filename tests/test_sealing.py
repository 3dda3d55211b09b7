"""The warehouse data key and encryption at rest, on tiny hand-made tables (no pipeline run)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from pipelines.defs.protect import protected_indicators, warehouse_sealed_and_owner_only
from pipelines.lib.resources import MonitorResource
from pipelines.lib.sealing import (
    KEY_FILE_VARIABLE,
    WarehouseKeyError,
    is_sealed_database,
    is_sealed_parquet,
    load_warehouse_key,
    new_warehouse_key_file,
    open_sealed,
    read_sealed,
    write_sealed,
)
from pipelines.lib.settings import PROJECT_ROOT

MARKER = "pseudoniem-4f1d9c"  # a value that must not be readable in a sealed file


def key_file(tmp_path: Path, name: str = "warehouse.key") -> Path:
    path = tmp_path / "keys" / name
    new_warehouse_key_file(path)
    return path


def env(path: Path, **extra: str) -> dict[str, str]:
    return {KEY_FILE_VARIABLE: str(path), **extra}


def test_a_fresh_key_file_is_owner_only_and_loads(tmp_path: Path) -> None:
    path = key_file(tmp_path)
    assert path.stat().st_mode & 0o777 == 0o600
    key = load_warehouse_key(env(path))
    assert path.read_text(encoding="utf-8").strip() not in repr(key), "its text form is a fingerprint"
    with pytest.raises(WarehouseKeyError, match="never overwritten"):
        new_warehouse_key_file(path)


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda p: p.chmod(0o640), "open to group or others"),
        (lambda p: p.write_text("ab" * 32, encoding="utf-8"), "does not hold 32 random bytes"),
        (lambda p: p.write_text("not a key", encoding="utf-8"), "does not hold a hex key"),
        (lambda p: p.write_text(os.urandom(16).hex(), encoding="utf-8"), "does not hold 32 random bytes"),
    ],
)
def test_unsafe_or_weak_key_files_are_refused(tmp_path: Path, spoil: object, message: str) -> None:
    path = key_file(tmp_path)
    spoil(path)  # type: ignore[operator]
    with pytest.raises(WarehouseKeyError, match=message):
        load_warehouse_key(env(path))


def test_the_pseudonymisation_key_is_never_the_data_key(tmp_path: Path) -> None:
    path = key_file(tmp_path)
    text = path.read_text(encoding="utf-8").strip()
    with pytest.raises(WarehouseKeyError, match="equals the pseudonymisation key"):
        load_warehouse_key(env(path, MONITOR_PSEUDONYM_KEY=text))
    with pytest.raises(WarehouseKeyError, match="is the pseudonymisation key file"):
        load_warehouse_key(env(path, MONITOR_KEY_FILE=str(path)))


def test_no_key_and_a_key_in_the_repository_are_refused(tmp_path: Path) -> None:
    with pytest.raises(WarehouseKeyError, match="No warehouse data key"):
        load_warehouse_key({})
    inside = PROJECT_ROOT / ".pytest-warehouse.key"
    try:
        new_warehouse_key_file(inside)
        with pytest.raises(WarehouseKeyError, match="inside the repository"):
            load_warehouse_key(env(inside))
    finally:
        inside.unlink(missing_ok=True)


def test_a_sealed_database_holds_no_plaintext_and_opens_only_with_its_key(tmp_path: Path) -> None:
    key = load_warehouse_key(env(key_file(tmp_path)))
    database = tmp_path / "w.duckdb"
    with open_sealed(database, key) as con:
        con.execute("CREATE TABLE t AS SELECT ? || range AS person_id FROM range(1000)", [MARKER])
    assert is_sealed_database(database)
    assert MARKER.encode() not in database.read_bytes()
    with open_sealed(database, key, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(1000,)]
    other = load_warehouse_key(env(key_file(tmp_path, "other.key")))
    with (
        pytest.raises(WarehouseKeyError, match="Cannot open the sealed database") as refused,
        open_sealed(database, other, read_only=True),
    ):
        pass
    assert "fingerprint=" in str(refused.value)


def test_a_sealed_parquet_file_holds_no_plaintext_and_round_trips(tmp_path: Path) -> None:
    key = load_warehouse_key(env(key_file(tmp_path)))
    frame = pl.DataFrame({"person_id": [f"{MARKER}{i}" for i in range(100)], "jaar": list(range(100))})
    path = tmp_path / "staged.parquet"
    write_sealed(frame, path, key)
    assert is_sealed_parquet(path) and MARKER.encode() not in path.read_bytes()
    assert read_sealed(path, key).equals(frame)
    with pytest.raises(pl.exceptions.ComputeError):
        pl.read_parquet(path)


@pytest.mark.parametrize("spoil", ["open_file", "unsealed_parquet", "none"])
def test_an_open_or_unsealed_warehouse_file_blocks_the_publication(
    small_synthetic_run: tuple[Path, dg.ExecuteInProcessResult], tmp_path: Path, spoil: str
) -> None:
    """The audit's storage scan runs as a blocking check before publication: a staged file opened to others, or a
    person-level Parquet written without encryption, stops the run there; a clean warehouse passes."""
    root, _ = small_synthetic_run
    out = tmp_path / "out"
    shutil.copytree(root / "out", out, symlinks=True)
    staged = out / "warehouse" / "staged"
    if spoil == "open_file":
        (staged / "inschrijvingen.parquet").chmod(0o644)
    elif spoil == "unsealed_parquet":
        read_sealed(staged / "verzuim.parquet").write_parquet(staged / "verzuim.parquet")
    result = dg.materialize(
        [protected_indicators, warehouse_sealed_and_owner_only],
        resources={"monitor": MonitorResource(inbox=str(tmp_path / "inbox"), out=str(out), chart_exports=False)},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        selection=[protected_indicators.key],
    )
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed is (spoil == "none"), evaluation.metadata
