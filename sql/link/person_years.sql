-- person_years: every person in every computed school year, with age and wijk on the peildatum (spec §2).
-- NL: Leeftijd = hele jaren op de peildatum, uit het geboortecohort van `persons` (BRP, anders inschrijving).
--     Wijk = de wijk van het woonadres op de peildatum (resident_years), anders ONBEKEND; in_gemeente = er
--     is op de peildatum een woonadres in een gemeente van de run; woon_gemeente = de gemeente van dat adres (ook
--     buiten de run; leeg als de BRP-gegevens geen adres hebben). Dit is de enige plek waar leeftijd en wijk van een
--     persoon worden bepaald; leerlingen (pupil_years), bewoners (resident_units), thuiszitters (F4) en
--     de koppelingsgraad (L1) lezen ze hier.
-- EN: Age = whole years on the peildatum from the birth cohort in `persons` (register, else enrolment).
--     Wijk = wijk of the address valid on the peildatum, else ONBEKEND; in_gemeente = an address in the
--     gemeente of the run on the peildatum; woon_gemeente = that address's gemeente (also outside the run; empty
--     when the register has none). The one place where a person's age and wijk are decided.
-- Computed once into person_years_data; person_years is a view on it. As a plain view, each of the five later
-- steps that join it recomputed the whole persons x school years join (at national scale the slowest part of
-- the link and indicator stages).
CREATE OR REPLACE TABLE person_years_data AS
SELECT sy.schooljaar, p.person_id, p.id_type,
       age_on(p.geboortecohort, sy.peildatum) AS leeftijd,
       coalesce(r.wijk_code, 'ONBEKEND') AS wijk_code,
       coalesce(r.in_gemeente, false) AS in_gemeente,
       r.woon_gemeente
FROM persons p
CROSS JOIN school_years sy
LEFT JOIN resident_years r ON r.person_id = p.person_id AND r.schooljaar = sy.schooljaar;

CREATE OR REPLACE VIEW person_years AS SELECT * FROM person_years_data;
