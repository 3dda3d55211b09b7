"""Youth care form A: read iJw 3.2 XML messages into the same canonical rows as the flat form B CSVs.

Spec §1: a municipality delivers youth care either as ``toewijzingen.csv`` + ``declaraties.csv`` (form B)
or as a folder of iJw messages (form A). This module turns form A into rows with *exactly* form B's columns
and text conventions (ISO dates, euro amounts with a decimal point, ``D``/``C``, COD327 verwijzer code), so
that one contract validation, pseudonymisation and load path serves both. It never writes to disk, never
logs, and never puts a BSN in an exception or rejection reason; BSNs stay raw in the returned rows because
the caller validates (eleven-test) and pseudonymises them before anything is stored.

Input
    A folder (recursively), a single ``.xml`` or a ``.zip`` (members streamed, never extracted). Other file
    types are ignored. Each message is checked (no DTD/entities, size cap), its version and type are taken
    from the root namespace ``http://www.istandaarden.nl/ijw/3_2/<jwNNN>/schema``, and it is validated
    against the vendored XSD in ``contracts/ijw/xsd-3.2``. A message that fails any check is rejected whole
    (:class:`IjwRejection`) and the run continues. Every message file ends up either counted in
    ``messages_read`` or listed in ``rejected``.

Message types
    JW301 toewijzing, JW305 start zorg, JW307 stop zorg → ``toewijzingen``; JW315 verzoek om toewijzing →
    ``verwijzer_type``; JW323 declaratie → ``declaraties`` (one row per Prestatie; the caller nets D/C).
    JW302, JW306, JW308, JW316–JW320 and JW325 (retour messages, wijzigingsverzoeken, JW319 afwijzing) are
    validated and counted but contribute no rows.

Update order (deterministic, independent of file names on disk and of the number of processes)
    A cheap first pass reads only the header of every message (``BerichtIdentificatie``: Dagtekening and
    Identificatie, first kilobytes only). Messages are then processed in the order (Dagtekening, Identificatie
    [numeric ids as numbers], source_file), and a later message about the same ToewijzingNummer updates an
    earlier one:

    * JW301: replaces bsn, product, ingangsdatum and einddatum (e.g. RedenWijziging 05 with an earlier
      einddatum). RedenWijziging 13 (*Verwijderd*: "beschouw als niet verzonden") hides the toewijzing
      until a later JW301 sends it again. JW301 has no StatusAanlevering in 3.2. A ReferentieAanbieder once
      seen is kept when a later JW301 omits it (the referral of a toewijzing does not change).
    * JW305 (StatusAanlevering 1/2/9) sets begindatum_zorg. If the toewijzing is already stopped (JW307),
      a start *after* einddatum_zorg reopens it (einddatum_zorg and reden cleared); a start on or before
      it only corrects begindatum_zorg and the stop stays. StatusAanlevering 3 removes the begindatum_zorg
      it names (if it is the current one).
    * JW307 (1/2/9) sets einddatum_zorg and reden_beeindiging (and begindatum_zorg from its Begindatum when
      no JW305 was seen); StatusAanlevering 3 removes the stop it names (if it is the current one).
    * A JW305/JW307 for a toewijzing without any JW301 still yields a row (from its own bsn, product and
      ToewijzingIngangsdatum): the care happened, and the caller's contract check decides whether the row
      is complete enough. JW301 fields always take precedence once a JW301 is seen. Start/stop products
      without a ToewijzingNummer cannot be linked and are counted in ``unlinked_products``.

JW315 ↔ JW301 matching
    The provider's ``ReferentieAanbieder`` is the only key both messages carry for the same product request
    (the gemeente echoes it in the JW301 ToegewezenProduct). References are unique per provider only, so the
    key is (provider AGB, ReferentieAanbieder): JW315 Header/Afzender = JW301 Header/Ontvanger. When several
    JW315 carry the same key the last in the update order wins; a toewijzing without a (matching) reference
    gets ``verwijzer_type`` None (= onbekend). The lookup is done after all messages, so a JW315 that sorts
    after its JW301 still matches.

Consistency facts (person-free, beside the canonical rows)
    The canonical declaration row has form B's columns only. What the consistency checks of
    ``pseudonymisation.ijw_consistency`` need is handed out next to it, without BSN: one
    :class:`DeclarationLine` per Prestatie (declared product, period, volume, eenheid, tarief, bedrag, the
    message's header total, source file and line) and, at the end, one :class:`AllocatedProduct` per final JW301
    toewijzing and one :class:`AllocationDates` per toewijzing (its ingangsdatum, where it came from, and the
    other dates its JW305/JW307 named). A person appears there only as a number within the delivery (1 = the
    first BSN seen), so "one toewijzing, two persons" can be counted without a BSN.

Dropped at parse time
    Everything except the columns below and the consistency facts: names, birth date, gender, addresses,
    phone, e-mail, relations, communication, juridische status, comments, referrer name and referrer
    AGB/zorgverlener code, declaration numbers. Only compact records of the needed fields leave the XML
    tree, and the tree is discarded per message.

Parallel reading
    Reading, parsing, XSD validation and field extraction of one message depend on that message alone, so they
    run in worker processes (``workers``, default: the machine's cores; one process for small inputs), the
    header pass too. The order of applying is decided afterwards, in this process, exactly as above: workers
    get the messages in update order, in windows of ``WINDOW_MESSAGES``, and their compact records are applied
    in that order as they come back. Rows, rejections and counts are therefore the same for any number of
    workers (tests/test_ijw_parallel.py). Workers come from a fresh fork server (no fork of a process with
    threads) that loads only this module, and get message locations only; the records they send back hold
    what the module keeps anyway.

Memory bound
    One message is held at a time per process (at most ``max_message_bytes`` bytes plus its lxml tree; with
    workers, two windows of compact records in flight besides); larger files or
    zip members are rejected, not read. Across messages the module keeps only: one sort key per message
    file (~100 B), one small slotted record per toewijzing (~250 B, dates/codes interned), one number per
    distinct person (~100 B), one entry per JW315 product (provider, reference, type) and one counter per
    distinct debet declaration line (for ``unmatched_credits``). Declaration rows and rejections are handed
    out in batches of ``batch_rows`` as they are produced; toewijzing rows (which need every message first) are
    handed out in batches at the end. Declaration lines and allocated products travel with the rows they
    belong to (at most one each).
    A 500 MB inbox therefore needs memory proportional to the number of toewijzingen and distinct
    declaration lines, not to its size.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from pseudonymisation.ijw_files import (
    Discovery,
    Ignored,
    IjwInputError,
    MessageSource,
    ZipCache,
    discover,
    discover_file,
    iter_chunks,
    read_message,
)
from pseudonymisation.ijw_xml import (
    Allocation,
    CareEvent,
    Claim,
    HeaderKey,
    HeaderPeeker,
    ParsedMessage,
    Request,
    identificatie_key,
    mask_numbers,
    parse_message,
)

__all__ = [
    "DECLARATIE_COLUMNS",
    "TOEWIJZING_COLUMNS",
    "AllocatedProduct",
    "AllocationDates",
    "DeclarationLine",
    "FileParse",
    "IjwBatch",
    "IjwRejection",
    "IjwResult",
    "ParsedEntry",
    "combine",
    "iter_ijw",
    "parse_files",
    "read_ijw",
]

Row = dict[str, str | None]

#: Form B columns (spec §1) plus provenance; order matters to callers building DataFrames.
TOEWIJZING_COLUMNS = (
    "bsn",
    "toewijzingnummer",
    "productcategorie",
    "productcode",
    "verwijzer_type",
    "ingangsdatum",
    "einddatum",
    "begindatum_zorg",
    "einddatum_zorg",
    "reden_beeindiging",
    "source_file",
    "source_line",
)
DECLARATIE_COLUMNS = (
    "bsn",
    "toewijzingnummer",
    "periode_begin",
    "periode_einde",
    "bedrag",
    "debet_credit",
    "source_file",
    "source_line",
)

DEFAULT_MAX_MESSAGE_BYTES = 50_000_000
DEFAULT_BATCH_ROWS = 50_000
#: The header sits in the first few hundred bytes; reading further in the ordering pass is wasted I/O.
HEADER_PEEK_BYTES = 256 * 1024
#: ... read in small chunks, so that the peek stops soon after the header instead of parsing whole messages.
HEADER_CHUNK_BYTES = 1024
#: Below this many messages worker processes cost more to start (≈ 0.3 s each) than they save.
PARALLEL_MIN_MESSAGES = 2_000
#: Messages handed to the workers at a time (two windows in flight): bounds the records held in this process.
WINDOW_MESSAGES = 4_096
#: Messages per task sent to a worker: large enough that inter-process overhead stays small.
TASK_MESSAGES = 64


class DeclarationLine(NamedTuple):
    """One JW323 Prestatie as its consistency checks need it: no BSN, amounts in eurocent."""

    source_file: str
    source_line: int
    toewijzingnummer: str
    productcategorie: str
    productcode: str
    periode_begin: str
    periode_einde: str
    volume: int
    eenheid: str
    tarief_cent: int | None
    bedrag_cent: int
    debet_credit: str
    header_total_cent: int | None  # the message's TotaalIngediendBedrag, signed
    client: int  # the declared person as a number within this delivery (1 = first seen), never the BSN


class AllocatedProduct(NamedTuple):
    """The product of a final JW301 toewijzing (None: not specified, i.e. aspecific or generic), and its
    person as a number within this delivery (as in DeclarationLine)."""

    toewijzingnummer: str
    productcategorie: str | None
    productcode: str | None
    client: int


class AllocationDates(NamedTuple):
    """The ingangsdatum a final toewijzing carries, which message it came from (`JW301`, or `JW305`/`JW307` when
    no JW301 was seen), and the other ToewijzingIngangsdatums its start/stop messages named (sorted, may be
    empty). The rule that decides is in docs/input-layouts.md: the JW301 wins, else the first start/stop."""

    toewijzingnummer: str
    ingangsdatum: str | None
    source: str
    other_dates: tuple[str, ...]


@dataclass(frozen=True)
class IjwRejection:
    """One whole message (or unreadable archive) quarantined, with a reason safe to store and show.

    The reason is masked on construction (every run of 8+ digits becomes ``*********``) so that no code
    path can leak a BSN through it, whatever message text it was built from.
    """

    source_file: str
    message_type: str | None
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", mask_numbers(self.reason))


@dataclass
class IjwBatch:
    """A slice of the output of :func:`iter_ijw`; counts are increments, so sum them over batches.

    ``declaration_lines`` pair one to one with ``declaraties`` and ``allocated_products`` with (some of)
    ``toewijzingen``, so :meth:`size` counts only the rows they accompany.
    """

    toewijzingen: list[Row] = field(default_factory=list)
    declaraties: list[Row] = field(default_factory=list)
    rejected: list[IjwRejection] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)  # files and members that are no message, with why
    declaration_lines: list[DeclarationLine] = field(default_factory=list)
    allocated_products: list[AllocatedProduct] = field(default_factory=list)
    allocation_dates: list[AllocationDates] = field(default_factory=list)
    messages_read: dict[str, int] = field(default_factory=dict)
    unmatched_credits: int = 0
    unlinked_products: int = 0

    def size(self) -> int:
        return len(self.toewijzingen) + len(self.declaraties) + len(self.rejected)


@dataclass
class IjwResult:
    """Everything of one input collected (tests and small inboxes; large ones should use iter_ijw)."""

    toewijzingen: list[Row] = field(default_factory=list)
    declaraties: list[Row] = field(default_factory=list)
    rejected: list[IjwRejection] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    declaration_lines: list[DeclarationLine] = field(default_factory=list)
    allocated_products: list[AllocatedProduct] = field(default_factory=list)
    allocation_dates: list[AllocationDates] = field(default_factory=list)
    messages_read: dict[str, int] = field(default_factory=dict)
    unmatched_credits: int = 0
    unlinked_products: int = 0


@dataclass(slots=True)
class _Traject:
    """Compact running state of one toewijzing while messages are applied in update order."""

    bsn: str
    productcategorie: str | None
    productcode: str | None
    ingangsdatum: str | None
    einddatum: str | None = None
    begindatum_zorg: str | None = None
    einddatum_zorg: str | None = None
    reden_beeindiging: str | None = None
    aanbieder: str | None = None
    referentie: str | None = None
    source_file: str = ""
    source_line: int = 0
    has_allocation: bool = False
    verwijderd: bool = False
    care_dates: frozenset[str] = frozenset()  # ToewijzingIngangsdatums named by its JW305/JW307
    first_care: str = ""  # JW305 or JW307: the message its ingangsdatum came from when no JW301 was seen


class _State:
    """Cross-message state; see the module docstring for its memory bound. ``order``: how toewijzing rows are
    ordered by their number (as numbers for raw ones; pseudonyms as text, :func:`combine`)."""

    def __init__(self, order: Callable[[str], int | str] = int) -> None:
        self.order = order
        self.trajecten: dict[str, _Traject] = {}
        self.verwijzers: dict[tuple[str, str], str] = {}
        self.open_debets: dict[tuple[str, str, str, int], int] = {}
        self.clients: dict[str, int] = {}

    def client(self, bsn: str) -> int:
        """A person's number within this delivery (1 = first seen): what the cross-message checks compare."""
        return self.clients.setdefault(bsn, len(self.clients) + 1)

    def allocate(self, a: Allocation, source_file: str) -> None:
        t = self.trajecten.get(a.toewijzingnummer)
        if t is None:
            t = _Traject(a.bsn, a.productcategorie, a.productcode, a.ingangsdatum)
            self.trajecten[a.toewijzingnummer] = t
        t.bsn = a.bsn
        t.productcategorie = a.productcategorie
        t.productcode = a.productcode
        t.ingangsdatum = a.ingangsdatum
        t.einddatum = a.einddatum
        if a.referentie is not None:
            t.aanbieder, t.referentie = a.aanbieder, a.referentie
        t.source_file, t.source_line = source_file, a.line
        t.has_allocation = True
        t.verwijderd = a.verwijderd

    def care(self, e: CareEvent, source_file: str) -> bool:
        """Apply a start/stop; False when it names no toewijzing and so cannot be linked."""
        if e.toewijzingnummer is None:
            return False
        t = self.trajecten.get(e.toewijzingnummer)
        if t is None:
            t = _Traject(e.bsn, e.productcategorie, e.productcode, e.toewijzing_ingangsdatum)
            t.source_file, t.source_line = source_file, e.line
            t.first_care = "JW307" if e.is_stop else "JW305"
            self.trajecten[e.toewijzingnummer] = t
        elif not t.has_allocation:
            t.productcategorie = t.productcategorie or e.productcategorie
            t.productcode = t.productcode or e.productcode
            t.ingangsdatum = t.ingangsdatum or e.toewijzing_ingangsdatum
        if e.toewijzing_ingangsdatum is not None:
            t.care_dates = t.care_dates | {e.toewijzing_ingangsdatum}
        deleting = e.status == "3"
        if e.is_stop:
            if deleting:
                if t.einddatum_zorg == e.einddatum:
                    t.einddatum_zorg = t.reden_beeindiging = None
            else:
                t.einddatum_zorg, t.reden_beeindiging = e.einddatum, e.reden_beeindiging
                if t.begindatum_zorg is None:
                    t.begindatum_zorg = e.begindatum
        elif deleting:
            if t.begindatum_zorg == e.begindatum:
                t.begindatum_zorg = None
        elif t.einddatum_zorg is not None and e.begindatum > t.einddatum_zorg:
            t.begindatum_zorg, t.einddatum_zorg, t.reden_beeindiging = e.begindatum, None, None
        else:
            t.begindatum_zorg = e.begindatum
        return True

    def request(self, r: Request) -> None:
        self.verwijzers[(r.aanbieder, r.referentie)] = r.verwijzer_type

    def claim(self, c: Claim, source_file: str) -> tuple[Row, bool]:
        """The declaration row, and whether it is a credit that cancels no earlier debet."""
        row: Row = {
            "bsn": c.bsn,
            "toewijzingnummer": c.toewijzingnummer,
            "periode_begin": c.periode_begin,
            "periode_einde": c.periode_einde,
            "bedrag": _euro(c.bedrag_cent),
            "debet_credit": c.debet_credit,
            "source_file": source_file,
            "source_line": str(c.line),
        }
        key = (c.toewijzingnummer, c.periode_begin, c.periode_einde, c.bedrag_cent)
        if c.debet_credit == "D":
            self.open_debets[key] = self.open_debets.get(key, 0) + 1
            return row, False
        remaining = self.open_debets.get(key, 0)
        if remaining == 0:
            return row, True
        if remaining == 1:
            del self.open_debets[key]
        else:
            self.open_debets[key] = remaining - 1
        return row, False

    def toewijzing_rows(self) -> Iterator[tuple[Row, AllocatedProduct | None, AllocationDates]]:
        """Final rows, ordered by toewijzingnummer so output does not depend on message order, each with
        its allocated product when a JW301 was seen (a start/stop alone allocates nothing) and its dates. Persons
        first seen here are numbered in the order their toewijzingen were first seen, so that the numbers do not
        depend on how the rows are ordered."""
        for t in self.trajecten.values():
            if t.has_allocation and not t.verwijderd:
                self.client(t.bsn)
        for nummer in sorted(self.trajecten, key=self.order):
            t = self.trajecten[nummer]
            if t.verwijderd:
                continue
            verwijzer = None
            if t.aanbieder is not None and t.referentie is not None:
                verwijzer = self.verwijzers.get((t.aanbieder, t.referentie))
            product = None
            if t.has_allocation:
                product = AllocatedProduct(nummer, t.productcategorie, t.productcode, self.client(t.bsn))
            others = tuple(sorted(t.care_dates - {t.ingangsdatum} if t.ingangsdatum else t.care_dates))
            dates = AllocationDates(nummer, t.ingangsdatum, "JW301" if t.has_allocation else t.first_care, others)
            row: Row = {
                "bsn": t.bsn,
                "toewijzingnummer": nummer,
                "productcategorie": t.productcategorie,
                "productcode": t.productcode,
                "verwijzer_type": verwijzer,
                "ingangsdatum": t.ingangsdatum,
                "einddatum": t.einddatum,
                "begindatum_zorg": t.begindatum_zorg,
                "einddatum_zorg": t.einddatum_zorg,
                "reden_beeindiging": t.reden_beeindiging,
                "source_file": t.source_file,
                "source_line": str(t.source_line),
            }
            yield row, product, dates


