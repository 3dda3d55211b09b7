-- persons: one row per person (pseudonym) found in any person-level source, with birth cohort and sources.
-- NL: Een persoon is één pseudoniem (van het BSN, of van het onderwijsnummer bij een leerling zonder BSN).
--     Geboortecohort: uit de BRP (bewoners; bij verschillende waarden die van de laatste adresperiode), anders
--     uit de inschrijvingen (die van de laatste inschrijving). Per bron: komt de persoon er ooit in voor.
-- EN: A person is one pseudonym. Birth cohort from the population register (residence periods; several:
--     that of the latest period), else from the enrolments (the latest enrolment). Per source: does the
--     person ever occur in it. The age rule itself is in person_years.
-- How: one pass over all sources (UNION ALL, one aggregate per pseudonym) instead of a lookup per source;
-- "latest" = the largest (date, birth cohort), the order the rule above gives.
CREATE OR REPLACE TABLE persons AS
WITH occurrences AS (
    SELECT person_id, id_type, 'inschrijvingen' AS bron, datum_inschrijving AS datum, geboortecohort
    FROM stg_inschrijvingen
    UNION ALL SELECT person_id, id_type, 'bewoners', datum_vanaf, geboortecohort FROM stg_bewoners
    UNION ALL SELECT DISTINCT person_id, id_type, 'toewijzingen', NULL, NULL FROM stg_toewijzingen
    UNION ALL SELECT DISTINCT person_id, id_type, 'declaraties', NULL, NULL FROM stg_declaraties
    UNION ALL SELECT DISTINCT person_id, id_type, 'verzuim', NULL, NULL FROM stg_verzuim
    UNION ALL SELECT DISTINCT person_id, id_type, 'diplomas', NULL, NULL FROM stg_diplomas
), per_person AS (
    SELECT person_id,
           list(DISTINCT id_type) AS id_types,
           max({'datum': datum, 'geboortecohort': geboortecohort}) FILTER (WHERE bron = 'bewoners').geboortecohort
               AS brp_geboortecohort,
           max({'datum': datum, 'geboortecohort': geboortecohort}) FILTER (WHERE bron = 'inschrijvingen').geboortecohort
               AS enrolment_geboortecohort,
           bool_or(bron = 'inschrijvingen') AS in_inschrijvingen,
           bool_or(bron = 'bewoners') AS in_bewoners,
           bool_or(bron = 'toewijzingen') AS in_toewijzingen,
           bool_or(bron = 'declaraties') AS in_declaraties,
           bool_or(bron = 'verzuim') AS in_verzuim,
           bool_or(bron = 'diplomas') AS in_diplomas
    FROM occurrences
    GROUP BY person_id
)
SELECT person_id,
       unnest(id_types) AS id_type,
       coalesce(brp_geboortecohort, enrolment_geboortecohort) AS geboortecohort,
       in_inschrijvingen, in_bewoners, in_toewijzingen, in_declaraties, in_verzuim, in_diplomas
FROM per_person;
