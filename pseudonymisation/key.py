"""Loading a pseudonymisation key, checking it, and its fingerprint.

Each party holds its own secret: a data holder the source key, the trusted third party (TTP) its TTP key; the
analyst holds none (docs/pseudonymisation.md). A key lives in a file outside the repository that only its owner
can read (no group or other bit), holding 32 or more random bytes as hex; a pattern (`abab…`), a passphrase or a
short key is refused, because a guessable key makes every pseudonym reversible by enumerating the ~91 M BSNs.
Holder and TTP commands take the key file as an argument (`--key FILE`), never through the environment, so no
child process inherits it. Only the single-key mode (demo and tests, refused in production) still reads
MONITOR_PSEUDONYM_KEY / MONITOR_KEY_FILE. A key is wrapped in `PseudonymKey`, whose text form is its
fingerprint, so an accidental log line or error message can never show the key itself.
"""

from __future__ import annotations

import hmac
import os
import stat
from pathlib import Path

from pseudonymisation.config import HashingConfig

# A random 32-byte key has ≈ 30 distinct byte values (fewer than 16 has probability < 1e-9); fewer means a
# pattern or a text, not a random key.
MIN_DISTINCT_BYTES = 16


class KeyError_(RuntimeError):
    """The key is missing, weak or stored unsafely. The message says what to do, never the key."""


class PseudonymKey:
    """A secret key that only reveals its id and fingerprint."""

    __slots__ = ("_secret", "fingerprint", "key_id")

    def __init__(self, secret: bytes, key_id: str, fingerprint_label: str, fingerprint_length: int) -> None:
        self._secret = secret
        self.key_id = key_id
        self.fingerprint = hmac.digest(secret, fingerprint_label.encode(), "sha256").hex()[:fingerprint_length]

    @property
    def secret(self) -> bytes:
        return self._secret

    def __repr__(self) -> str:
        return f"PseudonymKey(id={self.key_id!r}, fingerprint={self.fingerprint!r})"

    __str__ = __repr__


def decode_key_text(text: str, origin: str = "the key", min_bytes: int = 32) -> bytes:
    """The key's bytes: hex (the `monitor key new` format) of at least `min_bytes` random-looking bytes.

    A passphrase taken as bytes, or a repeated pattern, would be a low-entropy key that looks valid."""
    try:
        secret = bytes.fromhex(text.strip())
    except ValueError:
        raise KeyError_(
            f"The key from {origin} is not hexadecimal; create a key with `monitor key new --out FILE`."
        ) from None
    if len(secret) < min_bytes:
        raise KeyError_(f"The key from {origin} is shorter than {min_bytes} bytes; generate a new one.")
    if len(set(secret)) < MIN_DISTINCT_BYTES:
        raise KeyError_(
            f"The key from {origin} is not random (a pattern of {len(set(secret))} distinct byte values); "
            "generate a new one with `monitor key new --out FILE`."
        )
    return secret


def _repository_root() -> Path:
    return Path(__file__).resolve().parents[1]


def read_key_file(path: Path, min_bytes: int = 32) -> bytes:
    """The secret in `path`: a regular file outside the repository, owner-only, holding a full-entropy key."""
    path = Path(path).expanduser()
    if path.is_symlink() or not path.is_file():
        raise KeyError_(f"The key file {path} does not exist or is not a regular file.")
    path = path.resolve()
    if path.is_relative_to(_repository_root()):
        raise KeyError_(f"The key file {path} lies inside the repository; keep it outside (e.g. ~/.config).")
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyError_(f"The key file {path} is open to group or others; run `chmod 600 {path}`.")
    return decode_key_text(path.read_text(encoding="utf-8"), f"key file {path}", min_bytes)


def load_key_file(path: Path, key_id: str, config: HashingConfig) -> PseudonymKey:
    """A holder's or the TTP's key from the file given on its command line."""
    secret = read_key_file(path, config.key.min_bytes)
    return PseudonymKey(secret, key_id, config.fingerprint.label, config.fingerprint.length)


def load_key(config: HashingConfig, environ: dict[str, str] | None = None) -> PseudonymKey:
    """The single-key mode's key (environment variable first, then key file), or a refusal that says why."""
    env = dict(os.environ) if environ is None else environ
    kc = config.key
    text = env.get(kc.environment_variable, "").strip()
    if text:
        secret = decode_key_text(text, f"environment variable {kc.environment_variable}", kc.min_bytes)
        return PseudonymKey(secret, kc.id, config.fingerprint.label, config.fingerprint.length)
    file_name = env.get(kc.file_environment_variable, "").strip()
    if not file_name:
        raise KeyError_(
            f"No pseudonymisation key: set {kc.environment_variable} or point {kc.file_environment_variable} "
            "at a key file outside the repository (create one with `monitor key new --out FILE`)."
        )
    return load_key_file(Path(file_name), kc.id, config)


def new_key_file(path: Path, n_bytes: int = 32) -> None:
    """Write a fresh random key (hex) readable by its owner only; refuses to overwrite an existing key."""
    path = path.expanduser()
    if path.exists():
        raise KeyError_(f"{path} exists already; a key is never overwritten.")
    if path.resolve().is_relative_to(_repository_root()):  # load_key would refuse it there
        raise KeyError_(f"{path} lies inside the repository; write the key outside it (e.g. ~/.config/jeugdmonitor/).")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(os.urandom(n_bytes).hex() + "\n")
