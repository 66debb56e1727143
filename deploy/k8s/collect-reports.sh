#!/bin/sh
# Fetches the shard reports of a finished csn-rt Indexed Job from its pods'
# logs (each pod prints its report between two marker lines, see
# shards-job.yaml) and merges them into one report.
#
#   deploy/k8s/collect-reports.sh [JOB] [DIR]      (defaults: csn-rt-shards, reports/JOB)
#
# Needs kubectl pointed at the cluster and this repository (the merge runs
# `node bin/csn-rt report merge` locally). Exits non-zero when no report was
# found; a missing shard is named in the merged report's notes.
set -eu

job="${1:-csn-rt-shards}"
dir="${2:-reports/$job}"
here="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$dir"

found=0
for pod in $(kubectl get pods --selector "job-name=$job" --output name); do
  name="${pod#pod/}"
  index="$(kubectl get "$pod" --output 'jsonpath={.metadata.annotations.batch\.kubernetes\.io/job-completion-index}')"
  out="$dir/shard-$((index + 1)).json"
  kubectl logs "$pod" --container simulate \
    | awk '/^--- csn-rt report end ---$/ { inside = 0 } inside { print } /^--- csn-rt report begin ---$/ { inside = 1 }' > "$out"
  if [ -s "$out" ]; then
    echo "$name (completion index $index): $out"
    found=$((found + 1))
  else
    echo "$name (completion index $index): no report in its log" >&2
    rm -f "$out"
  fi
done

if [ "$found" -eq 0 ]; then
  echo "no shard reports found for job $job" >&2
  exit 1
fi
node "$here/bin/csn-rt" report merge "$dir"/shard-*.json -o "$dir/merged.json"
