"""The bulletin's words in French and English, and the formatting of numbers and ratings.

The published tables carry English text (occupation titles, rating codes, the evidence
sentence written by the skills-gap model). A French bulletin takes ISCO titles from the
French ISCO-08 structure, and translates the evidence sentence clause by clause from the
fixed set of clauses that ``warehouse_sql/marts/fct_skills_gap.sql`` writes; a clause it
does not know is kept in English rather than dropped, so no evidence is lost.
"""

from __future__ import annotations

import gettext
import math
import re

LANGUAGES = ("fr", "en")

RATINGS = ("major_shortage", "shortage", "balanced", "surplus", "large_surplus",
           "no_assessment")

# Colours of the ratings (a diverging red-blue scale that stays readable in greyscale
# prints; "balanced" is a pale sand and "no assessment" a grey, both distinct from the
# white of an empty cell).
RATING_COLOURS = {
    "major_shortage": "#b2182b",
    "shortage": "#ef8a62",
    "balanced": "#e6dfb8",
    "surplus": "#67a9cf",
    "large_surplus": "#2166ac",
    "no_assessment": "#d9d9d9",
}

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Labour-market bulletin",
        "subtitle": "Shortages, surpluses and opportunities for returning migrants",
        "quarter": "Quarter",
        "published": "Published",
        "method_version": "Method version",
        "contents": "Contents",
        "headline": "The quarter in figures",
        "new_vacancies": "New vacancies (classified)",
        "vs_year_earlier": "vs. a year earlier",
        "no_year_earlier": "no comparison a year earlier",
        "open_vacancies": "Vacancies open now",
        "occupations_shortage": "Occupations in shortage",
        "occupations_surplus": "Occupations in surplus",
        "of_which_major": "of which major shortage",
        "of_which_large": "of which large surplus",
        "occupations_assessed": "occupations assessed",
        "returnees_registered": "Returnees registered",
        "first_registered": "first registered this quarter",
        "shortage_list": "Critical-shortage list",
        "shortage_intro": "Occupations (ISCO-08 unit groups) rated shortage or major "
                          "shortage this quarter, ranked, with the evidence for each rating.",
        "surplus_list": "Surplus list",
        "surplus_intro": "Occupations rated surplus or large surplus this quarter, ranked, "
                         "with the evidence for each rating.",
        "none_listed": "No occupation on this list.",
        "none_listed_in": "No occupation on this list in:",
        "rank": "Rank",
        "occupation": "Occupation",
        "rating": "Rating",
        "evidence": "Evidence",
        "tightness": "Vacancies per jobseeker",
        "vacancies_yoy": "Vacancies vs. a year earlier",
        "col_new": "New vacancies",
        "col_tightness": "Vacancies per jobseeker",
        "col_yoy": "On a year earlier",
        "col_returnees": "Returnees registered",
        "jobseekers": "Jobseekers",
        "indicators": "Indicators",
        "unreliable": "low reliability",
        "heatmap": "Ratings by occupation group and region",
        "heatmap_intro": "ISCO-08 sub-major groups; a blank cell means the group had no "
                         "vacancy, jobseeker or returnee in the area this quarter.",
        "trends": "New vacancies over the last eight quarters",
        "trends_intro": "New deduplicated vacancies classified to an occupation, per quarter.",
        "skills": "Skills most asked",
        "skills_intro": "ESCO skills mentioned in the quarter's new vacancies, nationally; "
                        "by region in the table.",
        "skill": "Skill",
        "vacancies_mentioning": "Vacancies mentioning it",
        "share_of_new": "Share of new vacancies",
        "returnees": "Returnees and open vacancies",
        "returnees_intro": "Per region of return: vacancies open now (classified to an "
                           "occupation) and returnees registered with the public employment "
                           "service (all quarters) whose occupation abroad has open or new "
                           "vacancies in the region. Counts below the disclosure threshold are "
                           "suppressed: a total marked ≥ leaves out suppressed cells; "
                           "“suppressed” means every cell of the region is.",
        "returnee_matches": "Occupations where registered returnees meet open vacancies",
        "region": "Region",
        "national": "National",
        "region_unknown": "region not known",
        "suppressed": "suppressed",
        "suppressed_cells": "suppressed cells",
        "not_available": "n/a",
        "latest_vacancies": "Newest open vacancies",
        "latest_vacancies_intro": "As advertised by the sources (titles and employers are "
                                  "the advertisers' own words).",
        "vacancy_title": "Title",
        "employer": "Employer",
        "posted": "Posted",
        "source": "Source",
        "quality": "Data quality and freshness",
        "quality_intro": "Latest run of each source from the run ledger; ages are counted "
                         "back from the time of publication.",
        "status": "Status",
        "last_run": "Latest run",
        "last_success": "Latest success",
        "age": "Age at publication",
        "fetched": "Fetched",
        "loaded": "Loaded",
        "quarantined": "Quarantined",
        "duplicates": "Duplicates",
        "unchanged": "Unchanged",
        "unclassified": "Unclassified",
        "release_used": "Release used",
        "ledger_balanced": "Ledger balanced",
        "yes": "yes",
        "no": "no",
        "never": "never",
        "tables": "Published tables",
        "table": "Table",
        "rows": "Rows",
        "audit": "Audit",
        "refreshed": "Refreshed",
        "method": "Method and sources",
        "method_intro": "Ratings follow the method described in the project's methodology "
                        "notes; thresholds are versioned with the method.",
        "release": "Release",
        "run": "Publishing run",
        "sources_releases": "Sources and the releases used",
        "days": "d",
        "hours": "h",
        "footer": "Built from the published tables of the Reintegration LMIS.",
        "chart_missing": "No data for this chart.",
        "quarter_axis": "Quarter",
        "count_axis": "Count",
        "series": "Series",
        "occupation_group": "Occupation group (ISCO-08)",
    },
    "fr": {
        "title": "Bulletin du marché du travail",
        "subtitle": "Pénuries, excédents et opportunités pour les migrants de retour",
        "quarter": "Trimestre",
        "published": "Publié le",
        "method_version": "Version de la méthode",
        "contents": "Sommaire",
        "headline": "Le trimestre en chiffres",
        "new_vacancies": "Nouvelles offres d'emploi (classées)",
        "vs_year_earlier": "par rapport à l'an dernier",
        "no_year_earlier": "pas de comparaison avec l'an dernier",
        "open_vacancies": "Offres ouvertes actuellement",
        "occupations_shortage": "Métiers en pénurie",
        "occupations_surplus": "Métiers en excédent",
        "of_which_major": "dont pénurie forte",
        "of_which_large": "dont excédent fort",
        "occupations_assessed": "métiers évalués",
        "returnees_registered": "Migrants de retour inscrits",
        "first_registered": "premières inscriptions du trimestre",
        "shortage_list": "Liste des métiers en pénurie",
        "shortage_intro": "Métiers (groupes de base CITP-08) classés en pénurie ou en pénurie "
                          "forte ce trimestre, par rang, avec les éléments qui fondent chaque "
                          "classement.",
        "surplus_list": "Liste des métiers en excédent",
        "surplus_intro": "Métiers classés en excédent ou en excédent fort ce trimestre, par "
                         "rang, avec les éléments qui fondent chaque classement.",
        "none_listed": "Aucun métier sur cette liste.",
        "none_listed_in": "Aucun métier sur cette liste pour :",
        "rank": "Rang",
        "occupation": "Métier",
        "rating": "Classement",
        "evidence": "Éléments",
        "tightness": "Offres par demandeur d'emploi",
        "vacancies_yoy": "Offres par rapport à l'an dernier",
        "col_new": "Nouvelles offres",
        "col_tightness": "Offres par demandeur",
        "col_yoy": "Sur un an",
        "col_returnees": "Migrants de retour inscrits",
        "jobseekers": "Demandeurs d'emploi",
        "indicators": "Indicateurs",
        "unreliable": "fiabilité faible",
        "heatmap": "Classements par groupe de métiers et par région",
        "heatmap_intro": "Sous-grands groupes de la CITP-08 ; une case vide signifie que le "
                         "groupe n'avait ni offre, ni demandeur, ni migrant de retour dans la "
                         "zone ce trimestre.",
        "trends": "Nouvelles offres sur les huit derniers trimestres",
        "trends_intro": "Nouvelles offres dédoublonnées classées dans un métier, par trimestre.",
        "skills": "Compétences les plus demandées",
        "skills_intro": "Compétences ESCO citées dans les nouvelles offres du trimestre, au "
                        "niveau national ; par région dans le tableau.",
        "skill": "Compétence",
        "vacancies_mentioning": "Offres qui la citent",
        "share_of_new": "Part des nouvelles offres",
        "returnees": "Migrants de retour et offres ouvertes",
        "returnees_intro": "Par région de retour : offres ouvertes actuellement (classées "
                           "dans un métier) et migrants de retour inscrits au service public "
                           "de l'emploi (tous trimestres) dont le métier exercé à l'étranger a "
                           "des offres ouvertes ou nouvelles dans la région. Les effectifs "
                           "inférieurs au seuil de confidentialité sont masqués : un total "
                           "marqué ≥ exclut les cases masquées ; « masqué » signifie que "
                           "toutes les cases de la région le sont.",
        "returnee_matches": "Métiers où des migrants de retour inscrits rencontrent des offres "
                            "ouvertes",
        "region": "Région",
        "national": "National",
        "region_unknown": "région inconnue",
        "suppressed": "masqué",
        "suppressed_cells": "cases masquées",
        "not_available": "n.d.",
        "latest_vacancies": "Offres ouvertes les plus récentes",
        "latest_vacancies_intro": "Telles que publiées par les sources (intitulés et "
                                  "employeurs sont les termes des annonceurs).",
        "vacancy_title": "Intitulé",
        "employer": "Employeur",
        "posted": "Publiée le",
        "source": "Source",
        "quality": "Qualité et fraîcheur des données",
        "quality_intro": "Dernière exécution de chaque source d'après le registre des "
                         "exécutions ; les âges sont comptés à partir de la publication.",
        "status": "Statut",
        "last_run": "Dernière exécution",
        "last_success": "Dernier succès",
        "age": "Âge à la publication",
        "fetched": "Collectés",
        "loaded": "Chargés",
        "quarantined": "En quarantaine",
        "duplicates": "Doublons",
        "unchanged": "Inchangés",
        "unclassified": "Non classés",
        "release_used": "Édition utilisée",
        "ledger_balanced": "Registre équilibré",
        "yes": "oui",
        "no": "non",
        "never": "jamais",
        "tables": "Tables publiées",
        "table": "Table",
        "rows": "Lignes",
        "audit": "Contrôle",
        "refreshed": "Actualisée le",
        "method": "Méthode et sources",
        "method_intro": "Les classements suivent la méthode décrite dans les notes "
                        "méthodologiques du projet ; les seuils sont versionnés avec la "
                        "méthode.",
        "release": "Édition",
        "run": "Exécution de publication",
        "sources_releases": "Sources et éditions utilisées",
        "days": "j",
        "hours": "h",
        "footer": "Produit à partir des tables publiées du SIMT Réintégration.",
        "chart_missing": "Pas de données pour ce graphique.",
        "quarter_axis": "Trimestre",
        "count_axis": "Effectif",
        "series": "Série",
        "occupation_group": "Groupe de métiers (CITP-08)",
    },
}

