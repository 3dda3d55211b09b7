"""Dutch and English wording and number formats of the dashboard: one place, so pages and charts agree.

Why here and not in the browser only: pages are rendered in the default language (Dutch) so they read
without JavaScript, and charts exported for reports carry the same labels and formats as the screen.
The page script formats numbers again with the browser's Intl when a reader switches language; the
rules below and `formatValue` in assets/dashboard.js must stay the same.
"""

from __future__ import annotations

import csv
import html
from datetime import datetime
from functools import cache
from typing import Any, Literal

import vl_convert as vlc

from pseudonymisation.contract import CODELISTS_DIR

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")

# Vega number formats (d3-format) per published unit; `$` is the locale's currency (€).
AXIS_FORMAT = {"aantal": ",.0f", "euro": "$,.0f"}
DEFAULT_AXIS_FORMAT = ",.1f"
MONTHS_NL: tuple[str, ...] = ("januari", "februari", "maart", "april", "mei", "juni")
MONTHS_NL += ("juli", "augustus", "september", "oktober", "november", "december")
MONTHS_EN: tuple[str, ...] = ("January", "February", "March", "April", "May", "June")
MONTHS_EN += ("July", "August", "September", "October", "November", "December")

VORM = {
    "zonder_verblijf": ("Zonder verblijf", "Without stay"),
    "met_verblijf": ("Met verblijf", "Residential"),
    "crisis": ("Crisis", "Crisis"),
}
# The outcome indicators' categories (U1-U4, issue 20).
OUTCOME_CATEGORIES = {
    "situatie": {
        "op_school": ("Op school", "At school"),
        "startkwalificatie": ("Van school met startkwalificatie", "Left with a starting qualification"),
        "geen_van_beide": ("Van school zonder startkwalificatie", "Left without a starting qualification"),
    },
    "jeugdhulp": {"met": ("Met jeugdhulp", "With youth care"), "zonder": ("Zonder jeugdhulp", "Without youth care")},
}
# COD327 in English; the Dutch names come from the code list itself.
VERWIJZER_EN = {
    "01": "Municipality",
    "02": "General practitioner",
    "03": "Youth health doctor",
    "04": "Certified institution",
    "05": "Medical specialist",
    "06": "Self-referral / no referrer",
    "08": "Court, public prosecutor or youth custody",
}
UNKNOWN = ("Onbekend", "Unknown")

