-- trajectory_years: in which school years a trajectory is active, and in which it is new.
-- NL: Actief in jaar y als start <= 31 juli t+1 en (einde open of einde >= 1 augustus t).
--     Nieuw in jaar y als de start in het schooljaar valt.
-- EN: Active in year y if start <= 31 July t+1 and (end open or end >= 1 August t); new if it starts in y.
CREATE OR REPLACE TABLE trajectory_years AS
SELECT sy.schooljaar, t.toewijzingnummer, t.person_id, t.soort, t.vorm, t.verwijzer, t.productcategorie,
       t.is_dyslexie,
       t.startdatum BETWEEN sy.begindatum AND sy.einddatum AS is_nieuw
FROM trajectories t
JOIN school_years sy
  ON t.startdatum <= sy.einddatum AND (t.einddatum IS NULL OR t.einddatum >= sy.begindatum);
