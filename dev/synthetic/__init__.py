"""Seeded, reproducible synthetic inbox for the youth-care × education monitor (gemeente Almere, GM0034, or a
region of many gemeenten up to the whole country: ``region=``, dev.synthetic.region).

Why: the monitor must be developed and demonstrated without personal data. ``generate`` writes every input
file of spec §1 in the formats real source systems use, for fictional persons whose school careers, addresses,
youth care and absence are linked by construction. Same seed and scale → byte-identical files.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from dev.synthetic import defects as dq
from dev.synthetic import writers as w
from dev.synthetic.absence import build_absence
from dev.synthetic.careers import ENUM as SOORT_ENUM
from dev.synthetic.careers import build_careers, pupils_on
from dev.synthetic.dates import EXTRACT_DATE, FIRST_SCHOOL_YEAR, LAST_SCHOOL_YEAR, SPLIT_DAY
from dev.synthetic.geography import Geography, build_geography
from dev.synthetic.ijw_writer import write_ijw
from dev.synthetic.names import NameBook
from dev.synthetic.population import build_population
from dev.synthetic.region import (
    Catchment,
    Region,
    region_geography,
    region_movers,
    region_residence,
    region_schools,
    regional_providers,
    relocate_enrolments,
    write_region_config,
)
from dev.synthetic.residence import build_residence
from dev.synthetic.schools import build_schools, duo_rows
from dev.synthetic.youth_care import DYSLEXIA_CODES, YouthCare, build_youth_care

# Derived once by derive_reference.derive_kerncijfers (data/README.md).
KERNCIJFERS_FILE = Path(__file__).parent / "data" / "kerncijfers_wijken_buurten.csv"

__all__ = ["DYSLEXIA_CODES", "GenerationSummary", "Region", "generate"]

YouthCareForm = Literal["split", "csv", "ijw", "both"]


@dataclass(frozen=True)
class GenerationSummary:
    """What was written: rows (CSV) or messages (iJw, per type as ``ijw/JW301``) per relative path."""

    files: dict[str, int]
    persons: int
    pupils_per_year: dict[str, int]
    youth_care_clients: int
    seconds: float
    defects: dict[str, int] = field(default_factory=dict)  # "file:kind" → rows affected
    invalid_xml: tuple[str, ...] = ()  # deliberately invalid iJw files (relative paths)


def generate(
    out_dir: Path,
    scale: float = 1.0,
    seed: int = 20261124,
    youth_care_form: YouthCareForm = "split",
    progress: Callable[[str], None] | None = None,
    *,
    defects: bool = True,
    region: Region | None = None,
) -> GenerationSummary:
    """Write a complete synthetic inbox into ``out_dir`` (existing generated files are replaced): of Almere, or
    of every gemeente of ``region`` (then also its configuration, ``monitor.region.toml``)."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    if youth_care_form not in ("split", "csv", "ijw", "both"):
        raise ValueError(f"unknown youth_care_form {youth_care_form!r}")
    t0 = time.perf_counter()
    say = progress or (lambda _msg: None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if (out_dir / "ijw").exists():
        shutil.rmtree(out_dir / "ijw")
    for name in ("toewijzingen.csv", "declaraties.csv"):
        (out_dir / name).unlink(missing_ok=True)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(12)]
    # Each step draws from its own stream, and the defects of all files from one stream in a fixed file order,
    # so a file can be written (and its rows freed) as soon as its step is done: memory holds one step at a time.
    files: dict[str, int] = {}
    found: dict[str, int] = {}
    rng_dq = streams[7]

    def emit(name: str, src: pl.DataFrame, text: w.Text, kinds: dict[str, tuple[str, ...]], **fmt: object) -> None:
        plan = None
        if defects:
            plan = dq.plan(rng_dq, src.height, kinds, lambda rows, col: _cells(src, text, rows, col))
            found.update({f"{name}:{k}": v for k, v in plan.counts.items()})
        files[name] = w.write_csv(src, out_dir / name, text=text, plan=plan, **fmt)  # type: ignore[arg-type]

    say("wijken, buurten en adressen opbouwen…")
    geo = build_geography(streams[0], scale) if region is None else region_geography(streams[0], region, scale)
    say("personen genereren…")
    if region is None:
        persons = build_population(streams[1], geo, scale)
    else:
        persons = build_population(streams[1], geo, scale * region.size, scale * region.external_share)
    persons = w.check_dense(persons, "pid")
    say("scholen genereren…")
    if region is None:
        schools = w.check_dense(build_schools(streams[2], geo, scale), "school_id")
    else:
        schools = w.check_dense(region_schools(streams[2], geo, region, scale), "school_id")
    w.check_dense(geo.addresses, "address_id")

    say("schoolloopbanen en diploma's genereren…")
    if region is None:
        careers = build_careers(streams[3], persons, schools, geo)
        enrolments, diploma_rows = careers.enrolments, careers.diplomas
    else:
        # Movers between gemeenten stay in the region's schools: their careers run on, then some change school.
        catchment = Catchment(schools, geo)
        movers = region_movers(streams[11], persons, geo, region)
        staying = persons.with_columns(
            pl.when(pl.col("pid").is_in(movers["pid"].implode()))
            .then(None)
            .otherwise(pl.col("res_end"))
            .alias("res_end")
        )
        careers = build_careers(streams[3], staying, schools, geo, catchment.choose)
        del staying
        enrolments, diploma_rows = relocate_enrolments(
            streams[11], careers.enrolments, careers.diplomas, movers, schools, catchment
        )
    say("inschrijvingen en diploma's schrijven…")
    emit(
        "inschrijvingen.csv",
        enrolments.with_columns(pl.Series("short", streams[8].random(enrolments.height) < 0.5)),
        lambda chunk: w.inschrijvingen(chunk, persons, schools),
        {
            "bad_bsn": (),
            "unknown_code": ("onderwijssoort", "VAVO"),
            "impossible_date": ("datum_inschrijving", "31-06-2024"),
            "end_before_start": ("datum_inschrijving", "datum_uitschrijving"),
        },
        sep=";",
        encoding="cp1252",
        crlf=True,
    )
    emit(
        "diplomas.csv",
        diploma_rows,
        lambda chunk: w.diplomas(chunk, persons, schools),
        {"unknown_code": ("diploma", "MAVO")},
        sep=";",
        encoding="cp1252",
        crlf=True,
    )
    del careers, diploma_rows
    # What later steps need of the enrolments and persons (absence, dyslexia care, summary; writers, youth care).
    enrolments = enrolments.select("pid", "school_id", pl.col("soort").cast(SOORT_ENUM), "start", "end")
    persons = persons.drop("elsewhere_primary", "elsewhere_secondary", "arrival")

    say("verzuimmeldingen genereren en schrijven…")
    emit(
        "verzuim.csv",
        build_absence(streams[6], persons, enrolments),
        lambda chunk: w.verzuim(chunk, persons, schools),
        {"end_before_start": ("datum_start", "datum_einde")},
        sep=",",
        encoding="utf-8",
        bom=True,
    )

    say("woonadressen genereren en schrijven…")
    residence = build_residence(streams[4], persons, geo)
    if region is not None:
        residence = region_residence(streams[11], residence, movers, geo)
    emit(
        "bewoners.csv",
        residence,
        (lambda chunk: w.bewoners(chunk, persons, geo.addresses)) if region is None else _bewoners_text(persons, geo),
        {"bad_bsn": (), "end_before_start": ("datum_vanaf", "datum_tot")},
        sep=";",
    )
    resident_pids, used = residence["pid"].unique(), residence["address_id"].unique()
    last_address = _last_address(residence) if youth_care_form != "csv" else None
    del residence

    say("jeugdhulptrajecten en declaraties genereren…")
    if region is None:
        yc = build_youth_care(streams[5], persons, enrolments, geo, scale)
    else:
        yc = build_youth_care(streams[5], persons, enrolments, geo, scale * region.size)
        yc = regional_providers(streams[11], yc, persons, geo, scale)
    t = yc.trajectories
    in_csv: pl.Expr = {
        "split": pl.col("ingang") < SPLIT_DAY,
        "csv": pl.lit(True),
        "ijw": pl.lit(False),
        "both": pl.lit(True),
    }[youth_care_form]
    in_xml: pl.Expr = {
        "split": pl.col("ingang") >= SPLIT_DAY,
        "csv": pl.lit(False),
        "ijw": pl.lit(True),
        "both": pl.lit(True),
    }[youth_care_form]
    csv_mask = t.with_columns(in_csv.alias("_in"))["_in"].to_numpy()
    xml_mask = t.with_columns(in_xml.alias("_in"))["_in"].to_numpy()
    t_csv, t_xml = t.filter(csv_mask), t.filter(xml_mask)
    if t_csv.height or youth_care_form != "ijw":
        say("toewijzingen en declaraties schrijven…")
        emit(
            "toewijzingen.csv",
            t_csv,
            lambda chunk: w.toewijzingen(chunk, persons),
            {"unknown_code": ("productcategorie", "99"), "end_before_start": ("ingangsdatum", "einddatum")},
            sep=";",
        )
        d_csv = yc.lines_of(csv_mask)
        emit(
            "declaraties.csv",
            d_csv,
            _declaration_text(yc, persons),
            {"negative_amount": ("bedrag",), "impossible_date": ("periode_einde", "2024-06-31")},
            sep=";",
        )
        del d_csv
    del t_csv
    invalid: list[str] = []
    if t_xml.height:
        say("iJw-berichten schrijven…")
        d_xml = yc.declarations(yc.lines_of(xml_mask))
        rejected = yc.rejected.filter(pl.col("datum") >= SPLIT_DAY) if youth_care_form == "split" else yc.rejected
        if youth_care_form == "csv":
            rejected = rejected.head(0)
        assert last_address is not None
        people = _xml_people(persons, last_address, geo.addresses, t_xml)
        if region is not None:
            people = _with_gemeente(people, persons, geo)
        book = NameBook(seed, persons.height)
        # A region's messages are written per jeugdregio (its own gemeenten and providers, so no file name is
        # shared between parts): memory holds one jeugdregio's messages at a time.
        for part_t, part_d, part_rejected, part_people in _by_jeugdregio(
            (t_xml, d_xml, rejected, people), persons, geo, region is not None
        ):
            counts, bad, declared = write_ijw(
                out_dir / "ijw", part_t, part_d, part_rejected, part_people, book, streams[9], defects
            )
            for k, v in counts.items():
                files[f"ijw/{k}"] = files.get(f"ijw/{k}", 0) + v
            invalid += [f"ijw/{b}" for b in bad]
            for kind, n in declared.items():
                found[f"ijw:{kind}"] = found.get(f"ijw:{kind}", 0) + n
        if invalid:
            found["ijw:invalid_xml"] = len(invalid)
    t = t.select("pid")
    del yc, t_xml

    say("referentiebestanden schrijven…")
    files["scholen.csv"] = w.write_csv(
        duo_rows(schools, geo, streams[10]), out_dir / "scholen.csv", sep=";", encoding="cp1252", crlf=True
    )
    used = pl.concat([used, schools["address_id"]]).unique()
    files["pc6hnr.csv"] = w.write_csv(w.pc6hnr(geo.addresses, geo.buurten, used), out_dir / "pc6hnr.csv", sep=";")
    files["wijken.csv"] = w.write_csv(geo.wijken, out_dir / "wijken.csv", sep=";")
    # Real CBS figures for Almere's wijken (public, in CBS's layout): the demo's wijk context (docs/wijkcontext.md).
    if region is None or any(g.code == "GM0034" for g in region.gemeenten):
        shutil.copy(KERNCIJFERS_FILE, out_dir / KERNCIJFERS_FILE.name)
        files[KERNCIJFERS_FILE.name] = KERNCIJFERS_FILE.read_text(encoding="utf-8-sig").count("\n") - 1
    if region is not None:
        write_region_config(out_dir, region)
        files["monitor.region.toml"] = 1

    pupils = {f"{y}/{y + 1}": pupils_on(enrolments, y).height for y in range(FIRST_SCHOOL_YEAR, LAST_SCHOOL_YEAR + 1)}
    _readme(out_dir, seed, scale, youth_care_form, defects, invalid, region)
    files["README.txt"] = 1
    linked = pl.concat([enrolments["pid"], resident_pids, t["pid"]]).n_unique()
    return GenerationSummary(
        files=dict(sorted(files.items())),
        persons=linked,
        pupils_per_year=pupils,
        youth_care_clients=t["pid"].n_unique(),
        seconds=round(time.perf_counter() - t0, 2),
        defects=dict(sorted(found.items())),
        invalid_xml=tuple(invalid),
    )


