"""The command line starts quickly: ``--help`` and ``--version`` load no data or drawing library.

The heavy libraries (pandas, numpy, pyarrow, networkx, matplotlib, scipy, ...) are imported by
the stages that use them, so that ``netanalysis --help`` answers at once. Each case runs in a
fresh interpreter (an earlier test of this session may have loaded them already) and checks
``sys.modules`` after the command line has answered; the time it takes is measured by
``scripts/bench.py``, not here.
"""

import json
import subprocess
import sys

import pytest

from netanalysis.cli import cli

HEAVY = ("pandas", "numpy", "pyarrow", "networkx", "matplotlib", "scipy", "polars", "PIL", "tqdm", "yaml")

PROBE = r"""
import contextlib, io, json, sys
from netanalysis.cli import main
args, watched = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))
sys.argv = ["netanalysis", *args]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
heavy = sorted({m.split(".")[0] for m in sys.modules} & watched)
print(json.dumps({"code": code, "output": out.getvalue(), "heavy": heavy}))
"""


def probe(args: list[str]) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    "args", [["--help"], ["--version"], *([name, "--help"] for name in sorted(cli.commands))], ids=" ".join
)
def test_help_loads_no_heavy_library(args):
    found = probe(args)
    assert found["code"] == 0
    assert found["output"].strip()  # the help (or version) was printed
    assert found["heavy"] == [], f"`netanalysis {' '.join(args)}` imported {found['heavy']}"


def test_the_probe_sees_a_heavy_import(tmp_path):
    """The check can fail: running a command loads the stages' libraries, and the probe says so."""
    found = probe(["parse", str(tmp_path / "no-such-file.txt"), "-o", str(tmp_path / "out")])
    assert found["code"] == 1
    assert "pandas" in found["heavy"]
