"""`costcalc check` as a gate a team can trust (issue 16): a baseline diff that names the
inputs that changed (also from a git ref), plausibility warnings with their sources, a
plan's policy, and invalid plans annotated in CI formats."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from support import git, script

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "costcalc" / "data"

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
  warn_at: 80%
  cost: 100k USD
"""
CHANGED = PLAN.replace("utilization: 40%", "utilization: 90%").replace(
    "  devices: 64\n", "  devices: 64\n  price: 0.10 USD/hour\n"
)


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "GIT_DIR", "GIT_WORK_TREE")
    }
    full.update({"NO_COLOR": "1", "COLUMNS": "200", **(env or {})})
    return subprocess.run(
        [script(), "check", *args], capture_output=True, text=True, cwd=cwd, env=full, timeout=120
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def max_mfu() -> tuple[float, str]:
    """The highest MFU in the shipped runs catalog, read here with PyYAML (not costcalc)."""
    runs = yaml.safe_load((DATA / "runs.yaml").read_text(encoding="utf-8"))["runs"]
    best = max((r for r in runs if "mfu" in r), key=lambda r: r["mfu"])
    return best["mfu"], best["name"]


# -- 1. the diff names the inputs -----------------------------------------------------------


def test_changed_inputs_show_in_every_format(tmp_path: Path) -> None:
    write(tmp_path / "old.yaml", PLAN)
    write(tmp_path / "costcalc.yaml", CHANGED)
    table = run(tmp_path, "--baseline", "old.yaml")
    assert table.returncode == 0, table.stderr
    row = next(line for line in table.stdout.splitlines() if line.startswith("  pretrain: "))
    assert "utilization 40% -> 90%" in row
    # the old price is the default rule's pick from the price list (costcalc.pricing)
    from costcalc.pricing import choose_price

    old = choose_price("h100-sxm").price  # USD per device-hour
    assert f"price {old:.4g} USD/hour -> 0.1 USD/hour" in row
    assert "devices" not in row  # unchanged inputs are not listed

    md = run(tmp_path, "--baseline", "old.yaml", "-f", "markdown").stdout
    assert "| Inputs changed |" in md
    assert "utilization 40% → 90%" in md

    gh = run(tmp_path, "--baseline", "old.yaml", "-f", "github").stdout
    notice = next(line for line in gh.splitlines() if line.startswith("::notice "))
    assert f"line={line_of(CHANGED, 'pretrain:')}," in notice
    assert "utilization 40%25 -> 90%25" in notice  # '%' escaped as GitHub requires

    doc = json.loads(run(tmp_path, "--baseline", "old.yaml", "-f", "json").stdout)
    inputs = {c["name"]: c for c in doc["baseline"]["runs"][0]["inputs"]}
    assert inputs["utilization"] == {"name": "utilization", "before": "40%", "after": "90%"}
    assert set(inputs) == {"utilization", "price"}
    # a saved JSON report is a baseline with the same diff
    write(tmp_path / "old.json", run(tmp_path, "-p", "old.yaml", "-f", "json").stdout)
    again = json.loads(run(tmp_path, "--baseline", "old.json", "-f", "json").stdout)
    assert again["baseline"]["runs"][0]["inputs"] == doc["baseline"]["runs"][0]["inputs"]


def test_a_change_of_inputs_with_the_same_totals_is_still_a_change(tmp_path: Path) -> None:
    write(tmp_path / "old.yaml", PLAN)
    # repeats 2 at half the tokens: same totals, different runs
    new = PLAN.replace("tokens: 20B", "tokens: 10B\n    repeats: 2")
    write(tmp_path / "costcalc.yaml", new)
    doc = json.loads(run(tmp_path, "--baseline", "old.yaml", "-f", "json").stdout)
    change = doc["baseline"]["runs"][0]
    assert change["state"] == "changed"
    names = {c["name"] for c in change["inputs"]}
    assert {"tokens", "repeats"} <= names


# -- git baselines --------------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@needs_git
def test_baseline_from_a_git_ref(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "ml").mkdir(parents=True)
    git(repo, "init", "-q")
    write(repo / "ml" / "costcalc.yaml", PLAN)
    git(repo, "add", "ml/costcalc.yaml")
    git(repo, "commit", "-q", "-m", "plan")
    write(repo / "ml" / "costcalc.yaml", CHANGED)
    env = {"HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"}
    # from the plan's directory, and from the repository root with --plan
    for cwd, args in ((repo / "ml", ()), (repo, ("-p", "ml/costcalc.yaml"))):
        r = run(cwd, *args, "--baseline", "git:HEAD", "-f", "json", env=env)
        assert r.returncode == 0, r.stderr
        doc = json.loads(r.stdout)
        assert doc["baseline"]["source"] == "git:HEAD"
        names = {c["name"] for c in doc["baseline"]["runs"][0]["inputs"]}
        assert names == {"utilization", "price"}
    # HEAD~1 does not exist in a one-commit repository
    r = run(repo / "ml", "--baseline", "git:HEAD~1", env=env)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("costcalc: error: --baseline git:HEAD~1: git ref 'HEAD~1'")
    assert "costcalc.yaml" in r.stderr and r.stderr.count("\n") == 1
    # a file that is not at the ref
    write(repo / "ml" / "new.yaml", PLAN)
    r = run(repo / "ml", "-p", "new.yaml", "--baseline", "git:HEAD", env=env)
    assert r.returncode == 2
    assert "new.yaml does not exist at git ref 'HEAD'" in r.stderr
    for bad in ("git:", "git:--output=x", "git:a b"):
        r = run(repo / "ml", "--baseline", bad, env=env)
        assert r.returncode == 2 and r.stderr.startswith(f"costcalc: error: --baseline {bad}")
    assert not (repo / "ml" / "x").exists()


@needs_git
def test_git_baseline_outside_a_repository(tmp_path: Path) -> None:
    write(tmp_path / "costcalc.yaml", PLAN)
    env = {
        "HOME": str(tmp_path),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CEILING_DIRECTORIES": str(tmp_path.parent),
    }
    r = run(tmp_path, "--baseline", "git:main", env=env)
    assert r.returncode == 2 and "is not in a git repository" in r.stderr


# -- 2. plausibility and policy -------------------------------------------------------------


def test_utilization_above_published_warns_and_strict_fails(tmp_path: Path) -> None:
    mfu, name = max_mfu()
    above = f"{(mfu + 0.05) * 100:.0f}%"
    write(tmp_path / "costcalc.yaml", PLAN.replace("utilization: 40%", f"utilization: {above}"))
    r = run(tmp_path)
    assert r.returncode == 0, r.stderr
    assert "with warnings" in r.stdout
    warning = next(line for line in r.stdout.splitlines() if "warning: run pretrain" in line)
    assert f"utilization {above} is above the highest published MFU, {mfu * 100:.3g}%" in warning
    assert name in r.stdout and "Epoch AI" in r.stdout  # the source
    assert run(tmp_path, "--strict").returncode == 1
    doc = json.loads(run(tmp_path, "-f", "json").stdout)
    (finding,) = doc["findings"]
    assert finding["input"] == "utilization" and finding["level"] == "warning"
    assert finding["line"] == line_of(PLAN, "utilization:")
    # at the published maximum itself: no warning
    write(tmp_path / "costcalc.yaml", PLAN.replace("utilization: 40%", f"utilization: {mfu}"))
    assert json.loads(run(tmp_path, "-f", "json").stdout)["findings"] == []


def test_price_below_market_and_pue_below_best_reported(tmp_path: Path) -> None:
    import csv

    prices = [
        float(r["price"])
        for r in csv.DictReader((DATA / "prices.csv").read_text(encoding="utf-8").splitlines())
        if r["device"] == "h100-sxm"
    ]
    pues = [
        float(r["pue"])
        for r in csv.DictReader((DATA / "pue.csv").read_text(encoding="utf-8").splitlines())
        if r["kind"] == "reported"
    ]
    low_price, best = min(prices), min(pues)
    plan = PLAN.replace(
        "  devices: 64\n", f"  devices: 64\n  price: {low_price * 0.9:.4f} USD/hour\n  pue: 1.01\n"
    )
    write(tmp_path / "costcalc.yaml", plan)
    doc = json.loads(run(tmp_path, "-f", "json").stdout)
    found = {f["input"]: f for f in doc["findings"]}
    assert set(found) == {"price", "pue"}
    assert f"(lowest: {low_price:.4g} USD/hour)" in found["price"]["message"]
    assert found["price"]["source"]  # names the price row
    assert f"below the best reported, {best:.3g}" in found["pue"]["message"]
    assert found["pue"]["line"] == line_of(plan, "pue: 1.01")
    # a price at the lowest known one is plausible
    write(
        tmp_path / "costcalc.yaml",
        PLAN.replace("  devices: 64\n", f"  devices: 64\n  price: {low_price} USD/hour\n"),
    )
    assert json.loads(run(tmp_path, "-f", "json").stdout)["findings"] == []


def test_policy_rules_fail_the_check(tmp_path: Path) -> None:
    plan = (
        PLAN.replace("utilization: 40%", "utilization: 50%").replace("  region: us-central1\n", "")
        + "policy:\n  max_utilization: 45%\n  require_region: true\n"
    )
    write(tmp_path / "costcalc.yaml", plan)
    r = run(tmp_path)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "fails the plan's checks" in r.stdout
    assert "utilization 50% is above the plan's policy max_utilization: 45%" in r.stdout
    assert "no region (or carbon_intensity) given" in r.stdout
    gh = run(tmp_path, "-f", "github").stdout
    errors = [line for line in gh.splitlines() if line.startswith("::error ")]
    assert len(errors) == 2
    # policy: strict makes an implausible input a failure
    mfu, _ = max_mfu()
    strict = (
        PLAN.replace("utilization: 40%", f"utilization: {mfu + 0.1}") + "policy:\n  strict: true\n"
    )
    write(tmp_path / "costcalc.yaml", strict)
    r = run(tmp_path, "-f", "json")
    assert r.returncode == 1
    assert json.loads(r.stdout)["findings"][0]["level"] == "failure"


@pytest.mark.parametrize(
    ("policy", "needle", "message"),
    [
        ("  max_utilisation: 60%\n", "max_utilisation", "did you mean 'max_utilization'"),
        ("  max_utilization: 60 kg\n", "max_utilization", "policy.max_utilization: '60 kg'"),
        ("  min_pue: 1.1 W\n", "min_pue", "policy.min_pue"),
        ("  require_region: yes please\n", "require_region", "expected true or false"),
    ],
)
def test_bad_policy_is_exit_2_with_file_and_line(
    tmp_path: Path, policy: str, needle: str, message: str
) -> None:
    plan = PLAN + "policy:\n" + policy
    write(tmp_path / "costcalc.yaml", plan)
    r = run(tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith(f"costcalc: error: costcalc.yaml:{line_of(plan, needle)}: ")
    assert message in r.stderr


def test_run_budgets_inherit_warn_at(tmp_path: Path) -> None:
    plan = """\
defaults: {peak: 1000 TFLOPS, utilization: 50%, power: 1000 W, pue: 1.2,
           carbon_intensity: 500 g/kWh, price: 2 USD/hour, devices: 10}
runs:
  main:
    flops: 1.8e19
    budgets:
      cost: 21 USD
  own:
    flops: 1.8e19
    budgets:
      cost: {limit: 21 USD, warn_at: 99%}
budgets:
  warn_at: 90%
"""
    # one run: 10 device-hours x 2 USD/hour = $20, 95% of $21: warns at 90%, not at 99%
    write(tmp_path / "costcalc.yaml", plan)
    doc = json.loads(run(tmp_path, "-f", "json").stdout)
    by_scope = {b["scope"]: b for b in doc["budgets"]}
    assert by_scope["main"]["warn_at"] == 0.9 and by_scope["main"]["status"] == "warn"
    assert by_scope["own"]["warn_at"] == 0.99 and by_scope["own"]["status"] == "ok"


# -- 3. invalid plans in CI formats ---------------------------------------------------------

BAD = """\
runs:
  "a,b: 50%":
    flops: 1e20
    utilizaton: 40%
    hardware: 3
budgets:
  cost: 10 parsecs
"""


def test_invalid_plan_annotates_every_problem_in_github_format(tmp_path: Path) -> None:
    write(tmp_path / "plan.yaml", BAD)
    summary, outputs = tmp_path / "summary.md", tmp_path / "out.txt"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)}
    r = run(tmp_path, "-p", "plan.yaml", "-f", "github", env=env)
    assert r.returncode == 2
    assert (
        r.stderr.startswith("costcalc: error: plan.yaml:4:") and "(and 2 more problems)" in r.stderr
    )
    lines = r.stdout.splitlines()
    assert len(lines) == 3 and all(
        line.startswith("::error file=plan.yaml,line=") for line in lines
    )
    assert [int(re.search(r"line=(\d+)", line)[1]) for line in lines] == [
        line_of(BAD, "utilizaton"),
        line_of(BAD, "hardware: 3"),
        line_of(BAD, "parsecs"),
    ]
    # the message part escapes %, CR and LF; the run name with ',' and ':' stays readable
    assert "runs.a,b: 50%25.utilizaton" in lines[0]
    text = summary.read_text(encoding="utf-8")
    assert "invalid plan" in text and "3 problems" in text
    assert all(p in text for p in ("utilizaton", "hardware", "parsecs"))
    assert outputs.read_text(encoding="utf-8").splitlines()[0] == "verdict=invalid"


