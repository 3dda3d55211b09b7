-- resident_units: the attribution of each resident-year to wijk, gemeente and the areas above (for A11), defined once.
-- NL: Een bewoner is in jaar y wie op de peildatum een woonadres in een gemeente van de run heeft (BRP). Hij telt
--     mee bij de wijk van dat adres (ONBEKEND als de buurt niet bekend is), bij die gemeente en de gebieden
--     daarboven (area_units). Er is geen schoolniveau: bewoners horen niet bij een school.
-- EN: A resident in year y has an address in a gemeente of the run on the peildatum. Counts for the wijk of that
--     address, for that gemeente and the areas above; there is no school level.
CREATE OR REPLACE VIEW resident_units AS
SELECT schooljaar, person_id, leeftijd, 'wijk' AS niveau, wijk_unit(wijk_code, woon_gemeente) AS eenheid_code
FROM person_years WHERE in_gemeente
UNION ALL
SELECT p.schooljaar, p.person_id, p.leeftijd, a.niveau, a.eenheid_code
FROM person_years p
JOIN area_units a ON a.gemeente_code = p.woon_gemeente
WHERE p.in_gemeente;
