-- pupil_units: the attribution of each pupil-year to the publication levels (docs/levels.md), defined once.
-- NL: Elke leerling telt in jaar y mee bij zijn school (die hoort bij de gemeente van de school) en haar
--     samenwerkingsverband (school_areas), en bij de gemeente waar hij woont (pupil_years.gemeente_code:
--     woonplaatsbeginsel), de wijk daarin (ONBEKEND als het adres onbekend is) en de gebieden daarboven
--     (area_units: jeugdregio, Nederland). Woont hij buiten de run, dan telt hij alleen bij school en
--     samenwerkingsverband.
-- EN: Every pupil counts in year y for its school (owned by the school's gemeente) and its samenwerkingsverband,
--     and for the gemeente it lives in (residence principle), the wijk there and the areas above (jeugdregio,
--     country). Living outside the run: school and samenwerkingsverband only. Indicators group by
--     (schooljaar, niveau, eenheid_code) over this view instead of repeating the attribution.
CREATE OR REPLACE VIEW pupil_units AS
SELECT schooljaar, person_id, 'school' AS niveau, vestiging AS eenheid_code FROM pupil_years
UNION ALL
SELECT p.schooljaar, p.person_id, 'samenwerkingsverband', s.samenwerkingsverband
FROM pupil_years p
JOIN school_areas s ON s.vestiging = p.vestiging
UNION ALL
SELECT p.schooljaar, p.person_id, 'wijk', wijk_unit(p.wijk_code, p.gemeente_code)
FROM pupil_years p
JOIN run_gemeenten r ON r.gemeente_code = p.gemeente_code
UNION ALL
SELECT p.schooljaar, p.person_id, a.niveau, a.eenheid_code
FROM pupil_years p
JOIN area_units a ON a.gemeente_code = p.gemeente_code;
