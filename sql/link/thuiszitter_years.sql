-- thuiszitter_years: the thuiszitters of each school year (F4, U4, U6), defined once.
-- NL: Een thuiszitter in jaar y is een persoon die op de peildatum 5 tot en met 17 jaar is en een
--     thuiszitterszaak heeft die jaar y overlapt (absence_years). Eén rij per zaak: met soort, de school van
--     de zaak en de wijk van het woonadres op de peildatum (anders ONBEKEND). Gemeente: die van het woonadres,
--     zonder adres in de gegevens die van de school van de zaak (anders de eigen gemeente), zoals bij leerlingen.
-- EN: A thuiszitter in year y is a person aged 5-17 on the peildatum with a thuiszitter case overlapping
--     year y (absence_years). One row per case: kind, the case's school and the wijk of the address on the
--     peildatum (else ONBEKEND). Gemeente: that of the address, without one that of the case's school (else the
--     run's own), as for pupils.
CREATE OR REPLACE VIEW thuiszitter_years AS
SELECT a.schooljaar, a.person_id, a.soort, a.vestiging, py.wijk_code,
       coalesce(py.woon_gemeente, sg.gemeente_code, m.gemeente_code) AS gemeente_code
FROM absence_years a
JOIN person_years py ON py.schooljaar = a.schooljaar AND py.person_id = a.person_id
LEFT JOIN school_gemeenten sg ON sg.vestiging = a.vestiging
CROSS JOIN monitor_settings m
WHERE a.is_thuiszitterszaak AND py.leeftijd BETWEEN 5 AND 17;
