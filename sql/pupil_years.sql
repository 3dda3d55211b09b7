-- pupil_years: one row per pupil per school year, with school, wijk and age (spec §2).
-- NL: Een leerling hoort in jaar y bij de vestiging (BRIN + vestigingsnummer) van de inschrijving die op de
--     peildatum actief is. Meerdere: de laatste datum_inschrijving, dan de laagste vestigingscode. Niet
--     ingeschreven op de peildatum: geen leerling in jaar y. Wijk: het woonadres op de peildatum, anders
--     ONBEKEND. Leeftijd: uit de BRP-geboortemaand, anders die van de inschrijving.
-- EN: A pupil belongs in year y to the school of the enrolment active on the peildatum; several: latest
--     enrolment date, then lowest location code. Wijk: residence on the peildatum, else ONBEKEND.
--     Age: from the BRP birth month, else the enrolment's.
CREATE OR REPLACE TABLE pupil_years AS
WITH active AS (
    SELECT sy.schooljaar, sy.peildatum, e.person_id, e.id_type,
           e.brin || e.vestigingsnummer AS vestiging, e.onderwijssoort, e.geboortemaand,
           row_number() OVER (PARTITION BY sy.schooljaar, e.person_id
                              ORDER BY e.datum_inschrijving DESC, e.brin || e.vestigingsnummer) AS rn
    FROM stg_inschrijvingen e
    JOIN school_years sy
      ON e.datum_inschrijving <= sy.peildatum
     AND (e.datum_uitschrijving IS NULL OR e.datum_uitschrijving >= sy.peildatum)
)
SELECT a.schooljaar, a.person_id, a.id_type, a.vestiging, a.onderwijssoort,
       coalesce(r.wijk_code, 'ONBEKEND') AS wijk_code,
       age_on(coalesce(r.geboortemaand, a.geboortemaand), a.peildatum) AS leeftijd,
       a.onderwijssoort IN ('PRO', 'VMBO-BB', 'VMBO-KB', 'VMBO-GT', 'HAVO', 'VWO', 'MBO-1', 'MBO-2', 'MBO-3', 'MBO-4')
           AS is_vo_mbo
FROM active a
LEFT JOIN resident_years r ON r.person_id = a.person_id AND r.schooljaar = a.schooljaar
WHERE a.rn = 1;
