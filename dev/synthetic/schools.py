"""Fictional Almere schools (BAO, SBO, (V)SO, VO incl. PRO, MBO) and their DUO-style register rows.

Why: enrolments need vestigingen with plausible BRIN codes, types and addresses; the monitor reads the same
schools from scholen.csv in DUO's real open-data layout. Names and BRIN codes are made up and checked against
the real ones so no real school is implied.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl

from dev.synthetic.geography import DISTRICTS, Geography, pick_addresses
from dev.synthetic.identifiers import make_brins
from dev.synthetic.places import ALMERE, Gemeente

MBO_LEVELS = ("MBO-1", "MBO-2", "MBO-3", "MBO-4")
NOUNS = (
    "Regenboog",
    "Vlieger",
    "Kompas",
    "Windroos",
    "Zandloper",
    "Zeppelin",
    "Sterrenkijker",
    "Polderlicht",
    "Waterlelie",
    "Tuimelaar",
    "Ooievaar",
    "Kraanvogel",
    "Ontdekking",
    "Vuurtoren",
    "Wilgenhof",
    "Horizon",
    "Klimboom",
    "Lepelaar",
    "Zonnewijzer",
    "Fluitekruid",
    "Walvis",
    "Vlinderhof",
    "Kiekendief",
    "Schelp",
    "Boomgaard",
    "Speelwei",
    "Pijlstaart",
    "Kameleon",
    "Ankerplaats",
    "Schatkist",
    "Globe",
    "Vliegerlijn",
    "Toverfluit",
    "Bolder",
    "Kleine Prins",
    "Wadloper",
    "Driemaster",
    "Zeester",
    "Kikkerkoning",
    "Uitkijk",
    "Maanvis",
    "Rietkraag",
    "Dukdalf",
    "Kastanje",
    "Hoge Hoed",
    "Springplank",
    "Bonte Specht",
    "Vogelvlucht",
)
BAO_TYPES = (
    ("OBS", "Openbaar", 0.34),
    ("CBS", "Protestants-Christelijk", 0.20),
    ("KBS", "Rooms-Katholiek", 0.12),
    ("Daltonschool", "Algemeen bijzonder", 0.08),
    ("Montessorischool", "Algemeen bijzonder", 0.07),
    ("Jenaplanschool", "Openbaar", 0.06),
    ("Interconfessionele basisschool", "Interconfessioneel", 0.06),
    ("Islamitische basisschool", "Islamitisch", 0.05),
    ("Hindoeïstische basisschool", "Hindoeïstisch", 0.02),
)
SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "school_id": pl.Int64,
    "brin": pl.Utf8,
    "vestnr": pl.Utf8,
    "kind": pl.Utf8,
    "offers": pl.List(pl.Utf8),
    "weight": pl.Float64,
    "naam": pl.Utf8,
    "denominatie": pl.Utf8,
    "bevoegd_gezag": pl.Utf8,
    "address_id": pl.Int64,
    "district": pl.Utf8,
}


def _counts(scale: float) -> dict[str, int]:
    """School counts per kind; at least one of each so small test scales still cover every school type."""
    return {
        "BAO": max(2, round(64 * scale)),
        "SBO": max(1, round(5 * scale)),
        "SOVSO": max(1, round(2 * scale)),
        "VO-breed": max(1, round(6 * scale)),
        "VO-vmbo": max(1, round(3 * scale)),
        "VO-havovwo": max(1, round(5 * scale)),
        "PRO": max(1, round(2 * scale)),
        "MBO": max(1, round(2 * scale)),
    }


ALMERE_VO_DISTRICTS = tuple(list(DISTRICTS.values())[:6])
ALMERE_MBO_DISTRICTS = ("Almere-Stad", "Almere-Buiten", "Almere-Poort", "Almere-Haven")


def build_schools(rng: np.random.Generator, geo: Geography, scale: float) -> pl.DataFrame:
    """One row per vestiging with type, offered onderwijssoorten, capacity weight, name and address."""
    counts = _counts(scale)
    brins = iter(make_brins(rng, sum(counts.values())))
    df = school_rows(rng, counts, brins, ALMERE_VO_DISTRICTS, ALMERE_MBO_DISTRICTS)
    n = df.height
    youth_w = np.where(df["kind"].is_in(["BAO", "SBO", "SO"]).to_numpy(), 1.0, 0.0)
    p_young = geo.buurt_weights("k_0_14")
    p_old = geo.buurt_weights("k_15_24")
    buurt = np.where(youth_w > 0, rng.choice(len(p_young), n, p=p_young), rng.choice(len(p_old), n, p=p_old))
    address_id = pick_addresses(rng, geo, buurt.astype(np.int64))
    pc4 = geo.addresses["postcode"].to_numpy()[address_id]
    districts = [DISTRICTS.get(str(p)[:3], "Almere-Stad") for p in pc4]
    return df.with_columns(
        pl.Series("school_id", np.arange(n, dtype=np.int64)),
        pl.Series("address_id", address_id),
        pl.Series("district", districts),
    ).select(list(SCHEMA))


def school_rows(
    rng: np.random.Generator,
    counts: dict[str, int],
    brins: Iterator[str],
    vo_districts: tuple[str, ...],
    mbo_districts: tuple[str, ...],
) -> pl.DataFrame:
    """The vestigingen of one gemeente (``counts`` per kind; names use its districts), without address."""
    rows: list[dict[str, object]] = []
    used_names: set[str] = set()

    def unique(name: str) -> str:
        base, k = name, 2
        while name in used_names:
            name, k = f"{base} {k}", k + 1
        used_names.add(name)
        return name

    def add(
        brin: str, vestnr: str, kind: str, offers: list[str], weight: float, naam: str, denom: str, gezag: str
    ) -> None:
        rows.append(
            {
                "brin": brin,
                "vestnr": vestnr,
                "kind": kind,
                "offers": offers,
                "weight": weight,
                "naam": unique(naam),
                "denominatie": denom,
                "bevoegd_gezag": gezag,
            }
        )

    p = np.array([t[2] for t in BAO_TYPES])
    for _ in range(counts["BAO"]):
        prefix, denom, _w = BAO_TYPES[rng.choice(len(BAO_TYPES), p=p / p.sum())]
        name = f"{prefix} De {NOUNS[rng.integers(0, len(NOUNS))]}"
        brin = next(brins)
        gezag = f"{rng.integers(40000, 42000)}"
        weight = float(rng.lognormal(0, 0.35))
        if rng.random() < 0.1:  # a nevenvestiging with its own pupils
            add(brin, "00", "BAO", ["BAO"], weight * 0.7, name, denom, gezag)
            add(brin, "01", "BAO", ["BAO"], weight * 0.3, name + " (dependance)", denom, gezag)
        else:
            add(brin, "00", "BAO", ["BAO"], weight, name, denom, gezag)
    for _ in range(counts["SBO"]):
        add(
            next(brins),
            "00",
            "SBO",
            ["SBO"],
            1.0,
            f"SBO De {NOUNS[rng.integers(0, len(NOUNS))]}",
            "Openbaar",
            f"{rng.integers(40000, 42000)}",
        )
    for _ in range(counts["SOVSO"]):
        brin, noun = next(brins), NOUNS[rng.integers(0, len(NOUNS))]
        gezag = f"{rng.integers(40000, 42000)}"
        add(brin, "00", "SO", ["SO"], 1.0, f"Expertisecentrum De {noun} SO", "Algemeen bijzonder", gezag)
        add(brin, "01", "VSO", ["VSO"], 1.0, f"Expertisecentrum De {noun} VSO", "Algemeen bijzonder", gezag)
    vo_words = (
        "Christelijk College",
        "Openbaar Lyceum",
        "Scholengemeenschap",
        "Katholiek College",
        "Vrije School",
        "Technisch College",
    )
    for kind in ("VO-breed", "VO-vmbo", "VO-havovwo"):
        for _ in range(counts[kind]):
            brin = next(brins)
            word = vo_words[rng.integers(0, len(vo_words))]
            district = vo_districts[rng.integers(0, len(vo_districts))]
            gezag = f"{rng.integers(41000, 42000)}"
            weight = float(rng.lognormal(0, 0.3))
            if kind == "VO-breed":
                name = f"{word} {district}"
                add(brin, "00", kind, ["VMBO-GT", "HAVO", "VWO"], weight, name, "Openbaar", gezag)
                add(
                    brin,
                    "01",
                    kind,
                    ["VMBO-BB", "VMBO-KB", "VMBO-GT"],
                    weight * 0.6,
                    name + " vmbo",
                    "Openbaar",
                    gezag,
                )
            elif kind == "VO-vmbo":
                add(
                    brin,
                    "00",
                    kind,
                    ["VMBO-BB", "VMBO-KB", "VMBO-GT"],
                    weight,
                    f"Vakcollege De {NOUNS[rng.integers(0, len(NOUNS))]}",
                    "Protestants-Christelijk",
                    gezag,
                )
            else:
                add(
                    brin,
                    "00",
                    kind,
                    ["HAVO", "VWO"],
                    weight,
                    f"Lyceum {district}",
                    "Algemeen bijzonder",
                    gezag,
                )
    for _ in range(counts["PRO"]):
        add(
            next(brins),
            "00",
            "PRO",
            ["PRO"],
            1.0,
            f"Praktijkschool De {NOUNS[rng.integers(0, len(NOUNS))]}",
            "Openbaar",
            f"{rng.integers(41000, 42000)}",
        )
    mbo_names = ("ROC Polderland", "Flevo Vakcollege", "Nieuwland College", "ROC Lage Vaart")
    for i in range(counts["MBO"]):
        brin = next(brins)
        base = mbo_names[i % len(mbo_names)] + ("" if i < len(mbo_names) else f" {i // len(mbo_names) + 1}")
        gezag = f"{rng.integers(30000, 31000)}"
        for v, district in enumerate(mbo_districts[: 3 + int(rng.random() < 0.5)]):
            add(
                brin,
                f"{v:02d}",
                "MBO",
                list(MBO_LEVELS),
                float(rng.lognormal(0, 0.3)),
                f"{base} {district}",
                "Algemeen bijzonder",
                gezag,
            )

    return pl.DataFrame(rows, schema=[(k, SCHEMA[k]) for k in rows[0]])


# DUO's region columns of Flevoland's schools; other gemeenten's are left empty (no source for their codes).
FLEVOLAND_REGIONS = {
    "NODAAL GEBIED CODE": "28",
    "NODAAL GEBIED NAAM": "Harderwijk",
    "RPA-GEBIED CODE": "15",
    "RPA-GEBIED NAAM": "Flevoland",
    "WGR-GEBIED CODE": "18",
    "WGR-GEBIED NAAM": "Flevoland",
    "COROPGEBIED CODE": "40",
    "COROPGEBIED NAAM": "Flevoland",
    "ONDERWIJSGEBIED CODE": "10",
    "ONDERWIJSGEBIED NAAM": "Harderwijk-Amersfoort",
    "RMC-REGIO CODE": "18",
    "RMC-REGIO NAAM": "Flevoland",
}


def area_code(gemeente: Gemeente) -> str:
    """A fictional telephone area code without its 0 (Almere's real 36), so numbers look like DUO's."""
    return "36" if gemeente.code == ALMERE else f"{10 + gemeente.number % 89:02d}"


def duo_rows(schools: pl.DataFrame, geo: Geography, rng: np.random.Generator) -> pl.DataFrame:
    """scholen.csv in DUO's '03. Alle vestigingen' layout (header names exactly as DUO publishes them), each
    school with its own gemeente's number, name and provincie."""
    addr = geo.addresses
    a = schools["address_id"].to_numpy()
    pc6 = addr["postcode"].to_numpy()[a]
    n = schools.height
    places = [geo.gemeenten[g] for g in geo.gemeente_of_buurt()[addr["buurt_idx"].to_numpy()[a]].tolist()]
    area = [area_code(g) for g in places]
    draws = rng.integers(0, 10_000_000, n)
    phone = [f"{c}{v:07d}" for c, v in zip(area, draws, strict=True)]  # leading 0 stripped, as in DUO's file
    web = [
        "www." + "".join(ch for ch in name.lower().split(" (")[0] if ch.isalnum())[:24] + ".nl"
        for name in schools["naam"].to_list()
    ]
    blank = [""] * n
    flevoland = [g.provincie == "Flevoland" for g in places]
    regions = {col: [v if f else "" for f in flevoland] for col, v in FLEVOLAND_REGIONS.items()}
    return pl.DataFrame(
        {
            "PROVINCIE": [g.provincie for g in places],
            "BEVOEGD GEZAG NUMMER": schools["bevoegd_gezag"].to_list(),
            "BRIN NUMMER": schools["brin"].to_list(),
            "VESTIGINGSNUMMER": [b + v for b, v in zip(schools["brin"], schools["vestnr"], strict=True)],
            "VESTIGINGSNAAM": schools["naam"].to_list(),
            "STRAATNAAM": addr["straat"].to_numpy()[a].tolist(),
            "HUISNUMMER-TOEVOEGING": [str(x) for x in addr["huisnummer"].to_numpy()[a]],
            "POSTCODE": [f"{p[:4]} {p[4:]}" for p in pc6],
            "PLAATSNAAM": [g.naam.upper() for g in places],
            "GEMEENTENUMMER": [str(g.number) for g in places],
            "GEMEENTENAAM": [g.naam.upper() for g in places],
            "DENOMINATIE": schools["denominatie"].to_list(),
            "TELEFOONNUMMER": phone,
            "INTERNETADRES": web,
            "STRAATNAAM CORRESPONDENTIEADRES": blank,
            "HUISNUMMER-TOEVOEGING CORRESPONDENTIEADRES": blank,
            "POSTCODE CORRESPONDENTIEADRES": blank,
            "PLAATSNAAM CORRESPONDENTIEADRES": blank,
            **regions,
        }
    )