TEXT: dict[str, tuple[str, str]] = {
    "site_title": ("Monitor jeugdhulp en onderwijs", "Monitor youth care and education"),
    "overview": ("Overzicht", "Overview"),
    "school": ("School", "School"),
    "wijk": ("Wijk", "District"),
    "gemeente": ("Gemeente", "Municipality"),
    "schools": ("Scholen", "Schools"),
    "wijken": ("Wijken", "Districts"),
    "this_school": ("Deze school", "This school"),
    "this_wijk": ("Deze wijk", "This district"),
    "pupils": ("Leerlingen", "Pupils"),
    "school_year": ("Schooljaar", "School year"),
    "suppressed": ("onderdrukt", "suppressed"),
    "no_value": ("geen waarde", "no value"),
    "synthetic": (
        "Let op: synthetische data, fictieve personen en geen echte cijfers.",
        "Note: synthetic data, fictitious people and not real figures.",
    ),
    "skip": ("Naar de inhoud", "Skip to content"),
    "switch": ("English", "Nederlands"),
    "switch_label": ("Switch to English", "Schakel naar het Nederlands"),
    "built": ("Gemaakt op", "Built on"),
    "catalogue": ("Indicatorcatalogus (definities)", "Indicator catalogue (definitions)"),
    "data_file": ("Alle cijfers als Parquet", "All figures as Parquet"),
    "all_data": ("Alle cijfers", "All figures"),
    "page_data": ("Cijfers van deze pagina", "Figures of this page"),
    "csv_excel": ("CSV (Excel)", "CSV (Excel)"),
    "definitions_csv": ("definities (CSV)", "definitions (CSV)"),
    "accessibility": ("Toegankelijkheid", "Accessibility"),
    "definition": ("Definitie", "Definition"),
    "numerator": ("Teller", "Numerator"),
    "denominator": ("Noemer", "Denominator"),
    "unit": ("Eenheid", "Unit"),
    "as_table": ("Cijfers als tabel", "Figures as a table"),
    "download": ("Download voor rapportages", "Download for reports"),
    "category": ("Categorie", "Category"),
    "key_figures": ("Kerncijfers van de gemeente", "Key figures of the municipality"),
    "key_table": ("Kerncijfers per schooljaar", "Key figures per school year"),
    "compare_schools": ("Scholen vergeleken met de gemeente", "Schools compared with the municipality"),
    "compare_wijken": ("Wijken vergeleken met de gemeente", "Districts compared with the municipality"),
    "compare_note": (
        "Per indicator het laatste schooljaar met cijfers; de stippellijn is de gemeente. Klik op een balk "
        "voor de pagina van de school of wijk.",
        "Per indicator the latest school year with figures; the dashed line is the municipality. Click a bar "
        "for the page of the school or district.",
    ),
    "indicator": ("Indicator", "Indicator"),
    "all_units": ("Alle scholen en wijken", "All schools and districts"),
    "all_units_note": (
        "Laatste schooljaar met cijfers per indicator. Klik op een kolomkop om te sorteren.",
        "Latest school year with figures per indicator. Click a column header to sort.",
    ),
    "search": ("Zoek op naam of code", "Search by name or code"),
    "level": ("Niveau", "Level"),
    "all_levels": ("Alle niveaus", "All levels"),
    "name": ("Naam", "Name"),
    "code": ("Code", "Code"),
    "rows_shown": ("eenheden getoond", "units shown"),
    "gemeente_page": ("Alle indicatoren van de gemeente", "All indicators of the municipality"),
    "contents": ("Inhoud", "Contents"),
    "breadcrumb": ("Kruimelpad", "Breadcrumb"),
    "compared_to": ("t.o.v.", "vs"),
    "change": ("verandering", "change"),
    "previous_year_none": ("geen vorig jaar", "no previous year"),
    "not_computed": (
        "Nog niet berekend voor het laatste schooljaar (heeft gegevens van het volgende jaar nodig).",
        "Not yet computed for the latest school year (needs the next year's data).",
    ),
    "not_applicable": (
        "Geen cijfers: deze indicator is niet van toepassing op deze eenheid.",
        "No figures: this indicator does not apply to this unit.",
    ),
    "breakdown": ("Uitsplitsing naar", "Breakdown by"),
    "peer_schools": ("Scholen van dezelfde soort (mediaan)", "Schools of the same kind (median)"),
    "peer_wijken": ("Wijken (mediaan)", "Districts (median)"),
    "interval_low": ("Ondergrens 95 %", "Lower bound 95%"),
    "interval_high": ("Bovengrens 95 %", "Upper bound 95%"),
    "interval_95": ("95 %-betrouwbaarheidsinterval", "95% confidence interval"),
    "differs": ("Wijkt af van de gemeente", "Differs from the municipality"),
    "not_clearly_different": ("Geen duidelijk verschil met de gemeente", "No clear difference from the municipality"),
    "higher": ("hoger dan de gemeente", "higher than the municipality"),
    "lower": ("lager dan de gemeente", "lower than the municipality"),
    "interval_note": (
        "Tussen haakjes staat het 95 %-betrouwbaarheidsinterval: bij kleine aantallen kan een cijfer door toeval "
        "hoger of lager uitvallen, en het echte cijfer ligt vrijwel zeker binnen deze grenzen. Alleen als de "
        "gemeente erbuiten valt, noemen we het verschil.",
        "In brackets is the 95% confidence interval: with small numbers a figure can come out higher or lower by "
        "chance, and the true figure almost certainly lies within these bounds. Only when the municipality lies "
        "outside it do we call it a difference.",
    ),
    "summary": ("Samenvatting", "Summary"),
    "key_figure": ("Kerncijfer", "Key figure"),
    "change_last_year": ("Verandering t.o.v. vorig jaar", "Change since last year"),
    "teller_noemer": ("Teller / noemer", "Numerator / denominator"),
    "sector": ("Soort onderwijs", "Type of education"),
    "sector_po": ("Basisonderwijs (po)", "Primary education (po)"),
    "sector_sbo": ("Speciaal basisonderwijs (sbo)", "Special primary education (sbo)"),
    "sector_so": ("Speciaal en voortgezet speciaal onderwijs (so, vso)", "Special education (so, vso)"),
    "sector_vo": ("Voortgezet onderwijs (vo)", "Secondary education (vo)"),
    "sector_mbo": ("Middelbaar beroepsonderwijs (mbo)", "Vocational education (mbo)"),
    "sector_unknown": ("onbekend", "unknown"),
    "school_wijk": ("Wijk van de school", "District of the school"),
    "swv": ("Samenwerkingsverband passend onderwijs", "Samenwerkingsverband (inclusive education region)"),
    "swv_none": ("geen (het mbo valt er niet onder)", "none (mbo is not part of one)"),
    "swv_by_gemeente": (
        "afgeleid van de gemeente: de postcode van de school staat niet in de regio-indeling van 2015",
        "derived from the municipality: the school's postcode is not in the 2015 regional division",
    ),
    "all_sectors_of": ("van", "of"),
    "peers_school_col": ("Scholen zelfde soort", "Schools of the same kind"),
    "peers_wijk_col": ("Alle wijken", "All districts"),
    "median_of": ("mediaan van", "median of"),
    "not_like_gemeente": (
        "Niet te vergelijken: op schoolniveau telt alleen relatief verzuim, de gemeente telt ook absoluut verzuim. "
        "Vergelijk met de andere scholen.",
        "Not comparable: at school level only relative absence counts, the municipality also counts absolute "
        "absence. Compare with the other schools.",
    ),
    "nothing_shown": (
        "Niets te tonen: alle cijfers van deze indicator zijn hier onderdrukt (zie de tabel).",
        "Nothing to show: all figures of this indicator are suppressed here (see the table).",
    ),
    "nothing_on_page": (
        "Van deze eenheid zijn alle cijfers onderdrukt: er zijn te weinig leerlingen om iets te tonen "
        "zonder dat het naar personen kan wijzen.",
        "All figures of this unit are suppressed: there are too few pupils to show anything without "
        "pointing at persons.",
    ),
    "same_as_b2": (
        "Dit is hetzelfde getal als B2 (verwijzingen per 1.000 leerlingen) in de specificatie; het staat hier "
        "één keer.",
        "This is the same number as B2 (referrals per 1,000 pupils) in the specification; it is shown here once.",
    ),
    "ranking_sector": ("Soort school", "Type of school"),
    "map": ("kaart van de wijken", "map of the districts"),
    "map_hatched": (
        "gearceerd: onderdrukt; lichtgrijs: geen cijfer",
        "hatched: suppressed; light grey: no figure",
    ),
    "samenwerkingsverband": ("Samenwerkingsverband", "Samenwerkingsverband"),
    "samenwerkingsverbanden": (
        "Samenwerkingsverbanden passend onderwijs",
        "Samenwerkingsverbanden (inclusive education)",
    ),
    "jeugdregio": ("Jeugdregio", "Youth-care region"),
    "nederland": ("Nederland", "The Netherlands"),
    "this_swv": ("Dit samenwerkingsverband", "This samenwerkingsverband"),
    "swv_not_published": (
        "Het samenwerkingsverband van deze school heeft geen eigen cijfers in deze publicatie: het ligt ook in "
        "gemeenten die niet meedoen.",
        "This school's samenwerkingsverband has no figures of its own in this publication: it also lies in "
        "municipalities that do not take part.",
    ),
    "swv_schools": ("Scholen van dit samenwerkingsverband", "Schools of this samenwerkingsverband"),
    "swv_schools_note": (
        "De scholen van deze gemeente die bij dit samenwerkingsverband horen, per soort onderwijs, met de "
        "kerncijfers van het laatste schooljaar. Een samenwerkingsverband telt de leerlingen van zijn scholen, "
        "waar ze ook wonen; daarom staat er geen gemeentelijn bij.",
        "The schools of this municipality that belong to this samenwerkingsverband, per type of education, with "
        "the key figures of the latest school year. A samenwerkingsverband counts the pupils of its schools, "
        "wherever they live; so there is no municipality line.",
    ),
    "swv_no_schools": (
        "Geen scholen van deze gemeente in dit samenwerkingsverband.",
        "No schools of this municipality in this samenwerkingsverband.",
    ),
    "similar_gemeente": ("Vergelijkbare gemeente", "Similar municipality"),
    "similar_gemeenten": ("Vergelijkbare gemeenten", "Similar municipalities"),
    "no_jeugdregio": (
        "De jeugdregio staat er niet bij: niet al haar gemeenten zitten in deze publicatie.",
        "The youth-care region is not shown: not all its municipalities are in this publication.",
    ),
    "no_nederland": (
        "Nederland staat er niet bij: dat cijfer is er alleen bij een landelijke berekening.",
        "The Netherlands is not shown: that figure exists only in a national run.",
    ),
    "benchmark_short": ("vergelijkbare gemeenten", "similar municipalities"),
    "benchmark_title": ("Vergelijking met vergelijkbare gemeenten", "Comparison with similar municipalities"),
    "benchmark_page": ("Vergelijking met vergelijkbare gemeenten", "Comparison with similar municipalities"),
    "benchmark_lead": (
        "Per kerncijfer de gemeente naast gemeenten van vergelijkbare grootte (aantal leerlingen), in het laatste "
        "schooljaar met een cijfer van de gemeente. De rang telt de gemeente en de vergelijkbare gemeenten met een "
        "cijfer: 1e is de hoogste waarde. Hoger is niet vanzelf beter of slechter.",
        "Per key figure the municipality beside municipalities of similar size (number of pupils), in the latest "
        "school year with a figure of the municipality. The rank counts the municipality and the similar "
        "municipalities with a figure: 1st is the highest value. Higher is not in itself better or worse.",
    ),
    "benchmark_interval_note": (
        "De streep om elk punt is het 95 %-betrouwbaarheidsinterval: het echte cijfer ligt vrijwel zeker binnen "
        "die grenzen. Overlappen de strepen van twee gemeenten, dan is het verschil tussen hen mogelijk toeval.",
        "The bar around each dot is the 95% confidence interval: the true figure almost certainly lies within it. "
        "Where the bars of two municipalities overlap, the difference between them may be chance.",
    ),
    "rank": ("Rang", "Rank"),
    "no_rank": ("geen rang", "no rank"),
    "no_benchmark": (
        "Geen vergelijking: er zijn geen vergelijkbare gemeenten met cijfers in deze publicatie.",
        "No comparison: there are no similar municipalities with figures in this publication.",
    ),
    "benchmark_nothing": (
        "Voor dit kerncijfer is geen vergelijking te tonen.",
        "There is no comparison to show for this key figure.",
    ),
    "no_ranking": (
        "Voor deze combinatie zijn geen cijfers te tonen.",
        "There are no figures to show for this combination.",
    ),
}