def test_a_property_with_separators_is_escaped(tmp_path: Path) -> None:
    name = "odd,name:1.yaml"
    write(tmp_path / name, BAD)
    r = run(tmp_path, "-p", name, "-f", "github")
    assert r.returncode == 2
    assert all(
        line.startswith("::error file=odd%2Cname%3A1.yaml,line=") for line in r.stdout.splitlines()
    )


def test_gitlab_code_quality_report(tmp_path: Path) -> None:
    mfu, _ = max_mfu()
    plan = PLAN.replace("utilization: 40%", f"utilization: {mfu + 0.1}").replace(
        "cost: 100k USD", "cost: 1 USD"
    )
    write(tmp_path / "costcalc.yaml", plan)
    r = run(tmp_path, "-f", "gitlab")
    assert r.returncode == 1
    issues = json.loads(r.stdout)
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["location"]["path"] == "costcalc.yaml"
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
    lines = {i["check_name"]: i["location"]["lines"]["begin"] for i in issues}
    assert lines == {
        "costcalc-budget-over": line_of(plan, "cost: 1 USD"),
        "costcalc-input-published": line_of(plan, "utilization:"),
    }
    # fingerprints do not depend on the numbers: GitLab follows the issue across pipelines
    write(tmp_path / "costcalc.yaml", plan.replace("tokens: 20B", "tokens: 30B"))
    again = json.loads(run(tmp_path, "-f", "gitlab").stdout)
    assert {i["fingerprint"] for i in again} == {i["fingerprint"] for i in issues}
    # an invalid plan is a list of blockers, exit 2
    write(tmp_path / "bad.yaml", BAD)
    r = run(tmp_path, "-p", "bad.yaml", "-f", "gitlab")
    assert r.returncode == 2
    bad = json.loads(r.stdout)
    assert [i["severity"] for i in bad] == ["blocker"] * 3
    assert [i["location"]["lines"]["begin"] for i in bad] == [4, 5, 7]


