"""`pseudonymise`: a data holder pseudonymises its own export before it leaves the building (step 1 of 2).

    pseudonymise EXPORT [EXPORT ...] --key FILE --gemeente GM0034 --out DIR [--source NAME] [--addresses pc6hnr.csv]

EXPORT is a CSV export named as in the inbox (`inschrijvingen.csv`, ...; or any name with --source) or a
folder / zip of iJw 3.2 messages (giving `toewijzingen` and `declaraties`). With the holders' shared source key
(the file given with --key: never an environment variable) each export is read, validated, pseudonymised and
minimised exactly as the monitor would do it, and DIR receives per source:

    <source>.source.csv               the rows the monitor may store, identifiers as source pseudonyms
    <source>.source.receipt.json      row counts, contract version, key id and fingerprint, sha256 of the output
    <source>.source.quarantine.csv    rows that broke the contract, with line, field, rule, masked value

DIR then goes to the trusted third party, whose `pseudonymise-ttp translate` makes the analyst's files.

Residence (`bewoners.csv`) is generalised to buurt and wijk, which needs the CBS table: --addresses.
Nothing is written for an export that cannot be read; the message says why.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pseudonymisation.config import load_hashing_config
from pseudonymisation.contract import Contract, load_contract
from pseudonymisation.dry_run import contract_for
from pseudonymisation.ijw_files import SNIFF_BYTES, sniff
from pseudonymisation.key import KeyError_, load_key_file
from pseudonymisation.minimise import Minimiser
from pseudonymisation.pseudonymiser import Pseudonymiser
from pseudonymisation.read_csv import FileRejected, RawTable, open_export
from pseudonymisation.receipts import SOURCE_QUARANTINE_SUFFIX, SOURCE_RECEIPT_SUFFIX, SOURCE_SUFFIX
from pseudonymisation.receipts import sha256_file as sha256_of
from pseudonymisation.sink import CsvSink
from pseudonymisation.staging import InputFile, ijw_folder_tables, stage_export, stage_ijw_table, stage_rejected
from pseudonymisation.validate import QUARANTINE_SCHEMA, validate

TOOL_VERSION = "1.0.0"


def _addresses(path: Path | None) -> pl.DataFrame | None:
    """The pc6hnr reference as the monitor stages it (postcode, huisnummer, buurt, wijk, gemeente)."""
    if path is None:
        return None
    contract = load_contract("pc6hnr")
    frames = [validate(batch, contract).accepted for batch in open_export(path, contract).batches()]
    return pl.concat(frames, how="vertical")


class PseudonymisedWriter:
    """The three output files of one source, written all or nothing."""

    def __init__(self, out: Path, contract: Contract) -> None:
        stem = contract.file.name.removesuffix(".csv")
        self.contract = contract
        self.accepted = CsvSink(out / f"{stem}{SOURCE_SUFFIX}")
        quarantine_schema = {k: v for k, v in QUARANTINE_SCHEMA.items() if k != "_row"}
        self.quarantine = CsvSink(out / f"{stem}{SOURCE_QUARANTINE_SUFFIX}", quarantine_schema)  # type: ignore[arg-type]
        self.receipt = out / f"{stem}{SOURCE_RECEIPT_SUFFIX}"
        self.tally: Counter[str] = Counter()

    def finish(
        self, inputs: list[InputFile], pseudonymiser: Pseudonymiser, ignored: list[dict[str, str]] | None = None
    ) -> dict[str, object]:
        self.accepted.commit()
        self.quarantine.commit()
        receipt: dict[str, object] = {
            "tool": f"pseudonymise {TOOL_VERSION}",
            "step": "source",
            "source": self.contract.id,
            "contract_version": self.contract.version,
            "input": [{"name": f.name, "sha256": f.sha256, "rows": f.rows_read} for f in inputs],
            "rows_read": sum(f.rows_read for f in inputs),
            "rows_accepted": sum(f.rows_accepted for f in inputs),
            "rows_quarantined": sum(f.rows_quarantined for f in inputs),
            "quarantine_by_rule": dict(self.tally.most_common()),
            "dropped_columns": sorted({c for f in inputs for c in f.dropped_columns}),
            "output": {
                "name": self.accepted.path.name,
                "sha256": sha256_of(self.accepted.path),
                "rows": self.accepted.rows,
            },
            "hashing": {
                "algorithm": pseudonymiser.config.algorithm,
                "scheme": pseudonymiser.config.scheme,
                "domain_label": pseudonymiser.config.domain_label,
                "config_version": pseudonymiser.config.version,
            },
            "pseudonym_columns": self.contract.pseudonym_columns,
            "source_key": {"id": pseudonymiser.key.key_id, "fingerprint": pseudonymiser.key.fingerprint},
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if ignored is not None:  # iJw: every file or archive member that was no message, with the reason
            receipt["ignored"] = ignored
        self.receipt.write_text(json.dumps(receipt, indent=2), encoding="utf-8")
        return receipt

    def abort(self) -> None:
        self.accepted.abort()
        self.quarantine.abort()


def pseudonymise_csv(
    path: Path, contract: Contract, out: Path, pseudonymiser: Pseudonymiser, addresses: pl.DataFrame | None
) -> dict[str, object]:
    export = open_export(path, contract, path.name)
    writer = PseudonymisedWriter(out, contract)
    minimiser = Minimiser(contract, pseudonymiser, addresses)  # one per file: each identifier hashed once
    try:
        staged = stage_export(export, minimiser, (writer.accepted, writer.quarantine), writer.tally, sha256_of(path))
    except BaseException:
        writer.abort()
        raise
    return writer.finish([staged], pseudonymiser)


def pseudonymise_ijw(folder: Path, out: Path, pseudonymiser: Pseudonymiser) -> list[dict[str, object]]:
    """iJw messages become the two flat sources, pseudonymised; rejected messages go to quarantine."""
    ijw = ijw_folder_tables(folder, f"{folder.name}/")
    tables, rejected = ijw.tables, ijw.rejected
    receipts = []
    for source in ("toewijzingen", "declaraties"):
        contract = load_contract(source)
        raw: RawTable | None = tables.get(source)
        writer = PseudonymisedWriter(out, contract)
        sinks = (writer.accepted, writer.quarantine)
        inputs: list[InputFile] = []
        if raw is not None:
            minimiser = Minimiser(contract, pseudonymiser)  # one per source: each identifier hashed once
            inputs.append(stage_ijw_table(raw, contract, minimiser, sinks, writer.tally, name=folder.name))
        if source == "toewijzingen":
            stage_rejected(rejected, writer.quarantine, writer.tally)
        receipts.append(writer.finish(inputs, pseudonymiser, ijw.ignored if source == "toewijzingen" else None))
    return receipts


def _looks_like_ijw(path: Path) -> bool:
    """A zip archive or an XML file, whatever its name (`JW323.txt`, a GUID): iJw messages, read by content."""
    with path.open("rb") as handle:
        return sniff(handle.read(SNIFF_BYTES)) in ("zip", "xml")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pseudonymise", description="Pseudonymise an export at the source (step 1 of 2), with the source key."
    )
    parser.add_argument("exports", nargs="+", help="CSV export(s) and/or iJw message folder(s) or zip(s)")
    parser.add_argument("--out", required=True, help="folder for the pseudonymised files and receipts")
    parser.add_argument("--key", required=True, help="the holders' source key file (owner-only, outside the repo)")
    parser.add_argument("--key-id", help="the source key's id (default: the key file's name)")
    parser.add_argument("--gemeente", required=True, help="CBS gemeente code: the pseudonyms' domain, e.g. GM0034")
    parser.add_argument("--source", help="contract to use for a CSV whose name differs from the inbox name")
    parser.add_argument("--addresses", help="CBS pc6hnr.csv, needed to generalise bewoners.csv to buurt/wijk")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = Path(args.out)
    try:
        hashing = load_hashing_config().for_gemeente(args.gemeente)
        key = load_key_file(Path(args.key), args.key_id or Path(args.key).stem, hashing)
    except (KeyError_, ValueError) as exc:
        print(f"pseudonymise: {exc}", file=sys.stderr)
        return 2
    pseudonymiser = Pseudonymiser(hashing, key)
    print(f"Source key {key.key_id}, fingerprint {key.fingerprint}", file=sys.stderr)
    status = 0
    for name in args.exports:
        path = Path(name)
        try:
            contract = None if path.is_dir() else contract_for(path, args.source)
            if path.is_dir() or (contract is None and _looks_like_ijw(path)):
                receipts = pseudonymise_ijw(path, out, pseudonymiser)
            else:
                if contract is None:
                    raise FileRejected(f"{path.name}: no contract for this file name; use --source.")
                addresses = _addresses(Path(args.addresses)) if args.addresses else None
                if any(f.generalisation == "buurt_wijk" for f in contract.properties) and addresses is None:
                    raise FileRejected(f"{path.name}: generalising addresses needs --addresses pc6hnr.csv.")
                receipts = [pseudonymise_csv(path, contract, out, pseudonymiser, addresses)]
        except FileRejected as exc:
            print(f"pseudonymise: {exc}", file=sys.stderr)
            status = 2
            continue
        for r in receipts:
            output = r["output"]
            assert isinstance(output, dict)
            print(
                f"{name} → {out / str(output['name'])}: {r['rows_read']} rows read, {r['rows_accepted']} "
                f"pseudonymised, {r['rows_quarantined']} quarantined (receipt next to it)"
            )
    return status


if __name__ == "__main__":
    sys.exit(main())
