"""Made-up Dutch names and phone numbers for iJw client data.

Why: iJw messages carry client names, addresses and phone numbers; the monitor's ingest must drop them, so the
synthetic messages must contain them. They are random combinations of common name parts, not real people.
"""

from __future__ import annotations

import numpy as np

FIRST_M = (
    "Daan",
    "Sem",
    "Lucas",
    "Milan",
    "Levi",
    "Noah",
    "Finn",
    "Mees",
    "Luuk",
    "Bram",
    "Jesse",
    "Thijs",
    "Mohammed",
    "Adam",
    "Ryan",
    "Kevin",
    "Julian",
    "Ravi",
    "Stijn",
    "Ties",
    "Gijs",
    "Owen",
    "Jayden",
    "Tim",
)
FIRST_F = (
    "Emma",
    "Julia",
    "Mila",
    "Tess",
    "Sophie",
    "Zoë",
    "Sara",
    "Nora",
    "Yara",
    "Eva",
    "Lotte",
    "Fleur",
    "Noor",
    "Fenna",
    "Saar",
    "Anna",
    "Amira",
    "Lina",
    "Priya",
    "Iris",
    "Roos",
    "Maud",
    "Esmee",
    "Jasmijn",
)
SURNAMES = (
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Brouwer",
    "Kok",
    "Willems",
    "Verhoeven",
    "Kramer",
    "Postma",
    "Koster",
    "Prins",
    "Kuipers",
    "Blom",
    "Huisman",
    "Veenstra",
    "Haan",
    "Groot",
    "Wit",
    "Vries",
    "Bruijn",
    "Boer",
    "Graaf",
    "Yilmaz",
    "Amrani",
    "Ramdin",
    "Tahiri",
    "Sedney",
    "Doornbos",
    "Zwart",
    "Hoekstra",
    "Timmer",
    "Wolters",
)
PREFIXED = {
    "Haan": "de",
    "Groot": "de",
    "Wit": "de",
    "Vries": "de",
    "Bruijn": "de",
    "Boer": "de",
    "Graaf": "van de",
}


class NameBook:
    """Deterministic fake identity per person id (same person → same name in every message)."""

    def __init__(self, seed: int, n_persons: int) -> None:
        r = np.random.default_rng([seed, 7])
        self.last = r.integers(0, len(SURNAMES), n_persons)
        self.first = r.integers(0, 24, n_persons)
        self.parent_first = r.integers(0, 48, n_persons)
        self.phone = r.integers(10_000_000, 99_999_999, n_persons)

    def person(self, pid: int, sex: int) -> tuple[str, str | None, str, str, str]:
        """(achternaam, voorvoegsel, voornaam, voorletter, telefoonnummer)."""
        last = SURNAMES[int(self.last[pid])]
        first = (FIRST_M if sex == 1 else FIRST_F)[int(self.first[pid])]
        return last, PREFIXED.get(last), first, first[0], f"06{int(self.phone[pid])}"

    def parent(self, pid: int) -> tuple[str, str]:
        """(voornaam, voorletter) of a parent listed as Relatie."""
        first = (FIRST_F + FIRST_M)[int(self.parent_first[pid])]
        return first, first[0]
