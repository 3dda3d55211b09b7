-- school_gemeenten: the gemeente each school (vestiging) belongs to, defined once.
-- NL: De gemeente van de vestiging volgens DUO (GEMEENTENUMMER, als CBS-code GMxxxx) als die in de run zit; anders
--     (leeg of een gemeente buiten de run) de eigen gemeente van de run. Schoolcijfers horen bij deze gemeente.
-- EN: The location's gemeente by DUO (GEMEENTENUMMER as GMxxxx) when it is in the run; else (empty, or outside the
--     run) the run's own gemeente. School figures belong to this gemeente.
CREATE OR REPLACE TABLE school_gemeenten AS
SELECT DISTINCT ON (s.vestiging) s.vestiging, coalesce(r.gemeente_code, m.gemeente_code) AS gemeente_code
FROM stg_scholen s
CROSS JOIN monitor_settings m
LEFT JOIN run_gemeenten r ON r.gemeente_code = 'GM' || s.gemeentenummer
ORDER BY s.vestiging, r.gemeente_code NULLS LAST;