# Catalogue wording as a reader reads it: the catalogue's teller/noemer lines are written for analysts
# ("leerlingen met >= 1 traject ... in jaar y"); the dashboard shows them without code notation.
def t(key: str, language: Language) -> str:
    return TEXT[key][LANGUAGES.index(language)]


def both(nl: str, en: str) -> str:
    """Inline HTML holding both languages; the stylesheet shows the one the page is in (no JavaScript needed)."""
    if nl == en:
        return html.escape(nl)
    return f'<span class="l-nl" lang="nl">{html.escape(nl)}</span><span class="l-en" lang="en">{html.escape(en)}</span>'


def both_t(key: str) -> str:
    return both(*TEXT[key])


def suppressed_label(reason: str | None, min_teller: int, language: Language) -> str:
    """'< 10' for a cell hidden because it is small, 'onderdrukt' for one hidden to protect another."""
    return t("suppressed", language) if reason == "secundair" else f"< {min_teller}"


def _group(number: str, language: Language) -> str:
    """Swap Python's ',' / '.' for Dutch '.' / ','."""
    if language == "en":
        return number
    return number.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_value(value: float, unit: str, language: Language) -> str:
    """1.234,5 / € 1.234 / 12,3 % in Dutch; 1,234.5 / €1,234 / 12.3% in English."""
    if unit == "euro":
        amount = _group(f"{value:,.0f}", language)
        return f"€\u00a0{amount}" if language == "nl" else f"€{amount}"
    if unit == "aantal":
        return _group(f"{value:,.0f}", language)
    number = _group(f"{value:,.1f}", language)
    if unit == "%":
        return f"{number}\u00a0%" if language == "nl" else f"{number}%"
    return number


