"""Keyed pseudonyms: HMAC-SHA-256 over a domain-separated, normalised identifier, one step of the scheme.

A step is where the pseudonymiser runs: `source` (a data holder, over the identifier itself; also the single-key
demo mode), `ttp` (the trusted third party, over a source pseudonym) or `rekey` (the TTP, over a monitor pseudonym
made with its previous key). Each step has its own message prefix, so no step's output can pass for another's.

Why keyed: an unkeyed hash of a BSN is reversible by hashing all ~91 million valid BSNs in seconds.
Why a domain label: the same key in another project yields unrelated pseudonyms.
Why the identifier type in the message: a BSN and an onderwijsnummer with equal digits never collide.

The hot path computes exactly HMAC-SHA-256 (RFC 2104) but sets the key up once: the SHA-256 states after
the padded key (ipad, and the domain/type prefix) and after opad are computed once per identifier type
and copied for each value, two compression rounds a value instead of four, about 3x faster than
`hmac.digest`. Tests hold it to `hmac_sha256` (and so to the RFC 4231 vectors) for every key length.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from pseudonymisation.config import HashingConfig
from pseudonymisation.key import PseudonymKey

_BLOCK = 64  # SHA-256 block size in bytes


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """The primitive, exposed so RFC 4231 test vectors can be checked against exactly what we use."""
    return hmac.digest(key, message, "sha256")


class _KeyedStates:
    """HMAC-SHA-256 under one key and message prefix, with the key's two padded blocks hashed once."""

    __slots__ = ("inner", "outer")

    def __init__(self, key: bytes, prefix: bytes) -> None:
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        block = key.ljust(_BLOCK, b"\0")
        self.inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self.inner.update(prefix)
        self.outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def digests(self, messages: Iterable[bytes], n_bytes: int) -> list[bytes]:
        """The first `n_bytes` of HMAC(key, prefix + message) for each message."""
        inner_copy, outer_copy = self.inner.copy, self.outer.copy
        out: list[bytes] = []
        append = out.append
        for message in messages:
            inner = inner_copy()
            inner.update(message)
            outer = outer_copy()
            outer.update(inner.digest())
            append(outer.digest()[:n_bytes])
        return out


STEPS = ("source", "ttp", "rekey")


class Pseudonymiser:
    """Turns valid, normalised identifiers into fixed-length pseudonyms under one key, configuration and step."""

    def __init__(self, config: HashingConfig, key: PseudonymKey, step: str = "source") -> None:
        if not config.resolved:
            raise ValueError("The hashing configuration names no gemeente; use HashingConfig.for_gemeente(code).")
        if step not in STEPS:
            raise ValueError(f"Unknown pseudonymisation step {step!r}; one of {', '.join(STEPS)}.")
        self.config = config
        self.key = key
        self.step = step
        self._length = config.output.length
        self._states: dict[str, _KeyedStates] = {}

    def __repr__(self) -> str:
        return f"Pseudonymiser(domain={self.config.domain_label!r}, step={self.step!r}, key={self.key!r})"

    def _prefix(self, identifier_type: str) -> bytes:
        if identifier_type not in self.config.identifier_types:
            raise ValueError(f"Unknown identifier type {identifier_type!r}; see contracts/pseudonymisation.yaml")
        step = "" if self.step == "source" else f"{self.step}|"
        return f"{self.config.domain_label}|{step}{identifier_type}|".encode()

    def _keyed(self, identifier_type: str) -> _KeyedStates:
        states = self._states.get(identifier_type)
        if states is None:
            states = self._states[identifier_type] = _KeyedStates(self.key.secret, self._prefix(identifier_type))
        return states

    @property
    def length(self) -> int:
        """Hex characters in a pseudonym."""
        return self._length

    @property
    def digest_bytes(self) -> int:
        """Bytes of the HMAC a pseudonym shows (its hex text is cut to `length` characters)."""
        return (self._length + 1) // 2

    def pseudonymise(self, identifier_type: str, value: str) -> str:
        """Pseudonym of one identifier. The caller has validated it; invalid values must never get here."""
        return self.pseudonymise_many(identifier_type, [value])[0]

    def pseudonymise_many(self, identifier_type: str, values: Iterable[str]) -> list[str]:
        """Pseudonyms for many values of one type; the hot path of ingest."""
        length = self._length
        digests = self.digests(identifier_type, (v.encode() for v in values))
        return [d.hex()[:length] for d in digests]

    def digests(self, identifier_type: str, values: Iterable[bytes]) -> list[bytes]:
        """The pseudonyms' bytes (`digest_bytes` each, hex-encode and cut to `length` for the text form)."""
        return self._keyed(identifier_type).digests(values, self.digest_bytes)