_RATING_TEXT = {
    "en": {"major_shortage": "major shortage", "shortage": "shortage", "balanced": "balanced",
           "surplus": "surplus", "large_surplus": "large surplus",
           "no_assessment": "no assessment"},
    "fr": {"major_shortage": "pénurie forte", "shortage": "pénurie", "balanced": "équilibre",
           "surplus": "excédent", "large_surplus": "excédent fort",
           "no_assessment": "non évalué"},
}

_STATUS_TEXT = {
    "en": {"success": "success", "failed": "failed", "passed": "passed"},
    "fr": {"success": "réussie", "failed": "échec", "passed": "réussi"},
}

_NUM = r"(-?\d+(?:\.\d+)?)"

# (pattern of an English clause of the evidence, French rendering)
_EVIDENCE_FR: list[tuple[re.Pattern[str], str]] = [(re.compile(p + r"$"), fr) for p, fr in [
    (rf"tight: {_NUM} new vacancies per registered jobseeker",
     "marché tendu : {0} nouvelle(s) offre(s) par demandeur d'emploi inscrit"),
    (rf"slack: {_NUM} new vacancies per registered jobseeker",
     "marché détendu : {0} nouvelle(s) offre(s) par demandeur d'emploi inscrit"),
    (rf"vacancies up {_NUM}% on a year earlier", "offres en hausse de {0} % sur un an"),
    (rf"vacancies down {_NUM}% on a year earlier", "offres en baisse de {0} % sur un an"),
    (rf"only {_NUM}% of surveyed vacancies hard to fill",
     "seulement {0} % des postes enquêtés difficiles à pourvoir"),
    (rf"{_NUM}% of surveyed vacancies hard to fill",
     "{0} % des postes enquêtés difficiles à pourvoir"),
    (rf"employers filled only {_NUM}% of vacancies",
     "les employeurs n'ont pourvu que {0} % des postes"),
    (rf"employers filled {_NUM}% of vacancies", "les employeurs ont pourvu {0} % des postes"),
    (rf"only {_NUM}% of employers report missing skills",
     "seulement {0} % des employeurs signalent des compétences manquantes"),
    (rf"{_NUM}% of employers report missing skills",
     "{0} % des employeurs signalent des compétences manquantes"),
    (rf"advertised wages up {_NUM}%", "salaires proposés en hausse de {0} %"),
    (rf"advertised wages down {_NUM}%", "salaires proposés en baisse de {0} %"),
    (rf"only {_NUM} indicator\(s\) available; at least {_NUM} needed",
     "seulement {0} indicateur(s) disponible(s) ; il en faut au moins {1}"),
    (rf"all {_NUM} available indicators within their thresholds",
     "les {0} indicateurs disponibles sont dans leurs seuils"),
]]


