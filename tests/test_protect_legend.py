"""The legend every dashboard page carries names every rule that hides a cell, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime

from dashboards.pages import PageContext, _notes


def test_the_legend_names_every_rule_and_claims_no_bound_the_label_does_not_hold() -> None:
    ctx = PageContext("Almere", False, 10, 50, datetime(2026, 12, 2, tzinfo=UTC), "nl", 12, 0.4)
    note = _notes(ctx)
    for dutch in ("minder dan 10 personen", "noemer min teller", "kleiner dan 50", "minder dan 12 personen", "40%"):
        assert dutch in note, dutch
    for english in ("fewer than 10 persons", "denominator minus numerator", "below 50", "fewer than 12", "40%"):
        assert english in note, english
    assert "zegt dus niet dat het getal zelf kleiner is dan 10" in note
    assert "does not say that the number itself is below 10" in note
