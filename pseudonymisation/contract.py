"""Data contracts: the YAML files in contracts/ as validated, typed objects.

A contract is the single place a source's rules live. This module only reads and checks contracts;
`read_csv` and `validate` derive their behaviour from them. A broken contract fails fast, naming the
file, the line and the field, before any data is read.
"""

from __future__ import annotations

import csv
import json
import re
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pseudonymisation import cbs_area
from pseudonymisation.package_data import CODELISTS_DIR, CONTRACTS_DIR
from pseudonymisation.receipts import ID_TYPE, PERSON_ID

CODELIST_FILES = {
    "COD327": "COD327_Code_verwijzer.csv",
    "JZ020": "JZ020_Productcategorie.csv",
    "JZ588": "JZ588_Reden_beeindiging.csv",
}
CONTRACT_KIND = "DataContract"  # the `kind` of a source's contract; other files in contracts/ describe the whole


API_VERSION = "jeugdmonitor-contract/v1"  # the project's own format, ODCS-inspired (contracts/README.md)

# Identifier types that name a person (they become `person_id`); any other identifier type is a linkable number.
PERSON_IDENTIFIER_TYPES = ("bsn", "onderwijsnummer")


class ContractError(ValueError):
    """A contract file is malformed; the message names file, line and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Bilingual(_Strict):
    nl: str
    en: str


class Field_(_Strict):
    """One column: its type, its rules and what happens to it for privacy's sake."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    logicalType: Literal["string", "identifier", "date", "integer", "decimal"]
    required: bool
    privacy: Literal["direct_identifier", "quasi_identifier", "attribute"]
    fate: Literal["pseudonymise", "drop", "generalise", "keep"]
    description: Bilingual
    identifierType: Literal["bsn", "onderwijsnummer", "toewijzingnummer"] | None = None
    generalisation: Literal["birth_cohort", "buurt_wijk"] | None = None
    allowed: list[str] | None = None
    codelist: Literal["COD327", "JZ020", "JZ588"] | None = None
    pattern: str | None = None
    cbsArea: cbs_area.AreaLevel | None = None  # a CBS gemeente/wijk/buurt code: its pattern and normalisation
    # A DUO vestiging code is the BRIN + 2 digits (BRIN6). Some releases write only the 2 digits: a value of one or
    # two digits then gets the BRIN of field `brinField` in front. `absentAs` is every row's value when the file has
    # no such column (DUO's hoofdvestigingen file has no vestiging number: the hoofdvestiging is number 00).
    brinField: str | None = None
    absentAs: str | None = None
    padLeft: int | None = Field(default=None, ge=1, le=12)
    upper: bool = False
    removeSpaces: bool = False
    minimum: float | None = None
    maximum: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _area_pattern(cls, data: Any) -> Any:
        """A CBS area code's pattern comes from `cbs_area`, where its form is stated once, not from the contract."""
        if isinstance(data, dict) and data.get("cbsArea") in cbs_area.LEVELS:
            if data.get("pattern") not in (None, cbs_area.pattern(data["cbsArea"])):
                raise ValueError("a field with cbsArea takes its pattern from the CBS code rule: remove 'pattern'")
            return {**data, "pattern": cbs_area.pattern(data["cbsArea"])}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Field_:
        if self.fate == "pseudonymise" and self.identifierType is None:
            raise ValueError("fate 'pseudonymise' needs an identifierType (its pseudonym domain)")
        if (self.identifierType in PERSON_IDENTIFIER_TYPES) != (self.logicalType == "identifier"):
            raise ValueError("a person identifier (bsn, onderwijsnummer) has logicalType 'identifier', and only it")
        if self.privacy == "direct_identifier" and self.fate not in ("pseudonymise", "drop"):
            raise ValueError("a direct_identifier must be pseudonymised or dropped")
        if self.privacy == "quasi_identifier" and self.fate not in ("generalise", "drop"):
            raise ValueError("a quasi_identifier must be generalised or dropped")
        if (self.fate == "generalise") != (self.generalisation is not None):
            raise ValueError("'generalisation' is required with fate 'generalise', and only then")
        if self.cbsArea is not None and (self.logicalType != "string" or self.padLeft is not None):
            raise ValueError("a CBS area code (cbsArea) is text (logicalType 'string') and pads itself: no padLeft")
        if self.pattern is not None:
            re.compile(self.pattern)
        return self

    @property
    def allowed_values(self) -> list[str] | None:
        """Allowed codes, from the inline list or the official code list."""
        if self.codelist is not None:
            return codelist_codes(self.codelist)
        return self.allowed


LegalCategoryName = Literal["special_art9", "criminal_art10"]


class CategoryGround(_Strict):
    """Why a source holds special-category (art. 9 AVG) or criminal (art. 10 AVG) data, and which fields show it."""

    fields: list[str] = Field(min_length=1)
    why: Bilingual


