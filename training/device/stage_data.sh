#!/usr/bin/env bash
# Here, before a GPU job: pack the data the trainer reads from ../shared/data into .devdata/
# (git-ignored through .git/info/exclude) so the `device` tool can carry it. The traces go as
# lossless LZMA packs (swipe.trace_pack, ~3.7x smaller than the gzip'd JSON): the tool carries
# 64 MiB in all, and the tracked tree alone is most of that.
set -euo pipefail
cd "$(dirname "$0")/../.."
src=${SWIPE_DATA_DIR:-../shared/data}
py=${PYTHON:-training/.venv/bin/python}
grep -qx '/.devdata/' .git/info/exclude 2>/dev/null || { mkdir -p .git/info; echo '/.devdata/' >> .git/info/exclude; }
rm -rf .devdata
mkdir -p .devdata/hws
# all of train; of dev, the first 2000 (the trainer's dev metric reads the first dev_limit)
PYTHONPATH=training "$py" -m swipe.trace_pack pack "$src/hws/train.jsonl.gz" .devdata/hws/train.pack
PYTHONPATH=training "$py" -m swipe.trace_pack pack "$src/hws/dev.jsonl.gz" .devdata/hws/dev.pack --limit 2000
mkdir -p .devdata/lexicon
cp -r "$src"/layouts .devdata/
cp "$src"/lexicon/en-words.tsv .devdata/lexicon/  # the synthetic words; nothing else is read
du -sh .devdata
echo "tracked + .devdata: $(( ($(git ls-files -z | xargs -0 du -cb | tail -1 | cut -f1) + $(du -sb .devdata | cut -f1)) / 1048576 )) MiB (the device tool's limit: 64)"
