-- declaration_years: net cost per trajectory per school year.
-- NL: Nettokosten van een declaratieregel = bedrag bij debet, min bedrag bij credit. Een regel hoort bij het
--     schooljaar waarin periode_begin valt. Declaraties van een onbekend toewijzingnummer tellen niet mee
--     (zie koppelingskwaliteit); declaraties vóór de start van het traject tellen gewoon mee.
-- EN: Net cost of a line = amount for D, minus amount for C, in the school year containing periode_begin.
--     Lines whose toewijzingnummer is unknown are left out; lines before the trajectory's start count.
CREATE OR REPLACE TABLE declaration_years AS
SELECT school_year_of(d.periode_begin) AS schooljaar,
       t.toewijzingnummer, t.person_id, t.productcategorie,
       sum(CASE WHEN d.debet_credit = 'D' THEN d.bedrag ELSE -d.bedrag END)::DECIMAL(18, 2) AS netto_kosten
FROM stg_declaraties d
JOIN trajectories t ON t.toewijzingnummer = d.toewijzingnummer
GROUP BY ALL;
