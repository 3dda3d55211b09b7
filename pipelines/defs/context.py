"""The wijk context (issue 20): CBS kerncijfers in at ingest, the wijkcontext table after protection.

`staged/kerncijfers` (group ingest) reads CBS's "Kerncijfers wijken en buurten" from the inbox by its contract
(`contracts/opendata/kerncijfers.yaml`). It is public, aggregate open data and optional: without a delivery the
previous one stays, and without any the context table is empty and the dashboard says so. `wijkcontext` (group
protect, like the trends: made from protected values only) puts the published A1/A11 cells beside it with the
expected use of `pipelines.context.model`; its blocking check (`pipelines.protect.wijkcontext`) stands between it
and the publication. See docs/wijkcontext.md.
"""

import json
from collections import Counter
from typing import Any

import dagster as dg
import polars as pl

from pipelines.context.kerncijfers import Kerncijfers, load_contract, read_kerncijfers, schema
from pipelines.context.wijkcontext import VERDICTS, build_wijkcontext
from pipelines.ingest.sources import find_files
from pipelines.lib.check_results import check_result
from pipelines.lib.keys import KERNCIJFERS, OWNER, staged_key
from pipelines.lib.published_schema import of_gemeente
from pipelines.lib.resources import MonitorResource
from pipelines.lib.sealing import read_sealed, write_sealed
from pipelines.protect.indicator_table import read_indicators
from pipelines.protect.wijkcontext import check_wijkcontext
from pipelines.publish.publication import WIJKCONTEXT_FILE, WIJKCONTEXT_MODEL_FILE
from pseudonymisation.read_csv import FileRejected
from pseudonymisation.receipts import sha256_file

CONTRACT = load_contract()
QUARANTINE_SCHEMA = {"line": pl.Int64, "field": pl.String, "rule": pl.String, "value": pl.String}

kerncijfers_inbox = dg.AssetSpec(
    dg.AssetKey(["inbox", KERNCIJFERS]),
    group_name="inbox",
    description=f"'{CONTRACT.file.name}': {CONTRACT.name}, as the gemeente downloads it (optional).",
    owners=[OWNER],
    kinds={"csv"},
)


def _counts(read: Kerncijfers) -> dict[str, int]:
    """Row counts as the manifest keeps them for every source: rows read = accepted + quarantined (+ past
    retention, never here). The rows of region kinds the contract does not keep (buurten) are counted apart."""
    quarantined = len({q["line"] for q in read.quarantine})
    return {
        "rows_read": read.rows_read - read.rows_other_regions,
        "rows_accepted": read.rows_read - read.rows_other_regions - quarantined,
        "rows_quarantined": quarantined,
        "rows_past_retention": 0,
        "rows_other_regions": read.rows_other_regions,
    }


def _summary(reads: list[Kerncijfers], files: list[dict[str, Any]]) -> dict[str, Any]:
    counts = [_counts(r) for r in reads]
    keys = ("rows_read", "rows_accepted", "rows_quarantined", "rows_past_retention", "rows_other_regions")
    return {
        "source": KERNCIJFERS,
        "contract_version": CONTRACT.version,
        **{k: sum(c[k] for c in counts) for k in keys},
        "quarantine_by_rule": dict(Counter(str(q["rule"]) for r in reads for q in r.quarantine).most_common()),
        "files": files,
    }


@dg.asset(
    key=staged_key(KERNCIJFERS),
    group_name="ingest",
    deps=[kerncijfers_inbox.key],
    owners=[OWNER],
    kinds={"polars", "parquet"},
    description=f"{CONTRACT.name}: gemeente and wijk rows typed by contract v{CONTRACT.version} (measures found by "
    "their CBS names across year tables, CBS's '.' as missing, codes unpadded); unreadable rows quarantined.",
)
def staged_kerncijfers(context: dg.AssetExecutionContext, monitor: MonitorResource) -> dg.MaterializeResult:
    paths = monitor.paths
    staged, summary_file = paths.staged / f"{KERNCIJFERS}.parquet", paths.staged / f"{KERNCIJFERS}.summary.json"
    try:
        found = find_files(paths.inbox, CONTRACT.file.name)
    except FileRejected as exc:
        raise dg.Failure(description=str(exc)) from None
    paths.staged.mkdir(parents=True, exist_ok=True)
    if not found:
        if staged.is_file() and summary_file.is_file():
            context.log.info(f"{KERNCIJFERS}: no new delivery; the staged figures of the previous one stay in use")
            return dg.MaterializeResult(metadata={"delivery": "previous (none in the inbox)"})
        write_sealed(pl.DataFrame(schema=schema(CONTRACT)), staged)
        summary_file.write_text(json.dumps(_summary([], []), indent=2), encoding="utf-8")
        context.log.info(f"{CONTRACT.file.name}: not in the inbox; the wijk context stays empty")
        return dg.MaterializeResult(metadata={"delivery": "none: no wijk context", "dagster/row_count": 0})
    try:
        reads = [read_kerncijfers(path, CONTRACT) for path in found]
    except FileRejected as exc:
        raise dg.Failure(description=str(exc)) from None
    table = pl.concat([r.table for r in reads]).unique(["jaar", "code"], keep="last", maintain_order=True)
    write_sealed(table.sort("jaar", "code"), staged)
    files = [
        {
            "name": str(path.relative_to(paths.inbox)),
            "size": path.stat().st_size,
            "sha256": sha256_file(path),
            **_counts(r),
        }
        for path, r in zip(found, reads, strict=True)
    ]
    summary = _summary(reads, files)
    quarantine = [q for r in reads for q in r.quarantine]
    summary_file.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    paths.quarantine.mkdir(parents=True, exist_ok=True)
    quarantined = pl.DataFrame(quarantine, schema=QUARANTINE_SCHEMA, orient="row")
    write_sealed(quarantined, paths.quarantine / f"{KERNCIJFERS}.parquet")  # sealed like every quarantine
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": table.height,
            "rows_read": summary["rows_read"],
            "rows_other_regions": summary["rows_other_regions"],
            "rows_quarantined": summary["rows_quarantined"],
            "years": dg.MetadataValue.json(sorted(table["jaar"].unique().to_list())),
            "quarantine_by_rule": dg.MetadataValue.json(summary["quarantine_by_rule"]),
        }
    )


