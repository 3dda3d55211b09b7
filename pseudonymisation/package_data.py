"""Where the intake kit finds its rule book: the contracts, code lists and iJw schemas shipped with it.

They are package data (`importlib.resources`), so an installed `pseudonymise` reads the same contracts as the
monitor in the repository (there `pseudonymisation/contracts` links to the top-level `contracts/`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

CONTRACTS_DIR = Path(str(resources.files("pseudonymisation").joinpath("contracts"))).resolve()
CODELISTS_DIR = CONTRACTS_DIR / "codelists"
IJW_XSD_DIR = CONTRACTS_DIR / "ijw" / "xsd-3.2"
HASHING_CONFIG = CONTRACTS_DIR / "pseudonymisation.yaml"
CONTRACT_SCHEMA = CONTRACTS_DIR / "contract.schema.json"
