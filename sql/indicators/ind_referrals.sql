-- B1 Verwijzingen naar verwijzer (referrals by referrer), dimension `verwijzer`: 01..06, 08, onbekend.
-- NL: Teller: nieuwe jeugdhulptrajecten (start in jaar y) van leerlingen met deze verwijzer.
--     Noemer: alle nieuwe jeugdhulptrajecten van leerlingen. Eenheid: % (teller is het aantal).
--     Elke categorie staat in de tabel, ook als ze nul keer voorkomt.
-- EN: Numerator: new youth-care trajectories of pupils with this referrer. Denominator: all new
--     youth-care trajectories of pupils. Every category is present, also when it is zero.
CREATE OR REPLACE TABLE ind_referrals AS
WITH verwijzers AS (
    SELECT unnest(['01', '02', '03', '04', '05', '06', '08', 'onbekend']) AS categorie
), new_trajectories AS (
    SELECT u.schooljaar, u.niveau, u.eenheid_code, t.verwijzer, t.toewijzingnummer
    FROM pupil_units u
    JOIN trajectory_years t ON t.schooljaar = u.schooljaar AND t.person_id = u.person_id
    WHERE t.soort = 'jeugdhulp' AND t.is_nieuw
), units AS (
    SELECT DISTINCT schooljaar, niveau, eenheid_code FROM pupil_units
), totals AS (
    SELECT schooljaar, niveau, eenheid_code, count(*) AS totaal FROM new_trajectories GROUP BY ALL
), by_verwijzer AS (
    SELECT schooljaar, niveau, eenheid_code, verwijzer, count(*) AS aantal FROM new_trajectories GROUP BY ALL
)
SELECT u.schooljaar, u.niveau, u.eenheid_code, 'B1' AS indicator, 'verwijzer' AS dimensie, v.categorie,
       coalesce(b.aantal, 0)::DOUBLE AS teller, coalesce(t.totaal, 0)::DOUBLE AS noemer,
       coalesce(b.aantal, 0) AS basis_personen
FROM units u
CROSS JOIN verwijzers v
LEFT JOIN totals t USING (schooljaar, niveau, eenheid_code)
LEFT JOIN by_verwijzer b
  ON b.schooljaar = u.schooljaar AND b.niveau = u.niveau AND b.eenheid_code = u.eenheid_code
 AND b.verwijzer = v.categorie;
