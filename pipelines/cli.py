"""`monitor`: the one command-line entry point.

    monitor run --inbox DIR --out DIR [--raw-to D]  run every stage and publish under DIR/publish; raw exports
                                                    leave the inbox after ingest (deleted, or moved to D)
    monitor ui [--inbox DIR --out DIR]              the Dagster UI on the same definitions
    monitor key new --out FILE                      create a pseudonymisation key file (mode 600)
    monitor key new --warehouse --out FILE          create the warehouse data key file (mode 600)
    monitor key export-pseudonyms --to FILE         the warehouse's pseudonyms, for the TTP's `rekey`
    monitor key rotate --translation F --new-ttp-fingerprint FP   apply the TTP's translation, retire the old
    monitor contracts check [FILE ...] [--source S] validate the contracts; dry-run files against them
    monitor contracts docs [--out DIR]              write the data dictionary (Markdown and HTML)
    monitor contracts legal [--out DIR]             write the DPIA and the record of processing (docs/)
    monitor contracts schema [--out FILE]           write the contracts' JSON Schema (contracts/contract.schema.json)
    monitor audit [--out DIR] [--report DIR]        privacy audit: scan, retention, key, run history

The synthetic exports and the demo are development tools (`make data`, `make demo`: `dev/demo.py`), not part of
the installed command.

Errors are one sentence plus where to look, never a traceback: tracebacks go to a log file the message names
(`MONITOR_DEBUG=1` prints them too).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipelines.lib.owner_only import restrict_umask
from pipelines.lib.settings import PROJECT_ROOT
from pseudonymisation.config import load_hashing_config
from pseudonymisation.key import KeyError_, load_key, new_key_file


def _fail(message: str, where: str | None = None) -> int:
    """The one way a command fails: `monitor: <cause, one sentence>`, then where to look."""
    print(f"monitor: {message}", file=sys.stderr)
    if where:
        print(f"         Look at: {where}", file=sys.stderr)
    return 2


@contextmanager
def environment(**changes: str | None) -> Iterator[None]:
    """Variables set (or, with None, removed) for one command, as they were afterwards."""
    saved = {name: os.environ.get(name) for name in changes}
    try:
        for name, value in changes.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _config_path(name: str | None) -> Path:
    """`--config FILE`, else MONITOR_CONFIG, else the repository's monitor.toml."""
    from pipelines.lib.settings import configured_path

    return (Path(name) if name else configured_path()).resolve()


def _check_key(config_path: Path | None = None) -> int | None:
    """Before a run: the pseudonymisation mode's keys (none in the two-step mode) and the warehouse data key."""
    from pipelines.lib.settings import ConfigError, MonitorConfig

    try:
        config = MonitorConfig.load(config_path or _config_path(None))
    except ConfigError as exc:
        return _fail(str(exc), "monitor.toml, section [pseudonymisation]")
    hashing = load_hashing_config()
    settings = config.pseudonymisation
    if settings.keyless:
        present = [
            v for v in (hashing.key.environment_variable, hashing.key.file_environment_variable) if v in os.environ
        ]
        if present:
            return _fail(
                f"{', '.join(present)} is set, but in the two-step mode the analyst holds no pseudonymisation key; "
                "unset it (the key belongs to the trusted third party).",
                "docs/pseudonymisation.md",
            )
        print(
            "Two-step pseudonymisation: this run holds no key; receipts must carry source key "
            f"{settings.source_key_fingerprint} and TTP key {settings.ttp_key_fingerprint}",
            file=sys.stderr,
        )
        return _check_warehouse_key()
    try:
        key = load_key(hashing.for_gemeente(config.gemeente_code))
    except KeyError_ as exc:
        return _fail(str(exc), "README.md, section 'The pseudonymisation key'")
    print(f"Single-key mode (tests and trials only): key {key.key_id}, fingerprint {key.fingerprint}", file=sys.stderr)
    return _check_warehouse_key()


def _check_warehouse_key() -> int | None:
    """The warehouse data key must be there before a run starts: the warehouse is sealed with it."""
    from pipelines.lib.sealing import WarehouseKeyError, load_warehouse_key  # pyarrow and DuckDB: ≈ 2 s to import

    try:
        key = load_warehouse_key()
    except WarehouseKeyError as exc:
        return _fail(str(exc), "README.md, section 'Sealed at rest'")
    print(f"Warehouse data key, fingerprint {key.fingerprint}", file=sys.stderr)
    return None