def _euro(cent: int) -> str:
    """Eurocent integer → euro text with exactly two decimals, without a float round trip."""
    sign = "-" if cent < 0 else ""
    whole, part = divmod(abs(cent), 100)
    return f"{sign}{whole}.{part:02d}"


def _header_key(source: MessageSource, zips: ZipCache) -> HeaderKey:
    """Sort key from the first kilobytes; unreadable headers sort first and are rejected in the real pass."""
    peeker = HeaderPeeker()
    try:
        with contextlib.closing(iter_chunks(source, zips, HEADER_PEEK_BYTES, HEADER_CHUNK_BYTES)) as chunks:
            for chunk in chunks:
                if peeker.feed(chunk):
                    break
    except Exception:
        # Any failure here (bad bytes, broken zip member) only means "no usable sort key"; the real pass
        # reads the message again and turns the same problem into a proper rejection.
        return HeaderKey("", identificatie_key(""))
    return peeker.key()


def _parse(source: MessageSource, zips: ZipCache, max_bytes: int) -> ParsedMessage | IjwRejection:
    """Read, validate and reduce one message; any failure rejects this message only. Depends on the message
    alone, so it runs in a worker process as well as here."""
    try:
        return parse_message(read_message(source, zips, max_bytes))
    except IjwInputError as exc:
        return IjwRejection(source.source_file, exc.message_type, exc.reason)
    except Exception as exc:
        # Deliberately broad: one malformed message must never stop a run. The exception text is not
        # used because it could quote message content; its type is enough to investigate.
        return IjwRejection(
            source.source_file,
            None,
            f"onverwachte fout / unexpected error while reading the message ({type(exc).__name__}).",
        )


