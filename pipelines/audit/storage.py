"""How the monitor stores what it holds: file modes, encryption at rest, and what is left in the inbox.

Findings here are about storage, not values: a file or folder under the output open to group or others, a
person-level file of the warehouse that is not encrypted, and anything in the inbox (a raw export still there
after its ingest, or an entry the ingest would refuse: a link, pipe or device). Each is a `Finding`, so it fails
the audit like an identifier in a published file. Nothing is read from an inbox file: only its name and type.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.audit.scan import Finding
from pipelines.ingest.sources import IJW_FOLDER
from pipelines.lib.owner_only import open_to_others
from pipelines.lib.sealing import is_sealed_database, is_sealed_parquet
from pseudonymisation.contract import load_all_contracts
from pseudonymisation.ijw_consistency import CONSISTENCY_FILE
from pseudonymisation.inbox import UnsafeInput, check_entry, escape_name, walk_inbox
from pseudonymisation.pseudonymised_exports import pseudonymised_name

PERSON_LEVEL_PARQUET = ("staged", "quarantine")
UNSEALED = "onversleuteld"


def _label(path: Path, base: Path) -> str:
    return escape_name(str(path.relative_to(base)) if path.is_relative_to(base) else str(path))


def mode_findings(out: Path, exclude: frozenset[Path] = frozenset()) -> list[Finding]:
    """Every file or folder under the output folder with a group or other permission bit."""
    return [
        Finding(_label(path, out), "rechten", "bestandsrechten", 1, f"{mode:04o}: open voor groep of anderen")
        for path, mode in open_to_others(out)
        if path.resolve() not in exclude
    ]


def sealing_findings(out: Path) -> list[Finding]:
    """Person-level files of the warehouse that are stored unencrypted."""
    warehouse = out / "warehouse"
    findings: list[Finding] = []
    for database in sorted(warehouse.rglob("*.duckdb")) if warehouse.is_dir() else []:
        if not is_sealed_database(database):
            findings.append(Finding(_label(database, out), "bestand", UNSEALED, 1, "DuckDB zonder versleuteling"))
    for folder in PERSON_LEVEL_PARQUET:
        for parquet in sorted((warehouse / folder).glob("*.parquet")):
            if parquet.name != CONSISTENCY_FILE and not is_sealed_parquet(parquet):
                findings.append(Finding(_label(parquet, out), "bestand", UNSEALED, 1, "Parquet op persoonsniveau"))
    return findings


def export_names() -> frozenset[str]:
    """The file names under which exports arrive: each contract's file and its pseudonymised form."""
    contracts = load_all_contracts().values()
    return frozenset({c.file.name for c in contracts} | {pseudonymised_name(c) for c in contracts})


def inbox_findings(inbox: Path, out: Path) -> list[Finding]:
    """What is in the inbox: after a successful ingest no export stays, so every export there is a finding (and
    every message file under ijw/). Other files (a README, a note) are never read by the monitor and not listed."""
    if not inbox.exists() and not inbox.is_symlink():
        return []
    findings: list[Finding] = []
    try:
        entries = list(walk_inbox(inbox))
    except UnsafeInput as exc:
        return [Finding(_label(inbox, out), "inbox", "inbox", 1, str(exc))]
    names = export_names()
    for path in entries:
        try:
            check_entry(path, inbox)
        except UnsafeInput as exc:
            findings.append(Finding(_label(path, out), "inbox", "inbox", 1, str(exc)))
            continue
        is_export = path.name in names or path.relative_to(inbox).parts[0] == IJW_FOLDER
        if path.is_file() and is_export:
            findings.append(
                Finding(_label(path, out), "inbox", "ruwe export", 1, "staat nog in de inbox (na ingest hoort die weg)")
            )
    return findings
