-- G1 Leerlingen (pupils)
-- NL: Aantal leerlingen in schooljaar y (ingeschreven op de peildatum), per school, wijk en gemeente.
-- EN: Number of pupils in school year y (enrolled on the peildatum), per school, wijk and gemeente.
CREATE OR REPLACE TABLE ind_pupils AS
SELECT schooljaar, niveau, eenheid_code, 'G1' AS indicator, NULL::VARCHAR AS dimensie, NULL::VARCHAR AS categorie,
       count(*)::DOUBLE AS teller, NULL::DOUBLE AS noemer, count(*) AS basis_personen
FROM pupil_units
GROUP BY ALL;
