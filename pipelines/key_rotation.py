"""Key rotation without raw data: the TTP translates the monitor's pseudonyms; the old warehouse is retired.

Pseudonyms made with the old TTP key must not live on next to new ones (they would let someone link old and new
extracts, and the old key is being retired because it may be known). Raw exports leave the inbox after ingest, so
rotation cannot re-read them, and need not:

    analyst   monitor key export-pseudonyms --out list.csv           every pseudonym the warehouse holds (no values)
    TTP       pseudonymise-ttp rekey list.csv --key NEW ... --out translation.csv    old → new, under its new key
    analyst   monitor key rotate --translation translation.csv --new-ttp-fingerprint FP

`rotate` translates every staged pseudonym (person keys and linkable numbers) in a separate folder, refuses a
translation that misses any, runs every stage from those staged rows, and only when that run succeeded swaps its
warehouse and publication in, deletes the old warehouse and logs the rotation (fingerprints, never keys). A failed
rotation leaves everything as it was. From then on the TTP translates new deliveries with its key chain (old key,
then new: `pseudonymise-ttp translate --key OLD --key NEW`), which gives them the same new pseudonyms.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import polars as pl

from pipelines.lib.lock import output_lock
from pipelines.lib.sealing import read_sealed, write_sealed
from pipelines.lib.settings import MonitorConfig, Paths
from pipelines.publish.publication import adopt_publication
from pipelines.runner import RunOutcome, run_monitor
from pseudonymisation.contract import load_all_contracts
from pseudonymisation.receipts import ID_TYPE

ROTATION_LOG = "key-rotations.json"
TRANSLATION_COLUMNS = ("id_type", "old_pseudonym", "new_pseudonym")


class RotationRefused(RuntimeError):
    """The rotation cannot start; the message says why, for the analyst."""


@dataclass(frozen=True)
class Rotation:
    old_fingerprint: str | None
    new_fingerprint: str
    pseudonyms: int
    run: RunOutcome


def _pseudonym_columns(staged: Path) -> dict[str, dict[str, str]]:
    """Per staged source, its pseudonym columns and their identifier type (`id_type`: per row)."""
    found: dict[str, dict[str, str]] = {}
    for source, contract in load_all_contracts().items():
        if contract.pseudonym_columns and (staged / f"{source}.parquet").is_file():
            found[source] = contract.pseudonym_columns
    return found


def _typed_values(frame: pl.DataFrame, column: str, kind: str) -> pl.DataFrame:
    kinds = pl.col(ID_TYPE) if kind == ID_TYPE else pl.lit(kind)
    return frame.select(kinds.alias("id_type"), pl.col(column).alias("person_id")).drop_nulls()


def export_pseudonyms(out: Path, target: Path) -> int:
    """Every distinct pseudonym of the warehouse with its type (`id_type;person_id`), for the TTP's `rekey`."""
    staged = Paths(inbox=out, out=out).staged
    parts = []
    for source, columns in _pseudonym_columns(staged).items():
        frame = read_sealed(staged / f"{source}.parquet")
        parts += [_typed_values(frame, column, kind) for column, kind in columns.items()]
    if not parts:
        raise RotationRefused(f"no staged pseudonyms under {staged}; run the monitor first.")
    listing = pl.concat(parts).unique().sort("id_type", "person_id")
    listing.write_csv(target, separator=";")
    return listing.height


def _translated(frame: pl.DataFrame, column: str, kind: str, table: pl.DataFrame, source: str) -> pl.Series:
    kinds = frame.get_column(ID_TYPE) if kind == ID_TYPE else pl.Series([kind] * frame.height, dtype=pl.String)
    probe = pl.DataFrame({"id_type": kinds, "old_pseudonym": frame.get_column(column)})
    joined = probe.join(table, on=["id_type", "old_pseudonym"], how="left", maintain_order="left")
    missing = joined.filter(pl.col("old_pseudonym").is_not_null() & pl.col("new_pseudonym").is_null()).height
    if missing:
        raise RotationRefused(
            f"the translation lacks {missing} pseudonyms of {source}.{column}; export the list again "
            "(`monitor key export-pseudonyms`) and ask the TTP for a translation of all of it."
        )
    return joined.get_column("new_pseudonym").alias(column)


