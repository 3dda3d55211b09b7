"""`pseudonymise-ttp`: the trusted third party turns source pseudonyms into the monitor's pseudonyms.

    pseudonymise-ttp translate DIR --key FILE [--key FILE ...] --gemeente GM0034 --source-fingerprint FP --out DIR
    pseudonymise-ttp rekey PSEUDONYMS.csv --key NEW_FILE --gemeente GM0034 --out TRANSLATION.csv

Why a second step: a data holder knows the source key, and with it can compute the source pseudonym of any BSN
(the ~91 M valid BSNs take minutes). If the analyst received source pseudonyms, a holder and the analyst together
(or an analyst who obtained the shared source key) could re-identify everyone. The TTP applies a second keyed
HMAC with a key only it holds, over the source pseudonym: it never sees a BSN (holders send source pseudonyms), the
analyst never sees a key, and no single party other than the TTP can map a BSN to a monitor pseudonym (the TTP
could only with the holders' source key too). Threat model per party: docs/pseudonymisation.md.

`translate` reads each `<export>.source.csv` with its receipt, checks the bytes and the source key fingerprint,
replaces every pseudonym column named in the receipt, and writes `<export>.pseudo.csv` with a receipt for the
analyst. The holder's quarantine (masked rows for the holder to correct) stays with the holder. With several
`--key`s (oldest first) it applies the TTP's key chain: after a rotation new deliveries get the pseudonyms that
the `rekey` translation gave the existing ones.

`rekey` is key rotation without raw data: the analyst sends the TTP the list of monitor pseudonyms it holds
(`monitor pseudonyms export`); the TTP answers with a translation table old → new under its new key
(HMAC(new key, "<domain>|rekey|<type>|<old pseudonym>")); the analyst applies it (`monitor pseudonyms rekey`) and
deletes the old ones. Nobody needs a raw export for it, and the translation table maps pseudonym to pseudonym.

Standard library and polars only: the TTP installs `pseudonymisation/` and nothing of the monitor.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from pseudonymisation.config import HashingConfig, load_hashing_config
from pseudonymisation.key import KeyError_, PseudonymKey, load_key_file
from pseudonymisation.pseudonymiser import Pseudonymiser
from pseudonymisation.receipts import (
    ID_TYPE,
    PERSON_ID,
    PSEUDO_SUFFIX,
    RECEIPT_SUFFIX,
    SOURCE_RECEIPT_SUFFIX,
    SOURCE_SUFFIX,
    ReceiptError,
    read_receipt,
    sha256_file,
)

TOOL_VERSION = "1.0.0"
TRANSLATION_COLUMNS = ("id_type", "old_pseudonym", "new_pseudonym")


class TtpChain:
    """The TTP's keys, oldest first: the first translates source pseudonyms, each next one re-keys the result."""

    def __init__(self, config: HashingConfig, keys: list[PseudonymKey]) -> None:
        if not keys:
            raise KeyError_("The trusted third party needs its key: --key FILE.")
        self.keys = keys
        self.steps = [Pseudonymiser(config, keys[0], "ttp")] + [Pseudonymiser(config, k, "rekey") for k in keys[1:]]

    @property
    def current(self) -> PseudonymKey:
        return self.keys[-1]

    def translate(self, identifier_type: str, source_pseudonyms: list[str]) -> list[str]:
        values = source_pseudonyms
        for step in self.steps:
            values = step.pseudonymise_many(identifier_type, values)
        return values


def _translations(pairs: pl.DataFrame, translate: Callable[[str, list[str]], list[str]]) -> pl.DataFrame:
    """Distinct (id_type, old_pseudonym) pairs with `new_pseudonym` = `translate(id_type, olds)`, once per type."""
    parts = []
    for (kind,), group in pairs.unique().drop_nulls().group_by("id_type"):
        old = group.get_column("old_pseudonym").to_list()
        parts.append(
            pl.DataFrame(
                {"id_type": [kind] * len(old), "old_pseudonym": old, "new_pseudonym": translate(str(kind), old)}
            )
        )
    return pl.concat(parts) if parts else pl.DataFrame(schema=dict.fromkeys(TRANSLATION_COLUMNS, pl.String))


def _rekeyed(frame: pl.DataFrame, column: str, kinds: pl.Series, chain: TtpChain) -> pl.Series:
    """`column` with every pseudonym translated under the identifier type given per row by `kinds`."""
    probe = pl.DataFrame({"id_type": kinds, "old_pseudonym": frame.get_column(column)})
    mapping = _translations(probe, chain.translate)
    joined = probe.join(mapping, on=["id_type", "old_pseudonym"], how="left", maintain_order="left")
    return joined.get_column("new_pseudonym").alias(column)


