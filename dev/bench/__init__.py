"""Benchmarks: `make bench` prints figures; tests never time anything (performance is measured, not asserted).

Each benchmark that measures memory runs in a child process and reads the operating system's own peak
(VmHWM) or samples the resident set (VmRSS), so the figures are the real ones.
"""