# -- 4. plans speak the estimator's language ------------------------------------------------

BASE = """\
defaults: {peak: 1000 TFLOPS, utilization: 50%, power: 1000 W, pue: 1.2,
           carbon_intensity: 500 g/kWh, price: 2 USD/hour, devices: 10}
"""


def totals(cwd: Path, plan: str) -> dict:
    write(cwd / "costcalc.yaml", plan)
    # these plans are about compute and time: 10 devices need not hold GPT-3's state
    r = run(cwd, "-f", "json", "--allow-infeasible")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_concurrency_and_groups_shape_the_wall_clock(tmp_path: Path) -> None:
    # one repeat: 1.8e19 FLOP / (10 x 1000 TFLOPS x 50%) = 3600 s = 1 hour
    one = "    flops: 1.8e19\n"
    seq = totals(tmp_path, BASE + "runs:\n  a:\n" + one + "    repeats: 16\n")
    assert seq["total"]["wall_clock_hours"] == pytest.approx(16.0)
    side = totals(tmp_path, BASE + "runs:\n  a:\n" + one + "    repeats: 16\n    concurrency: 16\n")
    assert side["total"]["wall_clock_hours"] == pytest.approx(1.0)
    assert side["total"]["device_hours"] == pytest.approx(seq["total"]["device_hours"]) == 160
    waves = totals(tmp_path, BASE + "runs:\n  a:\n" + one + "    repeats: 16\n    concurrency: 5\n")
    assert waves["total"]["wall_clock_hours"] == pytest.approx(4.0)  # ceil(16 / 5)
    # runs a (1 h) and b (3 h) in one group, c (2 h) alone: max(1, 3) + 2 = 5 hours
    grouped = totals(
        tmp_path,
        BASE
        + "runs:\n  a:\n    flops: 1.8e19\n    group: g\n"
        + "  b:\n    flops: 5.4e19\n    group: g\n  c:\n    flops: 3.6e19\n",
    )
    assert grouped["total"]["wall_clock_hours"] == pytest.approx(5.0)
    assert grouped["total"]["cost_usd"] == pytest.approx(2 * 10 * (1 + 3 + 2))


