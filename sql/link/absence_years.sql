-- absence_years: each absence case (verzuimzaak) in every school year it overlaps, with the thuiszitter rule.
-- NL: Een zaak overlapt jaar y als datum_start <= 31 juli t+1 en (datum_einde leeg of >= 1 augustus t).
--     Nieuw in jaar y: datum_start valt in het schooljaar. School van de zaak: BRIN + vestigingsnummer uit
--     het verzuimbestand (leeg bij absoluut verzuim, en ook leeg als één van beide ontbreekt).
--     Duur in dagen: datum_einde - datum_start + 1 (begin- en einddag tellen mee); een open zaak loopt voor
--     jaar y tot en met het einde van jaar y (31 juli t+1). Een gesloten zaak telt haar hele duur, ook het
--     deel buiten jaar y.
--     Thuiszitterszaak (F4): ABSOLUUT zonder vrijstelling, of RELATIEF zonder vrijstelling met een duur van
--     minstens 28 dagen. LUXE telt nooit mee.
-- EN: A case overlaps year y if it starts on or before 31 July t+1 and ends (or is open) on or after 1 August t.
--     New in y: starts in y. The case's school: BRIN + location number (empty for ABSOLUUT or if either is
--     missing). Duration: end - start + 1 days; an open case lasts until the end of year y. Thuiszitter case:
--     ABSOLUUT without exemption, or RELATIEF without exemption lasting at least 28 days.
CREATE OR REPLACE TABLE absence_years AS
SELECT sy.schooljaar, v.person_id, v.brin || v.vestigingsnummer AS vestiging, v.soort,
       v.datum_start, v.datum_einde, v.vrijstelling = 'J' AS is_vrijgesteld,
       v.datum_start BETWEEN sy.begindatum AND sy.einddatum AS is_nieuw,
       date_diff('day', v.datum_start, coalesce(v.datum_einde, sy.einddatum)) + 1 AS duur_dagen,
       v.vrijstelling = 'N' AND (
           v.soort = 'ABSOLUUT'
           OR (v.soort = 'RELATIEF' AND date_diff('day', v.datum_start, coalesce(v.datum_einde, sy.einddatum)) + 1 >= 28)
       ) AS is_thuiszitterszaak
FROM stg_verzuim v
JOIN school_years sy
  ON v.datum_start <= sy.einddatum AND (v.datum_einde IS NULL OR v.datum_einde >= sy.begindatum);
