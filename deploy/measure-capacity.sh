#!/bin/bash
# Per-core figures for docs/capacity.md: runs `csn-rt serve` and one
# `csn-rt simulate` against it (separate processes, so the backend's CPU and
# the load generator's are told apart), and over a steady window of the run
# reads both sides' CPU time from /proc. Prints one line of figures; the
# report holds the rest (deliveries, latency, generator health).
#
#   deploy/measure-capacity.sh RAMP_S WINDOW_S REPORT -- SIMULATE_ARGS…
#
# The window opens RAMP_S + 5 s after the load processes appear (every
# viewer connected, load running) and lasts WINDOW_S; keep it inside the
# run's --duration. Linux only (/proc). Load only to loopback.
set -euo pipefail

ramp="$1" window="$2" report="$3"
shift 3
[ "${1:-}" = "--" ] && shift
root="$(cd "$(dirname "$0")/.." && pwd)"
tick="$(getconf CLK_TCK)"
work="$(mktemp -d)"
serve_pid="" sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# CPU ticks (user + system) of the given processes; a process that is gone counts 0.
ticks() {
  local total=0 pid
  for pid in "$@"; do
    if [ -r "/proc/$pid/stat" ]; then
      total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    fi
  done
  echo "$total"
}

# A process and all its descendants.
tree() {
  local pid="$1" child
  echo "$pid"
  for child in $(pgrep -P "$pid" || true); do tree "$child"; done
}

cd "$root"
node bin/csn-rt keys --key-file "$work/key.json" --format json > "$work/env.json"
issuer="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).CSN_AUTH_ISSUER)' "$work/env.json")"
jwks="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).CSN_AUTH_JWKS)' "$work/env.json")"

CSN_AUTH_ISSUER="$issuer" CSN_AUTH_JWKS="$jwks" node bin/csn-rt serve --port 0 > "$work/serve.out" 2> "$work/serve.err" &
serve_pid=$!
for _ in $(seq 1 60); do grep -q '^CONVEX_ADMIN_KEY=' "$work/serve.out" 2>/dev/null && break; sleep 0.5; done
url="$(sed -n 's/^CONVEX_URL=//p' "$work/serve.out")"
admin="$(sed -n 's/^CONVEX_ADMIN_KEY=//p' "$work/serve.out")"
[ -n "$url" ] || { echo "csn-rt serve did not start: $(cat "$work/serve.err")" >&2; exit 1; }
# The Node process that serves (the launcher may be its parent).
serve_pids="$(tree "$serve_pid" | tr '\n' ' ')"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
node bin/csn-rt simulate "$@" --url "$url" --admin-key "$admin" --key-file "$work/key.json" --issuer "$issuer" \
  --report "$report" --quiet > "$work/simulate.out" 2>&1 &
sim_pid=$!

# Load processes appear once seeding is done; bounded wait.
for _ in $(seq 1 240); do
  [ "$(tree "$sim_pid" | wc -l)" -gt 1 ] && break
  sleep 0.5
done
sleep $((ramp + 5))
gen_pids="$(tree "$sim_pid" | tr '\n' ' ')"
# shellcheck disable=SC2086
backend_start=$(ticks $serve_pids) generator_start=$(ticks $gen_pids) started=$(date +%s.%N)
sleep "$window"
# shellcheck disable=SC2086
backend_end=$(ticks $serve_pids) generator_end=$(ticks $gen_pids) ended=$(date +%s.%N)
load_during="$(cut -d' ' -f1-3 /proc/loadavg)"

code=0
wait "$sim_pid" || code=$?
sim_pid=""
cat "$work/simulate.out" >&2
awk -v b0="$backend_start" -v b1="$backend_end" -v g0="$generator_start" -v g1="$generator_end" \
  -v t0="$started" -v t1="$ended" -v hz="$tick" -v load="$load_during" -v code="$code" 'BEGIN {
  s = t1 - t0
  printf "window %.1f s: backend %.2f cores, generator %.2f cores (all load processes and their coordinator); load average %s; simulate exit %d\n",
    s, (b1 - b0) / hz / s, (g1 - g0) / hz / s, load, code
}'
# Deliveries timed per second while the load ran (every passive receiver's first sighting of a message).
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const from = r.config.rampMs / 1000, to = from + r.config.durationMs / 1000;
const seen = r.timeline.points.filter((p) => p.t >= from && p.t < to).reduce((n, p) => n + (p.latencies.mutation_observed_us?.count ?? 0), 0);
console.log(`${r.scenario}: ${r.config.viewers} viewers, ${Math.round(seen / (to - from))} deliveries/s during load, verdict ${r.verdict}; generator CPU per process mean ${r.generator.cpuPercent.mean} % max ${r.generator.cpuPercent.max} % over ${r.generator.processes} process(es)`);
' "$report"
