-- A1 Leerlingen met jeugdhulp (pupils with youth care)
-- NL: Teller: leerlingen met minstens één in jaar y actief jeugdhulptraject (productcategorie niet 47, 48, 49).
--     Noemer: alle leerlingen in jaar y. Eenheid: %.
-- EN: Numerator: pupils with at least one youth-care trajectory (category not 47/48/49) active in year y.
--     Denominator: all pupils in year y. Unit: %.
CREATE OR REPLACE TABLE ind_youth_care_use AS
WITH with_care AS (
    SELECT DISTINCT schooljaar, person_id FROM trajectory_years WHERE soort = 'jeugdhulp'
)
SELECT u.schooljaar, u.niveau, u.eenheid_code, 'A1' AS indicator, NULL::VARCHAR AS dimensie,
       NULL::VARCHAR AS categorie,
       count(c.person_id)::DOUBLE AS teller, count(*)::DOUBLE AS noemer, count(c.person_id) AS basis_personen
FROM pupil_units u
LEFT JOIN with_care c ON c.schooljaar = u.schooljaar AND c.person_id = u.person_id
GROUP BY ALL;
