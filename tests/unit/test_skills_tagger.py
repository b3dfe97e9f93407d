"""Skill tagging (etl.normalise.skills)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from etl.normalise.skills import SkillTagger, get_skill_tagger, skills_for_occupation

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
