"""Stage 1-3, ingest → validate → pseudonymise: one asset per source, raw exports in, pseudonymised out.

Validation and pseudonymisation run inside the ingest asset on purpose: nothing raw may be persisted
between steps, so the first step that touches a BSN is also the one that replaces it. Each asset writes
`warehouse/staged/<source>.parquet` (accepted, pseudonymised rows), `warehouse/quarantine/<source>.parquet`
(broken rules, masked values) and a small JSON summary for the run manifest. A blocking check stops the
run when a source quarantines more than the configured share of its rows.
"""

import json
import time
from collections.abc import Iterator
from functools import partial
from typing import Any

import dagster as dg

from pipelines.ingest.ijw_cache import IJW_CACHE
from pipelines.ingest.raw_release import IJW_LISTING, ingested_files, list_ijw_files, release, write_receipt
from pipelines.ingest.sources import IJW_FOLDER, Ingested, find_files, ijw_tables, ingest_source
from pipelines.lib.keys import (
    ALL_SOURCES,
    KERNCIJFERS,
    OWNER,
    PERSON_SOURCES,
    REFERENCE_SOURCES,
    YOUTH_CARE_SOURCES,
    staged_key,
)
from pipelines.lib.resources import MonitorResource
from pipelines.lib.sealing import read_sealed
from pipelines.lib.settings import Paths
from pseudonymisation.contract import load_contract
from pseudonymisation.ijw_consistency import write_consistency
from pseudonymisation.ijw_tokens import pseudonyms_of
from pseudonymisation.pseudonymised_exports import pseudonymised_name
from pseudonymisation.pseudonymiser import Pseudonymiser
from pseudonymisation.read_csv import FileRejected


