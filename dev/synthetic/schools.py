"""Fictional Almere schools (BAO, SBO, (V)SO, VO incl. PRO, MBO) and their DUO-style register rows.

Why: enrolments need vestigingen with plausible BRIN codes, types and addresses; the monitor reads the same
schools from scholen.csv in DUO's real open-data layout. Names and BRIN codes are made up and checked against
the real ones so no real school is implied.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from dev.synthetic.geography import Geography, pick_addresses
from dev.synthetic.identifiers import make_brins

MBO_LEVELS = ("MBO-1", "MBO-2", "MBO-3", "MBO-4")
DISTRICTS = {
    "131": "Almere-Stad",
    "132": "Almere-Stad",
    "133": "Almere-Buiten",
    "134": "Almere-Hout",
    "135": "Almere-Haven",
    "136": "Almere-Poort",
    "130": "Almere-Pampus",
}
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
SCHEMA = {
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


def build_schools(rng: np.random.Generator, geo: Geography, scale: float) -> pl.DataFrame:
    """One row per vestiging with type, offered onderwijssoorten, capacity weight, name and address."""
    counts = _counts(scale)
    brins = iter(make_brins(rng, sum(counts.values())))
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
            district = list(DISTRICTS.values())[rng.integers(0, 6)]
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
        for v, district in enumerate(
            ("Almere-Stad", "Almere-Buiten", "Almere-Poort", "Almere-Haven")[: 3 + int(rng.random() < 0.5)]
        ):
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

    df = pl.DataFrame(rows)
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


def duo_rows(schools: pl.DataFrame, geo: Geography, rng: np.random.Generator) -> pl.DataFrame:
    """scholen.csv in DUO's '03. Alle vestigingen' layout (header names exactly as DUO publishes them)."""
    addr = geo.addresses
    a = schools["address_id"].to_numpy()
    pc6 = addr["postcode"].to_numpy()[a]
    n = schools.height
    phone = [f"36{v:07d}" for v in rng.integers(0, 10_000_000, n)]  # leading 0 stripped, as in DUO's file
    web = [
        "www." + "".join(ch for ch in name.lower().split(" (")[0] if ch.isalnum())[:24] + ".nl"
        for name in schools["naam"].to_list()
    ]
    blank = [""] * n
    return pl.DataFrame(
        {
            "PROVINCIE": ["Flevoland"] * n,
            "BEVOEGD GEZAG NUMMER": schools["bevoegd_gezag"].to_list(),
            "BRIN NUMMER": schools["brin"].to_list(),
            "VESTIGINGSNUMMER": [b + v for b, v in zip(schools["brin"], schools["vestnr"], strict=True)],
            "VESTIGINGSNAAM": schools["naam"].to_list(),
            "STRAATNAAM": addr["straat"].to_numpy()[a].tolist(),
            "HUISNUMMER-TOEVOEGING": [str(x) for x in addr["huisnummer"].to_numpy()[a]],
            "POSTCODE": [f"{p[:4]} {p[4:]}" for p in pc6],
            "PLAATSNAAM": ["ALMERE"] * n,
            "GEMEENTENUMMER": ["34"] * n,
            "GEMEENTENAAM": ["ALMERE"] * n,
            "DENOMINATIE": schools["denominatie"].to_list(),
            "TELEFOONNUMMER": phone,
            "INTERNETADRES": web,
            "STRAATNAAM CORRESPONDENTIEADRES": blank,
            "HUISNUMMER-TOEVOEGING CORRESPONDENTIEADRES": blank,
            "POSTCODE CORRESPONDENTIEADRES": blank,
            "PLAATSNAAM CORRESPONDENTIEADRES": blank,
            "NODAAL GEBIED CODE": ["28"] * n,
            "NODAAL GEBIED NAAM": ["Harderwijk"] * n,
            "RPA-GEBIED CODE": ["15"] * n,
            "RPA-GEBIED NAAM": ["Flevoland"] * n,
            "WGR-GEBIED CODE": ["18"] * n,
            "WGR-GEBIED NAAM": ["Flevoland"] * n,
            "COROPGEBIED CODE": ["40"] * n,
            "COROPGEBIED NAAM": ["Flevoland"] * n,
            "ONDERWIJSGEBIED CODE": ["10"] * n,
            "ONDERWIJSGEBIED NAAM": ["Harderwijk-Amersfoort"] * n,
            "RMC-REGIO CODE": ["18"] * n,
            "RMC-REGIO NAAM": ["Flevoland"] * n,
        }
    )
