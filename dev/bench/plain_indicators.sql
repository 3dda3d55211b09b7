-- plain_indicators: the benchmark's reference. G1, A1, B1, C1 and E1 done "by hand" in one DuckDB script
-- straight over the raw CSV exports: no contracts, no quarantine, no pseudonymisation, no Dagster.
-- NL: Dezelfde regels als de monitor (spec §2 en §3, de keuzes in README.md), zonder iets eromheen: zo
--     meet `make bench` wat de pijplijn kost boven het kale werk, en een test bewaakt dat beide hetzelfde
--     tellen op schone invoer (zonder defecten; deze referentie controleert niets).
-- EN: The monitor's rules written once more, plainly, over the raw inputs. `make bench` times it against
--     the pipeline; a test checks that both count the same on clean input (this reference checks nothing).
-- Placeholders: {inbox} (folder of the raw exports), {gemeente} (e.g. GM0034). Youth care: flat CSV only.
-- `-- stage:` lines split the script into the parts `make bench` times against the pipeline's stages.

-- stage: ingest (the raw exports read as text, as delivered)
CREATE OR REPLACE TABLE raw_inschrijvingen AS SELECT * FROM read_csv('{inbox}/inschrijvingen.csv', all_varchar = true, header = true);
CREATE OR REPLACE TABLE raw_pc6hnr AS SELECT * FROM read_csv('{inbox}/pc6hnr.csv', all_varchar = true, header = true);
CREATE OR REPLACE TABLE raw_bewoners AS SELECT * FROM read_csv('{inbox}/bewoners.csv', all_varchar = true, header = true);
CREATE OR REPLACE TABLE raw_toewijzingen AS SELECT * FROM read_csv('{inbox}/toewijzingen.csv', all_varchar = true, header = true);
CREATE OR REPLACE TABLE raw_declaraties AS SELECT * FROM read_csv('{inbox}/declaraties.csv', all_varchar = true, header = true);
CREATE OR REPLACE TABLE raw_diplomas AS SELECT * FROM read_csv('{inbox}/diplomas.csv', all_varchar = true, header = true);

-- stage: link + indicators
CREATE OR REPLACE MACRO raw_date(x) AS
    coalesce(try_strptime(x, '%Y-%m-%d'), try_strptime(x, '%d-%m-%Y'))::DATE;
CREATE OR REPLACE MACRO person_key(bsn, onderwijsnummer) AS
    CASE WHEN nullif(trim(bsn), '') IS NOT NULL THEN lpad(trim(bsn), 9, '0') ELSE 'O' || trim(onderwijsnummer) END;

CREATE OR REPLACE TABLE ref_enrolments AS
SELECT DISTINCT person_key(bsn, onderwijsnummer) AS person, upper(brin) || lpad(vestigingsnummer, 2, '0') AS vestiging,
       upper(onderwijssoort) AS soort, raw_date(geboortedatum) AS geboren,
       raw_date(datum_inschrijving) AS van, raw_date(nullif(datum_uitschrijving, '')) AS tot
FROM raw_inschrijvingen;

CREATE OR REPLACE TABLE ref_years AS
WITH bounds AS (
    SELECT coalesce(make_date(year(min(tot) - INTERVAL 7 MONTH)::INT, 8, 1), min(van)) AS first_date,
           max(greatest(van, coalesce(tot, van))) AS last_date
    FROM ref_enrolments
), present AS (
    SELECT y.range::INT AS jaar FROM bounds b, range(year(b.first_date) - 1, year(b.last_date) + 1) y
    WHERE make_date(y.range::INT, 10, 1) BETWEEN b.first_date AND b.last_date
      AND EXISTS (SELECT 1 FROM ref_enrolments e WHERE e.van <= make_date(y.range::INT, 10, 1)
                  AND (e.tot IS NULL OR e.tot >= make_date(y.range::INT, 10, 1)))
)
SELECT jaar, jaar || '/' || (jaar + 1) AS schooljaar, make_date(jaar, 10, 1) AS peil,
       make_date(jaar, 8, 1) AS begin, make_date(jaar + 1, 7, 31) AS eind,
       (jaar + 1) IN (SELECT jaar FROM present) AS has_next