class LegalCategories(_Strict):
    """The legal categories of a source's personal data, beyond ordinary personal data.

    Classified per source, not per field: a row of a youth-care export is health data as a whole (that the
    child is in it says the child receives youth care), so the whole source falls under art. 9 and, where a
    row can concern jeugdreclassering, under art. 10; `fields` names the fields whose values reveal it most
    directly, for the DPIA and the data dictionary.
    """

    special_art9: CategoryGround | None = None
    criminal_art10: CategoryGround | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> LegalCategories:
        if self.special_art9 is None and self.criminal_art10 is None:
            raise ValueError("name special_art9 and/or criminal_art10, or write legalCategory: ordinary")
        return self


class LegalBasis(_Strict):
    """The grounds a source is processed on, each condition stated once (Dutch legal text).

    `article9` is required exactly when the source holds special-category data, `article10` exactly when
    it holds criminal data, and `toConfirm` says what the municipality's jurist/FG still has to confirm.
    """

    article6: str | None = None  # None only for public reference data, which holds no personal data
    nationalLaw: list[str] = []
    article9: str | None = None
    article10: str | None = None
    note: str | None = None
    toConfirm: str | None = None


class RowRule(_Strict):
    rule: Literal["one_of_required", "not_before"]
    fields: list[str] | None = None
    field: str | None = None
    other: str | None = None


class Layout(_Strict):
    """One published layout of a source's file: named in the sentence that refuses a file that is none of them."""

    name: Bilingual
    headers: list[str] = Field(min_length=1)  # the headers that identify it (those that map to required fields)


class FileSpec(_Strict):
    name: str
    renames: dict[str, str] = {}
    headerPatterns: dict[str, str] = {}
    # Headers used for a field only when the file has no header of its own for it (`instellingsnaam` → naam in
    # the hoofdvestigingen file, where a vestigingen file has both and `vestigingsnaam` is the one meant).
    fallbacks: dict[str, str] = {}
    layouts: list[Layout] = []


class Contract(_Strict):
    """One source's contract (contracts/<source>.yaml); its JSON Schema is `contracts/contract.schema.json`."""

    apiVersion: Literal["jeugdmonitor-contract/v1"]  # = API_VERSION (a Literal needs the text itself)
    kind: Literal["DataContract"]  # CONTRACT_KIND
    id: str
    name: str
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    status: Literal["active", "draft", "deprecated"]
    owner: str
    description: Bilingual
    purpose: Bilingual
    legalBasis: LegalBasis
    legalCategory: Literal["not_personal", "ordinary"] | LegalCategories
    retention: str = Field(pattern=r"^P\d+[YMD]$")
    retentionField: str | None = None
    file: FileSpec
    rowRules: list[RowRule] = []
    properties: list[Field_]

    @model_validator(mode="after")
    def _fields_exist(self) -> Contract:
        names = {f.name for f in self.properties}
        for rule in self.rowRules:
            for name in [*(rule.fields or []), *(n for n in (rule.field, rule.other) if n)]:
                if name not in names:
                    raise ValueError(f"row rule {rule.rule!r} names unknown field {name!r}")
        for f in self.properties:
            if f.brinField is not None and f.brinField not in names:
                raise ValueError(f"field {f.name!r}: brinField names unknown field {f.brinField!r}")
        if self.retentionField is not None:
            reference = next((f for f in self.properties if f.name == self.retentionField), None)
            if reference is None:
                raise ValueError(f"retentionField names unknown field {self.retentionField!r}")
            if reference.logicalType != "date" or reference.fate != "keep":
                raise ValueError(
                    f"retentionField {self.retentionField!r} must be a date field that is stored (fate 'keep'): "
                    "a row's age counts from it"
                )
        self._legal_consistent(names)
        return self

    def _legal_consistent(self, names: set[str]) -> None:
        """The legal category, the legal basis and the privacy classes must tell the same story."""
        personal = any(f.privacy != "attribute" for f in self.properties)
        if personal == (self.legalCategory == "not_personal"):
            raise ValueError(
                "legalCategory 'not_personal' is for sources without any (quasi-)identifier, and only for them"
            )
        if personal and self.legalBasis.article6 is None:
            raise ValueError("a source with personal data needs legalBasis.article6 (art. 6 AVG)")
        categories = self.legal_categories
        for category, text, key in (
            ("special_art9", self.legalBasis.article9, "article9"),
            ("criminal_art10", self.legalBasis.article10, "article10"),
        ):
            if (category in categories) != (text is not None):
                raise ValueError(f"legalBasis.{key} is required with legal category {category!r}, and only then")
        if isinstance(self.legalCategory, LegalCategories):
            for ground in (self.legalCategory.special_art9, self.legalCategory.criminal_art10):
                unknown = [n for n in (ground.fields if ground else []) if n not in names]
                if unknown:
                    raise ValueError(f"legalCategory names unknown field(s) {unknown}")

    @property
    def legal_categories(self) -> dict[LegalCategoryName, CategoryGround]:
        """The special and criminal categories this source holds (empty: ordinary or no personal data)."""
        if not isinstance(self.legalCategory, LegalCategories):
            return {}
        found: dict[LegalCategoryName, CategoryGround] = {}
        if self.legalCategory.special_art9 is not None:
            found["special_art9"] = self.legalCategory.special_art9
        if self.legalCategory.criminal_art10 is not None:
            found["criminal_art10"] = self.legalCategory.criminal_art10
        return found

    def field(self, name: str) -> Field_:
        return next(f for f in self.properties if f.name == name)

    @property
    def identifier_fields(self) -> list[Field_]:
        """The person identifiers: pseudonymised into the one person key `person_id`."""
        return [f for f in self.properties if f.fate == "pseudonymise" and f.identifierType in PERSON_IDENTIFIER_TYPES]

    @property
    def pseudonym_columns(self) -> dict[str, str]:
        """Stored column → identifier type of its pseudonyms (`id_type`: the type is in that column, per row)."""
        columns = {PERSON_ID: ID_TYPE} if self.identifier_fields else {}
        return columns | {f.name: str(f.identifierType) for f in self.linkable_fields}

    @property
    def linkable_fields(self) -> list[Field_]:
        """Other linkable numbers (toewijzingnummer): pseudonymised in place, each type in its own domain."""
        return [
            f for f in self.properties if f.fate == "pseudonymise" and f.identifierType not in PERSON_IDENTIFIER_TYPES
        ]


