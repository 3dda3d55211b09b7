-- declaration_years: net cost per trajectory per school year.
-- NL: Nettokosten van een declaratieregel = bedrag bij debet, min bedrag bij credit. Een regel hoort bij het
--     schooljaar waarin periode_begin valt. Declaraties van een onbekend toewijzingnummer tellen niet mee
--     (zie koppelingskwaliteit); declaraties vóór de start van het traject tellen gewoon mee.
-- EN: Net cost of a line = amount for D, minus amount for C, in the school year containing periode_begin.
--     Lines whose toewijzingnummer is unknown are left out; lines before the trajectory's start count.
-- How: lines are summed per toewijzingnummer and school year before the trajectory (one row per
-- toewijzingnummer) adds person and productcategorie.
CREATE OR REPLACE TABLE declaration_years AS
WITH per_year AS (
    SELECT school_year_start(periode_begin) AS jaar, toewijzingnummer,
           sum(CASE WHEN debet_credit = 'D' THEN bedrag ELSE -bedrag END) AS netto_kosten
    FROM stg_declaraties
    GROUP BY ALL
)
SELECT school_year_name(d.jaar) AS schooljaar, t.toewijzingnummer, t.person_id, t.productcategorie,
       d.netto_kosten::DECIMAL(18, 2) AS netto_kosten
FROM per_year d
JOIN trajectories t ON t.toewijzingnummer = d.toewijzingnummer;
