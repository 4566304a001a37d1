"""Reference runs link to their model's architecture, and the link is the same model: the
shape's parameter count agrees with the run's own (Epoch AI's) within 10 %."""

from __future__ import annotations

import json

import pytest

from costcalc import runs, workload_shape

RUNS = [r for r in runs.catalog().values() if r.arch]


def test_the_large_language_model_runs_are_linked() -> None:
    assert {"gpt-3", "llama-2-70b", "llama-3.1-405b", "deepseek-v3"} <= {r.slug for r in RUNS}


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r.slug)
def test_each_link_names_the_same_model(run: runs.Run) -> None:
    arch = workload_shape.summary(workload_shape.find(run.arch))
    assert run.params is not None
    assert arch["params"] == pytest.approx(run.params, rel=0.10), (run.slug, arch["params"])


def test_runs_show_names_the_architecture(cli) -> None:
    r = cli("runs", "show", "gpt-3")
    assert r.code == 0 and "architecture" in r.out and "gpt-3-175b" in r.out
    doc = json.loads(cli("runs", "show", "gpt-3", "--format", "json").out)
    assert doc["arch"] == "gpt-3-175b"
