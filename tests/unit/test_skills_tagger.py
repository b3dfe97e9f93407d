"""Skill tagging (etl.normalise.skills)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd
import pytest

from etl.normalise import skills
from etl.normalise.skills import SkillTagger, get_skill_tagger, skills_for_occupation
from etl.normalise.text import tokenize

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vacancy_api"


def test_swapped_vocabulary_longest_phrase_wins() -> None:
    tagger = SkillTagger(
        [
            ("u:excel", ["Microsoft Excel", "excel"]),
            ("u:pm", ["project management", "gestion de projet"]),
            ("u:p", ["project"]),
        ]
    )
    found = tagger.tag("Maîtrise d'EXCEL et de la Gestion de Projets; project management.")
    assert [m.skill_uri for m in found] == ["u:excel", "u:pm"]
    assert found[0].label == "Microsoft Excel"


def test_overlapping_labels_leftmost_longest_then_after_the_match() -> None:
    tagger = SkillTagger([("u:abc", ["alpha beta gamma"]), ("u:bcd", ["beta gamma delta"]),
                          ("u:ab", ["alpha beta"]), ("u:d", ["delta"]), ("u:x", ["alpha beta zeta"])])
    # "alpha beta gamma" wins at the first word; "beta gamma delta" overlaps it and is
    # not looked for inside it; "delta" after it is; a longer label cut short ("alpha
    # beta zeta") falls back to the longest label that is complete ("alpha beta").
    found = tagger.tag("alpha beta gamma delta. Alpha beta zeta? alpha beta epsilon")
    assert [(m.skill_uri, m.matched) for m in found] == [
        ("u:abc", "alpha beta gamma"), ("u:d", "delta"), ("u:x", "alpha beta zeta"),
        ("u:ab", "alpha beta")]


def test_labels_with_stop_words_match_the_text_that_has_them() -> None:
    tagger = SkillTagger([("u:pm", ["gestion de projet"]), ("u:ms", ["management of staff"])])
    found = tagger.tag("Vous assurez la gestion de projets et le management of staff.")
    assert [(m.skill_uri, m.matched) for m in found] == [
        ("u:pm", "gestion projet"), ("u:ms", "management staff")]


def test_vocabulary_as_dataframe_and_bad_entries() -> None:
    df = pd.DataFrame({"skill_uri": ["u:1"], "labels": [["forklift operation"]]})
    assert [m.skill_uri for m in SkillTagger(df).tag("Forklift operations daily")] == ["u:1"]
    with pytest.raises(ValueError, match="labels"):
        SkillTagger(pd.DataFrame({"uri": ["u"], "label": ["x"]}))
    with pytest.raises(ValueError, match="needs a uri"):
        SkillTagger([("", ["x"])])


def test_esco_tagger_finds_english_and_french_skills() -> None:
    tagger = get_skill_tagger()
    en = {m.label for m in tagger.tag("Experience with Python, SQL and project management.")}
    assert {"SQL", "project management"} <= en
    assert any(lbl.startswith("Python") for lbl in en)
    fr = {m.label for m in tagger.tag("Vous maîtrisez la comptabilité.", lang="fr")}
    assert "accounting" in fr
    assert tagger.tag("") == [] and tagger.tag(None) == []


def test_tagger_handles_real_html_descriptions() -> None:
    data = json.loads((FIXTURES / "remotive_remote_jobs_response.json").read_text("utf-8"))
    tagger = get_skill_tagger()
    for job in data["jobs"]:
        matches = tagger.tag(job["description"])
        uris = [m.skill_uri for m in matches]
        assert len(uris) == len(set(uris))
        assert all(u.startswith("http://data.europa.eu/esco/skill/") for u in uris)


def test_skills_for_occupation() -> None:
    accountants = skills_for_occupation("2411")
    assert len(accountants) > 10
    assert len(accountants) == len(set(accountants))
    assert skills_for_occupation("0110") != accountants
    with pytest.raises(ValueError, match="4-digit"):
        skills_for_occupation("24")


def _greedy_longest(keys: dict[tuple[str, ...], str], longest: int, text: str
                    ) -> list[tuple[str, str]]:
    """The tagger's matching by its definition, word by word: from the first word on,
    the longest label starting at a word wins and the next match starts after it."""
    tokens = [skills._fold(t) for t in tokenize(skills._strip_html(text)) if t not in skills._STOP]
    found: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            uri = keys.get(tuple(tokens[i : i + size]))
            if uri is not None:
                found.setdefault(uri, " ".join(tokens[i : i + size]))
                i += size
                break
        else:
            i += 1
    return list(found.items())


def test_esco_tagger_matches_its_word_by_word_definition() -> None:
    # The automaton (in Rust) against a plain loop over words, on generated ads (ESCO
    # phrases in English and French, plurals, stop words), real descriptions and texts
    # built from the labels' own words, so that overlapping labels meet.
    from etl.bench.generator import PostingGenerator

    tagger = get_skill_tagger()
    keys = {tuple(m.split(" ")): uri
            for m, uri in zip(tagger._matched, tagger._uris, strict=True)}
    longest = max(map(len, keys))
    generator = PostingGenerator(2000, seed=3)
    texts = [generator.posting(i)[1]["description"] for i in range(0, 2000, 4)]
    data = json.loads((FIXTURES / "remotive_remote_jobs_response.json").read_text("utf-8"))
    texts += [job["description"] for job in data["jobs"]]
    rng = random.Random(5)
    words = sorted({w for key in keys for w in key} | set(skills._STOP))
    pool = words + [w + "s" for w in words[:3000]]
    texts += [" ".join(rng.choice(pool) for _ in range(60)) for _ in range(300)]
    assert sum(len(tagger.tag(t)) for t in texts) > 5000
    mismatched = [t for t in texts
                  if [(m.skill_uri, m.matched) for m in tagger.tag(t)] != _greedy_longest(keys, longest, t)]
    assert mismatched == []
