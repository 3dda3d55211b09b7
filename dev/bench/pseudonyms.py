"""Pseudonyms per second at national scale, against a bare `hmac.digest` loop over the same values.

The target (issue 4): the module's `pseudonymise_many` within 3x of the bare loop. Two cores: the values
are split over two worker processes, each with its own copy of the key (as two ingest steps would).
"""

from __future__ import annotations

import hmac
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from pseudonymisation import bsn
from pseudonymisation.config import load_hashing_config
from pseudonymisation.key import PseudonymKey
from pseudonymisation.pseudonymiser import Pseudonymiser

BENCH_KEY = bytes(range(32))  # a fixed, public benchmark key: never a real one
WEIGHTS = np.array(bsn.WEIGHTS[:-1])  # the check digit's weight (-1) is what the loop solves for


def distinct_bsns(n: int, seed: int = 1) -> list[str]:
    """n distinct nine-digit numbers that pass the eleven-test."""
    rng = np.random.default_rng(seed)
    bases = rng.choice(np.arange(10_000_000, 99_999_999, dtype=np.int64), size=int(n * 1.15), replace=False)
    digits = (bases[:, None] // 10 ** np.arange(7, -1, -1)) % 10
    check = (digits * WEIGHTS).sum(axis=1) % 11
    valid = bases[check < 10] * 10 + check[check < 10]
    return [f"{v:09d}" for v in valid[:n]]


def _pseudonymiser() -> Pseudonymiser:
    config = load_hashing_config().for_gemeente("GM0034")
    key = PseudonymKey(BENCH_KEY, "bench", config.fingerprint.label, config.fingerprint.length)
    return Pseudonymiser(config, key)


def bare_loop(values: list[str]) -> float:
    """Seconds for the floor: one `hmac.digest` per value, nothing else."""
    prefix = b"jeugdmonitor|bsn|"
    started = time.perf_counter()
    for v in values:
        hmac.digest(BENCH_KEY, prefix + v.encode(), "sha256")
    return time.perf_counter() - started


def module_one_core(values: list[str]) -> float:
    pseudonymiser = _pseudonymiser()
    started = time.perf_counter()
    pseudonymiser.pseudonymise_many("bsn", values)
    return time.perf_counter() - started


def _work(values: list[str]) -> int:
    return len(_pseudonymiser().pseudonymise_many("bsn", values))


def module_two_cores(values: list[str]) -> float:
    half = len(values) // 2
    with ProcessPoolExecutor(max_workers=2) as pool:
        pool.submit(_work, ["100000009"]).result()  # start both workers before the clock
        started = time.perf_counter()
        done = sum(pool.map(_work, [values[:half], values[half:]]))
    assert done == len(values)
    return time.perf_counter() - started


def run(n: int) -> list[tuple[str, float, float]]:
    """(variant, seconds, pseudonyms per second) for n distinct identifiers."""
    values = distinct_bsns(n)
    rows = []
    for name, measure in (
        ("bare hmac.digest loop, 1 core", bare_loop),
        ("pseudonymise_many, 1 core", module_one_core),
        ("pseudonymise_many, 2 cores", module_two_cores),
    ):
        seconds = measure(values)
        rows.append((name, seconds, n / seconds))
    return rows