def _declaration_text(yc: YouthCare, persons: pl.DataFrame) -> w.Text:
    """declaraties.csv text of compact declaration lines."""
    return lambda chunk: w.declaraties(yc.csv_lines(chunk), persons)


def _cells(src: pl.DataFrame, text: w.Text, rows: list[int], column: str) -> list[str | None]:
    """The text a file has in ``column`` at ``rows`` (only those rows are turned into text)."""
    if not rows:
        return []
    values: list[str | None] = text(src[np.asarray(rows, dtype=np.int64)])[column].to_list()
    return values


def _last_address(residence: pl.DataFrame) -> pl.DataFrame:
    """pid → address_id of the person's latest address period."""
    return residence.sort("pid", "vanaf").group_by("pid").agg(pl.col("address_id").last())


def _bewoners_text(persons: pl.DataFrame, geo: Geography) -> w.Text:
    """bewoners.csv of a region: each address period with the gemeente it lies in (``gemeente_code``, as a BRP
    extract of several gemeenten names the gemeente of inschrijving; the contract drops the column at ingest)."""
    codes = pl.Series([g.code for g in geo.gemeenten], dtype=pl.Utf8)
    of_buurt = pl.Series(geo.gemeente_of_buurt())

    def text(chunk: pl.DataFrame) -> pl.DataFrame:
        gemeente = codes.gather(of_buurt.gather(chunk["buurt_idx"]))
        return w.bewoners(chunk, persons, geo.addresses).with_columns(gemeente.alias("gemeente_code"))

    return text


