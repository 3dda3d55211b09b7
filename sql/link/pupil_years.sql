-- pupil_years: one row per pupil per school year, with school, wijk and age (spec §2).
-- NL: Een leerling hoort in jaar y bij de vestiging (BRIN + vestigingsnummer) van de inschrijving die op de
--     peildatum actief is. Meerdere: de laatste datum_inschrijving, dan de laagste vestigingscode. Niet
--     ingeschreven op de peildatum: geen leerling in jaar y. Wijk en leeftijd komen uit person_years
--     (woonadres op de peildatum, anders ONBEKEND; leeftijd uit de BRP, anders uit de inschrijving).
--     Gemeente (woonplaatsbeginsel, zoals de financiering van jeugdhulp): de gemeente van het woonadres op de
--     peildatum (BRP), ook als die niet in de run zit (dan telt de leerling voor geen gemeente van de run); zonder
--     woonadres in de gegevens: de gemeente van de school (DUO GEMEENTENUMMER; onbekend: de eigen gemeente).
--     school_gemeente = de gemeente van de school, voor de schoolcijfers.
-- EN: A pupil belongs in year y to the school of the enrolment active on the peildatum; several: latest
--     enrolment date, then lowest location code. Not enrolled on the peildatum: not a pupil in year y.
--     Wijk and age come from person_years. Gemeente (as youth-care financing): that of the address on the
--     peildatum, also outside the run; no address in the data: the school's gemeente (DUO GEMEENTENUMMER, else
--     the run's own). school_gemeente: the school's gemeente, for the school figures.
CREATE OR REPLACE TABLE pupil_years AS
WITH active AS (
    SELECT sy.schooljaar, e.person_id, e.brin || e.vestigingsnummer AS vestiging, e.onderwijssoort,
           row_number() OVER (PARTITION BY sy.schooljaar, e.person_id
                              ORDER BY e.datum_inschrijving DESC, e.brin || e.vestigingsnummer) AS rn
    FROM stg_inschrijvingen e
    JOIN school_years sy
      ON e.datum_inschrijving <= sy.peildatum
     AND (e.datum_uitschrijving IS NULL OR e.datum_uitschrijving >= sy.peildatum)
)
SELECT a.schooljaar, a.person_id, py.id_type, a.vestiging, a.onderwijssoort, py.wijk_code, py.leeftijd,
       a.onderwijssoort IN ('PRO', 'VMBO-BB', 'VMBO-KB', 'VMBO-GT', 'HAVO', 'VWO', 'MBO-1', 'MBO-2', 'MBO-3', 'MBO-4')
           AS is_vo_mbo,
       a.onderwijssoort IN ('BAO', 'SBO') AS is_bao_sbo,
       coalesce(py.woon_gemeente, sg.gemeente_code, m.gemeente_code) AS gemeente_code,
       coalesce(sg.gemeente_code, m.gemeente_code) AS school_gemeente
FROM active a
JOIN person_years py ON py.schooljaar = a.schooljaar AND py.person_id = a.person_id
LEFT JOIN school_gemeenten sg ON sg.vestiging = a.vestiging
CROSS JOIN monitor_settings m
WHERE a.rn = 1;
