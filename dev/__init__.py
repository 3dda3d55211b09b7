"""Development tools, not shipped with the monitor: the synthetic generator, benchmarks and test oracles.

They live outside `pipelines/` so the installed monitor carries none of them, and they import the monitor, never
the other way round: `make demo` and `make data` run `python -m dev.demo` from a source checkout.
"""
