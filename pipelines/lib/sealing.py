"""The warehouse sealed at rest: its own data key, DuckDB database encryption and Parquet modular encryption.

The person-level warehouse (the DuckDB file, `staged/` and `quarantine/` Parquet, partition scratch databases)
is encrypted with a data key that is not the pseudonymisation key: whoever copies the warehouse folder gets
ciphertext, and whoever holds pseudonymisation secrets still cannot read the warehouse. The key lives in its own
file, named by MONITOR_WAREHOUSE_KEY_FILE: outside the repository, owner-only (no group or other bits), 32 random
bytes written as hex (`monitor key new --warehouse --out FILE`). Only that file's path is passed to Dagster's
processes, never the key; `WarehouseKey` shows its fingerprint and nothing else in logs and errors.

Two keys are derived from it (HMAC-SHA256 with a fixed label each), so the database and the Parquet files never
share key material: DuckDB gets one as its ENCRYPTION_KEY (AES-GCM, written through the httpfs extension's
OpenSSL: DuckDB's built-in crypto can only read), and Parquet's key-encryption key wraps the random per-file data
keys (pyarrow's envelope encryption, footer and columns encrypted). The httpfs extension is loaded from the
`duckdb-extension-httpfs` wheel on disk: nothing is downloaded at run time.
"""

from __future__ import annotations

import base64
import hmac
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pyarrow.parquet.encryption as pe
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_FILE_VARIABLE = "MONITOR_WAREHOUSE_KEY_FILE"
KEY_BYTES = 32
# A random 32-byte key has ≈ 30 distinct byte values; fewer than this means a pattern, not a random key.
MIN_DISTINCT_BYTES = 16
WAREHOUSE_ALIAS = "warehouse"
_DUCKDB_LABEL = b"jeugdmonitor warehouse duckdb v1"
_PARQUET_LABEL = b"jeugdmonitor warehouse parquet kek v1"
_FINGERPRINT_LABEL = b"jeugdmonitor warehouse fingerprint v1"
# Every label a key is derived under: the privacy tests try each derived key as a pseudonymisation key.
WAREHOUSE_LABELS = (_DUCKDB_LABEL, _PARQUET_LABEL, _FINGERPRINT_LABEL)
_PARQUET_MASTER_KEY = "warehouse-v1"


class WarehouseKeyError(RuntimeError):
    """The data key is missing or stored unsafely. The message says what to do, never the key."""


class WarehouseKey:
    """The warehouse data key; its text form is its fingerprint."""

    __slots__ = ("_secret", "fingerprint")

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self.fingerprint = hmac.digest(secret, _FINGERPRINT_LABEL, "sha256").hex()[:16]

    def derive(self, label: bytes) -> bytes:
        return hmac.digest(self._secret, label, "sha256")

    def __repr__(self) -> str:
        return f"WarehouseKey(fingerprint={self.fingerprint!r})"

    __str__ = __repr__


def _repository_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _pseudonymisation_secrets(env: dict[str, str]) -> set[bytes]:
    """What the pseudonymisation key looks like in this environment, to refuse reusing it as the data key."""
    texts = [env.get("MONITOR_PSEUDONYM_KEY", "")]
    key_file = env.get("MONITOR_KEY_FILE", "").strip()
    if key_file and Path(key_file).expanduser().is_file():
        with suppress(OSError):
            texts.append(Path(key_file).expanduser().read_text(encoding="utf-8"))
    return {t.strip().lower().encode() for t in texts if t.strip()}


