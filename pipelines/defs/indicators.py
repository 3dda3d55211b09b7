"""Stage 5, indicators: one SQL file per indicator family, then one long table with values and names."""

from pipelines.defs.link import sql_asset

INDICATOR_FAMILIES = {
    "ind_pupils": ("G1 Leerlingen", ["pupil_units"]),
    "ind_youth_care_use": ("A1 Leerlingen met jeugdhulp", ["pupil_units", "trajectory_years"]),
    "ind_referrals": ("B1 Verwijzingen naar verwijzer", ["pupil_units", "trajectory_years"]),
    "ind_costs": ("C1 Jeugdhulpkosten totaal", ["pupil_units", "declaration_years"]),
    "ind_school_leaving": (
        "E1 Nieuwe voortijdig schoolverlaters",
        ["pupil_units", "pupil_years", "school_years"],
    ),
}

indicator_assets = [
    sql_asset(name, deps, "indicators", f"{title}: teller and noemer per school year and level.", "indicators/")
    for name, (title, deps) in INDICATOR_FAMILIES.items()
] + [
    sql_asset(
        "indicators",
        list(INDICATOR_FAMILIES),
        "indicators",
        "All indicators with value, unit, names and gemeente_waarde; not yet protected (never published).",
    )
]