def test_reference_run_active_params_and_flops_per_param_token(tmp_path: Path) -> None:
    cat = yaml.safe_load((DATA / "runs.yaml").read_text(encoding="utf-8"))["runs"]
    gpt3 = next(r for r in cat if r["slug"] == "gpt-3")
    doc = totals(tmp_path, BASE + "runs:\n  ref:\n    run: gpt-3\n")
    assert doc["runs"][0]["total"]["flops"] == pytest.approx(gpt3["compute"])
    moe = BASE + "runs:\n  moe:\n    params: 600B\n    active_params: 30B\n    tokens: 1T\n"
    doc = totals(tmp_path, moe + "    flops_per_param_token: 8\n")
    assert doc["runs"][0]["total"]["flops"] == pytest.approx(8 * 30e9 * 1e12)
    bad = BASE + "runs:\n  ref:\n    run: gtp-3\n"
    write(tmp_path / "costcalc.yaml", bad)
    r = run(tmp_path)
    where = f"costcalc: error: costcalc.yaml:{line_of(bad, 'gtp-3')}: runs.ref.run: "
    assert r.returncode == 2 and r.stderr.startswith(where)
    assert "did you mean 'gpt-3'" in r.stderr


def test_owned_hardware_in_a_plan(tmp_path: Path) -> None:
    plan = """\
defaults: {peak: 1000 TFLOPS, utilization: 50%, power: 1000 W, pue: 1.0,
           carbon_intensity: 500 g/kWh, devices: 10, hardware: h100-sxm}
runs:
  a:
    flops: 1.8e19
    purchase_price: 26280 USD
    useful_life: 3 years
    electricity_price: 0.10 USD/kWh
    server_cost_overhead: 1  # a price per device of a whole server, no interconnect
    interconnect_share: 0%
"""
    # 10 device-hours: amortized 26280 USD / (3 x 8760 h) = 1 USD/hour -> $10, plus
    # 10 kWh x 0.10 USD/kWh = $1 of electricity.
    doc = totals(tmp_path, plan)
    assert doc["total"]["cost_usd"] == pytest.approx(11.0, rel=0.01)
    assert "price" not in doc["runs"][0]["assumed"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("    concurrency: 0\n", "runs.a.concurrency: expected how many repeats"),
        ("    group: [x]\n", "runs.a.group: expected a name"),
        ("    utilization: 30%..50%\n", "a plan takes one value, not a range"),
        ("    run: gpt-3\n", "give the work one way, not run and flops"),
    ],
)
def test_bad_run_shape_is_exit_2(tmp_path: Path, extra: str, message: str) -> None:
    plan = BASE + "runs:\n  a:\n" + extra + "    flops: 1.8e19\n"
    write(tmp_path / "costcalc.yaml", plan)
    r = run(tmp_path)
    assert r.returncode == 2 and r.stdout == "", r.stdout
    assert message in r.stderr and r.stderr.count("\n") == 1