def translate_export(
    data_file: Path, out: Path, chain: TtpChain, domain: str, source_fingerprint: str
) -> dict[str, Any]:
    """One holder export → the analyst's `<export>.pseudo.csv` and receipt (all or nothing)."""
    receipt = read_receipt(data_file)
    name = data_file.name
    if receipt["step"] != "source":
        raise ReceiptError(f"{name}: its receipt is of step {receipt['step']!r}, expected a holder's ('source').")
    if receipt["hashing"]["domain_label"] != domain:
        raise ReceiptError(f"{name}: made for domain {receipt['hashing']['domain_label']!r}, expected {domain!r}.")
    their = receipt.get("source_key", {}).get("fingerprint")
    if their != source_fingerprint:
        raise ReceiptError(
            f"{name}: the holder used source key fingerprint {their}, expected {source_fingerprint}; its pseudonyms "
            "would not link with the other holders'. Ask the holder to use the current source key."
        )
    frame = pl.read_csv(data_file, separator=";", infer_schema=False)
    columns: dict[str, str] = receipt.get("pseudonym_columns", {})
    for column, kind in columns.items():
        if column not in frame.columns:
            raise ReceiptError(f"{name}: its receipt names pseudonym column {column!r}, which the file lacks.")
        kinds = frame.get_column(ID_TYPE) if kind == ID_TYPE else pl.Series([kind] * frame.height, dtype=pl.String)
        frame = frame.with_columns(_rekeyed(frame, column, kinds, chain))
    stem = name.removesuffix(SOURCE_SUFFIX)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    target, partial = out / f"{stem}{PSEUDO_SUFFIX}", out / f".{stem}{PSEUDO_SUFFIX}.partial"
    frame.write_csv(partial, separator=";")
    partial.replace(target)
    ttp_receipt = {
        **{k: v for k, v in receipt.items() if k not in ("tool", "output", "created", "step")},
        "tool": f"pseudonymise-ttp {TOOL_VERSION}",
        "step": "ttp",
        "source_receipt_sha256": sha256_file(data_file.with_name(f"{stem}{SOURCE_RECEIPT_SUFFIX}")),
        "output": {"name": target.name, "sha256": sha256_file(target), "rows": frame.height},
        "ttp_keys": [{"id": k.key_id, "fingerprint": k.fingerprint} for k in chain.keys],
        "key_id": chain.current.key_id,
        "key_fingerprint": chain.current.fingerprint,
        "pseudonym_label": pseudonym_label(domain, receipt["source_key"]["id"], chain),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (out / f"{stem}{RECEIPT_SUFFIX}").write_text(json.dumps(ttp_receipt, indent=2), encoding="utf-8")
    return ttp_receipt


def pseudonym_label(domain: str, source_key_id: str, chain: TtpChain) -> str:
    """Method and key versions of a monitor pseudonym, e.g. `jeugdmonitor-gm0034-v1:hmac-sha256:src-1>ttp-1`."""
    return f"{domain}:hmac-sha256:{source_key_id}>" + ">".join(k.key_id for k in chain.keys)


def rekey_table(pseudonyms: Path, out: Path, new: Pseudonymiser) -> int:
    """The translation table old → new monitor pseudonym for the analyst's list (`id_type;person_id` per row)."""
    listing = pl.read_csv(pseudonyms, separator=";", infer_schema=False)
    table = _translations(listing.rename({PERSON_ID: "old_pseudonym"}), new.pseudonymise_many)
    table.sort(TRANSLATION_COLUMNS[:2]).write_csv(out, separator=";")
    return table.height


def _keys(files: list[str], ids: list[str] | None, config: HashingConfig) -> list[PseudonymKey]:
    names = ids or [Path(f).stem for f in files]
    if len(names) != len(files):
        raise KeyError_("Give one --key-id per --key, or none (then each key's id is its file name).")
    return [load_key_file(Path(f), key_id, config) for f, key_id in zip(files, names, strict=True)]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pseudonymise-ttp", description="The trusted third party's step.")
    commands = parser.add_subparsers(dest="command", required=True)
    translate = commands.add_parser("translate", help="source pseudonyms → monitor pseudonyms")
    translate.add_argument("folder", help="folder with the holders' *.source.csv and their receipts")
    translate.add_argument("--out", required=True, help="folder for the analyst: *.pseudo.csv with receipts")
    translate.add_argument("--source-fingerprint", required=True, help="fingerprint of the holders' source key")
    rekey = commands.add_parser("rekey", help="translation table for a key rotation, without raw data")
    rekey.add_argument("pseudonyms", help="the analyst's list: CSV with columns id_type;person_id")
    rekey.add_argument("--out", required=True, help="translation table CSV (id_type;old_pseudonym;new_pseudonym)")
    for sub in (translate, rekey):
        sub.add_argument("--key", action="append", required=True, help="TTP key file (translate: oldest first)")
        sub.add_argument("--key-id", action="append", help="id of each key (default: the key file's name)")
        sub.add_argument("--gemeente", required=True, help="CBS gemeente code: the pseudonyms' domain, e.g. GM0034")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = load_hashing_config().for_gemeente(args.gemeente)
        keys = _keys(args.key, args.key_id, config)
    except (KeyError_, ValueError) as exc:
        print(f"pseudonymise-ttp: {exc}", file=sys.stderr)
        return 2
    print(f"TTP key {keys[-1].key_id}, fingerprint {keys[-1].fingerprint}", file=sys.stderr)
    if args.command == "rekey":
        rows = rekey_table(Path(args.pseudonyms), Path(args.out), Pseudonymiser(config, keys[-1], "rekey"))
        print(f"{args.pseudonyms} → {args.out}: {rows} pseudonyms translated to key {keys[-1].key_id}")
        return 0
    chain, status = TtpChain(config, keys), 0
    files = sorted(Path(args.folder).glob(f"*{SOURCE_SUFFIX}"))
    if not files:
        print(f"pseudonymise-ttp: no *{SOURCE_SUFFIX} in {args.folder}", file=sys.stderr)
        return 2
    for data_file in files:
        try:
            receipt = translate_export(data_file, Path(args.out), chain, config.domain_label, args.source_fingerprint)
        except ReceiptError as exc:
            print(f"pseudonymise-ttp: {exc}", file=sys.stderr)
            status = 2
            continue
        print(f"{data_file.name} → {receipt['output']['name']}: {receipt['output']['rows']} rows translated")
    return status


if __name__ == "__main__":
    sys.exit(main())
