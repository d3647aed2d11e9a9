"""Shared fixtures: paths to the repository's data and to ../shared (skipped when absent)."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
SEED = SHARED / "seeds" / "002_bb7a689cd30fbec5.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def corpus_dir() -> Path:
    if not (CORPUS / "dictionary").is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS / "dictionary"


@pytest.fixture
def modules_dir() -> Path:
    if not (CORPUS / "modules").is_dir():
        pytest.skip("../shared/corpus/modules is not present")
    return CORPUS / "modules"


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """The reference seed alone in a folder, as LEPTONIC_ANOMALY.md."""
    if not SEED.is_file():
        pytest.skip("../shared/seeds is not present")
    folder = tmp_path / "seed"
    folder.mkdir()
    (folder / "LEPTONIC_ANOMALY.md").write_bytes(SEED.read_bytes())
    return folder
