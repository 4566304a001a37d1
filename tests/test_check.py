"""`costcalc check` as CI meets it: the installed script in a real subprocess, exit codes,
every output format, baselines, --init, and hostile plans."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from support import script

# Every input given, so that the arithmetic can be checked by hand: one repeat is
# 1.8e19 FLOP / (1000 TFLOPS x 50%) = 36,000 device-seconds = 10 device-hours on 10
# devices (1 hour), 10 device-hours x 1000 W x PUE 1.0 = 10 kWh, x 500 g/kWh = 5 kg,
# x 2 USD/hour = $20. Three repeats: 30 device-hours, 30 kWh, 15 kg, $60, 3 hours.
RUN = """\
defaults:
  peak: 1000 TFLOPS
  utilization: 50%
  power: 1000 W
  pue: 1.0
  carbon_intensity: 500 g/kWh
  price: 2 USD/hour
  devices: 10
runs:
  main:
    flops: 1.8e19
    repeats: 3
"""
OK = RUN + "budgets:\n  cost: 100 USD\n  co2e: 20 kg\n"
WARN = RUN + "budgets:\n  cost: 100 USD\n  co2e:\n    limit: 16 kg\n    warn_at: 90%\n"
OVER = RUN + "budgets:\n  cost: 100 USD\n  energy: 25 kWh\n"
BASE_PLAN = RUN.replace("repeats: 3", "repeats: 2")


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    full_env.update({"NO_COLOR": "1", "COLUMNS": "200", **(env or {})})
    return subprocess.run(
        [script(), "check", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=60,
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_within_budget_exits_0_with_a_table(tmp_path: Path) -> None:
    write(tmp_path / "costcalc.yaml", OK)
    r = run(tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert "within budget" in r.stdout
    rows = {line.split()[2]: line for line in r.stdout.splitlines() if "plan total:" in line}
    # $60 of $100: headroom $40 (40%); 15 kg of 20 kg: 5 kg (25%).
    assert "$100" in rows["cost"] and "$60" in rows["cost"] and "$40 (40%)" in rows["cost"]
    assert rows["cost"].rstrip().endswith("ok")
    assert "5 kg CO2e (25%)" in rows["CO2e"]


def test_warning_passes_and_strict_fails(tmp_path: Path) -> None:
    write(tmp_path / "costcalc.yaml", WARN)
    r = run(tmp_path)
    assert r.returncode == 0, r.stderr
    assert "with warnings" in r.stdout
    co2e = next(line for line in r.stdout.splitlines() if "plan total: CO2e" in line)
    assert co2e.rstrip().endswith("warn") and "warn at 90%" in co2e
    strict = run(tmp_path, "--strict")
    assert strict.returncode == 1
    assert strict.stdout == r.stdout


def test_over_budget_exits_1(tmp_path: Path) -> None:
    write(tmp_path / "costcalc.yaml", OVER)
    r = run(tmp_path)
    assert r.returncode == 1
    assert r.stderr == ""
    energy = next(line for line in r.stdout.splitlines() if "plan total: energy" in line)
    assert "25 kWh" in energy and "30 kWh" in energy and "-5 kWh (-20%)" in energy
    assert energy.rstrip().endswith("over")


def test_json_report_is_clean_and_documented(tmp_path: Path) -> None:
    write(tmp_path / "plan.yaml", WARN)
    r = run(tmp_path, "--plan", "plan.yaml", "--format", "json")
    assert r.returncode == 0 and r.stderr == ""
    doc = json.loads(r.stdout)
    assert doc["schema"] == "costcalc/check/1"
    assert doc["status"] == "warn" and doc["exit_code"] == 0
    assert doc["total"]["cost_usd"] == pytest.approx(60)
    assert doc["total"]["co2e_kg"] == pytest.approx(15)
    assert doc["total"]["device_hours"] == pytest.approx(30)
    assert doc["total"]["wall_clock_hours"] == pytest.approx(3)
    (main,) = doc["runs"]
    assert main["repeats"] == 3 and main["estimate"]["cost_usd"] == pytest.approx(20)
    assert main["estimate"]["assumptions"]["pue"]["value"] == 1.0
    co2e = next(b for b in doc["budgets"] if b["metric"] == "co2e")
    assert co2e == {
        "scope": "plan",
        "metric": "co2e",
        "kind": "limit",
        "unit": "kg",
        "limit": pytest.approx(16),
        "limit_text": "16 kg",
        "max_increase_fraction": None,
        "baseline": None,
        "estimate": pytest.approx(15),
        "headroom": pytest.approx(1),
        "headroom_fraction": pytest.approx(1 / 16),
        "warn_at": 0.9,
        "status": "warn",
        "line": line_of(WARN, "limit: 16 kg"),
    }
    strict = json.loads(run(tmp_path, "-p", "plan.yaml", "-f", "json", "--strict").stdout)
    assert strict["exit_code"] == 1 and strict["strict"] is True


def test_markdown_for_a_pr_comment(tmp_path: Path) -> None:
    write(tmp_path / "costcalc.yaml", OVER)
    r = run(tmp_path, "--format", "markdown")
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0] == "### ❌ costcalc check: over budget"
    assert "| Budget | Limit | Estimate | Headroom | Status |" in lines
    assert "| plan total: cost | $100 | $60 | $40 (40%) | ✅ ok |" in lines
    assert "| plan total: energy | 30 kWh | 30 kWh | 0 kWh (0%) | ✅ ok |" not in lines
    assert "| plan total: energy | 25 kWh | 30 kWh | -5 kWh (-20%) | ❌ over |" in lines


def test_github_annotations_point_at_the_plan_line(tmp_path: Path) -> None:
    plan = OVER.replace("  cost: 100 USD\n", "  cost:\n    limit: 70 USD\n    warn_at: 80%\n")
    write(tmp_path / "costcalc.yaml", plan)
    summary = write(tmp_path / "summary.md", "# earlier step\n")
    r = run(tmp_path, "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert r.returncode == 1, r.stderr
    # the report is wrapped in ::stop-commands::TOKEN ... ::TOKEN:: (see test_hostile_render)
    notes = [
        line
        for line in r.stdout.splitlines()
        if line.startswith(("::warning", "::error")) and "title=costcalc budget" in line
    ]
    assert notes == [
        f"::warning file=costcalc.yaml,line={line_of(plan, 'limit: 70 USD')},"
        "title=costcalc budget warn::plan total: cost: $60 is near the budget of $70, "
        "warn at 80%25 (headroom $10 (14.3%25))",
        f"::error file=costcalc.yaml,line={line_of(plan, 'energy: 25 kWh')},"
        "title=costcalc budget over::plan total: energy: 30 kWh exceeds the budget of "
        "25 kWh (headroom -5 kWh (-20%25))",
    ]
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n### ❌ costcalc check: over budget\n")  # appended
    assert "| plan total: energy | 25 kWh | 30 kWh | -5 kWh (-20%) | ❌ over |" in text


def test_baseline_plan_shows_the_change_and_checks_max_increase(tmp_path: Path) -> None:
    write(tmp_path / "old.yaml", BASE_PLAN)
    budgets = "budgets:\n  cost: 1k USD\n  co2e: 1 t\n  max_increase: 10%\n"
    write(tmp_path / "costcalc.yaml", RUN + budgets)
    r = run(tmp_path, "--baseline", "old.yaml")
    # 2 -> 3 repeats: +$20 (+50%) and +5 kg (+50%), over a 10% max_increase.
    assert r.returncode == 1, r.stderr
    assert "This change adds $20 (+50%) and 5 kg CO2e (+50%) in total." in r.stdout
    cost = next(line for line in r.stdout.splitlines() if "plan total: cost increase" in line)
    assert "+$4 (+10%)" in cost and "+$20" in cost and cost.rstrip().endswith("over")
    md = run(tmp_path, "--baseline", "old.yaml", "-f", "markdown").stdout
    assert "**This change adds $20 (+50%) and 5 kg CO2e (+50%) in total.**" in md
    assert "| main | changed | +$20 | +50% | +5 kg CO2e | +50% |" in md


def test_baseline_from_a_json_report(tmp_path: Path) -> None:
    write(tmp_path / "costcalc.yaml", BASE_PLAN)
    report = run(tmp_path, "-f", "json")
    write(tmp_path / "old.json", report.stdout)
    write(tmp_path / "costcalc.yaml", RUN + "budgets:\n  max_increase:\n    cost: 60%\n")
    r = run(tmp_path, "--baseline", "old.json", "-f", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["baseline"]["total"]["delta"]["cost_usd"] == pytest.approx(20)
    assert doc["baseline"]["total"]["delta_fraction"]["co2e_kg"] == pytest.approx(0.5)
    (line,) = doc["budgets"]
    assert line["kind"] == "max_increase" and line["limit"] == pytest.approx(24)
    assert line["estimate"] == pytest.approx(20) and line["status"] == "ok"


def test_hf_card_block(tmp_path: Path) -> None:
    import yaml

    plan = RUN.replace("    repeats: 3\n", "    repeats: 3\n    training_type: fine-tuning\n")
    write(tmp_path / "costcalc.yaml", plan.replace("  carbon_intensity: 500 g/kWh\n", ""))
    r = run(tmp_path, "--format", "hf-card")
    assert r.returncode == 0, r.stderr
    block = yaml.safe_load(r.stdout)["co2_eq_emissions"]
    assert set(block) == {
        "emissions",
        "source",
        "training_type",
        "geographical_location",
        "hardware_used",
    }
    # 30 kWh x the world average 473.007 g/kWh, in grams as the Hub expects.
    assert block["emissions"] == pytest.approx(30 * 473.007, abs=0.1)
    assert block["training_type"] == "fine-tuning"
    assert block["geographical_location"] == "world average grid"
    assert block["hardware_used"].startswith("10 x ") and "(3 runs)" in block["hardware_used"]


def test_latex_sentence_escapes_specials(tmp_path: Path) -> None:
    write(tmp_path / "my_plan&100%.yaml", OK)
    r = run(tmp_path, "--plan", "my_plan&100%.yaml", "--format", "latex")
    assert r.returncode == 0, r.stderr
    text = r.stdout
    assert r"my\_plan\&100\%.yaml" in text
    assert r"$5.4\times10^{19}$ FLOP" in text  # 3 x 1.8e19
    assert r"\$60" in text and r"CO\textsubscript{2}e" in text
    assert text.count("\n") == 1


def test_init_writes_a_working_plan_and_never_overwrites(tmp_path: Path) -> None:
    r = run(tmp_path, "--init")
    assert r.returncode == 0 and r.stdout == ""
    plan = tmp_path / "costcalc.yaml"
    text = plan.read_text(encoding="utf-8")
    assert text.startswith("# costcalc plan")
    assert run(tmp_path).returncode == 0
    write(plan, "mine\n")
    again = run(tmp_path, "--init")
    assert again.returncode == 2 and again.stdout == ""
    assert (
        again.stderr
        == "costcalc: error: --plan: costcalc.yaml already exists; not overwriting it\n"
    )
    assert plan.read_text(encoding="utf-8") == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["costcalc.yaml"]


HOSTILE = [
    ("empty", b"", "plan.yaml: (top level): the plan is empty"),
    ("binary", b"runs:\x00\x01", "plan.yaml: plan is binary, expected YAML text"),
    (
        "alias bomb",
        b"a: &a [1,1,1,1,1,1,1,1,1,1]\n"
        + b"".join(
            f"{x}: &{x} [{', '.join(['*' + y] * 10)}]\n".encode()
            for y, x in zip("abcde", "bcdef", strict=True)
        ),
        "more than 100000 values (an alias bomb?)",
    ),
    (
        "duplicate",
        b"runs:\n  a: {flops: 1e20}\n  a: {flops: 1}\n",
        "plan.yaml:3: duplicate key 'a'",
    ),
    (
        "python tag",
        b"runs: !!python/object/apply:os.system ['true']\n",
        "plan.yaml:1: unsupported YAML tag",
    ),
    ("nan", b"runs: {a: {flops: .nan}}\n", "plan.yaml:1: runs.a.flops: 'nan' is not a number"),
    ("inf", b"runs: {a: {flops: .inf}}\n", "plan.yaml:1: runs.a.flops: 'inf' is too large"),
    ("negative", b"runs: {a: {flops: -1e20}}\n", "runs.a.flops: '-1e20' is negative"),
    (
        "wrong unit",
        b"runs:\n  a: {flops: 1e20}\nbudgets:\n  cost: 20 t\n",
        "plan.yaml:4: budgets.cost: '20 t' is a CO2e mass, expected an amount of money",
    ),
    (
        "unknown field",
        b"runs:\n  a:\n    flops: 1e20\n    hardwre: h100-sxm\n",
        "plan.yaml:4: runs.a.hardwre: unknown field (did you mean 'hardware'?)",
    ),
    (
        "unknown hardware",
        b"defaults:\n  hardware: h100-smx\nruns:\n  a: {flops: 1e20}\n",
        "plan.yaml:2: defaults.hardware: unknown hardware 'h100-smx' (did you mean 'h100-sxm'?)",
    ),
    (
        "unknown budget",
        b"runs:\n  a: {flops: 1e20}\nbudgets:\n  costs: 5 USD\n",
        "plan.yaml:4: budgets.costs: unknown field (did you mean 'cost'?)",
    ),
    ("no runs", b"budgets: {cost: 5 USD}\n", "plan.yaml:1: runs: expected a mapping of named runs"),
    ("two works", b"runs: {a: {flops: 1e20, device_hours: 5}}\n", "give the work one way"),
]


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_plans_exit_2_one_line_nothing_written(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    (tmp_path / "plan.yaml").write_bytes(content)
    summary = tmp_path / "summary.md"
    r = run(tmp_path, "-p", "plan.yaml", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stdout == ""
    assert r.stderr.startswith("costcalc: error: ") and r.stderr.count("\n") == 1, r.stderr
    assert message in r.stderr
    assert "Traceback" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]
    # In GitHub format the same error line, and every problem as an annotation and in the
    # step summary (tests/test_gate.py checks their contents).
    g = run(tmp_path, "-p", "plan.yaml", "-f", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert g.returncode == 2 and g.stderr == r.stderr
    assert g.stdout and all(line.startswith("::error ") for line in g.stdout.splitlines())
    assert summary.read_text(encoding="utf-8").startswith("### ❌ costcalc check: invalid plan")


def test_no_plan_and_bad_baseline_exit_2(tmp_path: Path) -> None:
    r = run(tmp_path)
    assert r.returncode == 2 and "no costcalc.yaml in" in r.stderr and "--init" in r.stderr
    write(tmp_path / "costcalc.yaml", OK)
    r = run(tmp_path, "--baseline", "missing.json")
    assert r.returncode == 2 and r.stderr.startswith("costcalc: error: --baseline missing.json")
    write(tmp_path / "old.json", '{"schema": "costcalc/estimate/1"}')
    r = run(tmp_path, "--baseline", "old.json")
    assert r.returncode == 2 and "unknown report schema" in r.stderr


def test_cost_budget_without_a_price_is_an_input_error(tmp_path: Path, cli, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    plan = "runs:\n  a:\n    flops: 1e20\n    hardware: mi300x\nbudgets:\n  cost: 5 USD\n"
    write(tmp_path / "costcalc.yaml", plan)
    r = cli("check")
    assert r.code == 2 and r.out == ""
    assert r.err == (
        "costcalc: error: costcalc.yaml:2: runs.a: a cost budget needs a price for every run, "
        "and run 'a' (mi300x) has none; give price: (USD/hour)\n"
    )
    # Without a cost budget the plan is fine; the cost is shown as unknown.
    write(tmp_path / "costcalc.yaml", plan.replace("cost: 5 USD", "co2e: 1 t"))
    ok = cli("check")
    assert ok.code == 0, ok.err
    assert "n/a" in ok.out


def test_in_process_runner_agrees(tmp_path: Path, cli, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "costcalc.yaml", OVER)
    r = cli("check", "--format", "json")
    assert r.code == 1 and json.loads(r.out)["status"] == "over"
