-- units: every publication unit of every school year: its published code and name, its gemeente and its parents.
-- NL: De eenheden komen uit pupil_units, resident_units en thuiszitter_units. gemeente_code = de gemeente waar de eenheid bij hoort:
--     van een school de gemeente van de school, van een wijk haar gemeente, van een gemeente zijzelf; leeg voor
--     samenwerkingsverband, jeugdregio en Nederland. ouders = de eenheden waarin de eenheid precies opgaat (elke
--     persoon van de ouder zit in precies één kind), voor de onthullingscontrole: wijk -> gemeente;
--     school -> samenwerkingsverband; gemeente -> jeugdregio -> Nederland; school -> gemeente alleen in een jaar
--     waarin de leerlingen van haar scholen precies de leerlingen zijn die voor de gemeente tellen (geen
--     leerling woont elders of gaat elders naar school); in een landelijke run waarin elke leerling voor een
--     gemeente telt: Nederland = de samenwerkingsverbanden samen met de scholen zonder samenwerkingsverband
--     (één relatie, 'nederland|NL|scholen': ouder|code|relatie).
-- EN: Units from pupil_units, resident_units and thuiszitter_units; gemeente_code = the gemeente a unit belongs to (school: the
--     school's, wijk: its gemeente, gemeente: itself; empty above). ouders = the units it adds up to exactly (every
--     person of the parent in exactly one child), for disclosure control: wijk -> gemeente, school ->
--     samenwerkingsverband, gemeente -> jeugdregio -> country; school -> gemeente only in a year in which its
--     schools' pupils are exactly the gemeente's pupils; in a national run in which every pupil counts for a
--     gemeente: the country = the samenwerkingsverbanden together with the schools without one (one relation,
--     'nederland|NL|scholen': parent|code|relation).
CREATE OR REPLACE TABLE units AS
WITH present AS (
    SELECT DISTINCT schooljaar, niveau, eenheid_code AS eenheid_id FROM pupil_units
    UNION SELECT DISTINCT schooljaar, niveau, eenheid_code FROM resident_units
    UNION SELECT DISTINCT schooljaar, niveau, eenheid_code FROM thuiszitter_units
), owned AS (
    SELECT p.schooljaar, p.niveau, p.eenheid_id,
           CASE p.niveau WHEN 'school' THEN coalesce(sg.gemeente_code, m.gemeente_code)
                         WHEN 'wijk' THEN CASE WHEN p.eenheid_id LIKE 'ONBEKEND|%' THEN split_part(p.eenheid_id, '|', 2)
                                               ELSE 'GM' || substr(p.eenheid_id, 3, 4) END
                         WHEN 'gemeente' THEN p.eenheid_id END AS gemeente_code
    FROM present p
    CROSS JOIN monitor_settings m
    LEFT JOIN school_gemeenten sg ON p.niveau = 'school' AND sg.vestiging = p.eenheid_id
), crossing AS (  -- per year and gemeente: pupils who live in it and go to school elsewhere, or the other way
    SELECT schooljaar, g AS gemeente_code, count(*) AS pupils
    FROM (SELECT schooljaar, unnest([gemeente_code, school_gemeente]) AS g FROM pupil_years
          WHERE gemeente_code <> school_gemeente)
    GROUP BY ALL
), outside AS (  -- per year: pupils who count for no gemeente of the run
    SELECT sy.schooljaar, count(p.person_id) AS pupils
    FROM school_years sy
    LEFT JOIN pupil_years p
      ON p.schooljaar = sy.schooljaar AND p.gemeente_code NOT IN (SELECT gemeente_code FROM run_gemeenten)
    GROUP BY ALL
), parents AS (
    SELECT o.schooljaar, o.niveau, o.eenheid_id, 'gemeente|' || o.gemeente_code AS ouder
    FROM owned o WHERE o.niveau = 'wijk'
    UNION ALL
    SELECT o.schooljaar, o.niveau, o.eenheid_id, 'samenwerkingsverband|' || s.samenwerkingsverband
    FROM owned o JOIN school_areas s ON o.niveau = 'school' AND s.vestiging = o.eenheid_id
    UNION ALL
    SELECT o.schooljaar, o.niveau, o.eenheid_id, 'gemeente|' || o.gemeente_code
    FROM owned o
    LEFT JOIN crossing c ON c.schooljaar = o.schooljaar AND c.gemeente_code = o.gemeente_code
    WHERE o.niveau = 'school' AND c.pupils IS NULL
    UNION ALL
    SELECT o.schooljaar, o.niveau, o.eenheid_id, a.niveau || '|' || a.eenheid_code
    FROM owned o
    JOIN area_units a ON o.niveau = 'gemeente' AND a.gemeente_code = o.eenheid_id AND a.niveau = 'jeugdregio'
    UNION ALL
    SELECT DISTINCT o.schooljaar, o.niveau, o.eenheid_id, 'nederland|NL'
    FROM owned o
    JOIN area_units a ON a.niveau = 'nederland' AND o.niveau = 'jeugdregio'
    UNION ALL
    SELECT o.schooljaar, o.niveau, o.eenheid_id, 'nederland|NL|scholen'
    FROM owned o
    JOIN outside x ON x.schooljaar = o.schooljaar AND x.pupils = 0
    WHERE (SELECT national FROM run_scope)
      AND (o.niveau = 'samenwerkingsverband'
           OR o.niveau = 'school' AND o.eenheid_id NOT IN (SELECT vestiging FROM school_areas))
), names AS (
    SELECT 'school' AS niveau, vestiging AS eenheid_code, naam AS eenheid_naam FROM stg_scholen
    UNION ALL SELECT 'wijk', wijkcode, wijknaam FROM stg_wijken
    UNION ALL SELECT 'gemeente', gemeente_code, gemeente_naam FROM run_gemeenten
    UNION ALL SELECT 'samenwerkingsverband', swv, 'Samenwerkingsverband ' || swv
    FROM (SELECT DISTINCT samenwerkingsverband AS swv FROM school_areas)
    UNION ALL SELECT DISTINCT 'jeugdregio', jeugdregio_code, 'Jeugdregio ' || jeugdregio_naam FROM ref_jeugdregio
    UNION ALL SELECT 'nederland', 'NL', 'Nederland'
)
SELECT o.schooljaar, o.niveau, o.eenheid_id,
       CASE WHEN o.eenheid_id LIKE 'ONBEKEND|%' THEN 'ONBEKEND' ELSE o.eenheid_id END AS eenheid_code,
       CASE WHEN o.eenheid_id LIKE 'ONBEKEND|%' THEN 'Wijk onbekend of buiten de gemeente'
            ELSE coalesce(n.eenheid_naam, o.eenheid_id) END AS eenheid_naam,
       o.gemeente_code,
       coalesce(list(p.ouder ORDER BY p.ouder) FILTER (WHERE p.ouder IS NOT NULL), []::VARCHAR[]) AS ouders
FROM owned o
LEFT JOIN (SELECT DISTINCT ON (niveau, eenheid_code) * FROM names ORDER BY ALL) n
  ON n.niveau = o.niveau AND n.eenheid_code = o.eenheid_id
LEFT JOIN parents p ON p.schooljaar = o.schooljaar AND p.niveau = o.niveau AND p.eenheid_id = o.eenheid_id
GROUP BY ALL;
