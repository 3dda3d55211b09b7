-- Youth-care use of pupils (jeugdhulpgebruik van leerlingen): A1, A2, A3, A4, A6.
-- Shared rules used here: pupil_units (who is a pupil of which school and wijk on the peildatum) and
-- trajectory_years (which trajectories are active / new in a school year; soort and vorm per trajectory).
--
-- A1 Leerlingen met jeugdhulp (pupils with youth care)
-- NL: Teller: leerlingen met minstens één in jaar y actief jeugdhulptraject (productcategorie niet 47, 48, 49).
--     Noemer: alle leerlingen in jaar y. Eenheid: %.
-- EN: Numerator: pupils with at least one youth-care trajectory (category not 47/48/49) active in year y.
--     Denominator: all pupils in year y. Unit: %.
--
-- A2 Leerlingen met jeugdhulp naar vorm (by form), dimension `vorm`: zonder_verblijf, met_verblijf, crisis
-- NL: Teller: leerlingen met minstens één actief jeugdhulptraject van die vorm. Noemer: alle leerlingen.
--     Keuze: alleen jeugdhulptrajecten tellen (zoals de naam zegt), geen jeugdbescherming of -reclassering.
--     Een leerling met trajecten van twee vormen telt bij beide: de vormen tellen niet op tot A1.
-- EN: Numerator: pupils with at least one active youth-care trajectory of that form. Denominator: all pupils.
--     Choice: youth-care trajectories only (not 47-49). A pupil with two forms counts in both.
--
-- A3 Leerlingen met jeugdbescherming (pupils under child protection)
-- NL: Teller: leerlingen met minstens één actief traject van productcategorie 48. Noemer: alle leerlingen.
-- EN: Numerator: pupils with at least one active category-48 trajectory. Denominator: all pupils.
--
-- A4 Leerlingen met jeugdreclassering (pupils under juvenile probation)
-- NL: Teller: leerlingen met minstens één actief traject van productcategorie 47 of 49. Noemer: alle leerlingen.
-- EN: Numerator: pupils with at least one active category 47/49 trajectory. Denominator: all pupils.
--
-- A6 Nieuwe jeugdhulptrajecten (new youth-care trajectories), per 1.000 leerlingen
-- NL: Teller: jeugdhulptrajecten van leerlingen die in jaar y starten (een leerling kan er meer hebben).
--     Noemer: alle leerlingen. basis_personen = leerlingen met zo'n traject.
-- EN: Numerator: youth-care trajectories of pupils starting in year y (a pupil may have several).
--     Denominator: all pupils. basis_personen = pupils with such a trajectory.
CREATE OR REPLACE TABLE ind_youth_care_use AS
WITH person_flags AS (
    SELECT schooljaar, person_id,
           bool_or(soort = 'jeugdhulp') AS jeugdhulp,
           bool_or(soort = 'jeugdhulp' AND vorm = 'zonder_verblijf') AS zonder_verblijf,
           bool_or(soort = 'jeugdhulp' AND vorm = 'met_verblijf') AS met_verblijf,
           bool_or(soort = 'jeugdhulp' AND vorm = 'crisis') AS crisis,
           bool_or(soort = 'jeugdbescherming') AS jeugdbescherming,
           bool_or(soort = 'jeugdreclassering') AS jeugdreclassering,
           count(*) FILTER (WHERE soort = 'jeugdhulp' AND is_nieuw) AS nieuwe_jeugdhulptrajecten
    FROM trajectory_years
    GROUP BY ALL
), per_unit AS (
    SELECT u.schooljaar, u.niveau, u.eenheid_code,
           count(*) AS leerlingen,
           count(*) FILTER (WHERE f.jeugdhulp) AS jeugdhulp,
           count(*) FILTER (WHERE f.zonder_verblijf) AS zonder_verblijf,
           count(*) FILTER (WHERE f.met_verblijf) AS met_verblijf,
           count(*) FILTER (WHERE f.crisis) AS crisis,
           count(*) FILTER (WHERE f.jeugdbescherming) AS jeugdbescherming,
           count(*) FILTER (WHERE f.jeugdreclassering) AS jeugdreclassering,
           coalesce(sum(f.nieuwe_jeugdhulptrajecten), 0) AS nieuwe_trajecten,
           count(*) FILTER (WHERE f.nieuwe_jeugdhulptrajecten > 0) AS leerlingen_met_nieuw_traject
    FROM pupil_units u
    LEFT JOIN person_flags f ON f.schooljaar = u.schooljaar AND f.person_id = u.person_id
    GROUP BY ALL
), forms AS (
    SELECT schooljaar, niveau, eenheid_code, leerlingen, vorm, aantal
    FROM per_unit
    UNPIVOT (aantal FOR vorm IN (zonder_verblijf, met_verblijf, crisis))
)
SELECT schooljaar, niveau, eenheid_code, 'A1' AS indicator, NULL::VARCHAR AS dimensie, NULL::VARCHAR AS categorie,
       jeugdhulp::DOUBLE AS teller, leerlingen::DOUBLE AS noemer, jeugdhulp AS basis_personen
FROM per_unit
UNION ALL
SELECT schooljaar, niveau, eenheid_code, 'A2', 'vorm', vorm, aantal::DOUBLE, leerlingen::DOUBLE, aantal
FROM forms
UNION ALL
SELECT schooljaar, niveau, eenheid_code, 'A3', NULL, NULL, jeugdbescherming::DOUBLE, leerlingen::DOUBLE,
       jeugdbescherming
FROM per_unit
UNION ALL
SELECT schooljaar, niveau, eenheid_code, 'A4', NULL, NULL, jeugdreclassering::DOUBLE, leerlingen::DOUBLE,
       jeugdreclassering
FROM per_unit
UNION ALL
SELECT schooljaar, niveau, eenheid_code, 'A6', NULL, NULL, nieuwe_trajecten::DOUBLE, leerlingen::DOUBLE,
       leerlingen_met_nieuw_traject
FROM per_unit;
