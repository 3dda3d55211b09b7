"""Loading the pseudonymisation key, and its fingerprint.

The key is the only secret in the monitor. It comes from an environment variable or from a key file
outside the repository that others cannot read. It is wrapped in `PseudonymKey`, whose text form is the
fingerprint, so that an accidental log line or error message can never show the key itself.
"""

from __future__ import annotations

import hmac
import os
import stat
from pathlib import Path

from pseudonymisation.config import HashingConfig


class KeyError_(RuntimeError):
    """The key is missing, too short or stored unsafely. The message says what to do, never the key."""


class PseudonymKey:
    """A secret key that only reveals its fingerprint."""

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


def decode_key_text(text: str, origin: str = "the key") -> bytes:
    """A key is hex (the `monitor key new` format) and nothing else: a passphrase taken as bytes would be a
    low-entropy key that looks valid."""
    try:
        return bytes.fromhex(text.strip())
    except ValueError:
        raise KeyError_(
            f"The key from {origin} is not hexadecimal; create a key with `monitor key new --out FILE`."
        ) from None


def _repository_root() -> Path:
    return Path(__file__).resolve().parents[1]


def load_key(config: HashingConfig, environ: dict[str, str] | None = None) -> PseudonymKey:
    """Find the key (environment variable first, then key file) or refuse with a clear message."""
    env = dict(os.environ) if environ is None else environ
    kc = config.key
    text = env.get(kc.environment_variable, "").strip()
    origin = f"environment variable {kc.environment_variable}"
    if not text:
        file_name = env.get(kc.file_environment_variable, "").strip()
        if not file_name:
            raise KeyError_(
                f"No pseudonymisation key: set {kc.environment_variable} or point {kc.file_environment_variable} "
                "at a key file outside the repository (create one with `monitor key new --out FILE`)."
            )
        path = Path(file_name).expanduser().resolve()
        origin = f"key file {path}"
        if not path.is_file():
            raise KeyError_(f"The key file named by {kc.file_environment_variable} does not exist: {path}.")
        if path.is_relative_to(_repository_root()):
            raise KeyError_(f"The key file {path} lies inside the repository; keep it outside (e.g. ~/.config).")
        if kc.file_must_not_be_world_readable and path.stat().st_mode & stat.S_IROTH:
            raise KeyError_(f"The key file {path} is readable by everyone; run `chmod 600 {path}`.")
        text = path.read_text(encoding="utf-8").strip()
    secret = decode_key_text(text, origin)
    if len(secret) < kc.min_bytes:
        raise KeyError_(f"The key from {origin} is shorter than {kc.min_bytes} bytes; generate a new one.")
    return PseudonymKey(secret, kc.id, config.fingerprint.label, config.fingerprint.length)


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
