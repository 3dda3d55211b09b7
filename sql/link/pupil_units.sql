-- pupil_units: the attribution of each pupil-year to the three publication levels (spec §2), defined once.
-- NL: Elke leerling telt in jaar y mee bij zijn school, zijn wijk en de gemeente.
-- EN: Every pupil counts in year y for its school, its wijk and the gemeente. Indicators group by
--     (schooljaar, niveau, eenheid_code) over this view instead of repeating the attribution.
CREATE OR REPLACE VIEW pupil_units AS
SELECT schooljaar, person_id, 'school' AS niveau, vestiging AS eenheid_code FROM pupil_years
UNION ALL
SELECT schooljaar, person_id, 'wijk' AS niveau, wijk_code AS eenheid_code FROM pupil_years
UNION ALL
SELECT schooljaar, person_id, 'gemeente' AS niveau, (SELECT gemeente_code FROM monitor_settings) AS eenheid_code
FROM pupil_years;