def load_warehouse_key(environ: dict[str, str] | None = None) -> WarehouseKey:
    """The data key from the file named by MONITOR_WAREHOUSE_KEY_FILE, or a refusal that says how to fix it."""
    env = dict(os.environ) if environ is None else environ
    name = env.get(KEY_FILE_VARIABLE, "").strip()
    if not name:
        raise WarehouseKeyError(
            f"No warehouse data key: point {KEY_FILE_VARIABLE} at a key file outside the repository "
            "(create one with `monitor key new --warehouse --out FILE`); it is not the pseudonymisation key."
        )
    path = Path(name).expanduser()
    if path.is_symlink() or not path.is_file():
        raise WarehouseKeyError(f"The warehouse key file named by {KEY_FILE_VARIABLE} is not a regular file: {path}.")
    path = path.resolve()
    if path.is_relative_to(_repository_root()):
        raise WarehouseKeyError(f"The warehouse key file {path} lies inside the repository; keep it outside.")
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise WarehouseKeyError(f"The warehouse key file {path} is open to group or others; run `chmod 600 {path}`.")
    key_file = env.get("MONITOR_KEY_FILE", "").strip()
    if key_file and Path(key_file).expanduser().resolve() == path:
        raise WarehouseKeyError("The warehouse key file is the pseudonymisation key file; the data key needs its own.")
    text = path.read_text(encoding="utf-8").strip().lower()
    if text.encode() in _pseudonymisation_secrets(env):
        raise WarehouseKeyError("The warehouse key equals the pseudonymisation key; create a separate data key.")
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        raise WarehouseKeyError(f"The warehouse key file {path} does not hold a hex key; create a new one.") from None
    if len(secret) != KEY_BYTES or len(set(secret)) < MIN_DISTINCT_BYTES:
        raise WarehouseKeyError(
            f"The warehouse key file {path} does not hold {KEY_BYTES} random bytes; create one with "
            "`monitor key new --warehouse --out FILE`."
        )
    return WarehouseKey(secret)


def new_warehouse_key_file(path: Path) -> None:
    """A fresh random data key (hex), owner-only; an existing file is never overwritten."""
    path = path.expanduser()
    if path.exists():
        raise WarehouseKeyError(f"{path} exists already; a key is never overwritten.")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(os.urandom(KEY_BYTES).hex() + "\n")


# --- DuckDB ------------------------------------------------------------------------------------------------------


@cache
def httpfs_extension() -> Path:
    """The httpfs extension shipped in the duckdb-extension-httpfs wheel, for this DuckDB version."""
    import duckdb_extension_httpfs

    version = duckdb.__version__
    path = Path(duckdb_extension_httpfs.__file__).parent / "extensions" / f"v{version}" / "httpfs.duckdb_extension"
    if not path.is_file():
        raise WarehouseKeyError(f"duckdb-extension-httpfs for DuckDB {version} is not installed (run `make setup`).")
    return path


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def attach_sealed(
    con: duckdb.DuckDBPyConnection, database: Path, key: WarehouseKey, alias: str, read_only: bool = False
) -> None:
    """Attach an encrypted database file under `alias`; errors never carry the statement (it holds the key)."""
    options = f"ENCRYPTION_KEY {_sql_string(key.derive(_DUCKDB_LABEL).hex())}" + (", READ_ONLY" if read_only else "")
    try:
        con.execute(f"ATTACH {_sql_string(str(database))} AS {alias} ({options})")
    except duckdb.Error as exc:
        message = str(exc).replace(key.derive(_DUCKDB_LABEL).hex(), "***").strip().splitlines()[0]
        raise WarehouseKeyError(f"Cannot open the sealed database {database} with {key}: {message}") from None


