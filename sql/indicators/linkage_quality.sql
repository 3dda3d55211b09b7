-- linkage_quality: how well the sources link, per school year (aggregates; protected before publication).
-- NL: Maten (teller / noemer, in personen tenzij anders vermeld):
--     koppeling: per bron de personen van die bron in jaar y (noemer) en hoeveel daarvan ooit in een andere
--       bron voorkomen (teller, per doelbron). Personen van een bron in jaar y: inschrijvingen = leerlingen;
--       bewoners = woonadres in de gemeente op de peildatum; toewijzingen = actief traject (elke soort);
--       declaraties = declaratieregel met periode_begin in jaar y; verzuim = zaak die jaar y overlapt;
--       diplomas = diploma gedateerd in jaar y. Een leerling met alleen een onderwijsnummer kan niet koppelen
--       met BRP of jeugdhulp; dat is hier zichtbaar.
--     L1: de koppelingsgraad jeugdhulp-onderwijs (uit ind_linkage).
--     leerlingen_zonder_woonadres: leerlingen zonder woonadres in de gemeente op de peildatum (wijk
--       ONBEKEND), per leeftijdsgroep; noemer: leerlingen in die leeftijdsgroep.
--     jeugdhulpclienten_zonder_school: personen met een actief jeugdhulptraject die in jaar y geen leerling
--       zijn, per leeftijdsgroep; noemer: personen met een actief jeugdhulptraject in die leeftijdsgroep.
--     Elke leeftijdsgroep heeft een rij, ook bij nul (dan wordt ze onderdrukt), zodat één onderdrukte groep
--     nooit uit het totaal terug te rekenen is.
--     declaraties_zonder_toewijzing: declaratieregels in jaar y (regels, geen personen) met een onbekend
--       toewijzingnummer; noemer: alle declaratieregels in jaar y. Die regels tellen niet mee in C1-C5.
-- EN: Measures per school year: `koppeling` = persons of a source in year y and how many of them ever occur
--     in each other source; L1; pupils without an address in the gemeente and youth-care clients who are no
--     pupil, by age band; declaration lines whose toewijzingnummer is unknown. Person-level rows never leave
--     the warehouse; publication suppresses small counts (pipelines/indicators/linkage_quality.py).
-- How: the persons of each source and year are counted once per source (one flag per target source in
-- `persons`) and unpivoted afterwards, instead of one row per person and target source; declaration lines are
-- counted per periode_begin before they are put in a school year. Each source's persons per year are made
-- distinct within that source (the sources never share a row, so this equals one UNION).
CREATE OR REPLACE TABLE linkage_quality AS
WITH bands AS (
    SELECT sy.schooljaar, b.leeftijdsgroep
    FROM school_years sy
    CROSS JOIN (SELECT unnest(age_bands()) AS leeftijdsgroep) b
), pupils AS (
    SELECT p.schooljaar, age_band(p.leeftijd) AS leeftijdsgroep, NOT py.in_gemeente AS zonder_woonadres
    FROM pupil_years p
    JOIN person_years py ON py.schooljaar = p.schooljaar AND py.person_id = p.person_id
), populations AS (  -- distinct per source (pupil_years and resident_years have one row per person and year)
    SELECT schooljaar, 'inschrijvingen' AS bron, person_id FROM pupil_years
    UNION ALL SELECT schooljaar, 'bewoners', person_id FROM resident_years WHERE in_gemeente
    UNION ALL SELECT DISTINCT schooljaar, 'toewijzingen', person_id FROM trajectory_years
    UNION ALL SELECT school_year_name(jaar), 'declaraties', person_id
    FROM (SELECT DISTINCT school_year_start(periode_begin) AS jaar, person_id FROM stg_declaraties)
    UNION ALL SELECT DISTINCT schooljaar, 'verzuim', person_id FROM absence_years
    UNION ALL SELECT school_year_name(jaar), 'diplomas', person_id
    FROM (SELECT DISTINCT school_year_start(datum_diploma) AS jaar, person_id FROM stg_diplomas)
), found_per_source AS (  -- per source and year: its persons (noemer) and how many occur in each source
    SELECT p.schooljaar, p.bron, count(*) AS noemer,
           count(*) FILTER (WHERE f.in_inschrijvingen) AS inschrijvingen,
           count(*) FILTER (WHERE f.in_bewoners) AS bewoners,
           count(*) FILTER (WHERE f.in_toewijzingen) AS toewijzingen,
           count(*) FILTER (WHERE f.in_declaraties) AS declaraties,
           count(*) FILTER (WHERE f.in_verzuim) AS verzuim,
           count(*) FILTER (WHERE f.in_diplomas) AS diplomas
    FROM populations p
    JOIN school_years USING (schooljaar)
    JOIN persons f USING (person_id)
    GROUP BY ALL
), found_in AS (
    SELECT schooljaar, bron, doelbron, teller, noemer
    FROM found_per_source
    UNPIVOT (teller FOR doelbron IN (inschrijvingen, bewoners, toewijzingen, declaraties, verzuim, diplomas))
    WHERE doelbron <> bron
), clients AS (
    SELECT DISTINCT py.schooljaar, py.person_id, age_band(py.leeftijd) AS leeftijdsgroep,
           p.person_id IS NOT NULL AS is_leerling
    FROM trajectory_years t
    JOIN person_years py ON py.schooljaar = t.schooljaar AND py.person_id = t.person_id
    LEFT JOIN pupil_years p ON p.schooljaar = t.schooljaar AND p.person_id = t.person_id
    WHERE t.soort = 'jeugdhulp'
), declaration_days AS (  -- toewijzingnummer is required in both exports, so NOT IN = no match
    SELECT d.periode_begin, count(*) AS regels, count(*) FILTER (WHERE t.toewijzingnummer IS NULL) AS zonder_toewijzing
    FROM stg_declaraties d
    LEFT JOIN trajectories t ON t.toewijzingnummer = d.toewijzingnummer
    GROUP BY d.periode_begin
), declaration_lines AS (
    SELECT school_year_of(periode_begin) AS schooljaar, sum(regels)::BIGINT AS regels,
           sum(zonder_toewijzing)::BIGINT AS zonder_toewijzing
    FROM declaration_days
    GROUP BY ALL
)
SELECT schooljaar, 'koppeling' AS maat, bron, doelbron, NULL::VARCHAR AS leeftijdsgroep, teller, noemer
FROM found_in
UNION ALL
SELECT schooljaar, 'L1', 'toewijzingen', 'inschrijvingen', NULL, sum(teller)::BIGINT, sum(noemer)::BIGINT
FROM ind_linkage WHERE niveau = 'gemeente'
GROUP BY schooljaar
UNION ALL
SELECT b.schooljaar, 'leerlingen_zonder_woonadres', 'inschrijvingen', 'bewoners', b.leeftijdsgroep,
       count(p.schooljaar) FILTER (WHERE p.zonder_woonadres), count(p.schooljaar)
FROM bands b
LEFT JOIN pupils p USING (schooljaar, leeftijdsgroep)
GROUP BY ALL
UNION ALL
SELECT b.schooljaar, 'jeugdhulpclienten_zonder_school', 'toewijzingen', 'inschrijvingen', b.leeftijdsgroep,
       count(c.person_id) FILTER (WHERE NOT c.is_leerling), count(c.person_id)
FROM bands b
LEFT JOIN clients c USING (schooljaar, leeftijdsgroep)
GROUP BY ALL
UNION ALL
SELECT schooljaar, 'declaraties_zonder_toewijzing', 'declaraties', 'toewijzingen', NULL, zonder_toewijzing, regels
FROM declaration_lines JOIN school_years USING (schooljaar)
ORDER BY ALL;
