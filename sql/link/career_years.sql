-- career_years: where each pupil of a school year stands on the peildatum one and two years later.
-- NL: Voor elke leerling in jaar y en voor 1 en 2 jaar later: staat hij op de peildatum van dat latere jaar
--     ergens ingeschreven (een leerling in dat jaar, op welke school in de gegevens ook), in welke
--     onderwijssoort, en heeft hij dan een startkwalificatie (een diploma HAVO, VWO of MBO-2 tot en met 4,
--     gedateerd op of vóór die peildatum). Een later jaar dat niet in de gegevens zit geeft geen rij: wat
--     daar gebeurt is onbekend, niet "niet ingeschreven". Voortijdig schoolverlater (E1): een VO/MBO-leerling
--     die op de peildatum van jaar y jonger is dan 23 en een jaar later nergens is ingeschreven en geen
--     startkwalificatie heeft. E1, E2 en de uitkomstindicatoren (U1-U5) lezen het hier.
-- EN: For every pupil in year y and for one and two years later: enrolled anywhere on that later peildatum
--     (a pupil of that year, at any school of the data), in which type of education, and holding a starting
--     qualification by then (a HAVO, VWO or MBO-2 to 4 diploma dated on or before that peildatum). A later
--     year missing from the data gives no row: unknown, not "not enrolled". Early school leaver (E1): a VO/MBO
--     pupil under 23 on the peildatum of year y, enrolled nowhere and without a starting qualification a
--     year later. E1, E2 and the outcome indicators (U1-U5) read it here.
CREATE OR REPLACE TABLE career_years AS
WITH later AS (
    SELECT sy.schooljaar, k.range::INT AS jaren_later, l.schooljaar AS later_schooljaar, l.peildatum AS later_peildatum
    FROM school_years sy
    CROSS JOIN range(1, 3) k
    JOIN school_years l ON l.jaar = sy.jaar + k.range
), first_qualification AS (
    SELECT person_id, min(datum_diploma) AS datum
    FROM stg_diplomas
    WHERE diploma IN ('HAVO', 'VWO', 'MBO-2', 'MBO-3', 'MBO-4')
    GROUP BY person_id
)
SELECT p.schooljaar, p.person_id, l.jaren_later,
       lp.person_id IS NOT NULL AS is_ingeschreven,
       lp.onderwijssoort AS later_onderwijssoort,
       coalesce(q.datum <= l.later_peildatum, false) AS heeft_startkwalificatie,
       coalesce(p.is_vo_mbo AND p.leeftijd < 23, false) AS in_e1_cohort,
       coalesce(p.is_vo_mbo AND p.leeftijd < 23, false) AND lp.person_id IS NULL
           AND NOT coalesce(q.datum <= l.later_peildatum, false) AS is_voortijdig_schoolverlater
FROM pupil_years p
JOIN later l ON l.schooljaar = p.schooljaar
LEFT JOIN pupil_years lp ON lp.schooljaar = l.later_schooljaar AND lp.person_id = p.person_id
LEFT JOIN first_qualification q ON q.person_id = p.person_id;
