-- School leaving (schoolverlaten): E1, E2. Both need the next school year; for the last year: no row.
-- Shared rules used here: pupil_units, pupil_years (VO/MBO) and career_years (enrolled and startkwalificatie on
-- the next peildatum, the E1 cohort and the early-school-leaver rule; no row when the next year is missing).
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
WITH leavers AS (
    SELECT c.schooljaar, c.person_id, c.in_e1_cohort, c.is_voortijdig_schoolverlater,
           NOT c.is_ingeschreven AS is_verlater, c.heeft_startkwalificatie
    FROM career_years c
    JOIN pupil_years p ON p.schooljaar = c.schooljaar AND p.person_id = c.person_id
    WHERE c.jaren_later = 1 AND p.is_vo_mbo
), per_unit AS (
    SELECT u.schooljaar, u.niveau, u.eenheid_code,
           count(*) FILTER (WHERE l.in_e1_cohort) AS e1_noemer,
           count(*) FILTER (WHERE l.is_voortijdig_schoolverlater) AS e1_teller,
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
