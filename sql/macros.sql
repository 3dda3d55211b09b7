-- Shared rules, defined once.
-- Age in whole years on a peildatum (1 October), from a birth COHORT: ingest keeps only the year in which a
-- person is 0 on 1 October (pseudonymisation/minimise.py, `birth_cohort`: born in October or later counts for
-- the next year, so a birthday on 1 October itself counts as not yet reached).
-- Leeftijd in hele jaren op de peildatum (1 oktober), uit het geboortecohort.
CREATE OR REPLACE MACRO age_on(birth_cohort, peildatum) AS year(peildatum) - birth_cohort;

-- The school year 't/t+1' that contains a date (1 August t - 31 July t+1): its first year t, its name, and
-- both at once. Het schooljaar waarin een datum valt: beginjaar t, naam 't/t+1'.
-- (Large tables group by the first year and name the few groups afterwards: building a string per row is slow.)
CREATE OR REPLACE MACRO school_year_start(d) AS CASE WHEN month(d) >= 8 THEN year(d) ELSE year(d) - 1 END;
CREATE OR REPLACE MACRO school_year_name(t) AS t::VARCHAR || '/' || (t + 1)::VARCHAR;
CREATE OR REPLACE MACRO school_year_of(d) AS school_year_name(school_year_start(d));

-- Age band of the linkage-quality report: 0-3 (before school), 4-11 (primary), 12-17 (secondary),
-- 18-22 (still counted for E1), 23+; unknown age → onbekend.
-- Leeftijdsgroep voor het koppelingsrapport; onbekende leeftijd → onbekend.
CREATE OR REPLACE MACRO age_bands() AS ['0-3', '4-11', '12-17', '18-22', '23+', 'onbekend'];
CREATE OR REPLACE MACRO age_band(age) AS
    CASE WHEN age IS NULL THEN 'onbekend' WHEN age < 4 THEN '0-3' WHEN age < 12 THEN '4-11'
         WHEN age < 18 THEN '12-17' WHEN age < 23 THEN '18-22' ELSE '23+' END;
-- The unit of a wijk within its gemeente: its CBS code, or ONBEKEND|<gemeente> for "wijk onbekend" (every gemeente
-- has one; `units` publishes it as ONBEKEND, with its gemeente in gemeente_code).
CREATE OR REPLACE MACRO wijk_unit(wijk_code, gemeente_code) AS
    CASE WHEN wijk_code = 'ONBEKEND' THEN 'ONBEKEND|' || gemeente_code ELSE wijk_code END;
