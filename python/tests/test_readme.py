"""The README's Python example runs as written and shows what its comments say."""

import os
import re

import pytest

from conftest import ROOT


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "the README's Python section has no example"
    return blocks[0]


def test_readme_example_runs(tmp_path, monkeypatch):
    pytest.importorskip("polars")
    # Its paths are the repository's; its report and audit log go to a scratch folder.
    (tmp_path / "datasets").symlink_to(ROOT / "datasets")
    monkeypatch.chdir(tmp_path)
    code = readme_example()
    lines = code.splitlines()
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    r, a = scope["r"], scope["a"]
    # The values the comments give.
    assert (r.records, r.classes, r.k) == (30162, 19502, 1)
    assert (r.average_risk, r.sample_uniques) == (0.6465751607983555, 15512)
    assert list(a.transformation.values())[:3] == [0, 3, 0]
    assert (a.suppressed, a.k) == (1346, 5)
    # Steps 1 to 4 (the golden figures of ../shared/datasets/README.md: Dankar at f = 0.2).
    assert (r.highest_risk, r.sample_uniqueness) == (1.0, 0.5142895033485844)
    c, g = scope["c"], scope["g"]
    assert max(c.marginal, key=lambda m: m["drop"])["qi"] == "age"
    pu = eval(next(line for line in lines if "sampling_fraction=0.2" in line).split("  #")[0], scope)
    assert abs(pu - 0.3577099234829125) < 1e-9 and "# 0.3577" in code
    assert [(v.threshold, v.measured) for v in g.verdicts][0] == ("5-anonymity", 1.0)
    assert scope["df"].shape[0] == 28_816
    assert any("# False" in line for line in lines) and any("# True" in line for line in lines)
    assert (tmp_path / "reports" / "adult-risk" / "report.html").is_file()
    assert (tmp_path / "reports" / "audit.log").is_file()
    assert os.getcwd() == str(tmp_path)