UNCHECKED = "unchecked"


def _run_failed(errors: list[str], kept: str, where: str, out: Path, before: str | None = UNCHECKED) -> int:
    """A failed run: its causes first, then what became of the previous `kept`, then where to look.

    `before` is what the publication showed before the run (`publication_state`); "unchanged" is only said
    when it still shows exactly that. The quarantine folder is named only when a quarantine check failed."""
    from pipelines.publish.publication import publication_state

    print(file=sys.stderr)
    for sentence in errors[:5]:
        print(f"monitor: {sentence}", file=sys.stderr)
    if len(errors) > 5:
        print(f"monitor: … and {len(errors) - 5} more.", file=sys.stderr)
    quarantine = out.resolve() / "warehouse" / "quarantine"
    if any("quarantined" in e for e in errors) and any(quarantine.glob("*.parquet")):
        where = f"{where}, or the quarantined rows in {quarantine}"
    if before == UNCHECKED:
        return _fail(f"the run failed; check {kept} before using it.", where)
    now = publication_state(out.resolve() / "publish")
    if before is None and now is None:
        return _fail("the run failed; nothing was published (there was no previous publication).", where)
    if now == before:
        return _fail(f"the run failed; the previous {kept} is unchanged (checked).", where)
    return _fail(f"the run failed, and the {kept} is not the one from before the run; check it.", where)


def cmd_run(args: argparse.Namespace) -> int:
    inbox, out = Path(args.inbox), Path(args.out)
    if not inbox.is_dir():
        return _fail(f"the inbox {inbox} does not exist or is not a folder.", "make data writes a synthetic one")
    config = _config_path(args.config)
    if not args.partitioned and (last := _unchanged(inbox, out, config)) is not None:  # before keys: none is used
        print(
            f"Nothing to do: no new delivery in {inbox.resolve()}, and code, configuration and staged data are those "
            f"of the run of {last['finished']} (run {last['run_id']}); its publication stays as it is.",
            file=sys.stderr,
        )
        return 0
    refused = _check_key(config)
    if refused is not None:
        return refused
    from pipelines.lib.lock import OutputBusy, lock_path  # the pipeline: seconds to import, so only now
    from pipelines.publish.publication import publication_state
    from pipelines.runner import run_monitor

    if not any(p.is_file() for p in inbox.rglob("*")):
        return _fail(
            f"the inbox {inbox.resolve()} is empty; expected the exports of spec §1 (inschrijvingen.csv, …).",
            "contracts/README.md (one contract per export), or make data for synthetic exports",
        )
    raw_to = Path(args.raw_to) if args.raw_to else None
    if args.partitioned:
        with environment(MONITOR_CONFIG=str(config)):  # read by the worker processes it starts
            return _run_partitioned(inbox, out, args.workers, raw_to)
    print(f"Running the monitor on {inbox.resolve()} …", file=sys.stderr)
    before = publication_state(out.resolve() / "publish")
    try:
        outcome = run_monitor(inbox, out, raw_to=raw_to, config=config)
    except OutputBusy as busy:
        return _fail(str(busy), str(lock_path(out)))
    if not outcome.success:
        log = f"{outcome.log} (tracebacks)" if outcome.log else f"the Dagster UI (make ui) run {outcome.run_id}"
        return _run_failed(outcome.errors, "publication", log, out, before)
    publish = out.resolve() / "publish"
    waiting = _waiting_line(publish)
    if waiting:
        print(f"\nDone in {outcome.seconds:.1f} s ({outcome.steps} assets). {waiting}")
        return 0
    print(f"\nDone in {outcome.seconds:.1f} s ({outcome.steps} assets). Outputs:")
    print(f"  published indicators  {publish / 'indicatoren.parquet'}")
    print(f"  dashboard             {publish / 'dashboard' / 'index.html'}")
    print(f"  charts                {publish / 'charts'}")
    print(f"  run manifest          {publish / 'manifest.json'}")
    print(f"  warehouse (private)   {out.resolve() / 'warehouse'}")
    print(f"  run history           {out.resolve() / 'dagster'}")
    return 0