FROM present;

CREATE OR REPLACE TABLE ref_residence AS
WITH addresses AS (
    SELECT upper(replace(PC6, ' ', '')) AS pc, Huisnummer::INT AS nr, COLUMNS('(?i)^wijk\d{4}$')::INT AS wijk,
           COLUMNS('(?i)^gemeente\d{4}$')::INT AS gemeente
    FROM raw_pc6hnr
), lived AS (
    SELECT DISTINCT lpad(trim(b.bsn), 9, '0') AS person, raw_date(b.geboortedatum) AS geboren,
           raw_date(b.datum_vanaf) AS van, raw_date(nullif(b.datum_tot, '')) AS tot,
           'WK' || lpad(a.wijk::VARCHAR, 6, '0') AS wijk, 'GM' || lpad(a.gemeente::VARCHAR, 4, '0') AS gemeente
    FROM raw_bewoners b
    LEFT JOIN (SELECT DISTINCT ON (pc, nr) * FROM addresses) a
      ON a.pc = upper(replace(b.postcode, ' ', '')) AND a.nr = b.huisnummer::INT
)
SELECT y.schooljaar, l.person,
       CASE WHEN l.gemeente = '{gemeente}' AND l.wijk IS NOT NULL THEN l.wijk ELSE 'ONBEKEND' END AS wijk
FROM lived l JOIN ref_years y ON l.van <= y.peil AND (l.tot IS NULL OR l.tot > y.peil)
QUALIFY row_number() OVER (PARTITION BY y.schooljaar, l.person ORDER BY l.van DESC, l.wijk) = 1;

CREATE OR REPLACE TABLE ref_pupils AS
WITH birth AS (
    SELECT person, arg_max(date_trunc('month', geboren), van) AS maand FROM (
        SELECT lpad(trim(bsn), 9, '0') AS person, raw_date(geboortedatum) AS geboren, raw_date(datum_vanaf) AS van
        FROM raw_bewoners) GROUP BY person
), enrolment_birth AS (
    SELECT person, arg_max(date_trunc('month', geboren), van) AS maand FROM ref_enrolments GROUP BY person
)
SELECT y.schooljaar, y.jaar, e.person, e.vestiging, e.soort, coalesce(r.wijk, 'ONBEKEND') AS wijk,
       year(y.peil) - year(coalesce(b.maand, eb.maand))
           - CASE WHEN month(coalesce(b.maand, eb.maand)) >= 10 THEN 1 ELSE 0 END AS leeftijd
FROM ref_enrolments e
JOIN ref_years y ON e.van <= y.peil AND (e.tot IS NULL OR e.tot >= y.peil)
LEFT JOIN ref_residence r ON r.person = e.person AND r.schooljaar = y.schooljaar
LEFT JOIN birth b ON b.person = e.person
LEFT JOIN enrolment_birth eb ON eb.person = e.person
QUALIFY row_number() OVER (PARTITION BY y.schooljaar, e.person ORDER BY e.van DESC, e.vestiging) = 1;

CREATE OR REPLACE TABLE ref_units AS
SELECT schooljaar, person, 'school' AS niveau, vestiging AS eenheid FROM ref_pupils
UNION ALL SELECT schooljaar, person, 'wijk', wijk FROM ref_pupils
UNION ALL SELECT schooljaar, person, 'gemeente', '{gemeente}' FROM ref_pupils;

CREATE OR REPLACE TABLE ref_trajectories AS
SELECT toewijzingnummer, lpad(trim(bsn), 9, '0') AS person, productcategorie AS categorie,
       coalesce(nullif(verwijzer_type, ''), 'onbekend') AS verwijzer,
       coalesce(raw_date(nullif(begindatum_zorg, '')), raw_date(ingangsdatum)) AS start,
       coalesce(raw_date(nullif(einddatum_zorg, '')), raw_date(nullif(einddatum, ''))) AS eind
FROM raw_toewijzingen
QUALIFY row_number() OVER (PARTITION BY toewijzingnummer ORDER BY raw_date(ingangsdatum) DESC) = 1;

