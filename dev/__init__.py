"""Development tools, not shipped with the monitor: the synthetic generator, benchmarks and test oracles.

They live outside `pipelines/` so the installed monitor carries none of them; `monitor demo` and `monitor data`
need a source checkout (where `dev` is importable).
"""