def _unchanged(inbox: Path, out: Path, config: Path) -> dict[str, object] | None:
    """The last run's manifest when nothing changed since (pipelines/lib/run_inputs.py), checked before the
    pipeline is imported; None when something did, or while another run holds the folder."""
    from pipelines.lib.lock import is_locked
    from pipelines.lib.run_inputs import unchanged_since

    return None if is_locked(out.resolve()) else unchanged_since(inbox, out, config)


def _waiting_line(publish: Path) -> str:
    """With the four-eyes release on: which version waits, and the command a second person runs."""
    from pipelines.publish.release import waiting_versions

    waiting = waiting_versions(publish)
    if not waiting:
        return ""
    newest = waiting[-1]
    return (
        f"The new publication waits for release by a second person (prepared by {newest.prepared_by}):\n"
        f"  read                  {newest.manifest}\n"
        f"  dashboard             {newest.version / 'dashboard' / 'index.html'}\n"
        f"  then                  monitor release --out {publish.parent} --by NAME"
    )


def cmd_release(args: argparse.Namespace) -> int:
    from pipelines.lib.lock import output_lock
    from pipelines.publish.release import ReleaseRefused, release

    out = Path(args.out).resolve()
    if args.by is None:
        line = _waiting_line(out / "publish")
        print(line or "No publication is waiting for release.")
        return 0
    with output_lock(out, "monitor release"):  # no run may build or switch while a version is released
        try:
            record = release(out / "publish", out, args.by)
        except ReleaseRefused as refused:
            return _fail(f"release refused: {refused} The publication shown is unchanged.")
    print(
        f"Released {record['version']} (prepared by {record['prepared_by']}, released by {record['released_by']}): "
        f"{out / 'publish'}"
    )
    return 0


def _run_partitioned(inbox: Path, out: Path, workers: int, raw_to: Path | None) -> int:
    from pipelines.runner import run_partitioned

    print(f"Running the monitor per gemeente and school year on {inbox.resolve()} …", file=sys.stderr)
    outcome = run_partitioned(inbox, out, workers, raw_to=raw_to)
    if not outcome.success:
        return _run_failed(outcome.errors, "regional publication", "the Dagster UI (make ui)", out)
    region = out.resolve() / "regio"
    print(f"\nDone in {outcome.seconds:.1f} s ({len(outcome.partitions)} partitions). Outputs per gemeente:")
    for folder in sorted(p for p in region.iterdir() if p.is_dir()):
        print(f"  {folder.name}  {folder / 'indicatoren.parquet'}, {folder / 'dashboard' / 'index.html'}")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    refused = _check_key()
    if refused is not None:
        return refused
    from pipelines.runner import prepare_instance

    out = Path(args.out).resolve()
    prepare_instance(out / "dagster")
    env = dict(
        os.environ,
        MONITOR_INBOX=str(Path(args.inbox).resolve()),
        MONITOR_OUT=str(out),
        DAGSTER_HOME=str(out / "dagster"),
    )
    dagster = Path(sys.executable).with_name("dagster")
    command = [str(dagster), "dev", "-m", "pipelines.definitions", "-h", "127.0.0.1", "-p", str(args.port)]
    os.chdir(PROJECT_ROOT)
    os.execve(command[0], command, env)
    return 0  # pragma: no cover - execve does not return


def cmd_key_new(args: argparse.Namespace) -> int:
    if args.warehouse:
        from pipelines.lib.sealing import KEY_FILE_VARIABLE, WarehouseKeyError, new_warehouse_key_file

        try:
            new_warehouse_key_file(Path(args.out))
        except WarehouseKeyError as exc:
            return _fail(str(exc))
        print(f"New warehouse data key written to {args.out}; set {KEY_FILE_VARIABLE}={args.out}")
        return 0
    try:
        new_key_file(Path(args.out))
    except KeyError_ as exc:
        return _fail(str(exc))
    print(f"New key written to {args.out}; set MONITOR_KEY_FILE={args.out}")
    return 0


