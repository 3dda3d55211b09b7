-- Outcomes of the school career after youth care (uitkomsten): U1, U2, U3, U4, U5, U6.
-- Shared rules used here: pupil_years and pupil_units (who is a pupil of which school on the peildatum),
-- trajectory_years (active and new youth-care trajectories: A1's and A6's rules), career_years (enrolled,
-- type of education and startkwalificatie one and two years later, the E1 rule) and thuiszitter_years (F4's rule).
-- Levels: these cells are small (a few dozen children per gemeente and year), so U1-U4 and U6 are published for
-- the gemeente (and the jeugdregio and country above it, area_units) only; U5 also per school of origin and its
-- samenwerkingsverband, as the question is about schools. A later year that is not in
-- the data gives no cell, never a zero.
--
-- U1 Schoolsituatie een jaar na start jeugdhulp (school situation one year after starting youth care), %
-- NL: Noemer: leerlingen met een jeugdhulptraject dat in jaar y start (zoals A6; eerdere trajecten maken niet
--     uit). Teller per categorie, op de peildatum een jaar later: op_school (ergens ingeschreven),
--     startkwalificatie (niet ingeschreven, wel een startkwalificatie), geen_van_beide. De categorieën tellen
--     op tot de noemer; "startkwalificatie of nog op school" is op_school plus startkwalificatie.
-- EN: Denominator: pupils with a youth-care trajectory starting in year y (as A6; earlier ones do not matter).
--     Numerator per category, on the peildatum one year later: op_school (enrolled anywhere),
--     startkwalificatie (not enrolled, holding a starting qualification), geen_van_beide (neither). The
--     categories add up to the denominator; "qualified or still in education" is op_school plus startkwalificatie.
--
-- U2 Schoolsituatie twee jaar na start jeugdhulp (school situation two years after starting youth care), %
-- NL: Als U1, op de peildatum twee jaar later; dezelfde noemer.
-- EN: As U1, on the peildatum two years later; the same denominator.
--
-- U3 Voortijdig schoolverlaten naar jeugdhulp (early school leaving by youth-care use), %
-- NL: E1 gesplitst naar jeugdhulp in jaar y: met (minstens één actief jeugdhulptraject, zoals A1) of zonder.
--     Noemer en teller per categorie tellen op tot die van E1.
-- EN: E1 split by youth care in year y: met (at least one active youth-care trajectory, as A1) or zonder.
--     The categories' numerators and denominators add up to E1's.
--
-- U4 Thuiszitter een jaar later naar jeugdhulp (out of school a year later, by youth-care use), %
-- NL: Noemer: leerlingen van 4 tot en met 16 jaar op de peildatum van jaar y (een jaar later 5 tot en met 17,
--     de leeftijd van F4), met of zonder actief jeugdhulptraject in jaar y. Teller: daarvan wie in het
--     volgende schooljaar thuiszitter is (de regel van F4).
-- EN: Denominator: pupils aged 4-16 on the peildatum of year y (5-17 a year later, F4's ages), with or without
--     an active youth-care trajectory in year y. Numerator: those who are thuiszitters the next school year
--     (F4's rule).
--
-- U5 Naar speciaal onderwijs na start jeugdhulp (moves to special education after starting youth care), %
-- NL: Noemer: leerlingen buiten SBO, SO, VSO en PRO met een jeugdhulptraject dat in jaar y start, bij hun school
--     in jaar y (de school van herkomst). Teller: daarvan wie op de peildatum een of twee jaar later in SBO, SO,
--     VSO of PRO staat. Alleen als beide latere jaren in de gegevens zitten.
-- EN: Denominator: pupils outside SBO, SO, VSO and PRO with a youth-care trajectory starting in year y, at their
--     school in year y (the school of origin). Numerator: those enrolled in SBO, SO, VSO or PRO on the peildatum
--     one or two years later. Only when both later years are in the data.
--
-- U6 Thuiszitters met jeugdhulp (thuiszitters with youth care), %
-- NL: Noemer: de thuiszitters van jaar y (de teller van F4 voor de gemeente). Teller: daarvan wie in jaar y of
--     in het schooljaar ervoor een actief jeugdhulptraject had. Alleen als het vorige schooljaar in de
--     gegevens zit.
-- EN: Denominator: the thuiszitters of year y (F4's numerator for the gemeente). Numerator: those with an active
--     youth-care trajectory in year y or in the school year before. Only when the previous year is in the data.
CREATE OR REPLACE TABLE ind_outcomes AS
WITH youth_care AS (  -- per person and year: an active youth-care trajectory (A1), one starting (A6)
    SELECT schooljaar, person_id, bool_or(is_nieuw) AS start_jeugdhulp
    FROM trajectory_years
    WHERE soort = 'jeugdhulp'
    GROUP BY ALL
), pupils AS (
    SELECT p.schooljaar, p.person_id, p.onderwijssoort, p.leeftijd, p.gemeente_code,
           y.person_id IS NOT NULL AS met_jeugdhulp, coalesce(y.start_jeugdhulp, false) AS start_jeugdhulp
    FROM pupil_years p
    LEFT JOIN youth_care y ON y.schooljaar = p.schooljaar AND y.person_id = p.person_id
), situations AS (
    SELECT unnest(['op_school', 'startkwalificatie', 'geen_van_beide']) AS categorie
), starters AS (  -- U1, U2: starters of youth care and their situation one and two years later
    SELECT p.schooljaar, p.gemeente_code, c.jaren_later,
           CASE WHEN c.is_ingeschreven THEN 'op_school'
                WHEN c.heeft_startkwalificatie THEN 'startkwalificatie'
                ELSE 'geen_van_beide' END AS categorie
    FROM pupils p
    JOIN career_years c ON c.schooljaar = p.schooljaar AND c.person_id = p.person_id
    WHERE p.start_jeugdhulp
), u12 AS (
    SELECT s.schooljaar, a.niveau, a.eenheid_code, s.jaren_later, k.categorie,
           count(*) FILTER (WHERE s.categorie = k.categorie) AS teller, count(*) AS noemer
    FROM starters s
    JOIN area_units a ON a.gemeente_code = s.gemeente_code
    CROSS JOIN situations k
    GROUP BY ALL
), care_use AS (
    SELECT unnest(['met', 'zonder']) AS categorie
), e1_cohort AS (
    SELECT c.schooljaar, p.gemeente_code, p.met_jeugdhulp, c.is_voortijdig_schoolverlater AS uitkomst
    FROM career_years c
    JOIN pupils p ON p.schooljaar = c.schooljaar AND p.person_id = c.person_id
    WHERE c.jaren_later = 1 AND c.in_e1_cohort
), u3 AS (
    SELECT c.schooljaar, a.niveau, a.eenheid_code, k.categorie,
           count(*) FILTER (WHERE c.uitkomst AND c.met_jeugdhulp = (k.categorie = 'met')) AS teller,
           count(*) FILTER (WHERE c.met_jeugdhulp = (k.categorie = 'met')) AS noemer
    FROM e1_cohort c
    JOIN area_units a ON a.gemeente_code = c.gemeente_code
    CROSS JOIN care_use k
    GROUP BY ALL
), next_thuiszitters AS (
    SELECT DISTINCT sy.schooljaar, t.person_id
    FROM thuiszitter_years t
    JOIN school_years n ON n.schooljaar = t.schooljaar
    JOIN school_years sy ON sy.jaar = n.jaar - 1
), u4_cohort AS (
    SELECT p.schooljaar, p.gemeente_code, p.met_jeugdhulp, t.person_id IS NOT NULL AS uitkomst
    FROM pupils p
    JOIN school_years sy ON sy.schooljaar = p.schooljaar AND sy.has_next
    LEFT JOIN next_thuiszitters t ON t.schooljaar = p.schooljaar AND t.person_id = p.person_id
    WHERE p.leeftijd BETWEEN 4 AND 16
), u4 AS (
    SELECT c.schooljaar, a.niveau, a.eenheid_code, k.categorie,
           count(*) FILTER (WHERE c.uitkomst AND c.met_jeugdhulp = (k.categorie = 'met')) AS teller,
           count(*) FILTER (WHERE c.met_jeugdhulp = (k.categorie = 'met')) AS noemer
    FROM u4_cohort c
    JOIN area_units a ON a.gemeente_code = c.gemeente_code
    CROSS JOIN care_use k
    GROUP BY ALL
), moves AS (  -- U5: per starter outside special education, in special education one or two years later
    SELECT p.schooljaar, p.person_id,
           coalesce(bool_or(c.later_onderwijssoort IN ('SBO', 'SO', 'VSO', 'PRO')), false) AS naar_speciaal
    FROM pupils p
    JOIN career_years c ON c.schooljaar = p.schooljaar AND c.person_id = p.person_id
    WHERE p.start_jeugdhulp AND p.onderwijssoort NOT IN ('SBO', 'SO', 'VSO', 'PRO')
    GROUP BY ALL
    HAVING count(*) = 2
), u5 AS (
    SELECT u.schooljaar, u.niveau, u.eenheid_code, count(*) FILTER (WHERE m.naar_speciaal) AS teller,
           count(*) AS noemer
    FROM moves m
    JOIN pupil_units u ON u.schooljaar = m.schooljaar AND u.person_id = m.person_id
    WHERE u.niveau NOT IN ('wijk')
    GROUP BY ALL
), thuiszitters AS (
    SELECT DISTINCT t.schooljaar, a.niveau, a.eenheid_code, t.person_id
    FROM thuiszitter_years t
    JOIN area_units a ON a.gemeente_code = t.gemeente_code
), u6 AS (
    SELECT t.schooljaar, t.niveau, t.eenheid_code,
           count(DISTINCT t.person_id) FILTER (WHERE y.person_id IS NOT NULL) AS teller,
           count(DISTINCT t.person_id) AS noemer
    FROM thuiszitters t
    JOIN school_years sy ON sy.schooljaar = t.schooljaar
    JOIN school_years previous ON previous.jaar = sy.jaar - 1
    LEFT JOIN youth_care y
      ON y.person_id = t.person_id AND y.schooljaar IN (sy.schooljaar, previous.schooljaar)
    GROUP BY ALL
)
SELECT schooljaar, niveau, eenheid_code,
       CASE jaren_later WHEN 1 THEN 'U1' ELSE 'U2' END AS indicator, 'situatie' AS dimensie, categorie,
       teller::DOUBLE AS teller, noemer::DOUBLE AS noemer, teller AS basis_personen
FROM u12
UNION ALL
SELECT schooljaar, niveau, eenheid_code, 'U3', 'jeugdhulp', categorie,
       teller::DOUBLE, noemer::DOUBLE, teller
FROM u3
UNION ALL
SELECT schooljaar, niveau, eenheid_code, 'U4', 'jeugdhulp', categorie,
       teller::DOUBLE, noemer::DOUBLE, teller
FROM u4
UNION ALL
SELECT schooljaar, niveau, eenheid_code, 'U5', NULL, NULL, teller::DOUBLE, noemer::DOUBLE, teller
FROM u5
UNION ALL
SELECT schooljaar, niveau, eenheid_code, 'U6', NULL, NULL,
       teller::DOUBLE, noemer::DOUBLE, teller
FROM u6;
