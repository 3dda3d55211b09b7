"""Exports pseudonymised at the source: their shape, their receipt, and the checks the monitor runs on them.

A school or the youth-care department can run `pseudonymise` on its own export with the shared key (held
by a trusted third party), so no raw identifier ever reaches the analyst's machine. The result,
`<export>.pseudo.csv`, has exactly the columns the monitor would have stored itself (person key, kept and
generalised fields), and a receipt `<export>.pseudo.receipt.json` records what was done: row counts,
contract version, key id and fingerprint, and the sha256 of the output. The monitor ingests such a file as
it is, through a contract derived from the source's own, after checking the receipt: same key (fingerprint),
same contract major version, file unchanged since it was written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipelines.ingest.contract import Bilingual, Contract, Field_, FileSpec, RowRule
from pipelines.ingest.minimise import AREA_COLUMNS, cohort_column
from pipelines.ingest.read_csv import FileRejected
from pseudonymisation.config import load_hashing_config

PSEUDO_SUFFIX = ".pseudo.csv"
RECEIPT_SUFFIX = ".pseudo.receipt.json"
QUARANTINE_SUFFIX = ".pseudo.quarantine.csv"
AREA_PATTERNS = {"wijk_code": r"^WK\d{6}$", "gemeente_code": r"^GM\d{4}$"}


def pseudonymised_name(contract: Contract) -> str:
    """`inschrijvingen.csv` → `inschrijvingen.pseudo.csv`."""
    return contract.file.name.removesuffix(".csv") + PSEUDO_SUFFIX


def receipt_of(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(PSEUDO_SUFFIX) + RECEIPT_SUFFIX)


def _derived(name: str, logical: str, required: bool, nl: str, en: str, **rules: Any) -> Field_:
    return Field_(
        name=name,
        logicalType=logical,  # type: ignore[arg-type]
        required=required,
        privacy="attribute",
        fate="keep",
        description=Bilingual(nl=nl, en=en),
        **rules,
    )


def pseudonymised_contract(contract: Contract) -> Contract:
    """The contract of `<export>.pseudo.csv`: the stored columns of `contract`, with the same rules."""
    fields: list[Field_] = []
    if contract.identifier_fields:
        length = load_hashing_config().output.length
        kinds = [f.identifierType for f in contract.identifier_fields if f.identifierType]
        fields += [
            _derived("person_id", "string", True, "Pseudoniem", "Pseudonym", pattern=f"^[0-9a-f]{{{length}}}$"),
            _derived("id_type", "string", True, "Soort persoonsnummer", "Identifier type", allowed=kinds),
        ]
    for f in contract.properties:
        if f.fate == "keep":
            fields.append(f)
        elif f.generalisation == "birth_cohort":
            nl, en = f"{f.description.nl} (cohort)", f"{f.description.en} (cohort)"
            fields.append(_derived(cohort_column(f.name), "integer", f.required, nl, en, minimum=1900, maximum=2200))
    if any(f.generalisation == "buurt_wijk" for f in contract.properties):
        fields += [_derived(c, "string", False, c, c, pattern=AREA_PATTERNS[c]) for c in AREA_COLUMNS]
    kept = {f.name for f in fields}
    rules = [r for r in contract.rowRules if r.rule == "not_before" and {r.field, r.other} <= kept]
    return contract.model_copy(
        update={
            "file": FileSpec(name=pseudonymised_name(contract)),
            "properties": fields,
            "rowRules": [RowRule.model_validate(r.model_dump()) for r in rules],
        }
    )


def check_receipt(path: Path, contract: Contract, fingerprint: str, sha256: str) -> dict[str, Any]:
    """The receipt of a pseudonymised export, or `FileRejected` saying why the file cannot be linked."""
    receipt_path = receipt_of(path)
    if not receipt_path.is_file():
        raise FileRejected(
            f"{path.name}: no receipt {receipt_path.name} next to it; expected the receipt that `pseudonymise` "
            "wrote with this file."
        )
    try:
        receipt: dict[str, Any] = json.loads(receipt_path.read_text(encoding="utf-8"))
        recorded = (receipt["source"], receipt["contract_version"], receipt["key_fingerprint"])
        output_sha = receipt["output"]["sha256"]
    except (ValueError, KeyError, TypeError):
        raise FileRejected(f"{path.name}: its receipt {receipt_path.name} is not a pseudonymise receipt.") from None
    source, version, their_fingerprint = recorded
    if source != contract.id:
        raise FileRejected(f"{path.name}: its receipt is for '{source}', expected '{contract.id}'.")
    if str(version).split(".")[0] != contract.version.split(".")[0]:
        raise FileRejected(
            f"{path.name}: pseudonymised under contract version {version}, this monitor has {contract.version}; "
            "ask the holder to run the current `pseudonymise`."
        )
    if their_fingerprint != fingerprint:
        raise FileRejected(
            f"{path.name}: pseudonymised with key fingerprint {their_fingerprint}, but this monitor's key has "
            f"fingerprint {fingerprint}: the pseudonyms would not link. Ask the trusted third party which key is "
            "current."
        )
    if output_sha != sha256:
        raise FileRejected(f"{path.name}: changed after pseudonymisation (its sha256 differs from the receipt).")
    return receipt
