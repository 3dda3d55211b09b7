-- persons: one row per person (pseudonym) found in any person-level source, with birth month and sources.
-- NL: Een persoon is één pseudoniem (van het BSN, of van het onderwijsnummer bij een leerling zonder BSN).
--     Geboortemaand: uit de BRP (bewoners; bij verschillende waarden die van de laatste adresperiode), anders
--     uit de inschrijvingen (die van de laatste inschrijving). Per bron: komt de persoon er ooit in voor.
-- EN: A person is one pseudonym. Birth month from the population register (residence periods; several:
--     that of the latest period), else from the enrolments (the latest enrolment). Per source: does the
--     person ever occur in it. The age rule itself is in person_years.
CREATE OR REPLACE TABLE persons AS
WITH ids AS (
    SELECT person_id, id_type FROM stg_inschrijvingen
    UNION SELECT person_id, id_type FROM stg_bewoners
    UNION SELECT person_id, id_type FROM stg_toewijzingen
    UNION SELECT person_id, id_type FROM stg_declaraties
    UNION SELECT person_id, id_type FROM stg_verzuim
    UNION SELECT person_id, id_type FROM stg_diplomas
), brp AS (
    SELECT DISTINCT ON (person_id) person_id, geboortemaand
    FROM stg_bewoners
    ORDER BY person_id, datum_vanaf DESC, geboortemaand DESC
), enrolment AS (
    SELECT DISTINCT ON (person_id) person_id, geboortemaand
    FROM stg_inschrijvingen
    ORDER BY person_id, datum_inschrijving DESC, geboortemaand DESC
)
SELECT i.person_id,
       i.id_type,
       coalesce(b.geboortemaand, e.geboortemaand) AS geboortemaand,
       i.person_id IN (SELECT person_id FROM stg_inschrijvingen) AS in_inschrijvingen,
       i.person_id IN (SELECT person_id FROM stg_bewoners) AS in_bewoners,
       i.person_id IN (SELECT person_id FROM stg_toewijzingen) AS in_toewijzingen,
       i.person_id IN (SELECT person_id FROM stg_declaraties) AS in_declaraties,
       i.person_id IN (SELECT person_id FROM stg_verzuim) AS in_verzuim,
       i.person_id IN (SELECT person_id FROM stg_diplomas) AS in_diplomas
FROM ids i
LEFT JOIN brp b USING (person_id)
LEFT JOIN enrolment e USING (person_id);
