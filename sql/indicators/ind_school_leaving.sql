-- School leaving (schoolverlaten): E1, E2. Both need the next school year; for the last year: no row.
-- Shared rules used here: pupil_units, pupil_years (VO/MBO, age on the peildatum) and school_years
-- (volgende_peildatum, has_next).
-- Startkwalificatie: a HAVO, VWO or MBO-2..4 diploma dated on or before the next peildatum.
-- Enrolled on the next peildatum: a pupil in year y+1 at any school of the data.
--
-- E1 Nieuwe voortijdig schoolverlaters (new early school leavers), %
-- NL: Noemer: leerlingen in VO/MBO (PRO, VMBO-*, HAVO, VWO, MBO-*) die op de peildatum van jaar y jonger zijn
--     dan 23. Teller: daarvan wie op de volgende peildatum nergens is ingeschreven en dan geen
--     startkwalificatie heeft. Alleen voor jaren waarvan het volgende schooljaar in de gegevens zit; anders
--     niet berekend (geen rij, niet nul). Rijen voor elke eenheid met VO/MBO-leerlingen.
-- EN: Denominator: VO/MBO pupils aged under 23 on the peildatum of year y. Numerator: those not enrolled
--     anywhere on the next peildatum and without a starting qualification by then. Only when year y+1 is
--     present (else no row, not zero).
--
-- E2 Schoolverlaters met startkwalificatie (school leavers with a starting qualification), %
-- NL: Noemer: VO/MBO-leerlingen in jaar y (elke leeftijd) die op de volgende peildatum nergens zijn
--     ingeschreven. Teller: daarvan wie een startkwalificatie heeft. Niet berekend voor het laatste jaar,
--     net als E1 (spec §2).
-- EN: Denominator: VO/MBO pupils in year y (any age) not enrolled anywhere on the next peildatum.
--     Numerator: those with a starting qualification. Not computed for the last year, like E1.
CREATE OR REPLACE TABLE ind_school_leaving AS
WITH cohort AS (
    SELECT p.schooljaar, p.person_id, p.leeftijd < 23 AS onder_23, sy.jaar, sy.volgende_peildatum
    FROM pupil_years p
    JOIN school_years sy USING (schooljaar)
    WHERE p.is_vo_mbo AND sy.has_next
), enrolled_next AS (
    SELECT sy.jaar - 1 AS jaar, p.person_id
    FROM pupil_years p JOIN school_years sy USING (schooljaar)
), qualified AS (
    SELECT DISTINCT c.schooljaar, c.person_id
    FROM cohort c
    JOIN stg_diplomas d
      ON d.person_id = c.person_id AND d.datum_diploma <= c.volgende_peildatum
     AND d.diploma IN ('HAVO', 'VWO', 'MBO-2', 'MBO-3', 'MBO-4')
), leavers AS (
    SELECT c.schooljaar, c.person_id, c.onder_23,
           n.person_id IS NULL AS is_verlater,
           q.person_id IS NOT NULL AS heeft_startkwalificatie
    FROM cohort c
    LEFT JOIN enrolled_next n ON n.jaar = c.jaar AND n.person_id = c.person_id
    LEFT JOIN qualified q ON q.schooljaar = c.schooljaar AND q.person_id = c.person_id
), per_unit AS (
    SELECT u.schooljaar, u.niveau, u.eenheid_code,
           count(*) FILTER (WHERE l.onder_23) AS e1_noemer,
           count(*) FILTER (WHERE l.onder_23 AND l.is_verlater AND NOT l.heeft_startkwalificatie) AS e1_teller,
           count(*) FILTER (WHERE l.is_verlater) AS e2_noemer,
           count(*) FILTER (WHERE l.is_verlater AND l.heeft_startkwalificatie) AS e2_teller
    FROM leavers l
    JOIN pupil_units u ON u.schooljaar = l.schooljaar AND u.person_id = l.person_id
    GROUP BY ALL
)
SELECT schooljaar, niveau, eenheid_code, 'E1' AS indicator, NULL::VARCHAR AS dimensie, NULL::VARCHAR AS categorie,
       e1_teller::DOUBLE AS teller, e1_noemer::DOUBLE AS noemer, e1_teller AS basis_personen
FROM per_unit
UNION ALL
SELECT schooljaar, niveau, eenheid_code, 'E2', NULL, NULL, e2_teller::DOUBLE, e2_noemer::DOUBLE, e2_teller
FROM per_unit;
