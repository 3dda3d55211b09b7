"""iJw files parsed once: the tokenised parse of every file kept between runs, sealed, reused by content hash.

Why: each month's youth-care delivery holds every iJw message so far (a later message changes an earlier
toewijzing, so the history is needed), and parsing plus XSD validation is most of the time ingest takes. What a
file holds depends on its bytes alone (`pseudonymisation.ijw.FileParse`); the update order across files is
decided afterwards (`pseudonymisation.ijw.combine`). So a run parses only the files whose sha256 it has not
seen, takes the others from this cache, and applies all messages in the one update order: the rows, the
rejections, the counts and the checks are those of a full run by construction (tests/test_incremental_ijw.py
publishes both and compares every table).

What is kept (`warehouse/ijw_cache.parquet`, sealed with the warehouse data key like the staged files): per
file, by the sha256 of its bytes, its messages in discovery order with their header key (Dagtekening,
Identificatie), type and records, or the rejection reason; its members refused or ignored with their reasons;
names relative to the file, so a renamed file is still recognised. Records hold their identifiers as tokens
(`pseudonymisation/ijw_tokens.py`: a pseudonym, or for an invalid value the rules it broke, its masked value
and a keyed hash), never a raw value: no BSN, toewijzingnummer or ReferentieAanbieder is kept. The file is
rewritten by every run that reads iJw messages with the files of that delivery only, so a file no longer
delivered leaves the cache, and its rows the staged tables.

When it is not used: the cache holds a `version`, a SHA-256 over the code that parses and tokenises (the
modules below), the vendored XSDs, the two youth-care contracts and the hashing configuration, the
pseudonymisation key's fingerprint and domain, and the message size cap; an entry of another version (changed
code or contract, another key: a key rotation), a changed file (another sha256) or a cache the warehouse key
cannot open is parsed again. A two-step rotation builds a new warehouse without it.

Retention: an entry that names a toewijzing whose row is past retention (its `einddatum` before the cutoff of
`toewijzingen`), or a declaration line past it (`periode_einde`, `declaraties`), is not kept: ingest does not
write it, and the purge (`retention_purge`, `purge_cache`) removes the entries whose toewijzing or line aged
past it since. Such a file is parsed again in each run that still delivers it, and its rows left out again.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl

import pseudonymisation.bsn
import pseudonymisation.contract
import pseudonymisation.ijw
import pseudonymisation.ijw_files
import pseudonymisation.ijw_tokens
import pseudonymisation.ijw_xml
import pseudonymisation.pseudonymiser
import pseudonymisation.staging
import pseudonymisation.validate
from pipelines.lib.sealing import WarehouseKeyError, read_sealed, write_sealed
from pseudonymisation.contract import load_contract
from pseudonymisation.ijw import DEFAULT_MAX_MESSAGE_BYTES, FileParse, IjwRejection, IjwResult, ParsedEntry, combine
from pseudonymisation.ijw import parse_files as parse_ijw_files
from pseudonymisation.ijw_files import Ignored
from pseudonymisation.ijw_tokens import Tokeniser
from pseudonymisation.ijw_xml import (
    Allocation,
    CareEvent,
    Claim,
    HeaderKey,
    ParsedMessage,
    Record,
    Request,
    identificatie_key,
)
from pseudonymisation.package_data import CONTRACTS_DIR, HASHING_CONFIG, IJW_XSD_DIR
from pseudonymisation.pseudonymiser import Pseudonymiser
from pseudonymisation.receipts import sha256_file

IJW_CACHE = "ijw_cache.parquet"
YOUTH_CARE = ("toewijzingen", "declaraties")
#: What a cached parse depends on besides the file's bytes and the key.
_CODE: tuple[ModuleType, ...] = (
    pseudonymisation.bsn,
    pseudonymisation.contract,
    pseudonymisation.ijw,
    pseudonymisation.ijw_files,
    pseudonymisation.ijw_tokens,
    pseudonymisation.ijw_xml,
    pseudonymisation.pseudonymiser,
    pseudonymisation.staging,
    pseudonymisation.validate,
    sys.modules[__name__],
)
_RECORD_TAGS: dict[type, str] = {Allocation: "A", CareEvent: "E", Request: "R", Claim: "C"}
_RECORD_TYPES = {tag: kind for kind, tag in _RECORD_TAGS.items()}
_SCHEMA: dict[str, Any] = {
    "version": pl.String,
    "sha256": pl.String,
    "item": pl.Int64,
    "kind": pl.String,  # message, rejected, problem, ignored
    "source_file": pl.String,  # relative to the file: "" for the file itself, ":<member>" in an archive
    "dagtekening": pl.String,
    "identificatie": pl.String,
    "message_type": pl.String,
    "reason": pl.String,
    "records": pl.String,  # JSON: [[tag, field, ...], ...] with identifiers as tokens
}


def cache_version(pseudonymiser: Pseudonymiser, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> str:
    """What a cached parse is valid for (module docstring): code, schemas, contracts, key and cap."""
    digest = hashlib.sha256()
    files = [Path(str(m.__file__)) for m in _CODE]
    files += sorted(IJW_XSD_DIR.glob("*.xsd")) + [CONTRACTS_DIR / f"{s}.yaml" for s in YOUTH_CARE] + [HASHING_CONFIG]
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    p = pseudonymiser
    digest.update(f"{p.config.domain_label}|{p.step}|{p.key.fingerprint}|{max_message_bytes}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class IjwReading:
    """The combined result of every file, and how many files and messages were parsed or taken from the cache."""

    result: IjwResult
    counts: dict[str, int]


def read_ijw_files(files: list[tuple[Path, str]], pseudonymiser: Pseudonymiser, cache: Path, today: date) -> IjwReading:
    """Every message of `files` (path, name shown; in walk order), parsing only files not in the cache."""
    version = cache_version(pseudonymiser)
    hashes = [sha256_file(path) for path, _ in files]
    kept = load_cache(cache, version)
    new: dict[str, tuple[Path, str]] = {}
    for (path, shown), sha in zip(files, hashes, strict=True):
        if sha not in kept:
            new.setdefault(sha, (path, shown))
    tokeniser = Tokeniser([load_contract(s) for s in YOUTH_CARE], pseudonymiser)
    parsed = tokeniser.files(parse_ijw_files(list(new.values())))
    for (sha, (_, shown)), parse in zip(new.items(), parsed, strict=True):
        kept[sha] = _relative(parse, shown)
    parses = [_shown(kept[sha], shown) for (_, shown), sha in zip(files, hashes, strict=True)]
    result = combine(parses, order=str)
    # a file that changed while it was parsed is not kept under the hash of its earlier bytes (the caller reads
    # the folder again once it holds still)
    changed = {sha for sha, (path, _) in new.items() if sha256_file(path) != sha}
    current = {sha: kept[sha] for sha in dict.fromkeys(hashes) if sha not in changed}
    past = _past_toewijzingen(result, _cutoff("toewijzingen", today))
    aged = aged_files(current, past, _cutoff("declaraties", today))
    save_cache(cache, version, {sha: parse for sha, parse in current.items() if sha not in aged})
    messages_new = sum(len(p.messages) for p in parsed)
    counts = {
        "files": len(files),
        "files_parsed": sum(1 for sha in hashes if sha in new),
        "files_from_cache": sum(1 for sha in hashes if sha not in new),
        "messages_parsed": messages_new,
        "messages_from_cache": sum(len(p.messages) for p in parses) - messages_new,
        "files_not_kept_past_retention": len(aged),
    }
    return IjwReading(result, counts)


def _cutoff(source: str, today: date) -> date | None:
    from pseudonymisation.retention import retention_cutoff

    return retention_cutoff(load_contract(source), today)


def _past_toewijzingen(result: IjwResult, cutoff: date | None) -> set[str]:
    """Toewijzingnummer tokens of the final rows ingest leaves out as past retention (ISO dates compare as text)."""
    if cutoff is None:
        return set()
    limit = cutoff.isoformat()
    return {
        str(row["toewijzingnummer"])
        for row in result.toewijzingen
        if row["einddatum"] is not None and str(row["einddatum"]) < limit
    }


def aged_files(parses: dict[str, FileParse], toewijzingen: set[str], claims_cutoff: date | None) -> set[str]:
    """The files (sha256) with a JW301/JW305/JW307 record of one of `toewijzingen` or a declaration line ending
    before the cutoff (a line's retention counts from its own period, not from its toewijzing's end)."""
    limit = claims_cutoff.isoformat() if claims_cutoff is not None else ""
    aged = set()
    for sha, parse in parses.items():
        for record in _records(parse.messages):
            if isinstance(record, Claim):
                if record.periode_einde < limit:
                    aged.add(sha)
                    break
            elif isinstance(record, Allocation | CareEvent) and record.toewijzingnummer in toewijzingen:
                aged.add(sha)
                break
    return aged


def _records(messages: Iterable[ParsedEntry]) -> Iterable[Record]:
    for entry in messages:
        if not isinstance(entry.parsed, IjwRejection):
            yield from entry.parsed.records


def purge_cache(cache: Path, staged: Path, cutoffs: dict[str, date]) -> int:
    """Remove the entries that aged past retention since they were kept (module docstring); how many files.

    Run before the staged rows are purged: a toewijzing past retention is found by its staged row."""
    if not cache.is_file():
        return 0
    toewijzingen: set[str] = set()
    table = staged / "toewijzingen.parquet"
    if "toewijzingen" in cutoffs and table.is_file():
        rows = read_sealed(table).filter(pl.col("einddatum") < cutoffs["toewijzingen"])
        toewijzingen = set(rows.get_column("toewijzingnummer").drop_nulls().to_list())
    frame = read_sealed(cache)
    parses = _parses(frame)
    aged = aged_files(parses, toewijzingen, cutoffs.get("declaraties"))
    if aged:
        write_sealed(frame.filter(~pl.col("sha256").is_in(sorted(aged))), cache)
    return len(aged)


# ------------------------------------------------------------------------------------------------ storage
def load_cache(cache: Path, version: str) -> dict[str, FileParse]:
    """The kept parses of `version` by sha256 (names relative to their file); empty when there are none."""
    if not cache.is_file():
        return {}
    try:
        frame = read_sealed(cache)
    except (OSError, ValueError, WarehouseKeyError):  # another warehouse key, or damaged: parse again
        return {}
    return _parses(frame.filter(pl.col("version") == version))


def _parses(frame: pl.DataFrame) -> dict[str, FileParse]:
    parses: dict[str, FileParse] = {}
    columns = ("sha256", "kind", "source_file", "dagtekening", "identificatie", "message_type", "reason", "records")
    for sha, kind, name, day, ident, message_type, reason, records in (
        frame.sort("sha256", "item").select(columns).iter_rows()
    ):
        parse = parses.setdefault(sha, FileParse())
        if kind == "ignored":
            parse.ignored.append(Ignored(name, reason))
        elif kind == "problem":
            parse.problems.append(IjwRejection(name, None, reason))
        else:
            key = HeaderKey(day, identificatie_key(ident))
            parsed: ParsedMessage | IjwRejection
            if kind == "rejected":
                parsed = IjwRejection(name, message_type, reason)
            else:
                parsed = ParsedMessage(message_type, [_RECORD_TYPES[r[0]](*r[1:]) for r in json.loads(records)])
            parse.messages.append(ParsedEntry(name, key, parsed))
    return parses


def save_cache(cache: Path, version: str, parses: dict[str, FileParse]) -> None:
    """Write the cache afresh with exactly these parses (sealed, written beside and renamed over it)."""
    rows: list[dict[str, object]] = []
    for sha, parse in parses.items():
        items: list[dict[str, object]] = []
        for entry in parse.messages:
            row: dict[str, object] = {
                "source_file": entry.source_file,
                "dagtekening": entry.key.dagtekening,
                "identificatie": entry.key.identificatie[2],
            }
            if isinstance(entry.parsed, IjwRejection):
                row |= {"kind": "rejected", "message_type": entry.parsed.message_type, "reason": entry.parsed.reason}
            else:
                records = entry.parsed.records
                row |= {
                    "kind": "message",
                    "message_type": entry.parsed.message_type,
                    "records": json.dumps([[_RECORD_TAGS[type(r)], *r] for r in records], separators=(",", ":")),
                }
            items.append(row)
        items += [{"kind": "problem", "source_file": p.source_file, "reason": p.reason} for p in parse.problems]
        items += [{"kind": "ignored", "source_file": i.source_file, "reason": i.reason} for i in parse.ignored]
        rows += [{"version": version, "sha256": sha, "item": n, **item} for n, item in enumerate(items)]
    cache.parent.mkdir(parents=True, exist_ok=True)
    write_sealed(pl.DataFrame(rows, schema=_SCHEMA), cache)


def _relative(parse: FileParse, shown: str) -> FileParse:
    """Names relative to the file (its members keep `:<member>`), so that the parse is one of its bytes."""
    return _renamed(parse, lambda name: name[len(shown) :])


def _shown(parse: FileParse, shown: str) -> FileParse:
    """A kept parse under the name the file has in this delivery."""
    return _renamed(parse, lambda name: shown + name)


def _renamed(parse: FileParse, rename: Callable[[str], str]) -> FileParse:
    messages = []
    for e in parse.messages:
        name = rename(e.source_file)
        parsed = e.parsed
        if isinstance(parsed, IjwRejection):
            parsed = IjwRejection(name, parsed.message_type, parsed.reason)
        messages.append(ParsedEntry(name, e.key, parsed))
    return FileParse(
        messages,
        [IjwRejection(rename(p.source_file), p.message_type, p.reason) for p in parse.problems],
        [Ignored(rename(i.source_file), i.reason) for i in parse.ignored],
    )
