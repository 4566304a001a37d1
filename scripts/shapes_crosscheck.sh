#!/usr/bin/env bash
# Runs llm-analysis 0.2.2 (a dev-only tool, never a costcalc dependency) on the layouts of
# docs/shapes-crosscheck.md and leaves its summary JSON files in $1 (default /tmp/xcheck).
# Set up once: python3 -m venv .venv-xcheck && .venv-xcheck/bin/pip install llm-analysis==0.2.2
# Then: scripts/shapes_crosscheck.sh /tmp/xcheck && .venv/bin/python scripts/shapes_crosscheck.py /tmp/xcheck
set -euo pipefail
out=${1:-/tmp/xcheck}
py=${LLM_ANALYSIS_PYTHON:-.venv-xcheck/bin/python}
mkdir -p "$out"
run() {  # suffix model seq tp pp dp zero recompute gated
  "$py" -m llm_analysis.analysis train --model_name "$2" --gpu_name a100-sxm-80gb \
    --seq_len "$3" --batch_size_per_gpu 1 --tp_size "$4" --pp_size "$5" --dp_size "$6" \
    --total_num_gpus $(($4 * $5 * $6)) --global_batch_size $(($6 * 64)) --ds_zero "$7" \
    --activation_recomputation "$8" --mlp_gated_linear_units "$9" --flash_attn False \
    --total_num_tokens 1000000000 --output_dir "$out" --output_file_suffix "_$1" --log_level ERROR >/dev/null 2>&1
}
# GPT-3 175B as Korthikanti et al. 2022 Table 3: tp 8, pp 8, micro-batch 1, seq 2048
run gpt3-none     megatron-lm-175b           2048 8 8 1 0 0 False
run gpt3-selective megatron-lm-175b          2048 8 8 1 0 1 False
run gpt3-full     megatron-lm-175b           2048 8 8 1 0 2 False
# Llama 2 7B: 8 GPUs, ZeRO-3 (FSDP), seq 4096
run l7-selective  NousResearch_Llama-2-7b-hf 4096 1 1 8 3 1 True
run l7-full       NousResearch_Llama-2-7b-hf 4096 1 1 8 3 2 True
# Llama 2 70B: tp 8, pp 4, dp 2, ZeRO-1, seq 4096
run l70-selective upstage_Llama-2-70b-instruct-v2 4096 8 4 2 1 1 True
run l70-full      upstage_Llama-2-70b-instruct-v2 4096 8 4 2 1 2 True
ls "$out"/*summary.json