@contextmanager
def open_sealed(
    database: Path,
    key: WarehouseKey | None = None,
    read_only: bool = False,
    config: dict[str, str | bool | int | float | list[str]] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection whose default database is the encrypted file `database` (created when absent).

    Spill files are encrypted too (`temp_file_encryption`), and no extension is ever downloaded."""
    key = key or load_warehouse_key()
    settings: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        **(config or {}),
    }
    con = duckdb.connect(config=settings)
    try:
        con.execute(f"LOAD {_sql_string(str(httpfs_extension()))}")
        con.execute("SET temp_file_encryption = true")
        attach_sealed(con, database, key, WAREHOUSE_ALIAS, read_only=read_only)
        con.execute(f"USE {WAREHOUSE_ALIAS}")
        yield con
    finally:
        con.close()


def is_sealed_database(path: Path) -> bool:
    """Whether a DuckDB file is encrypted (DuckDB refuses to open it without a key)."""
    with duckdb.connect() as con:
        try:
            con.execute(f"ATTACH {_sql_string(str(path))} AS probe (READ_ONLY)")
        except duckdb.Error as exc:
            return "encrypted" in str(exc).lower()
    return False


# --- Parquet -----------------------------------------------------------------------------------------------------


class _KeyWrapper(pe.KmsClient):
    """A local 'KMS': wraps each file's data keys with AES-256-GCM under the key-encryption key."""

    def __init__(self, kek: bytes) -> None:
        super().__init__()
        self._aead = AESGCM(kek)

    def wrap_key(self, key_bytes: bytes, master_key_identifier: str) -> bytes:
        nonce = os.urandom(12)
        return base64.b64encode(nonce + self._aead.encrypt(nonce, key_bytes, master_key_identifier.encode()))

    def unwrap_key(self, wrapped_key: bytes, master_key_identifier: str) -> bytes:
        raw = base64.b64decode(wrapped_key)
        return self._aead.decrypt(raw[:12], raw[12:], master_key_identifier.encode())


def _factory(key: WarehouseKey) -> pe.CryptoFactory:
    kek = key.derive(_PARQUET_LABEL)
    return pe.CryptoFactory(lambda _config: _KeyWrapper(kek))


def parquet_encryption(key: WarehouseKey | None = None) -> pq.FileEncryptionProperties:
    """Properties for pyarrow's ParquetWriter: footer and every column encrypted (AES-GCM, 256-bit data keys)."""
    key = key or load_warehouse_key()
    configuration = pe.EncryptionConfiguration(
        footer_key=_PARQUET_MASTER_KEY, uniform_encryption=True, plaintext_footer=False, data_key_length_bits=256
    )
    return _factory(key).file_encryption_properties(pe.KmsConnectionConfig(), configuration)


def parquet_decryption(key: WarehouseKey | None = None) -> pq.FileDecryptionProperties:
    key = key or load_warehouse_key()
    return _factory(key).file_decryption_properties(pe.KmsConnectionConfig(), pe.DecryptionConfiguration())


def read_sealed_table(path: Path, key: WarehouseKey | None = None) -> pa.Table:
    return pq.read_table(path, decryption_properties=parquet_decryption(key))


def read_sealed(path: Path, key: WarehouseKey | None = None) -> pl.DataFrame:
    """A sealed Parquet file as a polars frame (polars cannot decrypt Parquet itself)."""
    frame = pl.from_arrow(read_sealed_table(path, key))
    assert isinstance(frame, pl.DataFrame)
    return frame


def write_sealed(frame: pl.DataFrame, path: Path, key: WarehouseKey | None = None) -> None:
    """Write a frame as a sealed Parquet file, next to `path` first and renamed over it."""
    partial = path.with_name(f".{path.name}.partial")
    table = frame.to_arrow()
    pq.write_table(table, partial, compression="zstd", encryption_properties=parquet_encryption(key))
    os.replace(partial, path)


def sealed_dataset(path: Path, key: WarehouseKey | None = None) -> ds.Dataset:
    """A sealed Parquet file as a pyarrow dataset, which DuckDB scans in place (projection and filters pushed)."""
    key = key or load_warehouse_key()
    decryption = ds.ParquetDecryptionConfig(_factory(key), pe.KmsConnectionConfig(), pe.DecryptionConfiguration())
    options = ds.ParquetFragmentScanOptions(decryption_config=decryption)
    return ds.dataset(path, format=ds.ParquetFileFormat(default_fragment_scan_options=options))


def is_sealed_parquet(path: Path) -> bool:
    """Whether a Parquet file has an encrypted footer ('PARE' magic instead of 'PAR1')."""
    with path.open("rb") as handle:
        handle.seek(-4, os.SEEK_END)
        return handle.read(4) == b"PARE"


class WarehouseUnsealer:
    """Reads sealed and plain files alike with the warehouse data key (`pipelines.audit.known_identifiers.Unsealer`)."""

    def __init__(self, key: WarehouseKey | None = None) -> None:
        self.key = key or load_warehouse_key()

    def read_parquet(self, path: Path) -> pa.Table:
        return read_sealed_table(path, self.key) if is_sealed_parquet(path) else pq.read_table(path)

    @contextmanager
    def open_duckdb(self, path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
        if is_sealed_database(path):
            with open_sealed(path, self.key, read_only=True) as con:
                yield con
        else:
            with duckdb.connect(str(path), read_only=True) as con:
                yield con