def cmd_contracts_check(args: argparse.Namespace) -> int:
    """Validate every contract and the hashing configuration; then, per file, how it would be ingested."""
    from pipelines.ingest.data_dictionary import rule_count
    from pipelines.legal.processing import load_processing
    from pseudonymisation.contract import ContractError, load_all_contracts
    from pseudonymisation.dry_run import contract_for, dry_run
    from pseudonymisation.read_csv import FileRejected

    directory = Path(args.dir)
    try:
        contracts = load_all_contracts(directory)
        hashing = load_hashing_config(directory / "pseudonymisation.yaml")
        processing = load_processing(directory / "processing.yaml")
    except ContractError as exc:
        return _fail(str(exc), "contracts/README.md")
    except (OSError, ValueError) as exc:
        return _fail(f"{type(exc).__name__}: {str(exc).splitlines()[0]}", str(directory))
    print(f"Contracts in {directory}: all {len(contracts)} valid; hashing {hashing.algorithm}, key id {hashing.key.id}")
    print(f"  processing.yaml v{processing.version}: {len(processing.parties)} parties, {len(processing.risks)} risks")
    for contract in contracts.values():
        identifiers = [f.name for f in contract.properties if f.privacy != "attribute"]
        print(
            f"  {contract.id:<15} v{contract.version}  {len(contract.properties):>2} fields  "
            f"{rule_count(contract):>2} rules  identifying: {', '.join(identifiers) or '-'}"
        )
    status = 0
    for name in args.files:
        path = Path(name)
        matched = contract_for(path, args.source)
        if matched is None:
            known = ", ".join(c.file.name for c in contracts.values())
            status = _fail(f"{path.name}: no contract for this file name; expected one of {known} (or --source).")
            continue
        try:
            result = dry_run(path, matched)
        except FileRejected as exc:
            status = _fail(f"would be rejected: {exc}")
            continue
        print(f"\n{path} → contract {matched.id} v{matched.version} (dry run: nothing written, no key used)")
        print(f"  encoding {result.encoding}, delimiter {result.delimiter!r}")
        print("  columns  " + ", ".join(f"{h} → {f}" for h, f in result.mapping.items()))
        print(f"  dropped  {', '.join(result.dropped) or 'none'}")
        print(
            f"  rows     {result.rows_read} read, {result.rows_accepted} would be accepted, "
            f"{result.rows_quarantined} quarantined"
        )
        for rule, count in result.by_rule.most_common():
            print(f"    {rule}: {count}  (e.g. {'; '.join(result.examples[rule])})")
    return status


def cmd_contracts_docs(args: argparse.Namespace) -> int:
    from pipelines.ingest.data_dictionary import write_data_dictionary

    written = write_data_dictionary(Path(args.out))
    print(f"Data dictionary: {len(written)} files in {Path(args.out).resolve()} (open index.html)")
    return 0


def cmd_contracts_legal(args: argparse.Namespace) -> int:
    from pipelines.legal.documents import write_legal_documents
    from pseudonymisation.contract import ContractError

    try:
        written = write_legal_documents(Path(args.out))
    except ContractError as exc:
        return _fail(str(exc), "contracts/processing.yaml and docs/dpia-measurements.json")
    print(f"Legal documents: {', '.join(p.name for p in written)} in {Path(args.out).resolve()}")
    return 0


def cmd_contracts_schema(args: argparse.Namespace) -> int:
    """Write the JSON Schema of the contract format, generated from the pydantic model."""
    from pseudonymisation.contract import json_schema_text

    out = Path(args.out)
    out.write_text(json_schema_text(), encoding="utf-8")
    print(f"Contract schema written to {out.resolve()}")
    return 0


def cmd_key_export(args: argparse.Namespace) -> int:
    from pipelines.key_rotation import RotationRefused, export_pseudonyms

    try:
        count = export_pseudonyms(Path(args.out), Path(args.to))
    except RotationRefused as exc:
        return _fail(str(exc))
    print(f"{count} pseudonyms (no other value) in {args.to}: send it to the TTP for `pseudonymise-ttp rekey`.")
    return 0


