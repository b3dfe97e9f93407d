"""Fixtures shared by the integration tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.config.sources import PACKAGE_CONFIG_DIR
from etl.demo.generator import generate


@pytest.fixture
def demo_country(lmis_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small demo country (the seeded generator at 15% scale) and the environment of its
    source configuration; returns the demo folder (drop folders, sites)."""
    demo = lmis_home / "demo"
    generate(demo, scale=0.15)
    monkeypatch.setenv("LMIS_CONFIG", str(PACKAGE_CONFIG_DIR / "demo_sources.yml"))
    monkeypatch.setenv("LMIS_DEMO_DIR", str(demo))
    monkeypatch.setenv("LMIS_PSEUDONYM_KEY", "test-key-" + "0" * 32)
    return demo
