"""The receipts that travel with pseudonymised exports, and the names of the files of each step.

    holder  `pseudonymise`      <export>.source.csv  + <export>.source.receipt.json   (source pseudonyms)
    TTP     `pseudonymise-ttp`  <export>.pseudo.csv  + <export>.pseudo.receipt.json   (monitor pseudonyms)

A receipt says what was done without a single value: row counts, contract version, which columns hold
pseudonyms and of which type, the scheme and domain label, the id and fingerprint of each key used (never a
key), and the sha256 of the output, so the next party can check the file is the one described. The analyst's
monitor checks the TTP's receipt against the fingerprints in its configuration (it holds no key to compare with).
Standard library only: the holders' and the TTP's kits need nothing of the monitor.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SOURCE_SUFFIX = ".source.csv"
SOURCE_RECEIPT_SUFFIX = ".source.receipt.json"
PSEUDO_SUFFIX = ".pseudo.csv"
RECEIPT_SUFFIX = ".pseudo.receipt.json"
SOURCE_QUARANTINE_SUFFIX = ".source.quarantine.csv"
# The person key of every pseudonymised export, and the column saying which identifier it came from.
PERSON_ID, ID_TYPE = "person_id", "id_type"


class ReceiptError(ValueError):
    """A receipt is missing, malformed or does not match its file or the expected keys. Names, never values."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def receipt_path(data_file: Path) -> Path:
    """`x.source.csv` → `x.source.receipt.json`; `x.pseudo.csv` → `x.pseudo.receipt.json`."""
    for suffix, receipt_suffix in ((SOURCE_SUFFIX, SOURCE_RECEIPT_SUFFIX), (PSEUDO_SUFFIX, RECEIPT_SUFFIX)):
        if data_file.name.endswith(suffix):
            return data_file.with_name(data_file.name.removesuffix(suffix) + receipt_suffix)
    raise ReceiptError(f"{data_file.name}: not a pseudonymised export (*{SOURCE_SUFFIX} or *{PSEUDO_SUFFIX}).")


def read_receipt(data_file: Path, sha256: str | None = None) -> dict[str, Any]:
    """The receipt next to `data_file`, checked to describe exactly these bytes (`sha256`: theirs, when the
    caller hashed the file already)."""
    path = receipt_path(data_file)
    if not path.is_file():
        raise ReceiptError(f"{data_file.name}: no receipt {path.name} next to it; it was written with the file.")
    try:
        receipt: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        recorded = receipt["output"]["sha256"]
        if not all(
            isinstance(v, str) for v in (receipt["source"], receipt["step"], receipt["hashing"]["domain_label"])
        ):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise ReceiptError(f"{data_file.name}: its receipt {path.name} is not a pseudonymisation receipt.") from None
    if recorded != (sha256 or sha256_file(data_file)):
        raise ReceiptError(f"{data_file.name}: changed after pseudonymisation (its sha256 differs from the receipt).")
    return receipt


@dataclass(frozen=True)
class ExpectedKeys:
    """What the analyst's configuration says a TTP-pseudonymised export must carry: domain and key fingerprints."""

    domain_label: str
    source_key_fingerprint: str
    ttp_key_fingerprint: str

    def check(self, name: str, receipt: dict[str, Any]) -> None:
        """Refuse a receipt made in another domain, at another step or with keys other than the expected ones."""
        if receipt.get("step") != "ttp":
            raise ReceiptError(
                f"{name}: pseudonymised by a data holder only (step {receipt.get('step')!r}); the trusted third "
                "party must translate it first (`pseudonymise-ttp`)."
            )
        domain = receipt["hashing"]["domain_label"]
        if domain != self.domain_label:
            raise ReceiptError(f"{name}: made for domain {domain!r}, this monitor is {self.domain_label!r}.")
        source = receipt.get("source_key", {}).get("fingerprint")
        if source != self.source_key_fingerprint:
            raise ReceiptError(
                f"{name}: the holder used source key fingerprint {source}, the configuration expects "
                f"{self.source_key_fingerprint}: its pseudonyms would not link. Ask the holder which key is current."
            )
        ttp = receipt.get("key_fingerprint")
        if ttp != self.ttp_key_fingerprint:
            raise ReceiptError(
                f"{name}: translated with TTP key fingerprint {ttp}, the configuration expects "
                f"{self.ttp_key_fingerprint}. Ask the trusted third party which key is current."
            )
