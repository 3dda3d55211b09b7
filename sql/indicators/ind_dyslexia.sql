-- Dyslexia care (dyslexiezorg): D1.
-- Shared rules used here: pupil_units, pupil_years (onderwijssoort on the peildatum) and trajectory_years
-- (new = starts in the school year; is_dyslexie = product code in the configured dyslexia list, monitor.toml).
--
-- D1 Dyslexietrajecten (BAO- en SBO-leerlingen), per 100
-- NL: Teller: nieuwe dyslexietrajecten (start in jaar y) van leerlingen die op de peildatum in het BAO of SBO
--     zitten. Noemer: BAO- en SBO-leerlingen. Eenheid: per 100. Alleen eenheden met BAO/SBO-leerlingen
--     krijgen een rij (een VO-school niet). basis_personen = leerlingen met zo'n traject.
-- EN: Numerator: new dyslexia trajectories of pupils in BAO or SBO on the peildatum. Denominator: BAO and
--     SBO pupils. Per 100. Only units with BAO/SBO pupils get a row.
CREATE OR REPLACE TABLE ind_dyslexia AS
WITH new_dyslexia AS (
    SELECT schooljaar, person_id, count(*) AS trajecten
    FROM trajectory_years
    WHERE is_dyslexie AND is_nieuw
    GROUP BY ALL
)
SELECT u.schooljaar, u.niveau, u.eenheid_code, 'D1' AS indicator, NULL::VARCHAR AS dimensie,
       NULL::VARCHAR AS categorie,
       coalesce(sum(d.trajecten), 0)::DOUBLE AS teller, count(*)::DOUBLE AS noemer,
       count(d.person_id) AS basis_personen
FROM pupil_units u
JOIN pupil_years p ON p.schooljaar = u.schooljaar AND p.person_id = u.person_id
LEFT JOIN new_dyslexia d ON d.schooljaar = u.schooljaar AND d.person_id = u.person_id
WHERE p.is_bao_sbo
GROUP BY ALL;
