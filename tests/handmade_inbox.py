"""A hand-made inbox of twelve persons whose indicator values are worked out by hand in the tests.

Identifiers are made here, at test time (valid eleven-test BSNs from a fixed sequence), never committed.

School years: enrolment dates run from 2022-08-01 to 2024-07-31, so the computed years are 2022/2023
(peildatum 2022-10-01) and 2023/2024 (peildatum 2023-10-01); E1 exists for 2022/2023 only.
Schools: 11AA00 "Basisschool De Eik" (BAO), 22BB00 "College Noord" (VO), 33CC00 "ROC Almere" (MBO).
Wijken: WK003401 "Haven" (1353AA 1), WK003402 "Stad" (1354BB 2).
"""

from __future__ import annotations

from pathlib import Path

from pseudonymisation.bsn import WEIGHTS as ELEVEN_TEST_WEIGHTS

WEIGHTS = ELEVEN_TEST_WEIGHTS[:-1]  # the first eight digits'; the check digit (weight -1) is solved for


def valid_bsn(n: int) -> str:
    """The n-th valid BSN from 100000000 upward (eleven-test), as nine digits."""
    base = 10_000_000 + n * 7
    while True:
        digits = f"{base:08d}"
        check = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11
        if check < 10:
            return digits + str(check)
        base += 1


def valid_onderwijsnummer(n: int) -> str:
    """An onderwijsnummer: 10xxxxxxx with weighted sum (weights 9..2, -1) = 5 mod 11."""
    base = 100_000 + n * 13
    while True:
        digits = f"10{base:06d}"
        total = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True))
        check = (total - 5) % 11
        if check < 10:
            return digits + str(check)
        base += 1


P = {i: valid_bsn(i) for i in range(1, 13)}
P8_ONDERWIJSNUMMER = valid_onderwijsnummer(8)


def write_handmade_inbox(inbox: Path) -> None:
    """Write every spec §1 export for the twelve persons (flat youth-care form)."""
    inbox.mkdir(parents=True, exist_ok=True)

    def write(name: str, header: str, rows: list[str], sep: str = ";", encoding: str = "utf-8") -> None:
        text = "\r\n".join([header, *rows]) + "\r\n"
        (inbox / name).write_bytes(text.replace(";", sep).encode(encoding))

    enrol = (
        "bsn;onderwijsnummer;geboortedatum;brin;vestigingsnummer;onderwijssoort;leerjaar;"
        "datum_inschrijving;datum_uitschrijving"
    )
    write(
        "inschrijvingen.csv",
        enrol,
        [
            f"{P[1]};;15-03-2014;11AA;0;BAO;4;01-08-2022;",
            f"{P[2]};;20-05-2014;11AA;0;BAO;4;01-08-2022;31-07-2024",
            f"{P[3]};;01-01-2015;11AA;0;BAO;3;01-08-2022;",
            f"{P[4]};;10-02-2009;22BB;00;HAVO;2;01-08-2022;",
            f"{P[5]};;11-11-2006;22BB;00;VMBO-BB;4;01-08-2022;15-07-2023",
            f"{P[6]};;12-12-2006;22BB;00;HAVO;5;01-08-2022;10-07-2023",
            f"{P[7]};;05-05-2007;22BB;00;VMBO-KB;4;01-08-2022;10-07-2023",
            f"{P[7]};;05-05-2007;33CC;00;MBO-2;1;15-08-2023;",
            f";{P8_ONDERWIJSNUMMER};06-06-2015;11AA;0;BAO;3;01-08-2022;",
            f"{P[9]};;07-07-2011;11AA;0;BAO;8;01-08-2022;15-10-2022",
            f"{P[9]};;07-07-2011;22BB;00;VWO;1;01-09-2022;",
            f"{P[10]};;08-08-2014;11AA;0;BAO;4;01-08-2022;",
            f"{P[12]};;09-09-2008;22BB;00;VWO;3;01-08-2022;",
        ],
        encoding="cp1252",
    )
    write(
        "diplomas.csv",
        "bsn;onderwijsnummer;brin;vestigingsnummer;diploma;datum_diploma",
        [f"{P[6]};;22BB;00;HAVO;30-06-2023"],
        encoding="cp1252",
    )
    write(
        "verzuim.csv",
        "bsn,onderwijsnummer,brin,vestigingsnummer,soort,datum_start,datum_einde,vrijstelling",
        [f"{P[4]},,22BB,00,RELATIEF,2022-11-01,2022-12-15,N"],
        sep=",",
        encoding="utf-8-sig",
    )
    homes = {
        1: "1353AA;1",
        2: "1353AA;1",
        3: "1354BB;2",
        4: "1354BB;2",
        5: "1353AA;1",
        6: "1353AA;1",
        7: "1354BB;2",
        9: "1354BB;2",
        11: "1353AA;1",
        12: "1353AA;1",
    }
    births = {
        1: "2014-03-15",
        2: "2014-05-20",
        3: "2015-01-01",
        4: "2009-02-10",
        5: "2006-11-11",
        6: "2006-12-12",
        7: "2007-05-05",
        9: "2011-07-07",
        10: "2014-08-08",
        11: "2019-04-04",
        12: "2008-09-09",
    }
    rows = [f"{P[i]};{births[i]};{home};2015-01-01;" for i, home in homes.items()]
    rows += [
        f"{P[10]};{births[10]};1353AA;1;2015-01-01;2023-05-01",
        f"{P[10]};{births[10]};1354BB;2;2023-05-01;",
    ]
    write("bewoners.csv", "bsn;geboortedatum;postcode;huisnummer;datum_vanaf;datum_tot", rows)
    write(
        "toewijzingen.csv",
        "bsn;toewijzingnummer;productcategorie;productcode;verwijzer_type;ingangsdatum;einddatum;begindatum_zorg;"
        "einddatum_zorg;reden_beeindiging",
        [
            f"{P[1]};1001;45;45A03;02;2022-09-01;2023-03-31;;;",
            f"{P[3]};1003;48;48A01;04;2022-01-01;;;;",
            f"{P[10]};1010;45;45A04;;2023-09-01;;;;",
            f"{P[11]};1011;45;45A03;03;2022-10-01;;;;",
            f"{P[12]};1012;43;43A05;01;2021-01-01;2022-12-31;;;",
        ],
    )
    write(
        "declaraties.csv",
        "bsn;toewijzingnummer;periode_begin;periode_einde;bedrag;debet_credit",
        [
            f"{P[1]};1001;2022-09-01;2022-09-30;500,00;D",
            f"{P[1]};1001;2022-10-01;2022-10-31;500,00;D",
            f"{P[1]};1001;2022-10-01;2022-10-31;100,00;C",
            f"{P[3]};1003;2023-01-01;2023-01-31;1000,00;D",
            f"{P[12]};1012;2022-11-01;2022-11-30;8000,00;D",
        ],
    )
    write(
        "scholen.csv",
        "BRIN NUMMER;VESTIGINGSNUMMER;VESTIGINGSNAAM;POSTCODE;GEMEENTENUMMER",
        [
            "11AA;11AA00;Basisschool De Eik;1353 AA;0034",
            "22BB;22BB00;College Noord;1354 BB;0034",
            "33CC;33CC00;ROC Almere;1354 BB;0034",
        ],
        encoding="cp1252",
    )
    write(
        "pc6hnr.csv",
        "PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024",
        ["1353AA;1;340101;3401;34", "1354BB;2;340201;3402;34"],
    )
    write("wijken.csv", "wijkcode;wijknaam", ["WK003401;Haven", "WK003402;Stad"])
