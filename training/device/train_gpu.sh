#!/usr/bin/env bash
# One bounded training job on the lent GPU machine, run by the `device` tool from the repo root:
#   bash training/device/stage_data.sh                      # here, once
#   run(command="bash training/device/train_gpu.sh training/configs/gpu-v4.json 7",
#       carry=[".devdata"], timeout_s=600)
# Trains for at most MINUTES after loading the data (the trainer saves and stops itself), then
# puts what may come back (8 files of at most 16 MiB) in $OUT: slim best.pt / last.pt (no optimizer, so continue with
# init_from), log.jsonl, config.json. Uses the machine's own python3 (it holds a CUDA torch).
set -euo pipefail
config=${1:?config}
minutes=${2:-7}
py=${PYTHON:-python3}      # PYTHON and SWIPE_DEVICE let the script be tried on a CPU box
device=${SWIPE_DEVICE:-cuda}
root=$PWD
data=/tmp/swipe-data
export PYTHONPATH=$root/training PYTHONUNBUFFERED=1 SWIPE_DATA_DIR=$data
out=${OUT:-/tmp/out}
mkdir -p "$out" "$data/hws"
cp -r "$root/.devdata/layouts" "$root/.devdata/lexicon" "$data/"
for split in train dev; do
  "$py" -m swipe.trace_pack unpack "$root/.devdata/hws/$split.pack" "$data/hws/$split.jsonl.gz"
done
nvidia-smi -L || true
"$py" -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())'
name=$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["name"])' "$config")
hours=$("$py" -c "print($minutes / 60)")
set +e
"$py" -m swipe.train --config "$config" --runs_dir /tmp/runs --data_dir "$data" \
  --device "$device" --max_hours "$hours" 2>&1 | tr '\r' '\n' | grep -v '^ *[0-9]*%|' | tee "$out/train.txt"
rc=${PIPESTATUS[0]}
set -e
run=/tmp/runs/$name
for k in best last; do
  [[ -f $run/$k.pt ]] && "$py" -m swipe.checkpoint --slim "$run/$k.pt" "$out/$k.pt"
done
cp "$run/log.jsonl" "$run/config.json" "$out/" 2>/dev/null || true
ls -la "$out"
exit "$rc"
