"""Independent implementations the tests compare the monitor with (never imported by the monitor)."""
