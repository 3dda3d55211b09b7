-- resident_years: where each person lives on each peildatum (BRP address periods).
-- NL: Het woonadres op de peildatum: datum_vanaf <= peildatum en (datum_tot leeg of datum_tot > peildatum;
--     bij een verhuizing eindigt het oude adres op de dag dat het nieuwe begint). Bij meerdere: de laatste
--     datum_vanaf. woon_gemeente = de gemeente van dat adres (CBS-code uit de postcodetabel), ook buiten de
--     gemeenten van de run; in_gemeente = die gemeente hoort bij de run. Adressen buiten de run of niet in de
--     postcodetabel: wijk ONBEKEND. Leeftijd staat niet hier maar in person_years (één regel voor iedereen).
-- EN: The address valid on the peildatum (end date exclusive: on moving day the new address counts);
--     several: the latest start. woon_gemeente = that address's gemeente, also outside the run; in_gemeente = it
--     is one of the run's gemeenten. Outside the run or unknown: wijk ONBEKEND. Age is decided in person_years.
CREATE OR REPLACE TABLE resident_years AS
WITH valid AS (
    SELECT sy.schooljaar, b.person_id, b.wijk_code, b.gemeente_code,
           row_number() OVER (PARTITION BY sy.schooljaar, b.person_id ORDER BY b.datum_vanaf DESC, b.wijk_code) AS rn
    FROM stg_bewoners b
    JOIN school_years sy
      ON b.datum_vanaf <= sy.peildatum AND (b.datum_tot IS NULL OR b.datum_tot > sy.peildatum)
), run AS (
    SELECT gemeente_code FROM run_gemeenten
)
SELECT schooljaar, person_id, v.gemeente_code AS woon_gemeente,
       r.gemeente_code IS NOT NULL AS in_gemeente,
       CASE WHEN r.gemeente_code IS NOT NULL AND v.wijk_code IS NOT NULL THEN v.wijk_code ELSE 'ONBEKEND' END
           AS wijk_code
FROM valid v
LEFT JOIN run r ON r.gemeente_code = v.gemeente_code
WHERE rn = 1;