Frames = tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]


def _by_jeugdregio(frames: Frames, persons: pl.DataFrame, geo: Geography, split: bool) -> Iterator[Frames]:
    """``frames`` (each with ``pid``) whole, or with ``split`` per jeugdregio of the person's home gemeente."""
    if not split:
        yield frames
        return
    home = persons["home_buurt"].to_numpy()
    regions = np.asarray([g.jeugdregio for g in geo.gemeenten])[geo.gemeente_of_buurt()[np.maximum(home, 0)]]
    for jr in sorted(set(regions.tolist())):
        a, b, c, d = (f.filter(pl.Series(regions[f["pid"].to_numpy()] == jr)) for f in frames)
        yield a, b, c, d


def _with_gemeente(people: pl.DataFrame, persons: pl.DataFrame, geo: Geography) -> pl.DataFrame:
    """iJw clients with the gemeente that allocates and pays their care (of residence, 4 digits) and its name."""
    home = persons["home_buurt"].to_numpy()[people["pid"].to_numpy()]
    g = geo.gemeente_of_buurt()[np.maximum(home, 0)]
    codes = np.asarray([f"{x.number:04d}" for x in geo.gemeenten])
    names = np.asarray([x.naam for x in geo.gemeenten])
    return people.with_columns(pl.Series("gemeente", codes[g]), pl.Series("plaats", names[g]))