def _summarise(ingested: Ingested, paths: Paths) -> dict[str, object]:
    """Write the source's summary for the manifest and the checks; return Dagster metadata for the UI."""
    summary: dict[str, Any] = {
        "source": ingested.source,
        "contract_version": ingested.contract_version,
        "rows_read": ingested.rows_read,
        "rows_accepted": ingested.rows_accepted,
        "rows_quarantined": ingested.rows_quarantined,
        "rows_past_retention": ingested.rows_past_retention,
        "files": [f.as_dict() for f in ingested.files],
        "ijw_messages": ingested.ijw_messages,
        "ijw_ignored": ingested.ijw_ignored,
        **({"ijw_cache": ingested.ijw_cache} if ingested.ijw_cache else {}),
        "quarantine_by_rule": dict(ingested.quarantine_by_rule.most_common()),
        "seconds": {phase: round(seconds, 3) for phase, seconds in ingested.seconds.items()},
    }
    (paths.staged / f"{ingested.source}.summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    dropped = sorted({c for f in ingested.files for c in f.dropped_columns})
    return {
        "dagster/row_count": ingested.rows_accepted,
        "rows_read": ingested.rows_read,
        "rows_quarantined": ingested.rows_quarantined,
        "rows_past_retention": ingested.rows_past_retention,
        "contract_version": ingested.contract_version,
        "dropped_columns": ", ".join(dropped) or "none",
        "quarantine_by_rule": dg.MetadataValue.json(summary["quarantine_by_rule"]),
        "files": dg.MetadataValue.json(summary["files"]),
        "dagster/column_schema": dg.TableSchema(columns=[dg.TableColumn(n, t) for n, t in ingested.columns.items()]),
        "seconds": dg.MetadataValue.json(summary["seconds"]),
        **({"ijw_cache": dg.MetadataValue.json(ingested.ijw_cache)} if ingested.ijw_cache else {}),
    }


def _toewijzing_pseudonyms(pseudonymiser: Pseudonymiser | None, numbers: list[str]) -> list[str]:
    """The staged tables' pseudonyms of raw toewijzingnummers. Raw iJw messages are read only in single-key mode
    (two-step refuses raw exports), so a pseudonymiser is there whenever there are numbers."""
    if not numbers:
        return []
    if pseudonymiser is None:
        raise dg.Failure(description="raw iJw messages reached a keyless (two-step) analyst; they are refused.")
    return pseudonymiser.pseudonymise_many("toewijzingnummer", numbers)


def _ingest_into(monitor: MonitorResource, source: str, pseudonymiser: Pseudonymiser | None, **kwargs: Any) -> Ingested:
    """Ingest one source into its staged and quarantine Parquet files; a rejected file fails the step."""
    paths = monitor.paths
    try:
        return ingest_source(
            paths.inbox,
            load_contract(source),
            pseudonymiser,
            paths.staged / f"{source}.parquet",
            paths.quarantine / f"{source}.parquet",
            stable_seconds=monitor.config.stable_seconds,
            expected=monitor.expected_keys(),
            **kwargs,
        )
    except FileRejected as exc:
        raise dg.Failure(description=str(exc)) from None


def _delivered(paths: Paths, source: str) -> bool:
    """Whether this run's inbox holds an export of `source` (raw or pseudonymised at the source)."""
    contract = load_contract(source)
    try:
        return bool(
            find_files(paths.inbox, contract.file.name) or find_files(paths.inbox, pseudonymised_name(contract))
        )
    except FileRejected as exc:
        raise dg.Failure(description=str(exc)) from None


def _kept(context: dg.AssetExecutionContext, paths: Paths, source: str, key: dg.AssetKey) -> dg.MaterializeResult:
    """No new delivery of `source`: its staged rows of the previous delivery stay (README, 'A monthly run')."""
    summary_file = paths.staged / f"{source}.summary.json"
    if not (paths.staged / f"{source}.parquet").is_file() or not summary_file.is_file():
        contract = load_contract(source)
        raise dg.Failure(
            description=f"{contract.file.name}: not found in the inbox {paths.inbox}, and nothing staged from an "
            f"earlier delivery; expected the '{contract.id}' export ({contract.owner}) or its pseudonymised form "
            f"{pseudonymised_name(contract)}."
        )
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    context.log.info(f"{source}: no new delivery; the staged rows of the previous delivery stay in use")
    return dg.MaterializeResult(
        asset_key=key,
        metadata={
            "dagster/row_count": summary["rows_accepted"],
            "delivery": "previous (no new export in the inbox)",
            "files": dg.MetadataValue.json(summary["files"]),
        },
    )


def _ingest(context: dg.AssetExecutionContext, monitor: MonitorResource, source: str) -> dg.MaterializeResult:
    paths = monitor.paths
    if not _delivered(paths, source):
        return _kept(context, paths, source, staged_key(source))
    addresses = None
    if source == "bewoners":
        addresses = read_sealed(paths.staged / "pc6hnr.parquet")
    ingested = _ingest_into(monitor, source, monitor.pseudonymiser(), addresses=addresses)
    context.log.info(
        f"{source}: {ingested.rows_read} rows read, {ingested.rows_accepted} accepted, "
        f"{ingested.rows_quarantined} quarantined, {ingested.rows_past_retention} past retention (left out)"
    )
    return dg.MaterializeResult(metadata=_summarise(ingested, paths))  # type: ignore[arg-type]


def _make_source_asset(source: str) -> dg.AssetsDefinition:
    contract = load_contract(source)
    deps: list[dg.AssetKey] = [dg.AssetKey(["inbox", source])]
    if source == "bewoners":
        deps.append(staged_key("pc6hnr"))

    @dg.asset(
        name=source,
        key_prefix="staged",
        group_name="ingest",
        deps=deps,
        owners=[OWNER],
        kinds={"polars", "parquet"},
        description=(
            f"{contract.name}: {contract.file.name} read and validated against contract v{contract.version}; "
            "identifiers pseudonymised, quasi-identifiers generalised, other columns dropped."
        ),
    )
    def _asset(context: dg.AssetExecutionContext, monitor: MonitorResource) -> dg.MaterializeResult:
        return _ingest(context, monitor, source)

    return _asset


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            staged_key(source),
            group_name="ingest",
            deps=[dg.AssetKey(["inbox", source]), dg.AssetKey(["inbox", "ijw"])],
            owners=[OWNER],
            kinds={"polars", "parquet"},
            description=f"Youth care {source}: flat CSV and iJw 3.2 messages, one contract, pseudonymised.",
        )
        for source in YOUTH_CARE_SOURCES
    ],
)
def staged_youth_care(context: dg.AssetExecutionContext, monitor: MonitorResource) -> Iterator[dg.MaterializeResult]:
    """Both youth-care forms through one contract each; iJw messages are parsed once for both tables."""
    paths = monitor.paths
    pseudonymiser = monitor.pseudonymiser()
    listing = list_ijw_files(paths.inbox / IJW_FOLDER, paths.inbox)  # before reading: what may be released after
    try:  # single-key mode: files parsed in an earlier run come from the cache, identifiers as tokens
        ijw, cache_counts = ijw_tables(
            paths.inbox, monitor.config.stable_seconds, pseudonymiser, paths.warehouse / IJW_CACHE
        )
    except FileRejected as exc:
        raise dg.Failure(description=str(exc)) from None
    tables, rejected, counts = ijw.tables, ijw.rejected, ijw.counts
    delivered = (paths.inbox / IJW_FOLDER).exists() or any(_delivered(paths, s) for s in YOUTH_CARE_SOURCES)
    if not tables and not delivered:
        # No new youth-care delivery: the previous one stays, with its facts. An ijw/ folder without messages
        # is a delivery (an empty one), which the plausibility gate then stops.
        for source in YOUTH_CARE_SOURCES:
            yield _kept(context, paths, source, staged_key(source))
        return
    paths.staged.mkdir(parents=True, exist_ok=True)
    (paths.staged / IJW_LISTING).write_text(json.dumps(listing, indent=2), encoding="utf-8")
    # person-free, toewijzingnummers as pseudonyms; read by pipelines.defs.youth_care_checks
    tokens = bool(cache_counts)
    write_consistency(
        ijw.consistency, paths.staged, pseudonyms_of if tokens else partial(_toewijzing_pseudonyms, pseudonymiser)
    )
    for source in YOUTH_CARE_SOURCES:
        ingested = _ingest_into(
            monitor,
            source,
            pseudonymiser,
            ijw_table=tables.get(source),
            rejected=rejected if source == "toewijzingen" else None,
            ijw_tokens=tokens,
        )
        ingested.ijw_messages = counts if source == "toewijzingen" else {}
        ingested.ijw_cache = cache_counts if source == "toewijzingen" else {}
        ingested.ijw_ignored = ijw.ignored if source == "toewijzingen" else []
        context.log.info(
            f"{source}: {ingested.rows_read} rows read, {ingested.rows_accepted} accepted, "
            f"{ingested.rows_quarantined} quarantined, {ingested.rows_past_retention} past retention (left out); "
            f"iJw messages {counts}"
        )
        yield dg.MaterializeResult(asset_key=staged_key(source), metadata=_summarise(ingested, paths))  # type: ignore[arg-type]


