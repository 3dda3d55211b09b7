-- Youth-care cost (jeugdhulpkosten): C1, C2, C3, C4, C5.
-- Shared rules used here: pupil_units and declaration_years (net cost = debet - credit per trajectory and
-- school year of periode_begin, every productcategorie, so including 47-49; lines before the trajectory's
-- start count in the year they fall in; lines of an unknown toewijzingnummer do not count).
-- Every cost figure is a `bedrag` for disclosure control: it rests on basis_personen = pupils with at least
-- one trajectory with net cost <> 0 in the cell (spec §4: "a cost figure rests on fewer than 10 persons").
-- max_persoon_kosten = the largest net cost of one pupil in the cell (C5: within the category), for the
-- dominance rule (a cost total is suppressed when one person accounts for too large a share of it); like
-- basis_personen it is a basis column, never published.
--
-- C1 Jeugdhulpkosten totaal (total youth-care cost), euro
-- NL: Nettokosten (euro) van de declaratieregels in jaar y van trajecten van leerlingen, alle categorieën.
-- EN: Net cost (euro) of declaration lines in year y of trajectories of pupils, every category.
--
-- C2 Kosten per leerling (cost per pupil), euro
-- NL: C1 gedeeld door alle leerlingen.
-- EN: C1 divided by all pupils.
--
-- C3 Kosten per jeugdige in zorg (cost per young person in care), euro
-- NL: C1 gedeeld door de leerlingen met minstens één traject met nettokosten <> 0 in jaar y (kosten van een
--     traject: de som van zijn regels in jaar y; een traject waarvan debet en credit tegen elkaar wegvallen
--     telt niet).
-- EN: C1 divided by pupils with at least one trajectory whose net cost in year y is not zero.
--
-- C4 Kosten per traject (cost per trajectory), euro
-- NL: C1 gedeeld door de trajecten van leerlingen met nettokosten <> 0 in jaar y (ook trajecten die in
--     jaar y niet actief zijn maar wel declaraties in jaar y hebben).
-- EN: C1 divided by trajectories of pupils with net cost <> 0 in year y (also trajectories not active in y
--     that have declarations in y).
--
-- C5 Kosten naar productcategorie (cost by product category), dimension `productcategorie`, %
-- NL: Teller: nettokosten (euro) in die productcategorie; noemer: C1. Categorieën: elke productcategorie met
--     kosten van leerlingen in dat jaar (in de gegevens: ook van leerlingen die elders wonen); elke eenheid krijgt ze allemaal, ook als nul.
-- EN: Numerator: net cost (euro) in that category; denominator: C1. Categories: every category with cost of
--     pupils in the data that year (also of pupils living elsewhere); every unit gets all of them, also when zero.
-- How: costs are summed per pupil (and category) first; the unit and category figures are sums, counts and
-- maxima over those pupil rows, so no distinct count over the unit's declaration rows is needed.
CREATE OR REPLACE TABLE ind_costs AS
WITH pupil_category AS (  -- one row per unit, pupil and productcategorie with declarations in year y
    SELECT u.schooljaar, u.niveau, u.eenheid_code, d.productcategorie, u.person_id,
           sum(d.netto_kosten) AS kosten,
           count(*) FILTER (WHERE d.netto_kosten <> 0) AS trajecten_met_kosten
    FROM pupil_units u
    JOIN declaration_years d ON d.schooljaar = u.schooljaar AND d.person_id = u.person_id
    GROUP BY ALL
), pupil AS (  -- one row per unit and pupil with declarations in year y
    SELECT schooljaar, niveau, eenheid_code, person_id, sum(kosten) AS kosten,
           sum(trajecten_met_kosten)::BIGINT AS trajecten_met_kosten
    FROM pupil_category
    GROUP BY ALL
), unit_costs AS (
    SELECT schooljaar, niveau, eenheid_code, sum(kosten) AS kosten,
           count(*) FILTER (WHERE trajecten_met_kosten > 0) AS personen_met_kosten,
           sum(trajecten_met_kosten)::BIGINT AS trajecten_met_kosten,
           max(kosten)::DOUBLE AS max_persoon_kosten  -- the largest net cost of one pupil in the unit
    FROM pupil
    GROUP BY ALL
), category_costs AS (
    SELECT schooljaar, niveau, eenheid_code, productcategorie, sum(kosten) AS kosten,
           count(*) FILTER (WHERE trajecten_met_kosten > 0) AS personen_met_kosten,
           max(kosten)::DOUBLE AS max_persoon_kosten  -- the same within one productcategorie
    FROM pupil_category
    GROUP BY ALL
), units AS (
    SELECT schooljaar, niveau, eenheid_code, count(*) AS leerlingen FROM pupil_units GROUP BY ALL
), unit_rows AS (
    SELECT u.schooljaar, u.niveau, u.eenheid_code, u.leerlingen,
           coalesce(c.kosten, 0)::DOUBLE AS kosten,
           coalesce(c.personen_met_kosten, 0) AS personen_met_kosten,
           coalesce(c.trajecten_met_kosten, 0) AS trajecten_met_kosten,
           c.max_persoon_kosten
    FROM units u
    LEFT JOIN unit_costs c USING (schooljaar, niveau, eenheid_code)
), categories AS (
    SELECT DISTINCT schooljaar, productcategorie FROM category_costs
), category_rows AS (
    SELECT p.schooljaar, p.niveau, p.eenheid_code, k.productcategorie, p.kosten AS totaal,
           coalesce(c.kosten, 0)::DOUBLE AS kosten,
           coalesce(c.personen_met_kosten, 0) AS personen_met_kosten,
           c.max_persoon_kosten
    FROM unit_rows p
    JOIN categories k ON k.schooljaar = p.schooljaar
    LEFT JOIN category_costs c
      ON c.schooljaar = p.schooljaar AND c.niveau = p.niveau AND c.eenheid_code = p.eenheid_code
     AND c.productcategorie = k.productcategorie
)
SELECT schooljaar, niveau, eenheid_code, 'C1' AS indicator, NULL::VARCHAR AS dimensie, NULL::VARCHAR AS categorie,
       kosten AS teller, NULL::DOUBLE AS noemer, personen_met_kosten AS basis_personen, max_persoon_kosten
FROM unit_rows
UNION ALL
SELECT schooljaar, niveau, eenheid_code, 'C2', NULL, NULL, kosten, leerlingen::DOUBLE, personen_met_kosten,
       max_persoon_kosten
FROM unit_rows
UNION ALL
SELECT schooljaar, niveau, eenheid_code, 'C3', NULL, NULL, kosten, personen_met_kosten::DOUBLE, personen_met_kosten,
       max_persoon_kosten
FROM unit_rows
UNION ALL
SELECT schooljaar, niveau, eenheid_code, 'C4', NULL, NULL, kosten, trajecten_met_kosten::DOUBLE, personen_met_kosten,
       max_persoon_kosten
FROM unit_rows
UNION ALL
SELECT schooljaar, niveau, eenheid_code, 'C5', 'productcategorie', productcategorie, kosten, totaal,
       personen_met_kosten, max_persoon_kosten
FROM category_rows;
