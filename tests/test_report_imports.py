"""What a report leaves unimported: modules whose import alone cost a visible part of its time."""

import subprocess
import sys

#: scipy.stats (0.4 s: the change tests take its hypergeometric pmf from scipy.special), pyvis
#: and the jinja2 it loads (0.15 s: the explorer reads only pyvis's vis-network files).
UNIMPORTED = ("scipy.stats", "pyvis", "jinja2")


def test_a_report_does_not_import_them(sample_path, tmp_path):
    code = (
        "import sys\nfrom netanalysis import pipeline\nfrom netanalysis.config import Settings\n"
        f"pipeline.run('report', [{str(sample_path)!r}], {str(tmp_path / 'out')!r}, Settings(jobs=1))\n"
        f"print([name for name in {UNIMPORTED!r} if name in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "out" / "network.html").stat().st_size > 100_000  # (vis-network inlined)
