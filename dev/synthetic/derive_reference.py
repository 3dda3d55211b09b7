"""One-off derivation of the small data files in ``dev/synthetic/data/`` from public reference data.

Why this exists: the generator must run without the shared reference folder, so the few aggregates it needs
(Almere's 2024 buurten with populations and youth-care %, wijk names, a product-code selection, BRIN codes
to avoid) are derived once and committed as plain CSV. ``generate`` never imports this module.

Usage (manual, only when the reference data changes)::

    python -m dev.synthetic.derive_reference /work/shared/reference
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
GEMEENTE_PCT = 11.7  # CBS 2024, GM0034: 7,400 jongeren met jeugdzorg in natura (11.7 %)

# Product codes the generator uses per productcategorie (subset of JZ21; categorie 54 and dyslexia have no
# national code, so municipal codes are added below and documented in the README).
SELECTED = {
    "41": ["41A01", "41A02", "41B05"],
    "43": ["43A01", "43A03", "43A04", "43A16", "43A24"],
    "44": ["44A01", "44A03", "44A04", "44A11", "44A19"],
    "45": ["45A01", "45A02", "45A03", "45A07", "45A08", "45A14", "45A15", "45A48", "45A53", "45B13"],
    "46": ["46A01", "46A03", "46B03"],
    "47": ["47A08", "47A09", "47B10"],
    "48": ["48A01", "48A02", "48A03"],
    "49": ["49A03", "49B02"],
    "51": ["51A00", "51A01", "51A02"],
    "52": ["52A00"],
}
MUNICIPAL = [
    ("45D01", "45", "02", "Dyslexie diagnostiek (gemeentelijke code Almere, synthetisch)"),
    ("45D02", "45", "02", "Dyslexie behandeling (gemeentelijke code Almere, synthetisch)"),
    ("54G01", "54", "02", "Jeugd-ggz basis (gemeentelijke code, synthetisch)"),
    ("54G02", "54", "02", "Jeugd-ggz specialistisch (gemeentelijke code, synthetisch)"),
]


def _pct(value: str) -> float | None:
    """Parse the corrected CBS percentage, undoing the exporter's lost-decimal artefact (1.1 means 11 %)."""
    if not value or value.strip() in {".", ""}:
        return None
    pct = float(value)
    return pct * 10 if pct < 3 else pct


