"""Cleaning of job titles before they are matched against a classification.

Job ads decorate the occupation with things that say nothing about it: gender
markers ("H/F", "(m/w/d)", "vendeur/vendeuse", "chargé(e)"), seniority and
contract words ("senior", "confirmé", "CDI", "stagiaire"), reference numbers
("Réf. 2024-113", "GS-2210-15") and abbreviations ("Chauffeur PL", "RH", "BTP").
Every matcher (ISCO, ISIC, skills) must see the same cleaned form, otherwise an
index label and an ad title that mean the same thing would not meet, so the
rules live here and nowhere else.

Two outputs:

* :func:`normalise_title` — the matching key: lower case, no accents, gender
  and noise removed, abbreviations expanded, one space between tokens.
* :func:`clean_display_title` — what a person reads: case and accents kept,
  only the markers and reference numbers removed.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache

__all__ = [
    "ABBREVIATIONS",
    "NOISE_PLACES",
    "NOISE_WORDS",
    "STOPWORDS",
    "clean_display_title",
    "guess_lang",
    "normalise_text",
    "normalise_title",
    "drop_combining_marks",
    "strip_accents",
    "title_tokens",
    "tokenize",
    "word_runs",
]

def _words(text: str) -> list[str]:
    return text.split()


# --- gender markers -------------------------------------------------------

# "H/F", "F/H", "(m/w/d)", "M/F", "h/f/x", "(H-F)" — with or without brackets.
_GENDER_PAIR = re.compile(
    r"[\(\[]?\s*\b(?:h|f|m|w|d|x|hf|fh)\s*[/\\|\-–]\s*(?:h|f|m|w|d|x)"
    r"(?:\s*[/\\|\-–]\s*(?:h|f|m|w|d|x))?\b\s*[\)\]]?",
    re.IGNORECASE,
)
# "(e)", "(se)", "(ne)", "(ère)", "(trice)", "(euse)", "(le)", "(es)", "(s)" and
# inclusive writing "salarié·e", "chargé.e", "technicien·ne".
_GENDER_SUFFIX = re.compile(
    r"\((?:e|es|s|se|ne|nne|le|ère|ere|euse|rice|trice|ve|ive|ice)\)"
    r"|[·•](?:e|es|se|ne|le|ère|euse|rice|trice|ve)\b"
    r"|(?<=[a-zé])\.(?:e|es|ne|euse|rice|trice)\b",
    re.IGNORECASE,
)
# A lone trailing gender word: "Comptable - Homme/Femme", "(Homme ou Femme)".
_GENDER_WORDS = re.compile(
    r"[\(\[]?\s*\b(?:homme\s*(?:/|ou|et)\s*femme|femme\s*(?:/|ou|et)\s*homme"
    r"|male\s*/\s*female|all\s+genders?)\b\s*[\)\]]?",
    re.IGNORECASE,
)

# --- reference numbers ----------------------------------------------------

_REFERENCE = re.compile(
    r"(?:\b(?:r[ée]f(?:[ée]rence)?|ref|job\s*id|req(?:uisition)?|offre|n[°o]|no)\b\.?\s*[:#]?\s*"
    r"[A-Z0-9][\w\-/]*\d[\w\-/]*)"
    r"|#\s*\w*\d\w*"
    r"|\bn°\s*\d+",
    re.IGNORECASE,
)
_HAS_DIGIT_TOKEN = re.compile(r"\S*\d\S*")
# Tokens that contain a digit but carry meaning.
_DIGIT_WORDS = {"3d", "2d", "b2b", "b2c", "4g", "5g", "k8s", "s3", "n1", "n2", "n3"}

# --- tokens ---------------------------------------------------------------

# Programming names that punctuation-stripping would destroy.
_SPECIAL_TERMS = [
    (re.compile(r"c\+\+", re.IGNORECASE), " cplusplus "),
    (re.compile(r"c#", re.IGNORECASE), " csharp "),
    (re.compile(r"f#", re.IGNORECASE), " fsharp "),
    (re.compile(r"(?<![\w])\.net\b", re.IGNORECASE), " dotnet "),
    (re.compile(r"\bnode\.js\b", re.IGNORECASE), " nodejs "),
    (re.compile(r"\bvue\.js\b", re.IGNORECASE), " vuejs "),
    (re.compile(r"\br&d\b", re.IGNORECASE), " research development "),
    (re.compile(r"\bq&a\b", re.IGNORECASE), " quality assurance "),
]
#: bytes.translate table: a-z and 0-9 kept, every other byte a space (tokens are the runs left).
_TOKEN_BYTES = bytes(b if (97 <= b <= 122 or 48 <= b <= 57) else 32 for b in range(256))
#: Any of the marks the special terms need ("c++", "c#", ".net", "node.js", "r&d").
_SPECIAL_MARK = re.compile(r"[+#&]|\.(?:net|js)\b")
#: Texts up to this length go through the memo of strip_accents (titles, labels).
_MEMO_CHARS = 200

STOPWORDS = frozenset(
    _words("""
    a an the of and or for in on at to with by from as de du des d la le les l un une
    et ou en au aux a pour par sur dans avec chez
    """)
)

# Seniority, contract and advertising words: they qualify a post, not an occupation.
NOISE_WORDS = frozenset(
    _words("""
    senior junior sr jr snr jnr confirme confirmee experimente experimentee expert
    debutant debutante principal principale lead staff mid midlevel level niveau
    i ii iii iv v
    cdi cdd interim interimaire freelance freelancer independant stage stagiaire
    internship intern alternance alternant apprenti apprentie vacataire
    temps plein partiel full part time fulltime parttime permanent temporary temporaire
    contract contrat contractor mission consultance
    remote teletravail hybrid hybride onsite site distance
    urgent urgently recrute recrutement recherche recherchons hiring hire direct
    offre emploi job jobs poste postes position vacancy vacancies opportunity
    public notice open continuous announcement avis appel candidature candidatures
    new nouveau nouvelle immediate immediat immediatement asap
    homme femme h f m w d x
    plusieurs pourvoir divers diverse various several multiple positions see voir
    description details interview interviews walk fair salon needed wanted
    """)
)

# Places that ads append to the title ("Comptable – Abidjan Plateau"): capitals,
# large towns and business districts of West Africa. They would otherwise be
# read as words of the occupation.
NOISE_PLACES = frozenset(
    _words("""
    abidjan yamoussoukro bouake plateau cocody yopougon marcory treichville
    dakar thies touba ziguinchor bamako ouagadougou bobo dioulasso niamey lome
    cotonou porto novo conakry accra kumasi tema lagos abuja ibadan kano
    port harcourt freetown monrovia banjul bissau praia nouakchott
    senegal mali niger burkina faso togo benin guinee guinea ghana nigeria
    cote ivoire sierra leone liberia gambia mauritanie mauritania
    """)
)

# Abbreviations common in ads. A value is the expansion, already normalised;
# "fr"/"en" variants are chosen from the language the rest of the title is in.
ABBREVIATIONS: dict[str, str | dict[str, str]] = {
    "pl": "poids lourd",
    "spl": "super poids lourd",
    "vl": "vehicule leger",
    "btp": "batiment travaux publics",
    "rh": "ressources humaines",
    "grh": "gestion ressources humaines",
    "drh": "directeur ressources humaines",
    "rrh": "responsable ressources humaines",
    "hr": "human resources",
    "daf": "directeur administratif financier",
    "raf": "responsable administratif financier",
    "dg": "directeur general",
    "dga": "directeur general adjoint",
    "pdg": "president directeur general",
    "ceo": "chief executive officer",
    "cfo": "chief financial officer",
    "cto": "chief technology officer",
    "cio": "chief information officer",
    "coo": "chief operating officer",
    "cmo": "chief marketing officer",
    "vp": "vice president",
    "it": {"fr": "informatique", "en": "ict"},
    "ti": "informatique",
    "tic": "ict",
    "si": "systemes information",
    "dsi": "directeur systemes information",
    "hse": {"fr": "hygiene securite environnement", "en": "health safety environment"},
    "qhse": {"fr": "qualite hygiene securite environnement",
             "en": "quality health safety environment"},
    "qse": "qualite securite environnement",
    "sav": "service apres vente",
    "adv": "administration ventes",
    "ide": "infirmier",
    "ibode": "infirmier bloc operatoire",
    "as": {"fr": "aide soignant", "en": "as"},
    "asv": "auxiliaire veterinaire",
    "rn": "registered nurse",
    "lpn": "licensed practical nurse",
    "cna": "nursing assistant",
    "hgv": "heavy goods vehicle",
    "lgv": "heavy goods vehicle",
    "cdl": "truck",
    "qa": "quality assurance",
    "qc": "quality control",
    "ux": "user experience",
    "ui": "user interface",
    "seo": "search engine optimisation",
    "dev": {"fr": "developpeur", "en": "developer"},
    "devs": {"fr": "developpeur", "en": "developer"},
    "mgr": "manager",
    "asst": "assistant",
    "assist": "assistant",
    "tech": {"fr": "technicien", "en": "technician"},
    "techn": "technicien",
    "eng": "engineer",
    "ing": "ingenieur",
    "resp": "responsable",
    "dir": {"fr": "directeur", "en": "director"},
    "adj": "adjoint",
    "admin": {"fr": "administratif", "en": "administrative"},
    "exec": "executive",
    "rep": "representative",
    "reps": "representative",
    "coord": "coordinator",
    "supv": "supervisor",
    "acct": "accountant",
    "mecano": "mecanicien",
    "compta": "comptable",
    "secr": "secretaire",
    "com": "communication",
    "comm": "communication",
    "ops": "operations",
    "infra": "infrastructure",
    "dba": "database administrator",
    "sre": "site reliability engineer",
    "pm": "project manager",
    "bdr": "business development representative",
    "sdr": "sales development representative",
    "kam": "key account manager",
    "ssii": "informatique",
    "esn": "informatique",
    "ong": "organisation non gouvernementale",
    "ngo": "non governmental organisation",
}

# Words that only French titles use (after accent stripping): a cheap language guess.
_FRENCH_MARKERS = frozenset(
    _words("""
    de du des la le les d l au aux et en pour chez chef agent responsable charge chargee
    technicien technicienne ingenieur commercial commerciale comptable directeur directrice
    assistant assistante conducteur chauffeur vendeur vendeuse ouvrier gestionnaire
    conseiller conseillere informatique ressources humaines caissier caissiere magasinier
    secretaire infirmier infirmiere medecin enseignant professeur formateur animateur
    maintenance travaux chantier electricien plombier macon menuisier soudeur mecanicien
    cuisinier serveur gardien livreur coursier developpeur juriste auditeur controleur
    superviseur employe aide operateur analyste stagiaire
    """)
)
_ENGLISH_MARKERS = frozenset(
    _words("""
    the of and for with manager engineer developer officer specialist driver worker
    technician assistant sales clerk nurse teacher analyst accountant representative
    supervisor executive software senior junior head lead support customer service
    """)
)

_ALTERNATIVE_SPLIT = re.compile(r"\s*/\s*")


@lru_cache(maxsize=200_000)
def strip_accents(text: str) -> str:
    """Remove diacritics ("é" → "e", "œ" → "oe") so that spelling variants meet."""
    return _strip_accents(text)


def _decompose(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    return drop_combining_marks(text)


#: The Combining Diacritical Marks block (the accents of Latin scripts after NFKD).
_LATIN_MARKS = re.compile("[\u0300-\u034e\u0350-\u036f]+")  # U+034F has no combining class
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _without_marks(run: re.Match[str]) -> str:
    return _run_without_marks(run.group())


@lru_cache(maxsize=4096)  # the same few runs ("’", "–", "œ") come back in every text
def _run_without_marks(run: str) -> str:
    return "".join([char for char in run if not unicodedata.combining(char)])


def drop_combining_marks(text: str) -> str:
    """NFKD ("é" → "e" + accent, "ﬁ" → "fi") with the combining marks dropped.

    Fast on long texts: one NFKD pass and the removal of the Latin accents block,
    both in C; only what is still not ASCII after that (an apostrophe ’, another
    script) is looked at character by character. A 2 KB French description takes
    about 40 µs.
    """
    if text.isascii():
        return text
    text = _LATIN_MARKS.sub("", unicodedata.normalize("NFKD", text))
    if text.isascii():
        return text
    return _NON_ASCII.sub(_without_marks, text)


def _strip_accents(text: str) -> str:
    """:func:`strip_accents` without the memo (for long texts seen once)."""
    if text.isascii():
        return text
    return _decompose(text)


def _drop_feminine_alternative(text: str) -> str:
    """"vendeur/vendeuse" → "vendeur"; "Comptable/Caissier" is left alone.

    A slash joins either two gender forms of one word (they share a stem) or two
    different occupations; only the first case is a marker.
    """
    if "/" not in text:
        return text
    words = re.split(r"(\s*/\s*)", text)
    out: list[str] = [words[0]]
    i = 1
    while i < len(words) - 1:
        sep, nxt = words[i], words[i + 1]
        left = out[-1].split()[-1] if out[-1].split() else ""
        right = nxt.split()[0] if nxt.split() else ""
        if left and right and _same_stem(left, right):
            # Keep the words that follow the feminine form ("vendeur/vendeuse en boutique").
            rest = nxt.split(None, 1)
            out[-1] = out[-1] + (" " + rest[1] if len(rest) > 1 else "")
        else:
            out.append(sep)
            out.append(nxt)
        i += 2
    return "".join(out)


def _same_stem(a: str, b: str) -> bool:
    a, b = strip_accents(a.lower()), strip_accents(b.lower())
    if a == b:
        return True
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    shorter = min(len(a), len(b))
    return common >= 3 and common >= shorter - 4


def clean_display_title(title: str) -> str:
    """A title for people to read: case and accents kept, markers removed.

    "Comptable confirmé H/F - Réf. 2024/113" → "Comptable confirmé";
    "Vendeur/Vendeuse (m/w/d)" → "Vendeur"; "Chargé(e) de clientèle" →
    "Chargé de clientèle". Seniority words stay: they matter to a reader.
    """
    if title is None:
        return ""
    text = unicodedata.normalize("NFC", str(title)).replace("’", "'")
    text = _GENDER_WORDS.sub(" ", text)
    text = _GENDER_PAIR.sub(" ", text)
    text = _GENDER_SUFFIX.sub("", text)
    text = _REFERENCE.sub(" ", text)
    text = _drop_feminine_alternative(text)
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    # Trailing separators left behind by the removals ("Comptable -").
    text = re.sub(r"^[\s\-–—|:,/]+|[\s\-–—|:,/]+$", "", text)
    return text


def _may_hold_special_term(text: str) -> bool:
    """A substring test per mark (C speed) before the regular expression, which is slower."""
    return "+" in text or "#" in text or "&" in text or ".net" in text or ".js" in text


def tokenize(text: str) -> list[str]:
    """Lower-case, accent-free alphanumeric tokens (no other cleaning).

    Long texts (descriptions) bypass the memo of :func:`strip_accents`: each is
    seen once, and memoising 2 KB texts only fills memory. The special terms
    are rewritten only where one of their marks occurs, since most texts have none.
    """
    # The maximal runs of [a-z0-9]: non-ASCII becomes "?" and every byte but those
    # becomes a space, in C (several times faster than a regular expression split).
    return _ascii_words(_word_text(text)).split()


def word_runs(text: str) -> str:
    """The runs of ``[a-z0-9]`` of a lower-case, accent-free text, one space apart.

    What ``re.sub(r"[^a-z0-9]+", " ", text).strip()`` gives, in C: deduplication
    folds every description it compares this way.
    """
    return " ".join(_ascii_words(text).split())


def _ascii_words(text: str) -> str:
    """``text`` with every character but a-z and 0-9 turned into a space (non-ASCII
    becomes "?" first, then a space like any other byte)."""
    return text.encode("ascii", "replace").translate(_TOKEN_BYTES).decode("ascii")


def _word_text(text: str) -> str:
    """Lower-case and accent-free, with the special terms rewritten: what is split into tokens."""
    text = text.lower()
    if not text.isascii():
        text = strip_accents(text) if len(text) <= _MEMO_CHARS else _strip_accents(text)
    if _may_hold_special_term(text) and _SPECIAL_MARK.search(text):
        for pattern, repl in _SPECIAL_TERMS:
            text = pattern.sub(repl, text)
    return text


def guess_lang(tokens: list[str]) -> str:
    """'fr' or 'en' from marker words; English when nothing tells."""
    fr = sum(1 for t in tokens if t in _FRENCH_MARKERS)
    en = sum(1 for t in tokens if t in _ENGLISH_MARKERS)
    return "fr" if fr > en else "en"


def _expand(tokens: list[str], lang: str) -> list[str]:
    out: list[str] = []
    for tok in tokens:
        exp = ABBREVIATIONS.get(tok)
        if exp is None:
            out.append(tok)
        elif isinstance(exp, dict):
            out.extend(exp[lang].split())
        else:
            out.extend(exp.split())
    return out


def normalise_text(text: str) -> str:
    """Accent-free lower-case tokens joined by single spaces, stopwords kept.

    Used for free text (descriptions, skill labels) where every word may count.
    """
    return " ".join(tokenize(text or ""))


@lru_cache(maxsize=200_000)
def title_tokens(title: str) -> tuple[str, ...]:
    """The content tokens of a title, in order, after all cleaning.

    The tokens are interned: the memo holds a tuple per distinct title (the
    benchmark's million postings carry 108,757 across their three sources) over a
    vocabulary of a few thousand words, and shared strings keep it to the tuples
    (the coding caches of one source's 68,000 titles: 51 → 30 MiB resident,
    with ``Classification`` slotted).
    """
    if not title:
        return ()
    text = clean_display_title(title)
    text = _HAS_DIGIT_TOKEN.sub(lambda m: m.group(0) if _keep_digit(m.group(0)) else " ", text)
    raw = tokenize(text)
    lang = guess_lang(raw)
    tokens = _expand(raw, lang)
    return tuple(
        sys.intern(t)
        for t in tokens
        if t not in STOPWORDS and t not in NOISE_WORDS and t not in NOISE_PLACES and len(t) > 1
    )


def _keep_digit(token: str) -> bool:
    return strip_accents(token.lower()).strip(".,;:()[]") in _DIGIT_WORDS


def normalise_title(title: str) -> str:
    """The matching key of a job title.

    "Comptable Confirmé (H/F) - Réf 2211" → "comptable";
    "Chauffeur PL" → "chauffeur poids lourd"; "Accountant, chartered" →
    "accountant chartered" (word order is handled by the matchers, which
    compare token sets). Returns "" when nothing meaningful is left.
    """
    return " ".join(title_tokens(title or ""))