# One archive cache per worker process: a worker reads members of the same zips task after task.
_WORKER_ZIPS: ZipCache | None = None


def _worker_zips() -> ZipCache:
    global _WORKER_ZIPS  # per-process state of a worker, by design
    if _WORKER_ZIPS is None:
        _WORKER_ZIPS = ZipCache()
    return _WORKER_ZIPS


def _header_in_worker(source: MessageSource) -> HeaderKey:
    return _header_key(source, _worker_zips())


def _parse_in_worker(source: MessageSource, max_bytes: int) -> ParsedMessage | IjwRejection:
    return _parse(source, _worker_zips(), max_bytes)


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _pool(workers: int, messages: int) -> Executor | None:
    """Worker processes when they pay off, else None (everything runs in this process)."""
    if workers <= 1 or messages < PARALLEL_MIN_MESSAGES:
        return None
    # A fork server started afresh (no fork of a process with threads) that loads this module only: spawned
    # workers would import the caller's main module too (the whole pipeline under `monitor run`).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _ordered(sources: list[MessageSource], zips: ZipCache, pool: Executor | None) -> list[MessageSource]:
    if pool is None:
        keys = [_header_key(src, zips) for src in sources]
    else:
        keys = list(pool.map(_header_in_worker, sources, chunksize=4 * TASK_MESSAGES))
    keyed = sorted(zip(keys, (s.source_file for s in sources), sources, strict=True), key=lambda k: (k[0], k[1]))
    return [src for _key, _name, src in keyed]


