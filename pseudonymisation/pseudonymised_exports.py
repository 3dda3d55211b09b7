"""Exports pseudonymised in two steps: their shape, their receipt, and the checks the analyst's monitor runs.

A data holder runs `pseudonymise` on its own export with the source key; the trusted third party (TTP) runs
`pseudonymise-ttp translate` with its own key (docs/pseudonymisation.md). The result, `<export>.pseudo.csv`,
has exactly the columns the monitor would have stored itself (person key, linkable numbers as pseudonyms, kept
and generalised fields), and its receipt `<export>.pseudo.receipt.json` records what was done: row counts,
contract version, domain, the id and fingerprint of the source key and of the TTP key, and the sha256 of the
output. The monitor ingests such a file as it is, through a contract derived from the source's own, after checking
the receipt against its configuration (it holds no key): same domain, the expected fingerprints, same contract
major version, file unchanged since it was written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pseudonymisation.cbs_area import AreaLevel
from pseudonymisation.config import load_hashing_config
from pseudonymisation.contract import Bilingual, Contract, Field_, FileSpec, RowRule
from pseudonymisation.minimise import AREA_COLUMNS, cohort_column
from pseudonymisation.read_csv import FileRejected
from pseudonymisation.receipts import PSEUDO_SUFFIX, ExpectedKeys, ReceiptError, read_receipt

AREA_LEVELS: dict[str, AreaLevel] = {"wijk_code": "wijk", "gemeente_code": "gemeente"}


def pseudonymised_name(contract: Contract) -> str:
    """`inschrijvingen.csv` → `inschrijvingen.pseudo.csv`."""
    return contract.file.name.removesuffix(".csv") + PSEUDO_SUFFIX


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
    length = load_hashing_config().output.length
    if contract.identifier_fields:
        kinds = [f.identifierType for f in contract.identifier_fields if f.identifierType]
        fields += [
            _derived("person_id", "string", True, "Pseudoniem", "Pseudonym", pattern=f"^[0-9a-f]{{{length}}}$"),
            _derived("id_type", "string", True, "Soort persoonsnummer", "Identifier type", allowed=kinds),
        ]
    for f in contract.properties:
        if f.fate == "keep":
            fields.append(f)
        elif f in contract.linkable_fields:
            fields.append(
                _derived(
                    f.name,
                    "string",
                    f.required,
                    f"{f.description.nl} (pseudoniem)",
                    f"{f.description.en} (pseudonym)",
                    pattern=f"^[0-9a-f]{{{length}}}$",
                )
            )
        elif f.generalisation == "birth_cohort":
            nl, en = f"{f.description.nl} (cohort)", f"{f.description.en} (cohort)"
            fields.append(_derived(cohort_column(f.name), "integer", f.required, nl, en, minimum=1900, maximum=2200))
    if any(f.generalisation == "buurt_wijk" for f in contract.properties):
        fields += [_derived(c, "string", False, c, c, cbsArea=AREA_LEVELS[c]) for c in AREA_COLUMNS]
    kept = {f.name for f in fields}
    rules = [r for r in contract.rowRules if r.rule == "not_before" and {r.field, r.other} <= kept]
    return contract.model_copy(
        update={
            "file": FileSpec(name=pseudonymised_name(contract)),
            "properties": fields,
            "rowRules": [RowRule.model_validate(r.model_dump()) for r in rules],
        }
    )


def check_receipt(path: Path, contract: Contract, expected: ExpectedKeys, sha256: str) -> dict[str, Any]:
    """The TTP's receipt of a pseudonymised export, or `FileRejected` saying why the file cannot be linked."""
    try:
        receipt = read_receipt(path, sha256)
        expected.check(path.name, receipt)
    except ReceiptError as exc:
        raise FileRejected(str(exc)) from None
    source, version = receipt["source"], receipt.get("contract_version", "")
    if source != contract.id:
        raise FileRejected(f"{path.name}: its receipt is for '{source}', expected '{contract.id}'.")
    if str(version).split(".")[0] != contract.version.split(".")[0]:
        raise FileRejected(
            f"{path.name}: pseudonymised under contract version {version}, this monitor has {contract.version}; "
            "ask the holder to run the current `pseudonymise`."
        )
    return receipt