def format_change(value: float, unit: str, language: Language) -> str:
    """A difference with its sign: +0,4 / -€ 12; a change of a percentage is in points (+0,3 %-punt)."""
    sign = "+" if value > 0 else "-" if value < 0 else "±"
    if unit == "%":
        points = _group(f"{abs(value):,.1f}", language)
        return sign + points + ("\u00a0%-punt" if language == "nl" else "\u00a0pp")
    return sign + format_value(abs(value), unit, language)


def format_rank(rank: int, ranked: int, language: Language) -> str:
    """'3e van 5' / '3rd of 5'."""
    if language == "nl":
        return f"{rank}e van {ranked}"
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix} of {ranked}"


def unit_label(unit: str, language: Language) -> str:
    """The unit as a reader sees it in titles: 'per 1.000' stays Dutch-grouped only in Dutch."""
    english = {"aantal": "number", "per 1.000": "per 1,000", "euro": "euro"}
    return unit if language == "nl" else english.get(unit, unit)


def format_date(moment: datetime, language: Language) -> str:
    """24 november 2026, 11:47 / 24 November 2026, 11:47."""
    months = MONTHS_NL if language == "nl" else MONTHS_EN
    return f"{moment.day} {months[moment.month - 1]} {moment.year}, {moment:%H:%M}"


