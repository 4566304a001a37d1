"""The CI integrations as shipped: action.yml's steps run as GitHub runs them (bash -eo
pipefail, a GITHUB_OUTPUT file per step, a shared GITHUB_STEP_SUMMARY), the GitLab template's
script, and the pre-commit hook's entry."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support import git

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")

PLAN = """\
defaults:
  hardware: h100-sxm
  region: us-central1
  utilization: 40%
  devices: 64
runs:
  pretrain:
    params: 1B
    tokens: 20B
budgets:
  cost: 100k USD
"""
EXPR = re.compile(r"\$\{\{\s*([a-z_]+)\.([a-z0-9_]+)(?:\.outputs\.([a-z0-9_]+))?\s*\}\}")


def read_outputs(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


class Runner:
    """Runs a composite action's steps the way GitHub's runner does, in ``workspace``."""

    def __init__(self, tmp: Path, workspace: Path, inputs: dict[str, str]) -> None:
        self.action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
        self.tmp, self.workspace = tmp, workspace
        self.inputs = {k: str(v.get("default", "")) for k, v in self.action["inputs"].items()}
        self.inputs.update(inputs)
        self.steps: dict[str, dict[str, str]] = {}
        self.summary = tmp / "step_summary.md"
        self.logs: list[subprocess.CompletedProcess] = []
        # the install step runs "$PYTHON -m pip install ...": a stub records it
        self.pip_log = tmp / "pip.log"
        stub = tmp / "python-stub"
        stub.write_text(f'#!/bin/sh\necho "$@" >> "{self.pip_log}"\n', encoding="utf-8")
        stub.chmod(0o755)
        if "python" not in inputs:
            self.inputs["python"] = str(stub)

    def expand(self, text: str) -> str:
        def one(m: re.Match[str]) -> str:
            scope, name, output = m.groups()
            if scope == "inputs":
                return self.inputs[name]
            if scope == "steps":
                return self.steps.get(name, {}).get(output or "", "")
            return {
                ("github", "action_path"): str(ROOT),
                ("github", "action_repository"): "OWNER/costcalc",
                ("github", "base_ref"): "main",
                ("runner", "temp"): str(self.tmp),
            }[(scope, name)]

        expanded = EXPR.sub(one, text)
        assert "${{" not in expanded, f"an expression the simulation does not know: {text}"
        return expanded

    def run(self) -> int:
        env_base = {
            k: v
            for k, v in os.environ.items()
            if k not in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GIT_DIR", "GIT_WORK_TREE")
        }
        env_base.update(
            PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            HOME=str(self.tmp),
            GIT_CONFIG_NOSYSTEM="1",
            GITHUB_STEP_SUMMARY=str(self.summary),
            NO_COLOR="1",
        )
        for i, step in enumerate(self.action["runs"]["steps"]):
            script = step["run"]
            assert "${{" not in script, "expressions go through env:, never into a script"
            assert step["shell"] == "bash"
            out = self.tmp / f"output-{i}"
            env = {**env_base, "GITHUB_OUTPUT": str(out)}
            env.update({k: self.expand(str(v)) for k, v in (step.get("env") or {}).items()})
            path = self.tmp / f"step-{i}.sh"
            path.write_text(script, encoding="utf-8")
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)],
                cwd=self.workspace,
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
            )
            self.logs.append(proc)
            if "id" in step:
                self.steps[step["id"]] = read_outputs(out)
            if proc.returncode != 0:
                return proc.returncode
        return 0

    def outputs(self) -> dict[str, str]:
        return {k: self.expand(v["value"]) for k, v in self.action["outputs"].items()}


def repo_with_base(tmp_path: Path, plan: str = PLAN) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "costcalc.yaml").write_text(plan, encoding="utf-8")
    git(repo, "add", "costcalc.yaml")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")  # the PR's base branch
    return repo


@needs_git
@needs_bash
def test_action_in_a_pull_request(tmp_path: Path) -> None:
    repo = repo_with_base(tmp_path)
    (repo / "costcalc.yaml").write_text(
        PLAN.replace("utilization: 40%", "utilization: 90%"), encoding="utf-8"
    )
    runner = Runner(tmp_path, repo, {})
    code = runner.run()
    assert code == 0, [p.stderr for p in runner.logs]
    # installed from the action's own checkout, with the interpreter given
    assert runner.pip_log.read_text(encoding="utf-8").split()[-1] == str(ROOT)
    assert runner.steps["baseline"]["baseline"] == "git:origin/main"
    out = runner.outputs()
    assert out["verdict"] == "pass"
    # the outputs agree with the JSON report of the same check, read independently
    doc = json.loads(
        subprocess.run(
            [str(BIN / "costcalc"), "check", "--baseline", "git:origin/main", "-f", "json"],
            cwd=repo,
            capture_output=True,
            text=True,
            env={**os.environ, "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"},
            timeout=120,
        ).stdout
    )
    assert float(out["cost"]) == pytest.approx(doc["total"]["cost_usd"])
    assert float(out["co2e"]) == pytest.approx(doc["total"]["co2e_kg"])
    log = runner.logs[-1].stdout
    assert "::warning file=costcalc.yaml,line=4," in log  # utilization above published MFU
    assert "utilization 40%25 -> 90%25" in log  # the notice of the changed input
    summary = runner.summary.read_text(encoding="utf-8")
    assert summary.startswith("### ⚠️ costcalc check: within budget, with warnings")
    assert "utilization 40% → 90%" in summary
    report = Path(out["report"])
    assert report.parent == tmp_path and report.read_text(encoding="utf-8").startswith(
        "<!DOCTYPE html>"
    )


@needs_git
@needs_bash
def test_action_fails_over_budget_strict_and_invalid(tmp_path: Path) -> None:
    repo = repo_with_base(tmp_path)
    plan = repo / "costcalc.yaml"
    plan.write_text(PLAN.replace("100k USD", "1 USD"), encoding="utf-8")
    runner = Runner(tmp_path, repo, {"baseline": ""})
    assert runner.run() == 1
    assert runner.outputs()["verdict"] == "fail"
    assert Path(runner.outputs()["report"]).is_file()  # the report exists when over budget

    plan.write_text(PLAN.replace("utilization: 40%", "utilization: 90%"), encoding="utf-8")
    (tmp_path / "s").mkdir()
    runner = Runner(tmp_path / "s", repo, {"strict": "true"})
    assert runner.run() == 1
    assert runner.outputs()["verdict"] == "fail"

    plan.write_text(PLAN + "  colour: blue\n", encoding="utf-8")
    (tmp_path / "i").mkdir()
    runner = Runner(tmp_path / "i", repo, {})
    assert runner.run() == 2
    assert runner.outputs()["verdict"] == "invalid"
    assert runner.outputs()["report"] == ""
    assert runner.logs[-1].stdout.startswith("::error file=costcalc.yaml,line=12,")
    assert "invalid plan" in runner.summary.read_text(encoding="utf-8")


@needs_git
@needs_bash
def test_action_without_the_plan_on_the_base_branch(tmp_path: Path) -> None:
    repo = repo_with_base(tmp_path)
    (repo / "ml").mkdir()
    (repo / "ml" / "plan.yaml").write_text(PLAN, encoding="utf-8")  # new in this PR
    runner = Runner(tmp_path, repo, {"plan": "ml/plan.yaml"})
    assert runner.run() == 0, [p.stderr for p in runner.logs]
    assert runner.steps["baseline"]["baseline"] == ""
    assert runner.outputs()["verdict"] == "pass"


def test_action_declares_the_inputs_and_outputs() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    assert {"plan", "baseline", "format", "strict", "version"} <= set(action["inputs"])
    assert set(action["outputs"]) == {"verdict", "cost", "co2e", "report"}


# -- GitLab -----------------------------------------------------------------------------------


@needs_bash
def test_gitlab_template_writes_a_code_quality_report(tmp_path: Path) -> None:
    template = yaml.safe_load((ROOT / "ci" / "gitlab-costcalc.yml").read_text(encoding="utf-8"))
    job = template[".costcalc"]
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    (tmp_path / "costcalc.yaml").write_text(PLAN.replace("100k USD", "1 USD"), encoding="utf-8")
    stub = tmp_path / "bin"
    stub.mkdir()
    (stub / "pip").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    (stub / "pip").chmod(0o755)
    script = "\n".join(job["script"])
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CI_")},
        **{k: str(v) for k, v in job["variables"].items()},
        "PATH": f"{stub}{os.pathsep}{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
    }
    proc = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 1, proc.stderr  # over budget fails the job
    issues = json.loads((tmp_path / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    (issue,) = issues
    assert issue["severity"] == "major" and issue["location"]["path"] == "costcalc.yaml"
    assert issue["location"]["lines"]["begin"] == 11
    assert "over budget" in (tmp_path / "costcalc-report.md").read_text(encoding="utf-8")
    assert "over budget" in proc.stdout  # the summary in the job log


# -- pre-commit -------------------------------------------------------------------------------


def test_pre_commit_hook_entry_runs_the_check(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("costcalc.yaml") and not files.search("costcalc.yaml.bak")
    argv = hook["entry"].split()
    assert argv[0] == "costcalc"
    (tmp_path / "costcalc.yaml").write_text(PLAN, encoding="utf-8")
    ok = subprocess.run(
        [str(BIN / argv[0]), *argv[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert ok.returncode == 0, ok.stderr
    (tmp_path / "costcalc.yaml").write_text(PLAN.replace("100k USD", "1 USD"), encoding="utf-8")
    over = subprocess.run(
        [str(BIN / argv[0]), *argv[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert over.returncode == 1 and "over budget" in over.stdout
