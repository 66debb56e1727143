#!/bin/bash
# Per-core figures for docs/capacity.md: runs `csn-rt serve` and one
# `csn-rt simulate` against it (separate processes, so the backend's CPU and
# the load generator's are told apart), and over a steady window of the run
# reads both sides' CPU time from /proc. Prints the window's CPU (cores used
# by each side), the work done per second during the load phase (from the
# report's timeline) and the two divided: viewers and deliveries/s per
# generator core, deliveries/s and heartbeats/s per backend core. The report
# holds the rest (latency, thresholds, generator health).
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

# Load processes appear once seeding is done (seeding 10,000 users takes
# about a minute on a busy 2-core machine); bounded wait, and a window that
# would open on seeding instead of load is refused.
appeared=""
for _ in $(seq 1 1200); do
  if [ "$(tree "$sim_pid" | wc -l)" -gt 1 ]; then appeared=1; break; fi
  kill -0 "$sim_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$appeared" ]; then
  echo "no load process appeared within 10 minutes (or simulate ended first):" >&2
  cat "$work/simulate.out" >&2
  exit 1
fi
sleep $((ramp + 5))
gen_pids="$(tree "$sim_pid" | tr '\n' ' ')"
# shellcheck disable=SC2086
backend_start=$(ticks $serve_pids) generator_start=$(ticks $gen_pids) started=$(date +%s.%N)
sleep "$window"
# shellcheck disable=SC2086
backend_end=$(ticks $serve_pids) generator_end=$(ticks $gen_pids) ended=$(date +%s.%N)
load_during="$(cut -d' ' -f1-3 /proc/loadavg)"
# A load process that ended inside the window would count 0 ticks at its end.
if ! kill -0 "$sim_pid" 2>/dev/null; then
  echo "simulate ended inside the window: make --duration longer than RAMP_S + WINDOW_S + 10 s" >&2
  cat "$work/simulate.out" >&2
  exit 1
fi

code=0
wait "$sim_pid" || code=$?
sim_pid=""
cat "$work/simulate.out" >&2
cores="$(awk -v b0="$backend_start" -v b1="$backend_end" -v g0="$generator_start" -v g1="$generator_end" \
  -v t0="$started" -v t1="$ended" -v hz="$tick" 'BEGIN {
  s = t1 - t0
  printf "%.1f %.3f %.3f", s, (b1 - b0) / hz / s, (g1 - g0) / hz / s
}')"
read -r seconds backend_cores generator_cores <<< "$cores"
echo "window ${seconds} s: backend ${backend_cores} cores, generator ${generator_cores} cores (all load processes and their coordinator); load average ${load_during}; simulate exit ${code}"
# Work per second while the load ran, and per core of each side. Timeline
# points are stamped at the END of their 1 s interval, so the load phase
# [ramp, ramp + duration) is the points with ramp < t <= ramp + duration.
# Deliveries: every passive receiver's first sighting of a message.
node -e '
const [file, backend, generator] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const r = JSON.parse(require("fs").readFileSync(file, "utf8"));
const from = r.config.rampMs / 1000, to = from + r.config.durationMs / 1000;
const points = r.timeline.points.filter((p) => p.t > from && p.t <= to);
const perSecond = (metric) => points.reduce((n, p) => n + (p.latencies[metric]?.count ?? 0), 0) / (to - from);
const deliveries = perSecond("mutation_observed_us"), heartbeats = perSecond("heartbeat_duration_us"), sends = perSecond("chat_send_us");
const per = (x, c) => (c > 0 ? Math.round(x / c) : "n/a");
console.log(`${r.scenario}: ${r.config.viewers} viewers, ${r.config.games} game(s); during load per second: ${Math.round(deliveries)} deliveries, ${heartbeats.toFixed(1)} heartbeats, ${sends.toFixed(1)} chat sends; verdict ${r.verdict}`);
console.log(`per core: ${per(r.config.viewers, generator)} viewers and ${per(deliveries, generator)} deliveries/s per generator core; ${per(deliveries, backend)} deliveries/s and ${per(heartbeats, backend)} heartbeats/s per backend core`);
console.log(`generator health: ${r.generator.processes} process(es), lag p99 ${r.generator.eventLoopLagMs.p99} ms, CPU per process mean ${r.generator.cpuPercent.mean} % max ${r.generator.cpuPercent.max} %, dropped arrivals ${r.generator.droppedArrivals}`);
' "$report" "$backend_cores" "$generator_cores"
