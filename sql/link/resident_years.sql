-- resident_years: where each person lives on each peildatum (BRP address periods).
-- NL: Het woonadres op de peildatum: datum_vanaf <= peildatum en (datum_tot leeg of datum_tot > peildatum;
--     bij een verhuizing eindigt het oude adres op de dag dat het nieuwe begint). Bij meerdere: de laatste
--     datum_vanaf. Adressen buiten de gemeente of niet in de postcodetabel: wijk ONBEKEND / in_gemeente false.
--     Leeftijd staat niet hier maar in person_years (één regel voor iedereen).
-- EN: The address valid on the peildatum (end date exclusive: on moving day the new address counts);
--     several: the latest start. Addresses outside the gemeente or unknown: wijk ONBEKEND / in_gemeente false.
--     Age is decided in person_years (one rule for everyone).
CREATE OR REPLACE TABLE resident_years AS
WITH valid AS (
    SELECT sy.schooljaar, b.person_id, b.wijk_code, b.gemeente_code,
           row_number() OVER (PARTITION BY sy.schooljaar, b.person_id ORDER BY b.datum_vanaf DESC, b.wijk_code) AS rn
    FROM stg_bewoners b
    JOIN school_years sy
      ON b.datum_vanaf <= sy.peildatum AND (b.datum_tot IS NULL OR b.datum_tot > sy.peildatum)
)
SELECT schooljaar, person_id,
       coalesce(gemeente_code = (SELECT gemeente_code FROM monitor_settings), false) AS in_gemeente,
       CASE WHEN gemeente_code = (SELECT gemeente_code FROM monitor_settings) AND wijk_code IS NOT NULL
            THEN wijk_code ELSE 'ONBEKEND' END AS wijk_code
FROM valid
WHERE rn = 1;
