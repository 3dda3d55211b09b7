-- Absence (verzuim): F2, F4.
-- Shared rules used here: pupil_units, absence_years (cases per overlapping school year, new cases, the case's
-- school) and thuiszitter_years (the thuiszitter rule, with age and wijk from person_years).
--
-- F2 Verzuimmeldingen relatief verzuim (reports of relative absence), per 1.000 leerlingen
-- NL: Teller: leerlingen met minstens één zaak RELATIEF die in jaar y start (met of zonder vrijstelling).
--     Noemer: alle leerlingen. Toedeling zoals altijd: de school en wijk van de leerling op de peildatum.
-- EN: Numerator: pupils with at least one RELATIEF case starting in year y. Denominator: all pupils.
--     Attribution as always: the pupil's school and wijk on the peildatum.
--
-- F4 Thuiszitters (children out of school), per 1.000 leerlingen
-- NL: Teller: verschillende personen van 5 tot en met 17 jaar op de peildatum met, overlappend met jaar y,
--     een zaak ABSOLUUT zonder vrijstelling, of een zaak RELATIEF zonder vrijstelling van minstens 28 dagen
--     (open einde = tot het einde van jaar y). Noemer: alle leerlingen.
--     Keuzes: de teller telt personen, geen leerlingen: wie absoluut verzuimt staat nergens ingeschreven en
--     telt dus ook mee (de teller is geen deel van de noemer). Leeftijd uit de BRP, anders uit de inschrijving;
--     onbekende leeftijd telt niet mee. Wijk: het woonadres op de peildatum, anders ONBEKEND; gemeente: alle
--     personen in het verzuimbestand. Schoolniveau: alleen RELATIEF, bij de school van de zaak (BRIN +
--     vestigingsnummer uit het verzuimbestand), ook als de persoon op de peildatum elders staat; de noemer
--     blijft de leerlingen van die school. gemeente_waarde op schoolrijen is de F4 van de gemeente
--     (absoluut en relatief), dus geen zuivere vergelijking.
-- EN: Numerator: distinct persons aged 5-17 on the peildatum with, overlapping year y, an ABSOLUUT case
--     without exemption or a RELATIEF case without exemption lasting at least 28 days (open = until the end
--     of year y). Denominator: all pupils. Choices: the numerator counts persons, not pupils (absolute
--     absentees are enrolled nowhere); unknown age does not count; wijk from the address on the peildatum,
--     else ONBEKEND; gemeente: every person in the absence file. School level: RELATIEF only, at the case's
--     school, whatever the person's school on the peildatum; denominator: that school's pupils.
CREATE OR REPLACE TABLE ind_absence AS
WITH units AS (
    SELECT schooljaar, niveau, eenheid_code, count(*) AS leerlingen FROM pupil_units GROUP BY ALL
), new_relatief AS (
    SELECT DISTINCT schooljaar, person_id FROM absence_years WHERE soort = 'RELATIEF' AND is_nieuw
), f2 AS (
    SELECT u.schooljaar, u.niveau, u.eenheid_code, count(n.person_id) AS aantal, count(*) AS leerlingen
    FROM pupil_units u
    LEFT JOIN new_relatief n ON n.schooljaar = u.schooljaar AND n.person_id = u.person_id
    GROUP BY ALL
), f4 AS (
    SELECT schooljaar, niveau, eenheid_code, count(*) AS aantal FROM thuiszitter_units GROUP BY ALL
)
SELECT schooljaar, niveau, eenheid_code, 'F2' AS indicator, NULL::VARCHAR AS dimensie, NULL::VARCHAR AS categorie,
       aantal::DOUBLE AS teller, leerlingen::DOUBLE AS noemer, aantal AS basis_personen
FROM f2
UNION ALL
SELECT schooljaar, niveau, eenheid_code, 'F4', NULL, NULL,
       coalesce(f4.aantal, 0)::DOUBLE, coalesce(u.leerlingen, 0)::DOUBLE, coalesce(f4.aantal, 0)
FROM units u
FULL JOIN f4 USING (schooljaar, niveau, eenheid_code);
