-- school_areas: the samenwerkingsverband passend onderwijs each school counts in, defined once (docs/levels.md).
-- NL: Een school van sector PO, SBO of SO telt mee bij haar PO-samenwerkingsverband, een VO-school bij haar
--     VO-samenwerkingsverband (uit `schools`: de PC4 van de vestiging in de Regeling regio-indeling). MBO hoort bij
--     geen samenwerkingsverband. Keuze: een SO/VSO-centrum telt in zijn geheel bij het PO-samenwerkingsverband,
--     zodat de scholen precies optellen tot het samenwerkingsverband. Alleen samenwerkingsverbanden waarvan alle
--     gemeenten (uit de Regeling) in de run zitten, of in een landelijke run; anders zou het cijfer een deel zijn.
-- EN: A PO, SBO or SO school counts for its PO samenwerkingsverband, a VO school for its VO one (from `schools`:
--     the location's PC4 in the legal indeling); MBO for none. Choice: an SO/VSO centre counts wholly for the PO
--     one, so that schools add up exactly. Only samenwerkingsverbanden all of whose gemeenten are in the run (or a
--     national run); else the figure would cover part of one.
CREATE OR REPLACE TABLE school_areas AS
WITH assigned AS (
    SELECT vestiging, CASE WHEN sector IN ('PO', 'SBO', 'SO') THEN po_swv WHEN sector = 'VO' THEN vo_swv END AS swv
    FROM schools
), swv_gemeenten AS (
    SELECT po_swv AS swv, lower(gemeente) AS gemeente FROM ref_swv
    UNION SELECT vo_swv, lower(gemeente) FROM ref_swv
), complete AS (
    SELECT g.swv
    FROM swv_gemeenten g
    LEFT JOIN run_gemeenten r ON lower(r.gemeente_naam) = g.gemeente
    GROUP BY g.swv
    HAVING bool_and(r.gemeente_code IS NOT NULL) OR (SELECT national FROM run_scope)
)
SELECT a.vestiging, a.swv AS samenwerkingsverband
FROM assigned a
JOIN complete c ON c.swv = a.swv;
