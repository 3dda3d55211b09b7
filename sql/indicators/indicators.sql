-- indicators: every indicator family in one long table, with value, unit, names and the gemeente's value.
-- NL: waarde = teller bij een indicator zonder noemer (aantal of bedrag: G1, C1); anders teller / noemer x
--     factor (factor uit de indicatorcatalogus: 100 voor %, 1000 voor per 1.000, 1 voor euro per ...); bij
--     noemer 0 leeg. Elke school- en wijkrij krijgt de waarde van haar gemeente (units.gemeente_code) voor
--     dezelfde indicator, dimensie en categorie (gemeente_waarde). Code, naam, gemeente en ouders van de eenheid
--     komen uit `units`. Nog niet beschermd: zie protect.
-- EN: value = numerator for indicators without a denominator (counts and totals); else numerator /
--     denominator x factor (from the indicator catalogue); empty when the denominator is 0. School and wijk
--     rows carry their gemeente's value; code, name, gemeente and parents of the unit come from `units`. Not yet
--     protected.
CREATE OR REPLACE TABLE indicators AS
WITH families AS (
    SELECT * FROM ind_pupils
    UNION ALL BY NAME SELECT * FROM ind_youth_care_use
    UNION ALL BY NAME SELECT * FROM ind_resident_youth_care
    UNION ALL BY NAME SELECT * FROM ind_referrals
    UNION ALL BY NAME SELECT * FROM ind_costs
    UNION ALL BY NAME SELECT * FROM ind_dyslexia
    UNION ALL BY NAME SELECT * FROM ind_school_leaving
    UNION ALL BY NAME SELECT * FROM ind_absence
    UNION ALL BY NAME SELECT * FROM ind_linkage
    UNION ALL BY NAME SELECT * FROM ind_outcomes
), valued AS (
    SELECT f.*, c.naam_nl AS indicator_naam, c.eenheid, c.soort,
           CASE WHEN f.noemer IS NULL THEN f.teller
                WHEN f.noemer <> 0 THEN f.teller / f.noemer * c.factor END AS waarde
    FROM families f
    JOIN ref_catalogue c ON c.id = f.indicator
)
SELECT v.schooljaar, v.niveau, coalesce(u.eenheid_code, v.eenheid_code) AS eenheid_code,
       coalesce(u.eenheid_naam, v.eenheid_code) AS eenheid_naam,
       v.indicator, v.indicator_naam, v.dimensie, v.categorie,
       v.teller, v.noemer, v.waarde, v.eenheid,
       CASE WHEN v.niveau IN ('school', 'wijk') THEN g.waarde END AS gemeente_waarde,
       v.soort, v.basis_personen, v.max_persoon_kosten, u.gemeente_code, coalesce(u.ouders, []) AS ouders
FROM valued v
LEFT JOIN units u ON u.schooljaar = v.schooljaar AND u.niveau = v.niveau AND u.eenheid_id = v.eenheid_code
LEFT JOIN valued g
  ON g.niveau = 'gemeente' AND g.eenheid_code = u.gemeente_code AND g.schooljaar = v.schooljaar
 AND g.indicator = v.indicator
 AND g.dimensie IS NOT DISTINCT FROM v.dimensie AND g.categorie IS NOT DISTINCT FROM v.categorie
ORDER BY v.schooljaar, v.indicator, v.niveau, u.gemeente_code, coalesce(u.eenheid_code, v.eenheid_code), v.dimensie, v.categorie;