# -- 6. the HTML report ---------------------------------------------------------------------

HOSTILE_NAME = '"<script>alert(1)</script>&'


def _html_plan(tmp_path: Path) -> str:
    write(tmp_path / "old.yaml", PLAN.replace("  pretrain:\n", f"  '{HOSTILE_NAME}':\n"))
    plan = CHANGED.replace("  pretrain:\n", f"  '{HOSTILE_NAME}':\n")
    plan = plan.replace("cost: 100k USD", "cost: 100k USD\n  co2e: 1 kg")
    write(tmp_path / "costcalc.yaml", plan)
    return plan


class _Page:
    """What an HTML parser sees: tags with attributes, and the text."""

    def __init__(self, text: str) -> None:
        from html.parser import HTMLParser

        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        page = self

        class P(HTMLParser):
            def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
                page.tags.append((tag, {k: v or "" for k, v in attrs}))

            def handle_data(self, data):  # type: ignore[no-untyped-def]
                page.text.append(data)

        P().feed(text)


def test_html_report_is_self_contained_with_bars_diff_and_assumptions(tmp_path: Path) -> None:
    _html_plan(tmp_path)
    r = run(tmp_path, "--baseline", "old.yaml", "-f", "html")
    assert r.returncode == 1, r.stderr  # the 1 kg CO2e budget is exceeded
    page = _Page(r.stdout)
    names = [t for t, _ in page.tags]
    assert "script" not in names and "link" not in names and "img" not in names
    for _tag, attrs in page.tags:
        for key in ("src", "href", "action"):
            assert key not in attrs, (key, attrs)
    csp = next(a for t, a in page.tags if t == "meta" and a.get("http-equiv"))
    assert "default-src 'none'" in csp["content"]
    assert HOSTILE_NAME in "".join(page.text)  # shown as text, escaped in the markup
    assert "<script>alert" not in r.stdout
    # one bar per budget, its width the estimate over the limit (from the JSON report)
    doc = json.loads(run(tmp_path, "--baseline", "old.yaml", "-f", "json").stdout)
    bars = [a for t, a in page.tags if t == "div" and a.get("class", "").startswith("fill ")]
    assert len(bars) == len(doc["budgets"]) == 2
    for bar, b in zip(bars, doc["budgets"], strict=True):
        expect = min(b["estimate"] / b["limit"], 1.0) * 100
        width = float(re.search(r"width:([0-9.]+)%", bar["style"])[1])
        assert width == pytest.approx(expect, abs=0.06)
        assert bar["class"] == f"fill {b['status']}"
    text = " ".join(page.text)
    assert "utilization 40% → 90%" in text  # the diff
    assert "Epoch AI" in text  # a finding's source
    assert "Assumptions" in text and "carbon_intensity" in text


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (.ci/run installs it)")
def test_html_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    _html_plan(tmp_path)
    page = tmp_path / "report.html"
    r = run(tmp_path, "--baseline", "old.yaml", "-f", "html")
    page.write_text(r.stdout, encoding="utf-8")
    flags = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    env = {**os.environ, "HOME": str(tmp_path)}
    dom = subprocess.run(
        [*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, env=env, timeout=120
    )
    assert dom.returncode == 0, dom.stderr
    assert 'id="budgets"' in dom.stdout and 'id="baseline"' in dom.stdout
    assert dom.stdout.count('class="fill ') == 2
    assert "alert(1)" in dom.stdout and "<script>alert" not in dom.stdout
    shot = tmp_path / "shot.png"
    s = subprocess.run(
        [*flags, f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri()],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert s.returncode == 0, s.stderr
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000  # a page, not a blank


def test_a_price_from_the_user_config_is_checked_too(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    write(config / "config.yaml", "defaults:\n  price: 0.10 USD/hour\n")
    write(tmp_path / "costcalc.yaml", PLAN)
    r = run(tmp_path, "-f", "json", env={"COSTCALC_CONFIG_DIR": str(config)})
    assert r.returncode == 0, r.stderr
    (finding,) = json.loads(r.stdout)["findings"]
    assert finding["input"] == "price" and "below every known market price" in finding["message"]
