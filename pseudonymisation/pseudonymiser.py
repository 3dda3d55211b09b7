"""Keyed pseudonyms: HMAC-SHA-256 over a domain-separated, normalised identifier.

Why keyed: an unkeyed hash of a BSN is reversible by hashing all ~91 million valid BSNs in seconds.
Why a domain label: the same key in another project yields unrelated pseudonyms.
Why the identifier type in the message: a BSN and an onderwijsnummer with equal digits never collide.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from pseudonymisation import bsn, onderwijsnummer
from pseudonymisation.config import HashingConfig
from pseudonymisation.key import PseudonymKey

VALIDATORS = {"bsn": bsn, "onderwijsnummer": onderwijsnummer}


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """The primitive, exposed so RFC 4231 test vectors can be checked against exactly what we use."""
    return hmac.digest(key, message, "sha256")


class Pseudonymiser:
    """Turns valid, normalised identifiers into fixed-length pseudonyms under one key and configuration."""

    def __init__(self, config: HashingConfig, key: PseudonymKey) -> None:
        self.config = config
        self.key = key
        self._length = config.output.length

    def __repr__(self) -> str:
        return f"Pseudonymiser(domain={self.config.domain_label!r}, key={self.key!r})"

    def _prefix(self, identifier_type: str) -> bytes:
        if identifier_type not in self.config.identifier_types:
            raise ValueError(f"Unknown identifier type {identifier_type!r}; see contracts/pseudonymisation.yaml")
        return f"{self.config.domain_label}|{identifier_type}|".encode()

    def pseudonymise(self, identifier_type: str, value: str) -> str:
        """Pseudonym of one identifier. The caller has validated it; invalid values must never get here."""
        return self.pseudonymise_many(identifier_type, [value])[0]

    def pseudonymise_many(self, identifier_type: str, values: Iterable[str]) -> list[str]:
        """Pseudonyms for many values of one type; the hot path of ingest."""
        prefix = self._prefix(identifier_type)
        secret = self.key.secret
        n_bytes = self._length // 2 + 1
        length = self._length
        return [hmac_sha256(secret, prefix + v.encode())[:n_bytes].hex()[:length] for v in values]

    @staticmethod
    def is_valid(identifier_type: str, value: str) -> bool:
        return VALIDATORS[identifier_type].is_valid(value)
