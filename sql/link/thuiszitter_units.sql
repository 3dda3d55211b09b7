-- thuiszitter_units: the units each thuiszitter counts for in a school year (F4), defined once.
-- NL: De school van een RELATIEF-zaak (de school van de zaak, ook als de leerling op de peildatum elders staat) en
--     haar samenwerkingsverband; de wijk van het woonadres in zijn gemeente (thuiszitter_years.gemeente_code) en
--     de gebieden daarboven (area_units). Eén rij per persoon en eenheid.
-- EN: The school of a RELATIEF case (the case's school, also when the pupil is elsewhere on the peildatum) and its
--     samenwerkingsverband; the wijk of the address in the thuiszitter's gemeente and the areas above. One row
--     per person and unit.
CREATE OR REPLACE VIEW thuiszitter_units AS
SELECT DISTINCT schooljaar, 'school' AS niveau, vestiging AS eenheid_code, person_id
FROM thuiszitter_years WHERE soort = 'RELATIEF' AND vestiging IS NOT NULL
UNION
SELECT DISTINCT t.schooljaar, 'samenwerkingsverband', s.samenwerkingsverband, t.person_id
FROM thuiszitter_years t JOIN school_areas s ON s.vestiging = t.vestiging
WHERE t.soort = 'RELATIEF'
UNION
SELECT DISTINCT t.schooljaar, 'wijk', wijk_unit(t.wijk_code, t.gemeente_code), t.person_id
FROM thuiszitter_years t JOIN run_gemeenten r ON r.gemeente_code = t.gemeente_code
UNION
SELECT DISTINCT t.schooljaar, a.niveau, a.eenheid_code, t.person_id
FROM thuiszitter_years t JOIN area_units a ON a.gemeente_code = t.gemeente_code;