def cmd_key_rotate(args: argparse.Namespace) -> int:
    from pipelines.key_rotation import RotationRefused, rotate_key
    from pipelines.lib.settings import ConfigError

    out, config = Path(args.out), _config_path(args.config)
    try:
        rotation = rotate_key(out, Path(args.translation), args.new_ttp_fingerprint, config)
    except (RotationRefused, ConfigError) as exc:
        return _fail(str(exc), "docs/pseudonymisation.md, section 'Key rotation'")
    if not rotation.run.success:
        for sentence in rotation.run.errors[:5]:
            print(f"monitor: {sentence}", file=sys.stderr)
        return _fail("the rotation run failed; the current warehouse, publication and key stay in use.")
    print(
        f"TTP key rotated: fingerprint {rotation.old_fingerprint} → {rotation.new_fingerprint}, "
        f"{rotation.pseudonyms} pseudonyms translated without any raw export. The old warehouse is deleted; the "
        "publication was rebuilt from the translated warehouse."
    )
    print(
        f'From now on: ttp_key_fingerprint = "{rotation.new_fingerprint}" in {config}; the TTP translates new '
        f"deliveries with its old and new key in turn. Log: {out / 'key-rotations.json'}"
    )
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """Privacy audit of an output folder; exit 2 when its scan finds anything identifying (values masked), a row is
    past retention, or too many persons stand out on their stored quasi-identifiers (k-anonymity)."""
    from pipelines.audit.report import verdict
    from pipelines.audit.run import has_monitor_output, run_audit
    from pseudonymisation.retention import parse_today, processing_today

    out = Path(args.out)
    if not has_monitor_output(out):
        return _fail(
            f"{out} holds no warehouse or publication to audit; --out is the output folder of `monitor run`.",
            "monitor run --inbox DIR --out DIR",
        )
    try:
        today = parse_today(args.today) if args.today else processing_today()
    except ValueError as exc:
        return _fail(f"--today: {exc}.")
    inbox = Path(args.inbox) if args.inbox else None
    outcome = run_audit(out, Path(args.report) if args.report else None, today, inbox)
    scan = outcome.facts.scan
    print(verdict(outcome.facts))
    for finding in scan.findings[:20]:
        print(f"  {finding}", file=sys.stderr)
    for path, why in scan.unreadable:
        print(f"  {path}: onleesbaar ({why})", file=sys.stderr)
    report = outcome.written[-1]
    print(f"Rapport: {report} en {report.with_suffix('.md').name} ({outcome.seconds:.1f} s)", file=sys.stderr)
    if outcome.facts.passed:
        return 0
    return _fail(f"the audit did not pass: {'; '.join(outcome.facts.failures())}.", str(report))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="monitor", description="Jeugdhulp × onderwijs monitor")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run every stage on an inbox and publish")
    run.add_argument("--inbox", default="data/inbox")
    run.add_argument("--out", default="data")
    run.add_argument(
        "--partitioned",
        action="store_true",
        help="per gemeente (monitor.toml [region]) and school year, partitions side by side; publishes <out>/regio/",
    )
    run.add_argument("--config", help="this installation's monitor.toml (default: MONITOR_CONFIG, else the repo's)")
    run.add_argument("--workers", type=int, default=2, help="partitions run at the same time (with --partitioned)")
    run.add_argument(
        "--raw-to",
        help="after a successful ingest, move the raw exports to this folder of the data holder (default: delete them)",
    )
    run.set_defaults(func=cmd_run)
    rel = sub.add_parser(
        "release", help="four-eyes release: show the publication a run prepared (a second person; without --by: list)"
    )
    rel.add_argument("--out", default="data", help="output folder of `monitor run`")
    rel.add_argument("--by", help="your name; refused when it is the name of who prepared the publication")
    rel.set_defaults(func=cmd_release)
    ui = sub.add_parser("ui", help="start the Dagster UI on localhost")
    ui.add_argument("--inbox", default="data/inbox")
    ui.add_argument("--out", default="data")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)
    key = sub.add_parser("key", help="key management")
    key_sub = key.add_subparsers(dest="key_command", required=True)
    key_new = key_sub.add_parser("new", help="create a new random key file (mode 600)")
    key_new.add_argument("--out", required=True)
    key_new.add_argument(
        "--warehouse",
        action="store_true",
        help="the warehouse data key (encryption at rest), not a pseudonym key",
    )
    key_new.set_defaults(func=cmd_key_new)
    key_export = key_sub.add_parser("export-pseudonyms", help="list the warehouse's pseudonyms for the TTP's rekey")
    key_export.add_argument("--out", default="data", help="output folder of `monitor run`")
    key_export.add_argument("--to", required=True, help="CSV file for the TTP (id_type;person_id)")
    key_export.set_defaults(func=cmd_key_export)
    key_rotate = key_sub.add_parser("rotate", help="apply the TTP's translation to a new key; retire the old")
    key_rotate.add_argument(
        "--translation", required=True, help="the TTP's table (id_type;old_pseudonym;new_pseudonym)"
    )
    key_rotate.add_argument("--new-ttp-fingerprint", required=True, help="fingerprint `pseudonymise-ttp` printed")
    key_rotate.add_argument("--out", default="data")
    key_rotate.add_argument("--config", help="monitor.toml (default: MONITOR_CONFIG, else the repo's)")
    key_rotate.set_defaults(func=cmd_key_rotate)
    contracts = sub.add_parser("contracts", help="data contracts: check them, dry-run files, write the docs")
    contracts_sub = contracts.add_subparsers(dest="contracts_command", required=True)
    check = contracts_sub.add_parser("check", help="validate the contracts; dry-run export files against them")
    check.add_argument("files", nargs="*", help="export files to dry-run (nothing is written)")
    check.add_argument("--source", help="contract to use instead of matching the file name")
    check.add_argument("--dir", default=str(PROJECT_ROOT / "contracts"), help="contracts folder")
    check.set_defaults(func=cmd_contracts_check)
    docs = contracts_sub.add_parser("docs", help="write the data dictionary (Markdown and HTML)")
    docs.add_argument("--out", default=str(PROJECT_ROOT / "docs" / "data-dictionary"))
    docs.set_defaults(func=cmd_contracts_docs)
    legal = contracts_sub.add_parser("legal", help="write the DPIA and the record of processing (Dutch)")
    legal.add_argument("--out", default=str(PROJECT_ROOT / "docs"))
    legal.set_defaults(func=cmd_contracts_legal)
    schema = contracts_sub.add_parser("schema", help="write the contracts' JSON Schema, generated from the model")
    schema.add_argument("--out", default=str(PROJECT_ROOT / "contracts" / "contract.schema.json"))
    schema.set_defaults(func=cmd_contracts_schema)
    audit = sub.add_parser("audit", help="privacy audit of an output folder (Markdown and HTML report)")
    audit.add_argument("--out", default="data", help="output folder of `monitor run` (warehouse, publish)")
    audit.add_argument("--report", help="folder for audit.md and audit.html (default: OUT/audit)")
    audit.add_argument("--today", help="measure retention from this date (YYYY-MM-DD; default: today)")
    audit.add_argument("--inbox", help="inbox to list (nothing raw may stay after ingest; default: OUT/inbox)")
    audit.set_defaults(func=cmd_audit)
    return parser