def _parsed_in_order(
    ordered: list[MessageSource], zips: ZipCache, max_bytes: int, pool: Executor | None
) -> Iterator[tuple[MessageSource, ParsedMessage | IjwRejection]]:
    """Every message parsed, in update order: here one by one, or by the workers a window at a time (the next
    window is already being parsed while this one is applied)."""
    if pool is None:
        for source in ordered:
            yield source, _parse(source, zips, max_bytes)
        return
    in_flight: deque[tuple[list[MessageSource], Iterator[ParsedMessage | IjwRejection]]] = deque()
    for start in range(0, len(ordered), WINDOW_MESSAGES):
        window = ordered[start : start + WINDOW_MESSAGES]
        parsed = pool.map(_parse_in_worker, window, [max_bytes] * len(window), chunksize=TASK_MESSAGES)
        in_flight.append((window, parsed))
        if len(in_flight) > 1:
            done, results = in_flight.popleft()
            yield from zip(done, results, strict=True)
    while in_flight:
        done, results = in_flight.popleft()
        yield from zip(done, results, strict=True)


def iter_ijw(
    path: Path,
    *,
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    workers: int | None = None,
) -> Iterator[IjwBatch]:
    """Stream the canonical rows of all iJw messages under ``path`` in batches of about ``batch_rows``.

    A batch is closed after the message that fills it, so it holds at most ``batch_rows`` plus the rows of
    one message (itself bounded by ``max_message_bytes``). ``workers``: processes that parse and validate
    (None: one per core; see "Parallel reading" above); the output does not depend on it.

    Declaration rows and rejections come as they are produced; toewijzing rows come at the end, because a
    toewijzing is only final once every later message about it has been applied.
    """
    zips = ZipCache()
    found = discover(path, max_message_bytes, zips)
    sources = found.sources
    state = _State()
    batch = IjwBatch(rejected=[IjwRejection(p.source_file, None, p.reason) for p in found.problems])
    batch.ignored.extend(found.ignored)
    pool = _pool(default_workers() if workers is None else workers, len(sources))
    try:
        for source, parsed in _parsed_in_order(_ordered(sources, zips, pool), zips, max_message_bytes, pool):
            _apply(source.source_file, parsed, state, batch)
            if batch.size() >= batch_rows:
                yield batch
                batch = IjwBatch()
        if pool is not None:
            pool.shutdown()
        zips.close()
        yield from _final_batches(state, batch, batch_rows)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        zips.close()