def _xml_people(persons: pl.DataFrame, last: pl.DataFrame, addresses: pl.DataFrame, t: pl.DataFrame) -> pl.DataFrame:
    """Client data for iJw messages: BSN, birth date, sex and the latest address (made-up street)."""
    return (
        persons.filter(pl.col("pid").is_in(t["pid"].unique().implode()))
        .join(last, on="pid", how="left")
        .join(addresses.select("address_id", "postcode", "huisnummer", "straat"), on="address_id", how="left")
        .select(
            pl.col("pid"),
            pl.col("bsn").cast(pl.Utf8).str.zfill(9).alias("bsn"),
            pl.col("birth").dt.strftime("%Y-%m-%d").alias("birth"),
            "sex",
            "postcode",
            "huisnummer",
            "straat",
        )
    )


def _readme(
    out_dir: Path, seed: int, scale: float, form: str, defects: bool, invalid: list[str], region: Region | None
) -> None:
    """README.txt: what this is; no generation date so output stays byte-identical."""
    where = "gemeente Almere (GM0034)"
    if region is not None:
        first = region.gemeenten[0]
        where = (
            f"{'heel Nederland' if region.national else 'een regio'} van {len(region.gemeenten)} gemeenten "
            f"({first.naam} ({first.code}) eerst)"
        )
    lines = [
        "SYNTHETISCHE DATA — fictief, geen echte personen. Deze map is gegenereerd door dev.synthetic "
        f"voor {where} met seed {seed} en schaal {scale:g}; jeugdhulpvorm '{form}'; "
        f"datakwaliteitsfouten {'aan' if defects else 'uit'}. Extractiedatum {EXTRACT_DATE}; schooljaren "
        f"{FIRST_SCHOOL_YEAR}/{FIRST_SCHOOL_YEAR + 1} t/m {LAST_SCHOOL_YEAR}/{LAST_SCHOOL_YEAR + 1}. Namen, "
        "BSN's, scholen (BRIN), aanbieders (AGB) en adressen zijn verzonnen; buurtcijfers komen van CBS.",
    ]
    if invalid:
        lines += ["", "Bewust ongeldige iJw-berichten (XSD):"] + [f"- {name}" for name in invalid]
    (out_dir / "README.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
