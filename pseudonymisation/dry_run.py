"""How a file would be ingested, without writing anything and without the key: `monitor contracts check FILE`.

A data holder or analyst checks a new export before it goes into the inbox: which contract it matches,
how its columns map, which are dropped, and which rows would be quarantined and why. Identifiers are
never printed: quarantine values are masked exactly as in a run, and nothing is pseudonymised or stored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pseudonymisation.contract import Contract, load_all_contracts
from pseudonymisation.read_csv import open_export
from pseudonymisation.validate import SeenRows, validate

EXAMPLES_PER_RULE = 3


@dataclass
class DryRun:
    contract: Contract
    source_file: str
    encoding: str
    delimiter: str
    mapping: dict[str, str]
    dropped: list[str]
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)


def contract_for(path: Path, source: str | None = None) -> Contract | None:
    """The contract named, or the one whose file name the file carries."""
    contracts = load_all_contracts()
    if source is not None:
        return contracts.get(source)
    return next((c for c in contracts.values() if c.file.name == path.name), None)


def dry_run(path: Path, contract: Contract) -> DryRun:
    """Read and validate `path` per `contract` in memory; raises `FileRejected` like a real run would."""
    export = open_export(path, contract, path.name)
    result = DryRun(
        contract,
        export.source_file,
        export.encoding,
        export.delimiter,
        {export.headers[i]: name for i, name in export.mapping.items()},
        export.dropped_columns,
    )
    seen = SeenRows()
    for batch in export.batches():
        checked = validate(batch, contract, seen)
        result.rows_read += checked.rows_read
        result.rows_accepted += checked.accepted.height
        result.rows_quarantined += checked.rows_quarantined
        for row in checked.quarantine.select("line", "field", "rule", "value").iter_rows(named=True):
            key = f"{row['field']}:{row['rule']}"
            result.by_rule[key] += 1
            shown = result.examples.setdefault(key, [])
            if len(shown) < EXAMPLES_PER_RULE:
                value = "" if row["value"] is None else f" value {row['value']!r}"
                shown.append(f"line {row['line']}{value}")
    return result