def _make_quality_check(source: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=staged_key(source),
        name="quarantine_share",
        blocking=True,
        description=(
            "Rows read = accepted + quarantined + past retention, and the quarantined share stays under the "
            "configured maximum."
        ),
    )
    def _check(monitor: MonitorResource) -> dg.AssetCheckResult:
        summary = json.loads((monitor.paths.staged / f"{source}.summary.json").read_text(encoding="utf-8"))
        read, accepted, quarantined, past = (
            summary["rows_read"],
            summary["rows_accepted"],
            summary["rows_quarantined"],
            summary.get("rows_past_retention", 0),
        )
        share = quarantined / read if read else 0.0
        limit = monitor.config.max_quarantine_share
        return dg.AssetCheckResult(
            passed=read == accepted + quarantined + past and share <= limit,
            metadata={
                "rows_read": read,
                "rows_accepted": accepted,
                "rows_quarantined": quarantined,
                "rows_past_retention": past,
                "quarantined_share": round(share, 5),
                "max_share": limit,
                "quarantine_by_rule": dg.MetadataValue.json(summary["quarantine_by_rule"]),
            },
            description=f"{quarantined} of {read} rows quarantined ({share:.2%}; limit {limit:.0%}).",
        )

    return _check


def _make_expectations_check(source: str) -> dg.AssetChecksDefinition:
    contract = load_contract(source)

    @dg.asset_check(
        asset=staged_key(source),
        name="contract_expectations",
        blocking=True,
        description=(
            f"Great Expectations suite generated from contract {contract.id} v{contract.version}, run on the "
            "accepted rows: only contract columns stored, pseudonymous person keys, codes, patterns, ranges, dates."
        ),
    )
    def _check(monitor: MonitorResource) -> dg.AssetCheckResult:
        started = time.perf_counter()
        from pipelines.ingest.expectations import run_suite  # Great Expectations takes seconds to import

        result = run_suite(contract, monitor.paths.staged / f"{source}.parquet")
        seconds = round(time.perf_counter() - started, 3)
        report = [o.as_dict() for o in result.outcomes]
        monitor.paths.validation.mkdir(parents=True, exist_ok=True)
        (monitor.paths.validation / f"{source}.json").write_text(
            json.dumps(
                {
                    "source": source,
                    "rows": result.rows,
                    "success": result.success,
                    "seconds": seconds,
                    "expectations": report,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
        failed = "; ".join(f"{o.column} {o.rule}: {o.unexpected or 'failed'}" for o in result.failed)
        return dg.AssetCheckResult(
            passed=result.success,
            metadata={
                "rows_validated": result.rows,
                "expectations": len(result.outcomes),
                "expectations_failed": len(result.failed),
                "seconds": seconds,
                "results": dg.MetadataValue.json(report),
            },
            description=(
                f"{len(result.outcomes)} expectations on {result.rows} rows: "
                + (f"{len(result.failed)} failed ({failed})." if failed else "all met.")
            ),
        )

    return _check


inbox_specs = [
    dg.AssetSpec(
        dg.AssetKey(["inbox", source]),
        group_name="inbox",
        description=f"Export '{load_contract(source).file.name}' as delivered by {load_contract(source).owner}.",
        owners=[OWNER],
        kinds={"csv"},
    )
    for source in ALL_SOURCES
] + [
    dg.AssetSpec(
        dg.AssetKey(["inbox", "ijw"]),
        group_name="inbox",
        description="Folder ijw/ of iJw 3.2 XML messages (JW315, JW301, JW305, JW307, JW319, JW323).",
        owners=[OWNER],
        kinds={"xml"},
    )
]

source_assets = [_make_source_asset(s) for s in (*REFERENCE_SOURCES, *PERSON_SOURCES)]
quality_checks = [_make_quality_check(s) for s in ALL_SOURCES] + [_make_expectations_check(s) for s in ALL_SOURCES]


@dg.asset(
    key=dg.AssetKey(["inbox", "released"]),
    group_name="ingest",
    deps=[staged_key(source) for source in (*ALL_SOURCES, KERNCIJFERS)],
    owners=[OWNER],
    kinds={"json"},
    description=(
        "Nothing raw stays: once every source is staged and its blocking checks passed, the raw exports read are "
        "deleted from the inbox (or moved to the holder's folder, --raw-to), with a receipt in receipts/ "
        "(file, size, sha256, row counts). A failed ingest leaves the inbox as it was."
    ),
)
def released_inbox(context: dg.AssetExecutionContext, monitor: MonitorResource) -> dg.MaterializeResult:
    paths, move_to = monitor.paths, monitor.raw_destination
    toewijzingen = paths.staged / "toewijzingen.summary.json"
    messages = (
        json.loads(toewijzingen.read_text(encoding="utf-8")).get("ijw_messages", {}) if toewijzingen.is_file() else {}
    )
    released = release(paths.inbox, ingested_files(paths.staged, (*ALL_SOURCES, KERNCIJFERS)), move_to)
    receipt = write_receipt(paths.receipts, context.run_id, released, move_to, messages)
    removed = sum(r.action in ("verwijderd", "verplaatst") for r in released)
    context.log.info(
        f"{removed} raw export file(s) {'moved' if move_to else 'removed'} from the inbox; receipt {receipt.name}"
    )
    return dg.MaterializeResult(
        metadata={
            "files_released": removed,
            "files_kept": len(released) - removed,
            "raw_exports": "moved to the holder's folder" if move_to else "removed",
            "receipt": str(receipt.relative_to(paths.out)),
        }
    )