def _final_batches(state: _State, batch: IjwBatch, batch_rows: int) -> Iterator[IjwBatch]:
    """The toewijzing rows, once every message has been applied, after the rows of ``batch``."""
    for row, product, dates in state.toewijzing_rows():
        batch.toewijzingen.append(row)
        batch.allocation_dates.append(dates)
        if product is not None:
            batch.allocated_products.append(product)
        if batch.size() >= batch_rows:
            yield batch
            batch = IjwBatch()
    yield batch


def _apply(source_file: str, parsed: ParsedMessage | IjwRejection, state: _State, batch: IjwBatch) -> None:
    """Apply one parsed message to the running state, in update order (or record its rejection)."""
    if isinstance(parsed, IjwRejection):
        batch.rejected.append(parsed)
        return
    for record in parsed.records:
        if isinstance(record, Allocation):
            state.allocate(record, source_file)
        elif isinstance(record, CareEvent):
            if not state.care(record, source_file):
                batch.unlinked_products += 1
        elif isinstance(record, Request):
            state.request(record)
        else:
            row, unmatched = state.claim(record, source_file)
            batch.declaraties.append(row)
            batch.declaration_lines.append(_declaration_line(record, source_file, state.client(record.bsn)))
            batch.unmatched_credits += int(unmatched)
    batch.messages_read[parsed.message_type] = batch.messages_read.get(parsed.message_type, 0) + 1


