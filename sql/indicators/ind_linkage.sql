-- Linkage rate (koppelingsgraad): L1, gemeente level only. The rest of the linkage report is linkage_quality.
-- Shared rules used here: person_years (age and residence on the peildatum), pupil_years and trajectory_years.
--
-- L1 Koppelingsgraad jeugdhulp-onderwijs (linkage rate youth care - education), %
-- NL: Noemer: personen van 4 tot en met 17 jaar op de peildatum met een in jaar y actief jeugdhulptraject en
--     een woonadres in de gemeente op de peildatum. Teller: daarvan wie in jaar y leerling is.
--     Keuze: de teller is een deel van de noemer (ook een leerling moet in de gemeente wonen), zodat de
--     uitkomst een aandeel is van hoogstens 100 %. Alleen gemeenteniveau.
-- EN: Denominator: persons aged 4-17 on the peildatum with a youth-care trajectory active in year y and an
--     address in the gemeente on the peildatum. Numerator: those who are pupils in year y. Choice: the
--     numerator is part of the denominator, so the rate is at most 100 %. Gemeente level only.
CREATE OR REPLACE TABLE ind_linkage AS
WITH clients AS (
    SELECT DISTINCT py.schooljaar, py.person_id, py.woon_gemeente
    FROM person_years py
    JOIN trajectory_years t ON t.schooljaar = py.schooljaar AND t.person_id = py.person_id
    WHERE t.soort = 'jeugdhulp' AND py.in_gemeente AND py.leeftijd BETWEEN 4 AND 17
), areas AS (
    SELECT DISTINCT sy.schooljaar, a.niveau, a.eenheid_code, a.gemeente_code
    FROM school_years sy CROSS JOIN area_units a
)
SELECT a.schooljaar, a.niveau, a.eenheid_code,
       'L1' AS indicator, NULL::VARCHAR AS dimensie, NULL::VARCHAR AS categorie,
       count(p.person_id)::DOUBLE AS teller, count(c.person_id)::DOUBLE AS noemer,
       count(p.person_id) AS basis_personen
FROM areas a
LEFT JOIN clients c ON c.schooljaar = a.schooljaar AND c.woon_gemeente = a.gemeente_code
LEFT JOIN pupil_years p ON p.schooljaar = c.schooljaar AND p.person_id = c.person_id
GROUP BY a.schooljaar, a.niveau, a.eenheid_code;
