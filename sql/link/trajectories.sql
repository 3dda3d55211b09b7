-- trajectories: one row per toewijzingnummer (a trajectory), from the flat export and iJw messages alike.
-- NL: Start = begindatum_zorg (JW305) indien bekend, anders ingangsdatum; einde = einddatum_zorg (JW307)
--     indien bekend, anders einddatum; leeg = open. Soort: jeugdbescherming = categorie 48,
--     jeugdreclassering = 47 en 49, anders jeugdhulp. Vorm: uit de hulpvorm van de productcode (01-04 zonder
--     verblijf, 11-14 met verblijf), categorie 46 = crisis; onbekende code of andere hulpvorm: naar categorie
--     (35-38, 43, 44 met verblijf, anders zonder verblijf). Verwijzer leeg = onbekend.
--     Komt een toewijzingnummer meer dan eens voor, dan telt de regel met de laatste ingangsdatum; bij gelijke
--     ingangsdatum de regel met het laatste einde (open eerst), dan het laatste einde zorg (open eerst), het
--     laatste begin zorg, dan de kleinste productcategorie, productcode en verwijzer: een volgorde op de inhoud
--     van de regel zelf, zodat geen verwijzing naar bestand of regelnummer bewaard hoeft te worden.
-- EN: Start = start of care (JW305) if known, else allocation start; end likewise; empty = open.
--     Kind, form and referrer as above. A toewijzingnummer seen more than once: the row with the latest
--     allocation start wins, so a re-delivered allocation counts once; on the same start the latest end (open
--     first), latest care end (open first), latest care start, then the smallest category, product code and
--     referrer: an order on the row's own content, so no pointer into a raw file need be stored.
CREATE OR REPLACE TABLE trajectories AS
WITH ranked AS (
    SELECT t.*,
           row_number() OVER (PARTITION BY toewijzingnummer
                              ORDER BY ingangsdatum DESC, einddatum DESC NULLS FIRST,
                                       einddatum_zorg DESC NULLS FIRST, begindatum_zorg DESC NULLS LAST,
                                       productcategorie, productcode, verwijzer_type NULLS LAST, person_id) AS rn
    FROM stg_toewijzingen t
)
SELECT
    r.toewijzingnummer,
    r.person_id,
    r.productcategorie,
    r.productcode,
    coalesce(r.verwijzer_type, 'onbekend') AS verwijzer,
    coalesce(r.begindatum_zorg, r.ingangsdatum) AS startdatum,
    coalesce(r.einddatum_zorg, r.einddatum) AS einddatum,
    CASE WHEN r.productcategorie = '48' THEN 'jeugdbescherming'
         WHEN r.productcategorie IN ('47', '49') THEN 'jeugdreclassering'
         ELSE 'jeugdhulp' END AS soort,
    CASE WHEN r.productcategorie = '46' THEN 'crisis'
         WHEN p.hulpvorm IN ('01', '02', '03', '04') THEN 'zonder_verblijf'
         WHEN p.hulpvorm IN ('11', '12', '13', '14') THEN 'met_verblijf'
         WHEN r.productcategorie IN ('35', '36', '37', '38', '43', '44') THEN 'met_verblijf'
         ELSE 'zonder_verblijf' END AS vorm,
    list_contains((SELECT dyslexia_codes FROM monitor_settings), r.productcode) AS is_dyslexie
FROM ranked r
LEFT JOIN ref_productcodes p ON p.productcode = r.productcode
WHERE r.rn = 1;