def _declaration_line(c: Claim, source_file: str, client: int) -> DeclarationLine:
    return DeclarationLine(
        source_file=source_file,
        source_line=c.line,
        toewijzingnummer=c.toewijzingnummer,
        productcategorie=c.productcategorie,
        productcode=c.productcode,
        periode_begin=c.periode_begin,
        periode_einde=c.periode_einde,
        volume=c.volume,
        eenheid=c.eenheid,
        tarief_cent=c.tarief_cent,
        bedrag_cent=c.bedrag_cent,
        debet_credit=c.debet_credit,
        header_total_cent=c.header_total_cent,
        client=client,
    )


def read_ijw(
    path: Path, *, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES, workers: int | None = None
) -> IjwResult:
    """Collect :func:`iter_ijw` into one result; convenient for tests and small inputs.

    Messages are still read one at a time; only the output is collected. To process a large folder in
    bounded memory (or to benchmark the reader alone), iterate :func:`iter_ijw` and drop each batch.
    """
    return _collect(iter_ijw(path, max_message_bytes=max_message_bytes, workers=workers))


def _collect(batches: Iterable[IjwBatch]) -> IjwResult:
    result = IjwResult()
    for batch in batches:
        result.toewijzingen.extend(batch.toewijzingen)
        result.declaraties.extend(batch.declaraties)
        result.rejected.extend(batch.rejected)
        result.ignored.extend(batch.ignored)
        result.declaration_lines.extend(batch.declaration_lines)
        result.allocated_products.extend(batch.allocated_products)
        result.allocation_dates.extend(batch.allocation_dates)
        for message_type, count in batch.messages_read.items():
            result.messages_read[message_type] = result.messages_read.get(message_type, 0) + count
        result.unmatched_credits += batch.unmatched_credits
        result.unlinked_products += batch.unlinked_products
    return result


