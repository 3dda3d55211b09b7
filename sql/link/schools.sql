-- schools: the public attributes of each school (vestiging): name, sector, wijk and samenwerkingsverbanden.
-- NL: Sector: de onderwijssoort van de meeste leerlingjaren van de vestiging (pupil_years, alle jaren), als
--     sector: BAO = PO, SBO = SBO, SO en VSO = SO, PRO, VMBO, HAVO en VWO = VO, MBO-1 tot en met MBO-4 = MBO;
--     bij gelijke aantallen de eerste in die volgorde. Wijk: de wijk waarin de meeste adressen van de postcode
--     (PC6) van de vestiging liggen (CBS pc6hnr; gelijk: de laagste wijkcode); postcode onbekend of niet in
--     de tabel: geen wijk. Samenwerkingsverband passend onderwijs (PO en VO): dat van de PC4 van de postcode
--     in de Regeling regio-indeling (bijlage 2015); een PC4 die daar niet in staat (na 2015 uitgegeven): dat van
--     de gemeente van de school (school_gemeenten), als al haar PC4's in de bijlage in één samenwerkingsverband
--     liggen; anders geen.
--     swv_herkomst zegt welke van de twee (pc4, gemeente). Scholen zonder leerlingen in de gegevens: geen rij.
-- EN: Sector: the type of education of most of the location's pupil-years (all years), as a sector (BAO = PO,
--     SBO, SO and VSO = SO, PRO/VMBO/HAVO/VWO = VO, MBO-1..4 = MBO; ties: the first in that order). Wijk: the
--     wijk most addresses of the location's PC6 lie in (CBS pc6hnr; ties: lowest code). Samenwerkingsverband
--     (PO and VO): that of the PC4 in the Regeling's 2015 table; a PC4 missing there (issued after 2015): the
--     gemeente's, if all its PC4s in the table lie in one; else none. No counts: nothing here is about a child.
CREATE OR REPLACE TABLE schools AS
WITH pupil_sectors AS (
    SELECT vestiging,
           CASE WHEN onderwijssoort = 'BAO' THEN 'PO'
                WHEN onderwijssoort = 'SBO' THEN 'SBO'
                WHEN onderwijssoort IN ('SO', 'VSO') THEN 'SO'
                WHEN onderwijssoort LIKE 'MBO-%' THEN 'MBO'
                ELSE 'VO' END AS sector,
           count(*) AS pupil_years
    FROM pupil_years
    GROUP BY ALL
), sectors AS (
    SELECT DISTINCT ON (vestiging) vestiging, sector
    FROM pupil_sectors
    ORDER BY vestiging, pupil_years DESC, list_position(['PO', 'SBO', 'SO', 'VO', 'MBO'], sector)
), register AS (
    SELECT DISTINCT ON (vestiging) vestiging, naam, postcode
    FROM stg_scholen
    ORDER BY vestiging, naam
), postcode_wijken AS (
    SELECT DISTINCT ON (postcode) postcode, wijk
    FROM (SELECT postcode, wijk, count(*) AS addresses FROM stg_pc6hnr GROUP BY ALL)
    ORDER BY postcode, addresses DESC, wijk
), gemeente_swv AS (  -- per gemeente of the run: its samenwerkingsverband, if all its PC4s lie in one
    SELECT r.gemeente_code,
           CASE WHEN count(DISTINCT s.po_swv) = 1 THEN min(s.po_swv) END AS po_swv,
           CASE WHEN count(DISTINCT s.vo_swv) = 1 THEN min(s.vo_swv) END AS vo_swv
    FROM ref_swv s
    JOIN run_gemeenten r ON lower(s.gemeente) = lower(r.gemeente_naam)
    GROUP BY r.gemeente_code
)
SELECT s.vestiging,
       coalesce(r.naam, s.vestiging) AS school_naam,
       s.sector,
       pw.wijk AS wijk_code,
       w.wijknaam AS wijk_naam,
       coalesce(p.po_swv, g.po_swv) AS po_swv,
       coalesce(p.vo_swv, g.vo_swv) AS vo_swv,
       CASE WHEN p.pc4 IS NOT NULL THEN 'pc4'
            WHEN g.po_swv IS NOT NULL OR g.vo_swv IS NOT NULL THEN 'gemeente' END AS swv_herkomst
FROM sectors s
LEFT JOIN register r ON r.vestiging = s.vestiging
LEFT JOIN postcode_wijken pw ON pw.postcode = r.postcode
LEFT JOIN (SELECT DISTINCT ON (wijkcode) wijkcode, wijknaam FROM stg_wijken ORDER BY wijkcode, wijknaam) w
  ON w.wijkcode = pw.wijk
LEFT JOIN ref_swv p ON r.postcode IS NOT NULL AND p.pc4 = left(r.postcode, 4)
LEFT JOIN school_gemeenten sg ON sg.vestiging = s.vestiging
LEFT JOIN gemeente_swv g ON g.gemeente_code = coalesce(sg.gemeente_code, (SELECT gemeente_code FROM monitor_settings))
ORDER BY s.vestiging;
