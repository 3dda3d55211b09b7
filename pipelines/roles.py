"""The three parties of the two-step pseudonymisation, played on one machine: for `monitor demo` and the tests.

    data holders   `pseudonymise`            raw exports   → <export>.source.csv   (source key)
    TTP            `pseudonymise-ttp`        source files  → <export>.pseudo.csv   (TTP key)
    analyst        `monitor run`             pseudo files  → warehouse, publication (no pseudonymisation key)

Each party's secrets live in a folder of its own (`holders/`, `ttp/`, `analyst/` under one secrets folder outside
the repository, 0700, keys 0600); each step is run through its command's own `main`, with its key file as an
argument, exactly as the party would type it. Nothing here is needed in production, where the three parties are
three organisations: docs/pseudonymisation.md.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipelines.lib.sealing import new_warehouse_key_file
from pipelines.lib.settings import DEFAULT_CONFIG, MonitorConfig
from pseudonymisation.at_source import main as pseudonymise
from pseudonymisation.config import load_hashing_config
from pseudonymisation.key import load_key_file, new_key_file
from pseudonymisation.ttp import main as pseudonymise_ttp

# Who delivers what (spec §1): the school administrations (via DUO), the BRP and the youth-care department.
HOLDERS: dict[str, tuple[str, ...]] = {
    "scholen": ("inschrijvingen.csv", "diplomas.csv", "verzuim.csv"),
    "brp": ("bewoners.csv",),
    "jeugdhulp": ("toewijzingen.csv", "declaraties.csv", "ijw"),
}
# Public reference tables (CBS, DUO): no person in them, they go to the analyst as they are.
REFERENCES = ("scholen.csv", "wijken.csv", "pc6hnr.csv")
OPTIONAL_REFERENCES = ("kerncijfers_wijken_buurten.csv",)  # CBS figures for the wijk context, when delivered


@dataclass(frozen=True)
class RoleKeys:
    """Where each party keeps its secret, and the fingerprints the analyst's configuration expects."""

    source_key: Path
    ttp_key: Path
    warehouse_key: Path
    source_fingerprint: str
    ttp_fingerprint: str


def role_keys(secrets: Path) -> RoleKeys:
    """Each party's key in its own folder under `secrets`, created on first use (owner-only)."""
    source, ttp, warehouse = secrets / "holders" / "source.key", secrets / "ttp" / "ttp.key", secrets / "analyst"
    for folder in (secrets, source.parent, ttp.parent, warehouse):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for key in (source, ttp):
        if not key.exists():
            new_key_file(key)
    if not (warehouse / "warehouse.key").exists():
        new_warehouse_key_file(warehouse / "warehouse.key")
    hashing = load_hashing_config()
    return RoleKeys(
        source,
        ttp,
        warehouse / "warehouse.key",
        load_key_file(source, source.stem, hashing).fingerprint,
        load_key_file(ttp, ttp.stem, hashing).fingerprint,
    )


def holders_pseudonymise(raw: Path, transfer: Path, keys: RoleKeys, gemeente: str, say: bool = True) -> None:
    """Every holder pseudonymises its own exports in `raw` into `transfer` (the TTP's intake)."""
    for holder, names in HOLDERS.items():
        exports = [str(raw / name) for name in names if (raw / name).exists()]
        if not exports:
            continue
        if say:
            print(f"  gegevenshouder {holder}: pseudonymise {' '.join(Path(e).name for e in exports)}")
        argv = [*exports, "--key", str(keys.source_key), "--gemeente", gemeente, "--out", str(transfer)]
        if holder == "brp":
            argv += ["--addresses", str(raw / "pc6hnr.csv")]
        if pseudonymise(argv) != 0:
            raise RuntimeError(f"the holder {holder} could not pseudonymise its exports (see above)")


def ttp_translate(transfer: Path, inbox: Path, keys: RoleKeys, gemeente: str, say: bool = True) -> None:
    """The TTP translates the holders' files into the analyst's inbox."""
    if say:
        print(f"  vertrouwde derde partij: pseudonymise-ttp translate {transfer.name}/ → {inbox}")
    argv = ["translate", str(transfer), "--key", str(keys.ttp_key), "--gemeente", gemeente]
    argv += ["--source-fingerprint", keys.source_fingerprint, "--out", str(inbox)]
    if pseudonymise_ttp(argv) != 0:
        raise RuntimeError("the trusted third party could not translate the holders' files (see above)")


def copy_references(raw: Path, inbox: Path) -> None:
    inbox.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name in REFERENCES:
        shutil.copy(raw / name, inbox / name)
    for name in OPTIONAL_REFERENCES:
        if (raw / name).is_file():
            shutil.copy(raw / name, inbox / name)


def analyst_config(target: Path, keys: RoleKeys, base: Path = DEFAULT_CONFIG) -> Path:
    """`base` (monitor.toml) in the two-step mode, expecting the holders' and the TTP's key fingerprints."""
    text = base.read_text(encoding="utf-8")
    settings = {
        "mode": '"two-step"',
        "source_key_fingerprint": f'"{keys.source_fingerprint}"',
        "ttp_key_fingerprint": f'"{keys.ttp_fingerprint}"',
    }
    head, section, tail = text.partition("[pseudonymisation]")
    if not section:
        raise ValueError(f"{base} has no [pseudonymisation] section")
    body, next_section, rest = tail.partition("\n[")
    for name, value in settings.items():
        body, found = re.subn(rf"(?m)^{name} = .*$", f"{name} = {value}", body)
        if not found:
            body += f"{name} = {value}\n"
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    target.write_text(head + section + body + next_section + rest, encoding="utf-8")
    MonitorConfig.load(target)  # fails here, not in the run, if the result is not a valid configuration
    return target


def two_step_inbox(raw: Path, work: Path, keys: RoleKeys, gemeente: str, say: bool = True) -> Path:
    """Holders, then TTP: the analyst's inbox under `work` (`work/ttp-in/` is what travelled to the TTP)."""
    transfer, inbox = work / "ttp-in", work / "inbox"
    holders_pseudonymise(raw, transfer, keys, gemeente, say)
    ttp_translate(transfer, inbox, keys, gemeente, say)
    copy_references(raw, inbox)
    return inbox