CREATE OR REPLACE TABLE reference_indicators AS
WITH care AS (
    SELECT DISTINCT y.schooljaar, t.person FROM ref_trajectories t
    JOIN ref_years y ON t.start <= y.eind AND (t.eind IS NULL OR t.eind >= y.begin)
    WHERE t.categorie NOT IN ('47', '48', '49')
), new_care AS (
    SELECT y.schooljaar, t.person, t.verwijzer FROM ref_trajectories t
    JOIN ref_years y ON t.start BETWEEN y.begin AND y.eind
    WHERE t.categorie NOT IN ('47', '48', '49')
), cost AS (
    SELECT CASE WHEN month(raw_date(d.periode_begin)) >= 8 THEN year(raw_date(d.periode_begin))
                ELSE year(raw_date(d.periode_begin)) - 1 END AS jaar, t.person,
           sum(CASE WHEN contains(d.bedrag, ',') THEN replace(replace(d.bedrag, '.', ''), ',', '.')
                    ELSE d.bedrag END::DECIMAL(18, 2)
               * CASE WHEN d.debet_credit = 'D' THEN 1 ELSE -1 END) AS kosten
    FROM raw_declaraties d
    JOIN ref_trajectories t USING (toewijzingnummer)
    GROUP BY ALL
), leavers AS (
    SELECT p.schooljaar, p.person,
           p.person NOT IN (SELECT person FROM ref_pupils n WHERE n.jaar = p.jaar + 1)
           AND NOT EXISTS (
               SELECT 1 FROM raw_diplomas d
               WHERE person_key(d.bsn, d.onderwijsnummer) = p.person
                 AND upper(d.diploma) IN ('HAVO', 'VWO', 'MBO-2', 'MBO-3', 'MBO-4')
                 AND raw_date(d.datum_diploma) <= make_date(p.jaar + 1, 10, 1)) AS vsv
    FROM ref_pupils p JOIN ref_years y USING (schooljaar)
    WHERE y.has_next AND p.leeftijd < 23
      AND p.soort IN ('PRO', 'VMBO-BB', 'VMBO-KB', 'VMBO-GT', 'HAVO', 'VWO', 'MBO-1', 'MBO-2', 'MBO-3', 'MBO-4')
), verwijzers AS (
    SELECT unnest(['01', '02', '03', '04', '05', '06', '08', 'onbekend']) AS categorie
)
SELECT u.schooljaar, u.niveau, u.eenheid, 'G1' AS indicator, NULL AS categorie, count(*)::DOUBLE AS teller,
       NULL::DOUBLE AS noemer
FROM ref_units u GROUP BY ALL
UNION ALL
SELECT u.schooljaar, u.niveau, u.eenheid, 'A1', NULL, count(c.person), count(*)
FROM ref_units u LEFT JOIN care c USING (schooljaar, person) GROUP BY ALL
UNION ALL
SELECT u.schooljaar, u.niveau, u.eenheid, 'B1', v.categorie,
       count(n.person) FILTER (WHERE n.verwijzer = v.categorie), count(n.person)
FROM (SELECT DISTINCT schooljaar, niveau, eenheid FROM ref_units) k
CROSS JOIN verwijzers v
JOIN ref_units u USING (schooljaar, niveau, eenheid)
LEFT JOIN new_care n ON n.schooljaar = u.schooljaar AND n.person = u.person
GROUP BY u.schooljaar, u.niveau, u.eenheid, v.categorie
UNION ALL
SELECT u.schooljaar, u.niveau, u.eenheid, 'C1', NULL, coalesce(sum(c.kosten), 0), NULL
FROM ref_units u JOIN ref_years y USING (schooljaar)
LEFT JOIN cost c ON c.jaar = y.jaar AND c.person = u.person GROUP BY ALL
UNION ALL
SELECT u.schooljaar, u.niveau, u.eenheid, 'E1', NULL, count(*) FILTER (WHERE l.vsv), count(*)
FROM leavers l JOIN ref_units u USING (schooljaar, person) GROUP BY ALL;
