-- area_units: the areas above a gemeente that it counts in, defined once (docs/levels.md).
-- NL: Elke gemeente van de run telt mee bij zichzelf, bij haar jeugdregio (CBS-indeling 2026) als de run alle
--     gemeenten van die jeugdregio bevat (anders zou het cijfer maar een deel van de regio zijn), en bij
--     Nederland als de run het hele land bevat ([region] national).
-- EN: Every gemeente of the run counts for itself, for its jeugdregio (CBS 2026) when the run holds all the
--     jeugdregio's gemeenten (else the figure would cover part of it), and for the country in a national run.
CREATE OR REPLACE VIEW area_units AS
WITH regions AS (
    SELECT j.jeugdregio_code, bool_and(r.gemeente_code IS NOT NULL) AS complete
    FROM ref_jeugdregio j
    LEFT JOIN run_gemeenten r ON r.gemeente_code = j.gemeente_code
    GROUP BY ALL
)
SELECT gemeente_code, 'gemeente' AS niveau, gemeente_code AS eenheid_code FROM run_gemeenten
UNION ALL
SELECT r.gemeente_code, 'jeugdregio', j.jeugdregio_code
FROM run_gemeenten r
JOIN ref_jeugdregio j ON j.gemeente_code = r.gemeente_code
JOIN regions g ON g.jeugdregio_code = j.jeugdregio_code AND g.complete
UNION ALL
SELECT r.gemeente_code, 'nederland', 'NL' FROM run_gemeenten r, run_scope s WHERE s.national;
