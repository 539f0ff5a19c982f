"""Fuzz tests: mutated inputs of every format, through every reader and the command line end to
end, give the project's own error or a correct result, never anything else.

The inputs are the seed files of ``scripts/fuzzkit.py`` (Telegram Desktop JSON and HTML, a
whole-account export, Telethon JSONL and JSON, CSV, TSV, JSON Lines rows, Parquet, copied text)
changed by 1 to 4 mutations that hypothesis draws (and shrinks when one fails). "Correct" and
"the project's error" are :func:`fuzzkit.check_posts`, :func:`fuzzkit.check_folder` and the
outcome functions: unique ids without the separator, dates in UTC, counts that add up, every
output file there and well-formed, no formula cell written raw, no staging folder left; a
:class:`~netanalysis.errors.NetanalysisError` naming the file, or one ``Error:`` line with exit
code 1 or 2 and no traceback. ``scripts/fuzz_campaign.py`` runs thousands of such inputs.
"""

import logging
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import fuzzkit  # noqa: E402  (a script module shared with scripts/fuzz_campaign.py)

MUTATION = st.tuples(
    st.integers(0, 11),  # the operation (see fuzzkit.mutate)
    st.integers(0, 999),  # where, in thousandths of the file
    st.integers(0, 999),  # how much
    st.integers(0, 999),  # which snippet, byte or encoding
)
PLANS = st.lists(MUTATION, min_size=1, max_size=4)


@pytest.fixture(autouse=True)
def quiet_readers():
    """The readers' warnings off (what they get over is not the point here); the logging set-up
    the command line's ``-q`` makes (the root logger at ERROR) undone afterwards, so that later
    tests still see warnings."""
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)
    root.setLevel(level)
    root.handlers[:] = handlers


def _outcome(where, name, plan, outcome, detail):
    assert outcome in ("ok", "error"), f"{where}: {fuzzkit.describe(name, plan)}\n{detail}"


@pytest.mark.parametrize("name", fuzzkit.NAMES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=PLANS)
def test_every_reader_gives_our_error_or_a_correct_result(name, plan):
    with tempfile.TemporaryDirectory() as tmp:
        path = fuzzkit.write_input(Path(tmp), name, plan)
        _outcome("read_posts", name, plan, *fuzzkit.read_outcome(path))


@pytest.mark.parametrize("name", fuzzkit.NAMES)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=PLANS)
def test_the_command_line_gives_our_error_or_a_correct_result(name, plan):
    with tempfile.TemporaryDirectory() as tmp:
        path = fuzzkit.write_input(Path(tmp), name, plan)
        _outcome("cli graph", name, plan, *fuzzkit.cli_outcome(path, Path(tmp) / "out"))


def test_the_seeds_themselves_are_read(tmp_path):
    """Unmutated, every seed gives posts (else the fuzzing above would only test errors)."""
    for name in fuzzkit.NAMES:
        path = fuzzkit.write_input(tmp_path, name, [])
        outcome, detail = fuzzkit.read_outcome(path)
        assert outcome == "ok" and detail != "0 posts", (name, detail)
        path.unlink()


@pytest.mark.parametrize(
    "name, plan",
    [
        ("telethon.jsonl", [(1, 449, 679, 520), (1, 797, 167, 533), (6, 379, 501, 750)]),  # bytes not UTF-8
        ("posts.parquet", [(6, 702, 221, 992)]),  # a damaged Parquet footer (Arrow's message is multi-line)
        ("posts.parquet", [(5, 40, 416, 74)]),
        ("posts.csv", [(2, 500, 0, 0)]),  # an unclosed quote
        ("messages.html", [(3, 600, 0, 0)]),  # truncated
        ("rows.jsonl", [(2, 300, 0, 23)]),  # nested deeply
    ],
)
def test_inputs_that_once_crashed(tmp_path, name, plan):
    path = fuzzkit.write_input(tmp_path, name, plan)
    _outcome("read_posts", name, plan, *fuzzkit.read_outcome(path))
    _outcome("cli graph", name, plan, *fuzzkit.cli_outcome(path, tmp_path / "out"))
