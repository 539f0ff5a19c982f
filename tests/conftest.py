"""Fixtures shared by the test modules."""

import logging
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


_ROOT_LOGGER = logging.getLogger()
_ROOT_LEVEL, _ROOT_HANDLERS = _ROOT_LOGGER.level, list(_ROOT_LOGGER.handlers)


@pytest.fixture(autouse=True)
def _restore_logging():
    """Give every test the root logger as the test session found it.

    The command line configures logging (``basicConfig(force=True)`` at the level of ``-q``/``-v``),
    also in module-scoped fixtures that run it; without this, a module that runs ``netanalysis -q``
    would silence the warnings a later test reads from ``caplog``, and tests would pass or fail by
    their order.
    """
    _ROOT_LOGGER.setLevel(_ROOT_LEVEL)
    yield
    _ROOT_LOGGER.setLevel(_ROOT_LEVEL)
    _ROOT_LOGGER.handlers[:] = [
        h for h in _ROOT_LOGGER.handlers if h in _ROOT_HANDLERS or type(h).__name__ == "LogCaptureHandler"
    ]
