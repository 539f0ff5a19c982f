"""The notebook-style example in examples/ runs as shipped."""

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_api_example_runs(capsys):
    runpy.run_path(str(ROOT / "examples" / "api_example.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "mfa_channel_sample:12" in out  # the posts table was printed
    assert "UN" in out and "BRICS" in out  # forums found and ranked
