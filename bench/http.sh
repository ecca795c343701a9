#!/usr/bin/env bash
# HTTP throughput with wrk (a C client: not the bottleneck), every figure beside /healthz on
# the same server in the same run. Runs inside the scale stack, against one web process:
#   bench/scale/run.sh bench/http.sh            (WRK_SECONDS=10, WRK_CONNECTIONS=8)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
URL=${HTTP_URL:-http://127.0.0.1:${WEB1_PORT:-5001}}
SECONDS_=${WRK_SECONDS:-10} CONNS=${WRK_CONNECTIONS:-8} THREADS=${WRK_THREADS:-2}
TOKEN=$(.venv/bin/python -c "import json,os; print(json.load(open(os.environ['SCALE_RUN_DIR']+'/tokens.json'))['students'][0]['token'])")
LUA=$(mktemp --suffix=.lua)
trap 'rm -f "$LUA"' EXIT
printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$TOKEN" >"$LUA"

# warm the student's dashboard (the first read computes it) and the identity cache
curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL/api/v1/student/dashboard"

rate() {  # path -> requests/s; any answer but 2xx fails the run (a 429 is not the endpoint)
    local out
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"${SECONDS_}s" -s "$LUA" "$URL$1")
    if grep -q "Non-2xx" <<<"$out"; then
        echo "$1: $(grep Non-2xx <<<"$out"); every answer must be 2xx" >&2
        exit 1
    fi
    awk '/Requests\/sec/ {print $2}' <<<"$out"
}
healthz=$(rate /healthz)
me=$(rate /api/v1/auth/me)
dashboard=$(rate /api/v1/student/dashboard)
healthz2=$(rate /healthz)
awk -v h1="$healthz" -v h2="$healthz2" -v me="$me" -v d="$dashboard" -v c="$CONNS" 'BEGIN {
    h = (h1 + h2) / 2
    printf "wrk, %d connections, %s\n", c, ENVIRON["SOCKETIO_ASYNC_MODE"]
    printf "/healthz                 %8.0f req/s (before %.0f, after %.0f)\n", h, h1, h2
    printf "/auth/me                 %8.0f req/s  %3.0f%% of /healthz\n", me, 100 * me / h
    printf "/student/dashboard (hit) %8.0f req/s  %3.0f%% of /healthz\n", d, 100 * d / h
}'