def main(argv: list[str] | None = None) -> int:
    from pipelines.lib.lock import OutputBusy, lock_path

    restrict_umask()  # whatever the monitor writes (warehouse, run storage, reports, keys) is owner-only
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return _fail("interrupted; a run in progress is marked canceled in Dagster.")
    except OutputBusy as busy:  # key rotation and the audit wait for a run like a run does
        return _fail(str(busy), str(lock_path(Path(args.out))))
    except Exception as exc:  # one sentence, not a traceback; the traceback goes to a log file
        from pipelines.runner import cause_sentence

        log = _traceback_log(args)
        if os.environ.get("MONITOR_DEBUG"):
            raise
        return _fail(cause_sentence(f"{type(exc).__name__}: {exc}", type(exc).__name__), f"{log} (traceback)")


def _traceback_log(args: argparse.Namespace) -> Path:
    """Write the current exception's traceback to `<out>/logs/` of the command's output folder (else the
    temporary folder) and return the file; the error message names it."""
    import tempfile
    import traceback
    from datetime import UTC, datetime

    out = Path(args.out) if args.command in ("run", "audit", "key", "release") else Path(tempfile.gettempdir())
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for folder in (out / "logs", Path(tempfile.gettempdir()) / "jeugdmonitor"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            log = folder / f"monitor-{args.command}-{stamp}-{os.getpid()}.log"
            log.write_text(traceback.format_exc(), encoding="utf-8")
            return log.resolve()
        except OSError:
            continue
    return Path("(no log: nothing could be written)")


if __name__ == "__main__":
    sys.exit(main())
