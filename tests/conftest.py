"""Fixtures shared by the test modules."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def sample_path() -> Path:
    """The bundled sample: copied text of a diplomatic Telegram channel (12 posts, April–October 2024)."""
    return ROOT / "examples" / "mfa_channel_sample.txt"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The folder of small input files used by the tests (one sub-folder per area)."""
    return ROOT / "tests" / "fixtures"