def json_schema() -> dict[str, Any]:
    """The contract format as JSON Schema (draft 2020-12), generated from the model above: the one definition.

    Published as `contracts/contract.schema.json` (`monitor contracts schema`) so an editor, a linter or another
    language can check a contract without this package; a test holds the committed file equal to this.
    """
    schema = Contract.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:{API_VERSION.replace('/', ':')}",
        **schema,
        "title": "Jeugdmonitor data contract",
        "description": (
            "One source's data contract for the jeugdmonitor (ODCS-inspired, not ODCS: see contracts/README.md)."
        ),
    }


def json_schema_text() -> str:
    """`json_schema()` as the committed file holds it: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _line_of(text: str, loc: tuple[int | str, ...]) -> int:
    """Best-effort line number of a field in the YAML text (pydantic only knows the path)."""
    node: Any = yaml.compose(text)
    for part in loc:
        try:
            if isinstance(part, int):
                node = node.value[part]
            else:
                node = next(v for k, v in node.value if k.value == part)
        except (AttributeError, IndexError, StopIteration, TypeError):
            break
    return int(node.start_mark.line) + 1 if node is not None else 1


def load_contract_file(path: Path) -> Contract:
    """Read and validate one contract file; on error name the file, line and field."""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ContractError(f"{path}: not valid YAML: {exc}") from None
    try:
        return Contract.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in loc)
        field_name = ""
        if len(loc) >= 2 and loc[0] == "properties" and isinstance(loc[1], int):
            try:
                field_name = f" (field {data['properties'][loc[1]].get('name')!r})"
            except (KeyError, IndexError, AttributeError, TypeError):
                field_name = ""
        raise ContractError(f"{path}, line {_line_of(text, loc)}: {where}{field_name}: {err['msg']}") from None


@cache
def load_contract(source: str, directory: Path = CONTRACTS_DIR) -> Contract:
    """The contract of one source (cached: contracts do not change during a run)."""
    return load_contract_file(directory / f"{source}.yaml")


def load_all_contracts(directory: Path = CONTRACTS_DIR) -> dict[str, Contract]:
    return {source: load_contract(source, directory) for source in SOURCES}


@cache
def codelist_codes(name: str) -> list[str]:
    with (CODELISTS_DIR / CODELIST_FILES[name]).open(encoding="utf-8") as handle:
        return [row["Code"].strip() for row in csv.DictReader(handle)]


SOURCE_KINDS = ("reference", "person", "youth_care")  # the order of the flow: places, then pupils, then care


def source_kind(contract: Contract) -> str:
    """A contract with a linkable number (toewijzingnummer) is youth care; one with a person identifier is a
    person-level source; the rest are public reference tables."""
    if contract.linkable_fields:
        return "youth_care"
    return "person" if contract.identifier_fields else "reference"


def contract_sources(directory: Path = CONTRACTS_DIR) -> tuple[str, ...]:
    """Every source a contract admits: the contracts/*.yaml whose kind is a data contract (each named after its
    source), by kind (`SOURCE_KINDS`), then name. Adding a source is adding its contract; no list names them."""
    names = [
        path.stem
        for path in sorted(directory.glob("*.yaml"))
        if (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("kind") == CONTRACT_KIND
    ]
    return tuple(sorted(names, key=lambda n: SOURCE_KINDS.index(source_kind(load_contract(n, directory)))))


SOURCES = contract_sources()
