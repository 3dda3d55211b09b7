"""Retention after the publication: the purge of person-level rows past their contract's retention."""
