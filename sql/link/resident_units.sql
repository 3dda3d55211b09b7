-- resident_units: the attribution of each resident-year to wijk and gemeente (for A11), defined once.
-- NL: Een bewoner is in jaar y wie op de peildatum een woonadres in de gemeente heeft (BRP). Hij telt mee
--     bij de wijk van dat adres (ONBEKEND als de buurt niet bekend is) en bij de gemeente. Er is geen
--     schoolniveau: bewoners horen niet bij een school.
-- EN: A resident in year y has an address in the gemeente on the peildatum. Counts for the wijk of that
--     address and for the gemeente; there is no school level.
CREATE OR REPLACE VIEW resident_units AS
SELECT schooljaar, person_id, leeftijd, 'wijk' AS niveau, wijk_code AS eenheid_code
FROM person_years WHERE in_gemeente
UNION ALL
SELECT schooljaar, person_id, leeftijd, 'gemeente' AS niveau, (SELECT gemeente_code FROM monitor_settings)
FROM person_years WHERE in_gemeente;
