-- C1 Jeugdhulpkosten totaal (total youth-care cost)
-- NL: Nettokosten (euro) van de declaratieregels in jaar y van trajecten van leerlingen, alle
--     productcategorieën (dus ook 47-49). Rust op: leerlingen met nettokosten <> 0 in jaar y.
-- EN: Net cost (euro) of declaration lines in year y of trajectories of pupils, every category
--     (including 47-49). Rests on: pupils with net cost <> 0 in year y.
CREATE OR REPLACE TABLE ind_costs AS
WITH person_cost AS (
    SELECT schooljaar, person_id, sum(netto_kosten) AS kosten FROM declaration_years GROUP BY ALL
)
SELECT u.schooljaar, u.niveau, u.eenheid_code, 'C1' AS indicator, NULL::VARCHAR AS dimensie,
       NULL::VARCHAR AS categorie,
       coalesce(sum(pc.kosten), 0)::DOUBLE AS teller, NULL::DOUBLE AS noemer,
       count(pc.person_id) FILTER (WHERE pc.kosten <> 0) AS basis_personen
FROM pupil_units u
LEFT JOIN person_cost pc ON pc.schooljaar = u.schooljaar AND pc.person_id = u.person_id
GROUP BY ALL;
