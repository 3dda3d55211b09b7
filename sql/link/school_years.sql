-- school_years: the school years the monitor computes.
-- NL: Een schooljaar t/t+1 loopt van 1 augustus t tot en met 31 juli t+1; peildatum is 1 oktober t.
--     Berekend worden de schooljaren waarvan de peildatum binnen de inschrijvingsgegevens valt, met minstens
--     één inschrijving die op de peildatum actief is. Begin van de gegevens: het schooljaar waarin de eerste
--     uitschrijving valt (een levering "inschrijvingen actief in periode P" bevat alleen uitschrijvingen uit P;
--     oudere inschrijfdatums zijn leerlingen die toen nog ingeschreven waren, geen volledige jaren). Zonder
--     uitschrijvingen: de eerste inschrijfdatum. Einde: de laatste datum in het bestand; open inschrijvingen
--     tellen dus niet door na de levering.
-- EN: A school year t/t+1 runs 1 August t - 31 July t+1; its peildatum is 1 October t. Computed are the
--     years whose peildatum lies within the enrolment data, with at least one enrolment active on it. The data
--     start at the school year of the earliest de-registration (an export of enrolments active in a period
--     only has de-registrations from that period; older enrolment dates belong to pupils still enrolled, not
--     to complete years), else the earliest enrolment; they end at the last date in the file. `has_next`: the next school year is present too (E1 and E2 need it).
CREATE OR REPLACE TABLE school_years AS
WITH bounds AS (
    SELECT coalesce(
               make_date(year(min(datum_uitschrijving) - INTERVAL 7 MONTH)::INT, 8, 1),
               min(datum_inschrijving)
           ) AS first_date,
           max(greatest(datum_inschrijving, coalesce(datum_uitschrijving, datum_inschrijving))) AS last_date
    FROM stg_inschrijvingen
), present AS (
    SELECT y.range::INT AS jaar
    FROM bounds b, range(year(b.first_date) - 1, year(b.last_date) + 1) y
    WHERE make_date(y.range::INT, 10, 1) BETWEEN b.first_date AND b.last_date
      AND EXISTS (
        SELECT 1 FROM stg_inschrijvingen e
        WHERE e.datum_inschrijving <= make_date(y.range::INT, 10, 1)
          AND (e.datum_uitschrijving IS NULL OR e.datum_uitschrijving >= make_date(y.range::INT, 10, 1))
    )
)
SELECT
    jaar::VARCHAR || '/' || (jaar + 1)::VARCHAR AS schooljaar,
    jaar,
    make_date(jaar, 10, 1) AS peildatum,
    make_date(jaar, 8, 1) AS begindatum,
    make_date(jaar + 1, 7, 31) AS einddatum,
    make_date(jaar + 1, 10, 1) AS volgende_peildatum,
    (jaar + 1) IN (SELECT jaar FROM present) AS has_next
FROM present
ORDER BY jaar;