@dg.asset_check(
    asset=staged_kerncijfers,
    name="kerncijfers_readable",
    blocking=True,
    description="Every kept row of the CBS file read: none quarantined (public figures are not guessed at).",
)
def kerncijfers_readable(monitor: MonitorResource) -> dg.AssetCheckResult:
    summary = json.loads((monitor.paths.staged / f"{KERNCIJFERS}.summary.json").read_text(encoding="utf-8"))
    return dg.AssetCheckResult(
        passed=summary["rows_quarantined"] == 0,
        metadata={
            "rows_quarantined": summary["rows_quarantined"],
            "quarantine_by_rule": dg.MetadataValue.json(summary["quarantine_by_rule"]),
        },
    )


def _wijkcodes(monitor: MonitorResource) -> set[str]:
    return set(read_sealed(monitor.paths.staged / "wijken.parquet")["wijkcode"].to_list())


@dg.asset(
    name="wijkcontext",
    group_name="protect",
    deps=["protected_indicators", staged_key(KERNCIJFERS), staged_key("wijken")],
    owners=[OWNER],
    kinds={"polars", "statsmodels", "parquet"},
    description="Per wijk and school year: the published A1/A11 beside CBS context, the use a Poisson model across "
    "the wijken expects (fitted on published cells only) with intervals, and CBS's own youth-care percentage.",
)
def wijkcontext(monitor: MonitorResource) -> dg.MaterializeResult:
    paths = monitor.paths
    own = monitor.config.gemeente_code  # the CBS context figures are the run's own gemeente's
    protected = of_gemeente(pl.read_parquet(paths.protected / "indicatoren.parquet"), own)
    kerncijfers = read_sealed(paths.staged / f"{KERNCIJFERS}.parquet")
    result = build_wijkcontext(kerncijfers, protected, _wijkcodes(monitor), monitor.config.gemeente_code, CONTRACT)
    result.table.write_parquet(paths.protected / WIJKCONTEXT_FILE)
    result.coefficients.write_parquet(paths.protected / WIJKCONTEXT_MODEL_FILE)
    verdicts = result.table["oordeel"].value_counts().rows()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": result.table.height,
            "cbs_years_of_the_indeling": dg.MetadataValue.json(list(result.indeling_years)),
            "verdicts": dg.MetadataValue.json({v: n for v, n in sorted(verdicts, key=lambda r: VERDICTS.index(r[0]))}),
            "coefficients": dg.MetadataValue.json(result.coefficients.to_dicts()),
        }
    )


@dg.asset_check(
    asset=wijkcontext,
    name="wijkcontext_disclosure_check",
    blocking=True,
    description="The independent disclosure check on the wijkcontext table: its cells are indicatoren.parquet's "
    "(checked against the warehouse), the model saw published cells only, a suppressed wijk shows no observed value.",
)
def wijkcontext_disclosure_check(monitor: MonitorResource) -> dg.AssetCheckResult:
    paths = monitor.paths
    report = check_wijkcontext(
        pl.read_parquet(paths.protected / WIJKCONTEXT_FILE),
        pl.read_parquet(paths.protected / WIJKCONTEXT_MODEL_FILE),
        of_gemeente(pl.read_parquet(paths.protected / "indicatoren.parquet"), monitor.config.gemeente_code),
        of_gemeente(read_indicators(monitor), monitor.config.gemeente_code),
        monitor.config.disclosure,
        CONTRACT.model_variables,
    )
    return check_result(report)
