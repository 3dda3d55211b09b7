-- Youth care among all young residents (jeugdhulp onder jeugdige bewoners): A11.
-- Shared rules used here: resident_units (who lives in which wijk of the gemeente on the peildatum, with age)
-- and trajectory_years (active trajectories per school year).
--
-- A11 Jeugdigen 0-17 met jeugdhulp (CBS-vergelijkbaar), alleen wijk en gemeente
-- NL: Teller: bewoners van 0 tot en met 17 jaar op de peildatum met minstens één in jaar y actief
--     jeugdhulptraject (productcategorie niet 47, 48, 49). Noemer: bewoners van 0-17 jaar op de peildatum.
--     Bewoner = woonadres in de gemeente op de peildatum (BRP), ook wie geen leerling is. Geen schoolniveau.
--     Leeftijd uit de BRP-geboortecohort (person_years).
-- EN: Numerator: residents aged 0-17 on the peildatum with at least one youth-care trajectory active in
--     year y. Denominator: residents aged 0-17 on the peildatum. Resident = address in the gemeente on the
--     peildatum, pupil or not. Levels wijk and gemeente only.
CREATE OR REPLACE TABLE ind_resident_youth_care AS
WITH with_care AS (
    SELECT DISTINCT schooljaar, person_id FROM trajectory_years WHERE soort = 'jeugdhulp'
)
SELECT u.schooljaar, u.niveau, u.eenheid_code, 'A11' AS indicator, NULL::VARCHAR AS dimensie,
       NULL::VARCHAR AS categorie,
       count(c.person_id)::DOUBLE AS teller, count(*)::DOUBLE AS noemer, count(c.person_id) AS basis_personen
FROM resident_units u
LEFT JOIN with_care c ON c.schooljaar = u.schooljaar AND c.person_id = u.person_id
WHERE u.leeftijd BETWEEN 0 AND 17
GROUP BY ALL;