@cache
def _codelist(name: str) -> dict[str, str]:
    with (CODELISTS_DIR / name).open(encoding="utf-8") as handle:
        return {row[0]: row[1] for row in list(csv.reader(handle))[1:]}


def category_label(dimension: str | None, category: str | None, language: Language) -> str:
    """A dimension category as a reader knows it: verwijzer and productcategorie names from the code lists."""
    if category is None:
        return ""
    if category == "onbekend":
        return UNKNOWN[LANGUAGES.index(language)]
    if dimension == "vorm" and category in VORM:
        return VORM[category][LANGUAGES.index(language)]
    if category in OUTCOME_CATEGORIES.get(dimension or "", {}):
        return OUTCOME_CATEGORIES[dimension or ""][category][LANGUAGES.index(language)]
    if dimension == "verwijzer":
        name = VERWIJZER_EN.get(category) if language == "en" else _codelist("COD327_Code_verwijzer.csv").get(category)
        return f"{category} {name}" if name else category
    if dimension == "productcategorie":
        # Official JZ020 names are Dutch terms; they are kept in both languages, prefixed with the code.
        name = _codelist("JZ020_Productcategorie.csv").get(category)
        return f"{category} {name}" if name else category
    return category


@cache
def vega_locales() -> dict[str, dict[str, Any]]:
    """Number and time locales for Vega per language; English keeps the euro as currency."""
    english = {**vlc.get_format_locale("en-GB"), "currency": ["€", ""]}
    return {
        "nl": {"format": vlc.get_format_locale("nl-NL"), "time": vlc.get_time_format_locale("nl-NL")},
        "en": {"format": english, "time": vlc.get_time_format_locale("en-GB")},
    }