# ------------------------------------------------------------------------------------ file by file (monitor)
class ParsedEntry(NamedTuple):
    """One message of a file as the update order needs it: its name, header key and records (or rejection)."""

    source_file: str
    key: HeaderKey
    parsed: ParsedMessage | IjwRejection


@dataclass
class FileParse:
    """What one delivered file gives that depends on that file alone: its messages parsed and validated (in
    discovery order), and its members refused before parsing or ignored. The update order across files is
    decided afterwards (:func:`combine`), so a file's parse can be kept between runs and reused by content."""

    messages: list[ParsedEntry] = field(default_factory=list)
    problems: list[IjwRejection] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)


def _header_and_parse(
    source: MessageSource, zips: ZipCache, max_bytes: int
) -> tuple[HeaderKey, ParsedMessage | IjwRejection]:
    """The two passes of :func:`iter_ijw` over one message, in one task."""
    return _header_key(source, zips), _parse(source, zips, max_bytes)


def _header_and_parse_in_worker(
    source: MessageSource, max_bytes: int
) -> tuple[HeaderKey, ParsedMessage | IjwRejection]:
    return _header_and_parse(source, _worker_zips(), max_bytes)


def parse_files(
    files: list[tuple[Path, str]],
    *,
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    workers: int | None = None,
) -> list[FileParse]:
    """Discover, read, validate and reduce every message of each file (path, name shown), one FileParse per
    file in the same order; the messages of all files are shared among the worker processes. Unlike
    :func:`iter_ijw` this holds every parsed record of these files at once (they are kept by the caller)."""
    zips = ZipCache()
    found: list[Discovery] = []
    for full, display in files:
        discovery = Discovery([], [], [])
        discover_file(full, display, max_message_bytes, zips, discovery)
        found.append(discovery)
    sources = [source for discovery in found for source in discovery.sources]
    pool = _pool(default_workers() if workers is None else workers, len(sources))
    try:
        if pool is None:
            results = [_header_and_parse(source, zips, max_message_bytes) for source in sources]
        else:
            results = list(
                pool.map(
                    _header_and_parse_in_worker, sources, [max_message_bytes] * len(sources), chunksize=TASK_MESSAGES
                )
            )
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        zips.close()
    parses, position = [], 0
    for discovery in found:
        done = results[position : position + len(discovery.sources)]
        position += len(discovery.sources)
        parses.append(
            FileParse(
                [ParsedEntry(s.source_file, k, parsed) for s, (k, parsed) in zip(discovery.sources, done, strict=True)],
                [IjwRejection(p.source_file, None, p.reason) for p in discovery.problems],
                list(discovery.ignored),
            )
        )
    return parses


def combine(files: list[FileParse], order: Callable[[str], int | str] = int) -> IjwResult:
    """Apply the messages of all files in the update order of :func:`iter_ijw` (Dagtekening, Identificatie,
    source_file; discovery order on ties) and collect the result as :func:`read_ijw` gives it for the same
    messages: the outcome does not depend on which files were parsed in this run and which earlier.
    ``order`` orders the toewijzing rows by their number (pseudonyms: as text)."""
    state = _State(order)
    batch = IjwBatch(rejected=[p for f in files for p in f.problems], ignored=[i for f in files for i in f.ignored])
    entries = sorted((e for f in files for e in f.messages), key=lambda e: (e.key, e.source_file))
    for entry in entries:
        _apply(entry.source_file, entry.parsed, state, batch)
    return _collect(_final_batches(state, batch, DEFAULT_BATCH_ROWS))
