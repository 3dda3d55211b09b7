"""Keyed pseudonyms: the primitive, determinism, domain separation, key handling and normalisation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pseudonymisation.config import load_hashing_config
from pseudonymisation.key import KeyError_, PseudonymKey, load_key, load_key_file, new_key_file
from pseudonymisation.pseudonymiser import Pseudonymiser, hmac_sha256

CONFIG = load_hashing_config().for_gemeente("GM0034")


@pytest.mark.parametrize(
    ("key", "data", "expected"),
    [  # RFC 4231 test cases 1, 2 and 6
        (b"\x0b" * 20, b"Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (
            b"Jefe",
            b"what do ya want for nothing?",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            b"\xaa" * 131,
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        ),
    ],
)
def test_primitive_passes_rfc4231_vectors(key: bytes, data: bytes, expected: str) -> None:
    assert hmac_sha256(key, data).hex() == expected


def make(secret: bytes = b"k" * 32, domain: str | None = None) -> Pseudonymiser:
    config = CONFIG if domain is None else CONFIG.model_copy(update={"domain_label": domain})
    return Pseudonymiser(config, PseudonymKey(secret, "test", "label", 16))


def test_same_input_key_and_domain_give_the_same_fixed_length_pseudonym() -> None:
    a, b = make().pseudonymise("bsn", "111222333"), make().pseudonymise("bsn", "111222333")
    assert a == b and len(a) == CONFIG.output.length and int(a, 16) >= 0


def test_other_key_domain_or_identifier_type_give_other_pseudonyms() -> None:
    base = make().pseudonymise("bsn", "111222333")
    assert make(secret=b"x" * 32).pseudonymise("bsn", "111222333") != base
    assert make(domain="another-project").pseudonymise("bsn", "111222333") != base
    assert make().pseudonymise("onderwijsnummer", "111222333") != base


def test_key_text_shows_only_the_fingerprint() -> None:
    key = PseudonymKey(b"s3cret-key-material-of-32-bytes!", "id1", "label", 16)
    assert "s3cret" not in repr(key) and key.fingerprint in repr(key)


def test_missing_key_is_refused_with_instructions() -> None:
    with pytest.raises(KeyError_, match="MONITOR_PSEUDONYM_KEY"):
        load_key(CONFIG, environ={})


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o644, 0o610])
def test_a_key_file_open_to_group_or_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "key"
    new_key_file(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert load_key_file(path, "k", CONFIG).fingerprint
    os.chmod(path, mode)
    with pytest.raises(KeyError_, match="open to group or others"):
        load_key_file(path, "k", CONFIG)
    with pytest.raises(KeyError_, match="open to group or others"):
        load_key(CONFIG, {"MONITOR_KEY_FILE": str(path)})


def test_a_key_file_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    target, link = tmp_path / "key", tmp_path / "link"
    new_key_file(target)
    link.symlink_to(target)
    with pytest.raises(KeyError_, match="not a regular file"):
        load_key_file(link, "k", CONFIG)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("abcd", "shorter than"),
        ("00" * 32, "not random"),
        ("ab" * 32, "not random"),
        ("0123456789abcdef" * 4, "not random"),  # 8 distinct byte values
        (b"correct horse battery staple!!!!".hex(), "not random"),  # a passphrase as hex: 17 letters, 1 space
        ("2c6f408ffe1f1025", "shorter than"),
    ],
)
def test_a_key_without_full_entropy_is_refused(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "weak.key"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(KeyError_, match=reason):
        load_key_file(path, "k", CONFIG)
    with pytest.raises(KeyError_, match=reason):
        load_key(CONFIG, {"MONITOR_PSEUDONYM_KEY": text})


@given(st.binary(min_size=32, max_size=64))
def test_a_key_of_os_random_quality_is_accepted_and_its_text_shows_only_the_fingerprint(secret: bytes) -> None:
    """`monitor key new` writes os.urandom(32); such keys pass (a random key has ≈ 30 distinct byte values)."""
    if len(set(secret)) >= 16:
        key = load_key(CONFIG, {"MONITOR_PSEUDONYM_KEY": secret.hex()})
        assert secret.hex() not in repr(key) and key.fingerprint in repr(key)


def test_new_key_files_are_random_enough_for_the_loader(tmp_path: Path) -> None:
    for i in range(50):
        new_key_file(tmp_path / f"{i}.key")
        load_key_file(tmp_path / f"{i}.key", "k", CONFIG)


def test_a_key_that_is_not_hex_is_refused() -> None:
    """Documented as hex: a passphrase is not silently taken as its UTF-8 bytes."""
    with pytest.raises(KeyError_, match="not hexadecimal"):
        load_key(CONFIG, {"MONITOR_PSEUDONYM_KEY": "correct horse battery staple, long enough"})
    assert load_key(CONFIG, {"MONITOR_PSEUDONYM_KEY": os.urandom(32).hex()}).fingerprint


def test_key_new_refuses_a_file_inside_the_repository_that_the_run_would_refuse() -> None:
    inside = Path(__file__).resolve().parents[1] / "data" / "never-written.key"
    with pytest.raises(KeyError_, match="inside the repository"):
        new_key_file(inside)
    assert not inside.exists()