def _present(value: object) -> str | None:
    """A text value, or None for SQL null as pandas gives it (None, NaN, NA)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value)
    return text if text and text not in ("<NA>", "NaT") else None


def _fr_decimal(value: str) -> str:
    return value.replace(".", ",")


def translate_evidence(evidence: str, language: str) -> str:
    """The evidence sentence in ``language``, clause by clause (unknown clauses kept as is).

    The skills-gap model joins clauses with ``; `` except inside the "only N indicator(s)
    available; at least M needed" clause, which is matched first as a whole.
    """
    if language == "en" or not evidence:
        return evidence
    out: list[str] = []
    rest = evidence
    whole = re.compile(r"only -?\d+ indicator\(s\) available; at least -?\d+ needed")
    protected = whole.findall(rest)
    for i, chunk in enumerate(protected):
        rest = rest.replace(chunk, f"\x00{i}\x00", 1)
    for clause in rest.split("; "):
        clause = re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], clause)
        out.append(_translate_clause(clause.strip()))
    return " ; ".join(out)


def _translate_clause(clause: str) -> str:
    for pattern, french in _EVIDENCE_FR:
        match = pattern.match(clause)
        if match:
            return french.format(*(_fr_decimal(g) for g in match.groups()))
    return clause


def country_name(name: str, language: str) -> str:
    """The nation's name in ``language`` (pycountry's ISO 3166-1 translations)."""
    if language == "en":
        return name
    try:
        import pycountry

        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR,
                                          languages=[language])
    except (ImportError, OSError):
        return name
    return translation.gettext(name)


class Labels:
    """The words and number formats of one language, handed to the template as ``t``."""

    def __init__(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"report language must be one of {', '.join(LANGUAGES)}; "
                             f"got {language!r}")
        self.language = language
        self._text = _TEXT[language]

    def __getitem__(self, key: str) -> str:
        return self._text[key]

    def __getattr__(self, key: str) -> str:
        try:
            return self._text[key]
        except KeyError:
            raise AttributeError(key) from None

    def rating_name(self, code: str | None) -> str:
        if code is None:
            return self._text["not_available"]
        return _RATING_TEXT[self.language].get(code, code)

    def status_name(self, code: str | None) -> str:
        if code is None:
            return self._text["not_available"]
        if code.startswith("failed"):
            return _STATUS_TEXT[self.language]["failed"] + code[len("failed"):]
        return _STATUS_TEXT[self.language].get(code, code)

    def evidence_text(self, text: str | None) -> str:
        return translate_evidence(text or "", self.language)

    def occupation_name(self, isco08: str, title_en: str | None, title_fr: str | None) -> str:
        """``2512 Software developers``: the code with its ISCO title in the language."""
        title_en, title_fr = _present(title_en), _present(title_fr)
        title = (title_fr or title_en) if self.language == "fr" else (title_en or title_fr)
        return f"{isco08} {title}" if title else isco08

    def number(self, value: float | int | None, digits: int = 0) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self._text["not_available"]
        text = f"{value:,.{digits}f}"
        if self.language == "fr":
            # French: narrow no-break space between thousands, comma for decimals.
            text = text.replace(",", "\u202f").replace(".", ",")
        return text

    def percent(self, value: float | None, digits: int = 0, signed: bool = False) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self._text["not_available"]
        number = self.number(abs(value) * 100, digits)
        sign = ("+" if value > 0 else "−" if value < 0 else "") if signed else (
            "−" if value < 0 else "")
        space = "\u202f" if self.language == "fr" else ""
        return f"{sign}{number}{space}%"

    def count(self, value: int | float | None, suppressed: bool = False) -> str:
        """A count of persons: the word "suppressed" for a hidden cell, never a zero."""
        if suppressed:
            return self._text["suppressed"]
        return self.number(value)

    @property
    def format_locale(self) -> str:
        """The d3 locale that the chart renderer uses for axis numbers."""
        return "fr-FR" if self.language == "fr" else "en-US"

