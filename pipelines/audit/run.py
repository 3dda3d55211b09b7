"""`monitor audit`: gather the facts, write `audit.md` and `audit.html`, and say whether the audit passed.

The report goes to `<out>/audit/` by default: next to the warehouse and the publication, never inside the
published folder (the audit names files and columns of the warehouse, which is not for publication) and
left out of its own scan.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from pipelines.audit.history import read_run_history
from pipelines.audit.k_anonymity import KAnonymity, PrivacyThresholds, measure_source
from pipelines.audit.render import to_html, to_markdown
from pipelines.audit.report import (
    SCANNED_FOLDERS,
    AuditFacts,
    KeyStatus,
    RetentionStatus,
    build_sections,
    is_reference_source,
)
from pipelines.audit.scan import scan_folders
from pipelines.audit.storage import inbox_findings, mode_findings, sealing_findings
from pipelines.lib.lock import output_lock
from pipelines.lib.sealing import WarehouseKeyError
from pipelines.lib.settings import MonitorConfig, Paths, PseudonymisationSettings, configured_path
from pipelines.lib.warehouse import read_warehouse
from pipelines.publish.publication import code_version
from pipelines.retention.purge import count_past_duckdb, count_past_parquet, count_rows_parquet, retention_rules
from pseudonymisation.config import HashingConfig, load_hashing_config
from pseudonymisation.contract import Contract, load_all_contracts
from pseudonymisation.key import KeyError_, load_key
from pseudonymisation.retention import processing_today

TITLE = "Privacy-audit monitor jeugdhulp × onderwijs (privacy audit)"
REPORT_FILES = ("audit.md", "audit.json", "audit.html")


@dataclass(frozen=True)
class AuditOutcome:
    facts: AuditFacts
    written: list[Path]
    seconds: float


def default_report_dir(out: Path) -> Path:
    return out / "audit"


def key_status(hashing: HashingConfig, settings: PseudonymisationSettings) -> KeyStatus:
    """Two-step mode: the TTP key the configuration expects (the analyst has none). Single-key mode: the key's
    fingerprint when this process has the key; the audit works without it."""
    if settings.keyless:
        return KeyStatus(
            "ttp",
            settings.ttp_key_fingerprint,
            f"Tweestaps: de analist heeft geen sleutel; de configuratie verwacht bronsleutel "
            f"`{settings.source_key_fingerprint}` en TTP-sleutel `{settings.ttp_key_fingerprint}`.",
        )
    try:
        key = load_key(hashing)
    except KeyError_ as exc:
        return KeyStatus(None, None, f"Audit zonder sleutel; de runs legden hun vingerafdruk vast ({exc}).")
    return KeyStatus(key.key_id, key.fingerprint, "Sleutel gevonden in de omgeving van deze audit.")


def _table_counts(paths: Paths, contracts: dict[str, Contract], today: date) -> dict[str, tuple[int, int] | None]:
    """Rows and rows past retention per stg_ table; empty when there is no (readable) warehouse."""
    if not paths.duckdb.is_file():
        return {}
    try:
        with read_warehouse(paths.duckdb) as con:
            return {rule.source: count_past_duckdb(con, rule) for rule in retention_rules(contracts, today)}
    except (duckdb.Error, WarehouseKeyError):
        return {}  # the scan reports the file as unreadable


def retention_status(paths: Paths, contracts: dict[str, Contract], today: date) -> list[RetentionStatus]:
    """Per source: its retention, reference date, cutoff, and rows past it in Parquet and DuckDB."""
    rules = {rule.source: rule for rule in retention_rules(contracts, today)}
    tables = _table_counts(paths, contracts, today)
    statuses: list[RetentionStatus] = []
    for source, contract in contracts.items():
        rule = rules.get(source)
        parquet = paths.staged / f"{source}.parquet"
        staged: tuple[int | None, int | None] = (None, None)
        if parquet.is_file():
            # the scan reports an unreadable file
            with contextlib.suppress(pl.exceptions.PolarsError, pa.ArrowException, OSError, WarehouseKeyError):
                staged = count_past_parquet(parquet, rule) if rule else (count_rows_parquet(parquet), None)
        table = tables.get(source)
        statuses.append(
            RetentionStatus(
                source,
                contract.retention,
                rule.field if rule else None,
                rule.cutoff if rule else None,
                staged[0],
                staged[1],
                table[0] if table else None,
                table[1] if table else None,
            )
        )
    return statuses


def privacy_thresholds(config: MonitorConfig) -> PrivacyThresholds:
    return PrivacyThresholds(
        config.k_anonymity_k, config.max_share_unique, config.max_share_below_k, config.k_anonymity_groups
    )


def k_anonymity(paths: Paths, contracts: dict[str, Contract], thresholds: PrivacyThresholds) -> list[KAnonymity]:
    """Per person-level staged source with quasi-identifiers: k-anonymity (an unreadable file: the scan says so)."""
    measured: list[KAnonymity] = []
    for contract in contracts.values():
        with contextlib.suppress(pl.exceptions.PolarsError, pa.ArrowException, OSError, WarehouseKeyError):
            measured += measure_source(paths.staged, contract, thresholds)
    return measured


def gather_facts(out: Path, today: date, report_dir: Path, inbox: Path | None = None) -> AuditFacts:
    paths = Paths(inbox=inbox or out / "inbox", out=out)  # the inbox is listed, never read
    contracts = load_all_contracts()
    config = MonitorConfig.load(configured_path())
    hashing = load_hashing_config().for_gemeente(config.gemeente_code)
    runs, unreadable = read_run_history(out)
    declared = {
        source: frozenset(f.name for f in contract.properties)
        for source, contract in contracts.items()
        if is_reference_source(contract)
    }
    thresholds = privacy_thresholds(config)
    report_files = frozenset(report_dir / name for name in REPORT_FILES)
    scan = scan_folders(out, [out / folder for folder in SCANNED_FOLDERS], declared, exclude=report_files)
    scan.findings.extend(
        [*mode_findings(out, exclude=report_files), *sealing_findings(out), *inbox_findings(paths.inbox, out)]
    )
    return AuditFacts(
        out=out,
        created=datetime.now(UTC),
        today=today,
        code_version=code_version(),
        contracts=contracts,
        hashing=hashing,
        key=key_status(hashing, config.pseudonymisation),
        pseudonymisation=config.pseudonymisation,
        retention=retention_status(paths, contracts, today),
        k_anonymity=k_anonymity(paths, contracts, thresholds),
        thresholds=thresholds,
        runs=runs,
        unreadable_manifests=unreadable,
        scan=scan,
    )


def write_report(facts: AuditFacts, report_dir: Path) -> list[Path]:
    sections = build_sections(facts)
    report_dir.mkdir(parents=True, exist_ok=True)
    markdown, summary, page = (report_dir / name for name in REPORT_FILES)
    markdown.write_text(to_markdown(TITLE, sections), encoding="utf-8")
    summary.write_text(json.dumps(facts.summary(), indent=2), encoding="utf-8")
    page.write_text(to_html(TITLE, sections, facts.passed), encoding="utf-8")
    return [markdown, summary, page]


def has_monitor_output(out: Path) -> bool:
    """Whether `out` holds a warehouse or a publication: auditing an empty folder would prove nothing."""
    return any((out / folder).is_dir() for folder in SCANNED_FOLDERS)


def run_audit(
    out: Path, report_dir: Path | None = None, today: date | None = None, inbox: Path | None = None
) -> AuditOutcome:
    """Audit the output folder `out` (and list `inbox`, default `<out>/inbox`); the report goes to `report_dir`
    (default `<out>/audit`).

    Holds the folder's lock while it reads, so a run waits for the audit instead of failing on the DuckDB
    file the audit has open (and the audit never reads a half-written warehouse)."""
    started = datetime.now(UTC)
    out = out.resolve()
    target = (report_dir or default_report_dir(out)).resolve()
    with output_lock(out, "monitor audit"):
        facts = gather_facts(out, today or processing_today(), target, inbox.resolve() if inbox else None)
    written = write_report(facts, target)
    return AuditOutcome(facts, written, (datetime.now(UTC) - started).total_seconds())
