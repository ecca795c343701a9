#!/usr/bin/env bash
# HTTP throughput with wrk (a C client: not the bottleneck), every figure beside /healthz on
# the same server in the same run. Runs inside the scale stack, against one web process:
#   bench/scale/run.sh bench/http.sh     (WRK_ROUNDS=5, WRK_SECONDS=5, WRK_CONNECTIONS=8)
# A shared virtual machine's speed drifts by tens of percent within a minute, so each round
# measures /healthz, /auth/me and the cached dashboard back to back, a ratio is taken within
# its round (against the mean of the /healthz runs before and after it), and the median
# round is reported with the spread. Beside it, the web process's own CPU time per request
# (from /proc): time the hypervisor took away is not charged to it, so that ratio moves far
# less, and a server that is CPU-bound serves in inverse proportion to it.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
URL=${HTTP_URL:-http://127.0.0.1:${WEB1_PORT:-5001}}
PID=$(cat "$SCALE_RUN_DIR/web1.pid")  # the process on WEB1_PORT
ROUNDS=${WRK_ROUNDS:-5} SECONDS_=${WRK_SECONDS:-5} CONNS=${WRK_CONNECTIONS:-8} THREADS=${WRK_THREADS:-2}
TOKEN=$(.venv/bin/python -c "import json,os; print(json.load(open(os.environ['SCALE_RUN_DIR']+'/tokens.json'))['students'][0]['token'])")
LUA=$(mktemp --suffix=.lua)
trap 'rm -f "$LUA"' EXIT
printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$TOKEN" >"$LUA"

# warm the student's dashboard (the first read computes it) and the identity cache
curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL/api/v1/student/dashboard"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }  # user + system, in clock ticks

rate() {  # path -> "requests/s µs-of-CPU-per-request"; any answer but 2xx fails the run
    local out before after
    before=$(cpu_ticks)
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"${SECONDS_}s" -s "$LUA" "$URL$1")
    after=$(cpu_ticks)
    if grep -q "Non-2xx" <<<"$out"; then  # a 429 is the limiter, not the endpoint
        echo "$1: $(grep Non-2xx <<<"$out"); every answer must be 2xx" >&2
        exit 1
    fi
    awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
        /requests in/ {n = $1} /Requests\/sec/ {r = $2}
        END {printf "%s %.0f\n", r, 1e6 * ticks / hz / n}' <<<"$out"
}
rows=""
healthz=$(rate /healthz)
for _ in $(seq "$ROUNDS"); do
    me=$(rate /api/v1/auth/me)
    dashboard=$(rate /api/v1/student/dashboard)
    after=$(rate /healthz)
    rows+="$healthz $after $me $dashboard"$'\n'
    healthz=$after
done
printf '%s' "$rows" | awk -v c="$CONNS" -v s="$SECONDS_" '
    function median(a, n,   i, j, t) {
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    # a row: /healthz before (req/s, µs CPU), after (same), /auth/me (same), dashboard (same)
    {
        n++; h = ($1 + $3) / 2; hc = ($2 + $4) / 2
        hz[n] = h; me[n] = $5; d[n] = $7; rme[n] = 100 * $5 / h; rd[n] = 100 * $7 / h
        hcpu[n] = hc; mecpu[n] = $6; dcpu[n] = $8; cme[n] = 100 * hc / $6; cd[n] = 100 * hc / $8
        printf "round %d: /healthz %5.0f/s %4.0f µs  /auth/me %5.0f/s %4.0f µs (%3.0f%%, CPU %3.0f%%)  dashboard %5.0f/s %4.0f µs (%3.0f%%, CPU %3.0f%%)\n", \
            n, h, hc, $5, $6, rme[n], cme[n], $7, $8, rd[n], cd[n]
    }
    END {
        printf "wrk, %d connections, %d rounds of %d s per path, %s\n", c, n, s, ENVIRON["SOCKETIO_ASYNC_MODE"]
        printf "/healthz                 %8.0f req/s (median)\n", median(hz, n)
        lo = 1e9; hi = 0; for (i = 1; i <= n; i++) { lo = rme[i] < lo ? rme[i] : lo; hi = rme[i] > hi ? rme[i] : hi }
        printf "/auth/me                 %8.0f req/s  %3.0f%% of /healthz (median round; %.0f-%.0f%%)\n", median(me, n), median(rme, n), lo, hi
        lo = 1e9; hi = 0; for (i = 1; i <= n; i++) { lo = rd[i] < lo ? rd[i] : lo; hi = rd[i] > hi ? rd[i] : hi }
        printf "/student/dashboard (hit) %8.0f req/s  %3.0f%% of /healthz (median round; %.0f-%.0f%%)\n", median(d, n), median(rd, n), lo, hi
        printf "web process CPU per request (median): /healthz %.0f µs, /auth/me %.0f µs (/healthz is %.0f%% of it), dashboard %.0f µs (%.0f%%)\n", \
            median(hcpu, n), median(mecpu, n), median(cme, n), median(dcpu, n), median(cd, n)
    }'
