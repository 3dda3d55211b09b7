-- E1 Nieuwe voortijdig schoolverlaters (new early school leavers)
-- NL: Noemer: leerlingen in VO/MBO (PRO, VMBO-*, HAVO, VWO, MBO-*) jonger dan 23 in jaar y.
--     Teller: daarvan wie op de volgende peildatum nergens (op geen enkele school in de gegevens) is
--     ingeschreven en dan geen startkwalificatie heeft (diploma HAVO, VWO of MBO-2..4 gedateerd op of vóór
--     die peildatum). Alleen voor jaren waarvan het volgende schooljaar in de gegevens zit; anders niet
--     berekend (geen rij, niet nul).
-- EN: Denominator: VO/MBO pupils aged under 23 in year y. Numerator: those not enrolled anywhere on the
--     next peildatum and without a starting qualification by then. Only when year y+1 is present.
CREATE OR REPLACE TABLE ind_school_leaving AS
WITH cohort AS (
    SELECT p.schooljaar, p.person_id, sy.volgende_peildatum,
           sy.jaar
    FROM pupil_years p
    JOIN school_years sy USING (schooljaar)
    WHERE p.is_vo_mbo AND p.leeftijd < 23 AND sy.has_next
), next_year AS (
    SELECT sy.jaar - 1 AS jaar, p.person_id
    FROM pupil_years p JOIN school_years sy USING (schooljaar)
), qualified AS (
    SELECT DISTINCT c.schooljaar, c.person_id
    FROM cohort c
    JOIN stg_diplomas d
      ON d.person_id = c.person_id AND d.datum_diploma <= c.volgende_peildatum
     AND d.diploma IN ('HAVO', 'VWO', 'MBO-2', 'MBO-3', 'MBO-4')
), leavers AS (
    SELECT c.schooljaar, c.person_id,
           n.person_id IS NULL AND q.person_id IS NULL AS is_vsv
    FROM cohort c
    LEFT JOIN next_year n ON n.jaar = c.jaar AND n.person_id = c.person_id
    LEFT JOIN qualified q ON q.schooljaar = c.schooljaar AND q.person_id = c.person_id
)
SELECT u.schooljaar, u.niveau, u.eenheid_code, 'E1' AS indicator, NULL::VARCHAR AS dimensie,
       NULL::VARCHAR AS categorie,
       count(*) FILTER (WHERE l.is_vsv)::DOUBLE AS teller, count(*)::DOUBLE AS noemer,
       count(*) FILTER (WHERE l.is_vsv) AS basis_personen
FROM leavers l
JOIN pupil_units u ON u.schooljaar = l.schooljaar AND u.person_id = l.person_id
GROUP BY ALL;