def derive(reference: Path) -> None:
    """Write buurten.csv, wijken.csv, producten.csv and bestaande_brin_almere.txt into ``data/``."""
    rows = list(csv.DictReader((reference / "cbs/almere_kwb_2018_2025_selectie.csv").open(encoding="utf-8")))
    by_year = {(r["jaar"], r["code"]): r for r in rows}
    buurten = sorted((r for r in rows if r["jaar"] == "2024" and r["soort"] == "Buurt"), key=lambda r: r["code"])
    wijk_pct = {
        r["code"]: _pct(r["PercentageJongerenMetJeugdzorg_gecorrigeerd"])
        for r in rows
        if r["jaar"] == "2024" and r["soort"] == "Wijk"
    }

    def pc4_of(code: str) -> tuple[str | None, str]:
        for year in ("2024", "2023", "2022", "2025"):
            value = by_year.get((year, code), {}).get("MeestVoorkomendePostcode", ".")
            if value and value != ".":
                return value, f"cbs{year}"
        return None, ""

    out: list[dict[str, Any]] = []
    for r in buurten:
        pc4, bron = pc4_of(r["code"])
        pct = _pct(r["PercentageJongerenMetJeugdzorg_gecorrigeerd"])
        wijk = "WK" + r["code"][2:8]
        pct_bron = "buurt"
        if pct is None:
            pct, pct_bron = wijk_pct.get(wijk), "wijk"
        if pct is None:
            pct, pct_bron = GEMEENTE_PCT, "gemeente"
        out.append(
            {
                "buurtcode": r["code"],
                "wijkcode": wijk,
                "inwoners": int(r["AantalInwoners"] or 0),
                "k_0_14": int(r["k_0Tot15Jaar"] or 0),
                "k_15_24": int(r["k_15Tot25Jaar"] or 0),
                "jeugdzorg_pct": round(pct, 1),
                "jeugdzorg_pct_bron": pct_bron,
                "pc4": pc4,
                "pc4_bron": bron,
            }
        )
    # Fill missing PC4 from the nearest buurt (by code) in the same wijk, else the nearest buurt overall.
    for i, b in enumerate(out):
        if b["pc4"]:
            continue
        candidates = [o for o in out if o["pc4"] and o["pc4_bron"] != "aangevuld"]
        same = [o for o in candidates if o["wijkcode"] == b["wijkcode"]] or candidates
        best = min(same, key=lambda o: abs(out.index(o) - i))
        b["pc4"], b["pc4_bron"] = best["pc4"], "aangevuld"

    names = {}
    with (reference / "cbs/almere_pc4_wijknaam_nieuwbouw_export.csv").open(encoding="utf-8-sig") as fh:
        for rec in csv.DictReader(fh, delimiter=";"):
            pc4, _, name = rec["Postcodes"].partition(" ")
            names[pc4] = name.strip()
    wijken = sorted({b["wijkcode"] for b in out})
    raw_names: dict[str, str] = {}
    for wk in wijken:
        pcs = Counter(b["pc4"] for b in out if b["wijkcode"] == wk and b["pc4_bron"] != "aangevuld")
        name = ""
        if pcs:
            top = sorted(pcs.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            name = names.get(top, "")
            if name.lower() in {"almere", "overig", ""}:
                name = ""
        raw_names[wk] = name or f"Wijk {wk[-2:]}"
    counts = Counter(n.lower() for n in raw_names.values())
    seen: Counter[str] = Counter()
    with (DATA_DIR / "wijken.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["wijkcode", "wijknaam"])
        for wk in wijken:
            name = raw_names[wk]
            if counts[name.lower()] > 1:
                seen[name.lower()] += 1
                name = f"{name} {seen[name.lower()]}"
            w.writerow([wk, name])

    with (DATA_DIR / "buurten.csv").open("w", encoding="utf-8", newline="") as fh:
        dw = csv.DictWriter(fh, fieldnames=list(out[0]), lineterminator="\n")
        dw.writeheader()
        dw.writerows(out)

    jz21 = {
        r["productcode"]: r
        for r in csv.DictReader(
            (reference / "ijw/codelijsten/JZ21_standaardproductcodelijst_jeugdwet.csv").open(encoding="utf-8")
        )
    }
    with (DATA_DIR / "producten.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["productcode", "productcategorie", "hulpvorm", "omschrijving", "bron"])
        for cat, codes in SELECTED.items():
            for code in codes:
                r = jz21[code]
                assert r["productcategorie_code"] == cat, code
                w.writerow([code, cat, r["dimensie_hulpvorm_code"], r["omschrijving"], "JZ21"])
        for code, cat, vorm, oms in MUNICIPAL:
            w.writerow([code, cat, vorm, oms, "gemeentelijk"])

    brins: set[str] = set()
    for name in ("bo_alle_vestigingen_almere_subset_raw.csv", "vo_hoofdvestigingen_duo_ca2016_raw.csv"):
        with (reference / "duo" / name).open(encoding="cp1252") as fh:
            for rec in csv.DictReader(fh, delimiter=";"):
                brins.add(rec["BRIN NUMMER"].strip())
    (DATA_DIR / "bestaande_brin.txt").write_text("\n".join(sorted(b for b in brins if b)) + "\n", encoding="utf-8")


KERNCIJFERS = "kerncijfers_wijken_buurten.csv"


def derive_kerncijfers(reference: Path) -> None:
    """The CBS kerncijfers in their raw layout, cut to what the monitor reads: the gemeente and wijk rows and the
    columns of the contract's keys and measures (every year table's copy), each cell byte for byte (padding, '.',
    the lost decimals and the BOM kept), so the demo's context input is the real file's layout."""
    from pipelines.context.kerncijfers import load_contract

    contract = load_contract()
    lines = (reference / "cbs/almere_kwb_2018_2025_raw.csv").read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(contract.file.delimiter)
    keys = [
        "ID",
        contract.keys.peildatum.column,
        "WijkenEnBuurten",
        contract.keys.soort.column,
        contract.keys.code.column,
    ]
    wanted = set(keys) | {c for m in contract.measures for c in m.columns(header)}
    keep = [i for i, name in enumerate(header) if name in wanted]
    soort = header.index(contract.keys.soort.column)
    out = []
    for line in lines:
        cells = line.split(contract.file.delimiter)
        if line is lines[0] or cells[soort].strip() in contract.file.regionTypes:
            out.append(contract.file.delimiter.join(cells[i] for i in keep))
    (DATA_DIR / KERNCIJFERS).write_text("\n".join(out) + "\n", encoding="utf-8-sig")


GEMEENTEN = "gemeenten.csv"
# Gemeenten of the 2015 regio-indeling (swv table) that were merged, renamed or split by 1-1-2026, by their 2026
# gemeente (CBS herindelingen 2016-2023). A split gemeente goes whole to the successor that took most of it
# (Haaren → Oisterwijk, Littenseradiel → Súdwest-Fryslân), so its PC4s count once.
SUCCESSOR_2026 = {
    "Altena": ("Aalburg", "Werkendam", "Woudrichem"),
    "Amsterdam": ("Weesp",),
    "Beek (L.)": ("Beek",),
    "Beekdaelen": ("Nuth", "Onderbanken", "Schinnen"),
    "Berg en Dal": ("Groesbeek",),
    "De Fryske Marren": ("De Friese Meren",),
    "Dijk en Waard": ("Heerhugowaard", "Langedijk"),
    "Edam-Volendam": ("Zeevang",),
    "Eemsdelta": ("Appingedam", "Delfzijl", "Loppersum"),
    "Gooise Meren": ("Bussum", "Muiden", "Naarden"),
    "Groningen": ("Haren", "Ten Boer"),
    "Haarlemmermeer": ("Haarlemmerliede en Spaarnwoude",),
    "Hengelo (O.)": ("Hengelo",),
    "Het Hogeland": ("Bedum", "De Marne", "Eemsmond", "Winsum"),
    "Hoeksche Waard": ("Binnenmaas", "Cromstrijen", "Korendijk", "Oud-Beijerland", "Strijen"),
    "Land van Cuijk": ("Boxmeer", "Cuijk", "Grave", "Mill en Sint Hubert", "Sint Anthonis"),
    "Laren (NH.)": ("Laren",),
    "Leeuwarden": ("Leeuwarderadeel",),
    "Maashorst": ("Landerd", "Uden"),
    "Meierijstad": ("Schijndel", "Sint-Oedenrode", "Veghel"),
    "Middelburg (Z.)": ("Middelburg",),
    "Midden-Groningen": ("Hoogezand-Sappemeer", "Menterwolde", "Slochteren"),
    "Molenlanden": ("Giessenlanden", "Molenwaard"),
    "Noardeast-Fryslân": ("Dongeradeel", "Ferwerderadiel", "Kollumerland en Nieuwkruisland"),
    "Noordwijk": ("Noordwijkerhout",),
    "Oisterwijk": ("Haaren",),
    "Purmerend": ("Beemster",),
    "Rijswijk (ZH.)": ("Rijswijk",),
    "Stein (L.)": ("Stein",),
    "Súdwest-Fryslân": ("Sudwest Fryslan", "Littenseradiel"),
    "Vijfheerenlanden": ("Leerdam", "Vianen", "Zederik"),
    "Voorne aan Zee": ("Brielle", "Hellevoetsluis", "Westvoorne"),
    "Waadhoeke": ("Franekeradeel", "het Bildt", "Menameradiel"),
    "West Betuwe": ("Geldermalsen", "Lingewaal", "Neerijnen"),
    "Westerkwartier": ("Grootegast", "Leek", "Marum", "Zuidhorn"),
    "Westerwolde": ("Bellingwedde", "Vlagtwedde"),
    "Zevenaar": ("Rijnwaarden",),
}


def derive_gemeenten(reference: Path) -> None:
    """gemeenten.csv: the 342 gemeenten of 2026 (code, name, provincie, jeugdregio) with the PC4s the 2015
    regio-indeling passend onderwijs gives them (a 2015 gemeente's PC4s go to its 2026 successor) and their PO/VO
    samenwerkingsverband: the generator's places, sizes (PC4 count) and schools' postcodes."""
    with (reference / "cbs/indeling/gemeente_jeugdregio_2026_derived.csv").open(encoding="utf-8") as fh:
        gemeenten = list(csv.DictReader(fh, delimiter=";"))
    codes = {r["gemeentenaam"]: r["gemeentecode"] for r in gemeenten}
    with (reference / "ijw/codelijsten/CBS_Gemeentecodes.csv").open(encoding="utf-8") as fh:
        listed = {"GM" + r["Gemeentecode"]: r["Gemeentenaam"] for r in csv.DictReader(fh)}
    if listed != {r["gemeentecode"]: r["gemeentenaam"] for r in gemeenten}:
        raise ValueError("the iJw gemeente list and the jeugdregio table disagree")
    successor = {old: new for new, olds in SUCCESSOR_2026.items() for old in olds}
    pc4s: dict[str, list[tuple[str, str, str]]] = {code: [] for code in codes.values()}
    with (reference / "duo/swv/swv_regio_indeling_pc4_2015_derived.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter=";"):
            if not r["PO SWV"].startswith("PO") or not r["VO SWV"].startswith("VO"):
                continue  # Europoort: the port has no schools
            pc4s[codes[successor.get(r["gemeente"], r["gemeente"])]].append((r["PC4"], r["PO SWV"], r["VO SWV"]))
    with (DATA_DIR / GEMEENTEN).open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\n")
        w.writerow(["gemeentecode", "gemeentenaam", "provincienaam", "jeugdregiocode", "jeugdregionaam", "pc4"])
        for r in sorted(gemeenten, key=lambda r: r["gemeentecode"]):
            cells = sorted(pc4s[r["gemeentecode"]])
            if not cells:
                raise ValueError(f"{r['gemeentenaam']} has no PC4 in the regio-indeling")
            pc4 = " ".join(f"{p}:{po}:{vo}" for p, po, vo in cells)
            w.writerow(
                [
                    r["gemeentecode"],
                    r["gemeentenaam"],
                    r["provincienaam"],
                    r["jeugdregiocode"],
                    r["jeugdregionaam_cbs2025"],
                    pc4,
                ]
            )


if __name__ == "__main__":
    derive(Path(sys.argv[1]))
    derive_kerncijfers(Path(sys.argv[1]))
    derive_gemeenten(Path(sys.argv[1]))