def _translate_staged(source_dir: Path, target_dir: Path, table: pl.DataFrame) -> None:
    """A copy of the staged folder with every pseudonym replaced by its translation."""
    shutil.copytree(source_dir, target_dir)
    for source, columns in _pseudonym_columns(source_dir).items():
        frame = read_sealed(source_dir / f"{source}.parquet")
        for column, kind in columns.items():
            frame = frame.with_columns(_translated(frame, column, kind, table, source))
        write_sealed(frame, target_dir / f"{source}.parquet")
    for quarantine in (target_dir.parent / "quarantine").glob("*.parquet"):  # masked values, no pseudonyms
        quarantine.unlink()


def _read_translation(path: Path) -> pl.DataFrame:
    if not path.is_file():
        raise RotationRefused(f"the translation table {path} does not exist.")
    table = pl.read_csv(path, separator=";", infer_schema=False)
    if tuple(table.columns) != TRANSLATION_COLUMNS:
        raise RotationRefused(f"{path.name} is not a TTP translation table ({';'.join(TRANSLATION_COLUMNS)}).")
    if table.select(pl.struct("id_type", "old_pseudonym").is_duplicated().any()).item():
        raise RotationRefused(f"{path.name} translates one pseudonym twice; ask the TTP for a new table.")
    return table


def _config_with(config: Path, new_fingerprint: str, target: Path) -> Path:
    """The installation's monitor.toml expecting the new TTP key, for the rotation run (and to adopt after it)."""
    text = re.sub(
        r'(?m)^ttp_key_fingerprint = ".*"$', f'ttp_key_fingerprint = "{new_fingerprint}"', config.read_text("utf-8")
    )
    target.write_text(text, encoding="utf-8")
    MonitorConfig.load(target)
    return target


def rotate_key(
    out: Path, translation: Path, new_fingerprint: str, config: Path, stream: TextIO | None = None
) -> Rotation:
    """Translate the warehouse in `out/.rotation`, run every stage there, then swap it in and delete the old one."""
    settings = MonitorConfig.load(config).pseudonymisation
    if not settings.keyless:
        raise RotationRefused(
            "key rotation by translation needs the two-step mode ([pseudonymisation] in monitor.toml)."
        )
    old = settings.ttp_key_fingerprint
    if old == new_fingerprint:
        raise RotationRefused(f"the new TTP key has the fingerprint of the key in use ({old}); nothing to rotate.")
    table = _read_translation(translation)
    paths = Paths(inbox=out / "inbox", out=out)
    with output_lock(out, "monitor key rotate"):  # no run may write the folder while it is replaced
        work = out / ".rotation"
        shutil.rmtree(work, ignore_errors=True)
        fresh = Paths(inbox=work / "inbox", out=work)
        fresh.inbox.mkdir(parents=True, mode=0o700)
        try:
            _translate_staged(paths.staged, fresh.staged, table)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        rotated_config = _config_with(config, new_fingerprint, work / "monitor.toml")
        outcome = run_monitor(fresh.inbox, work, stream or sys.stderr, config=rotated_config)
        if not outcome.success:
            shutil.rmtree(work, ignore_errors=True)
            return Rotation(old, new_fingerprint, table.height, outcome)
        shutil.copytree(work / "runs", out / "runs", dirs_exist_ok=True)  # the run history goes on
        retired = paths.warehouse.with_name(f".retired-{paths.warehouse.name}")
        if paths.warehouse.exists():
            paths.warehouse.rename(retired)
        fresh.warehouse.rename(paths.warehouse)
        shutil.rmtree(retired, ignore_errors=True)
        adopt_publication(paths.publish, fresh.publish)  # one atomic switch, as every run's publication
        shutil.rmtree(work, ignore_errors=True)
        _log(out, old, new_fingerprint, table.height, outcome.run_id)
        return Rotation(old, new_fingerprint, table.height, outcome)


def _log(out: Path, old: str | None, new: str, pseudonyms: int, run_id: str) -> None:
    log_path = out / ROTATION_LOG
    entries = json.loads(log_path.read_text(encoding="utf-8")) if log_path.is_file() else []
    entries.append(
        {
            "rotated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "old_ttp_key_fingerprint": old,
            "new_ttp_key_fingerprint": new,
            "pseudonyms_translated": pseudonyms,
            "run_id": run_id,
            "old_warehouse": "deleted",
            "raw_exports_needed": False,
        }
    )
    log_path.write_text(json.dumps(entries, indent=2), encoding="utf-8")
