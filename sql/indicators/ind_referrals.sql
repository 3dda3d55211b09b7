-- Referrals (verwijzingen): B1, B2.
-- Shared rules used here: pupil_units and trajectory_years (new = the trajectory starts in the school year;
-- verwijzer = COD327 code of the trajectory, empty → onbekend).
--
-- B1 Verwijzingen naar verwijzer (referrals by referrer), dimension `verwijzer`: 01..06, 08, onbekend
-- NL: Teller: nieuwe jeugdhulptrajecten (start in jaar y) van leerlingen met deze verwijzer.
--     Noemer: alle nieuwe jeugdhulptrajecten van leerlingen. Eenheid: % (teller is het aantal).
--     Elke categorie staat in de tabel, ook als ze nul keer voorkomt. Een code buiten de lijst (07, 09, ...)
--     telt alleen in de noemer. basis_personen = leerlingen met zo'n traject.
-- EN: Numerator: new youth-care trajectories of pupils with this referrer. Denominator: all new youth-care
--     trajectories of pupils. Every category is present, also when zero; a code outside the list only
--     counts in the denominator.
--
-- B2 Verwijzingen per 1.000 leerlingen (referrals per 1,000 pupils)
-- NL: Teller: nieuwe jeugdhulptrajecten van leerlingen (alle verwijzers, ook onbekend). Noemer: leerlingen.
--     Per definitie (spec §3) gelijk aan A6; B2 hoort bij de verwijzingen, A6 bij het gebruik.
-- EN: Numerator: new youth-care trajectories of pupils (every referrer). Denominator: pupils. Equal to A6
--     by definition (spec §3); B2 belongs with the referrals, A6 with use.
CREATE OR REPLACE TABLE ind_referrals AS
WITH verwijzers AS (
    SELECT unnest(['01', '02', '03', '04', '05', '06', '08', 'onbekend']) AS categorie
), new_trajectories AS (
    SELECT u.schooljaar, u.niveau, u.eenheid_code, u.person_id, t.verwijzer, t.toewijzingnummer
    FROM pupil_units u
    JOIN trajectory_years t ON t.schooljaar = u.schooljaar AND t.person_id = u.person_id
    WHERE t.soort = 'jeugdhulp' AND t.is_nieuw
), units AS (
    SELECT schooljaar, niveau, eenheid_code, count(*) AS leerlingen FROM pupil_units GROUP BY ALL
), totals AS (
    SELECT schooljaar, niveau, eenheid_code, count(*) AS totaal, count(DISTINCT person_id) AS personen
    FROM new_trajectories GROUP BY ALL
), by_verwijzer AS (
    SELECT schooljaar, niveau, eenheid_code, verwijzer, count(*) AS aantal, count(DISTINCT person_id) AS personen
    FROM new_trajectories GROUP BY ALL
)
SELECT u.schooljaar, u.niveau, u.eenheid_code, 'B1' AS indicator, 'verwijzer' AS dimensie, v.categorie,
       coalesce(b.aantal, 0)::DOUBLE AS teller, coalesce(t.totaal, 0)::DOUBLE AS noemer,
       coalesce(b.personen, 0) AS basis_personen
FROM units u
CROSS JOIN verwijzers v
LEFT JOIN totals t USING (schooljaar, niveau, eenheid_code)
LEFT JOIN by_verwijzer b
  ON b.schooljaar = u.schooljaar AND b.niveau = u.niveau AND b.eenheid_code = u.eenheid_code
 AND b.verwijzer = v.categorie
UNION ALL
SELECT u.schooljaar, u.niveau, u.eenheid_code, 'B2', NULL, NULL,
       coalesce(t.totaal, 0)::DOUBLE, u.leerlingen::DOUBLE, coalesce(t.personen, 0)
FROM units u
LEFT JOIN totals t USING (schooljaar, niveau, eenheid_code);
