#!/usr/bin/env bash
# Two web processes and a worker behind HAProxy, on loopback only. Usage:
#   bench/scale/run.sh                      # up until Ctrl-C (or SCALE_SECONDS, default 1800)
#   bench/scale/run.sh CMD ARGS...          # up, run CMD against it, then down
# Settings (environment): SCALE_STUDENTS (1000), SCALE_MENTORS (100), SOCKETIO_ASYNC_MODE
# (gevent), PROXY_PORT (8000), PROXY_PROCESSES (2), WEB1_PORT (5001), WEB2_PORT (5002), BENCH_DATABASE_URL,
# BENCH_REDIS_URL. The database named there is dropped and re-created. In Redis the run uses a
# namespace of its own (PULSE_NAMESPACE=scale-<pid>-<time>, its Socket.IO channel derived from
# it): it never clears data it did not create, and two runs on one Redis server stay apart.
# At the end it deletes only its own namespace's keys.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python

if ! command -v haproxy >/dev/null; then
    echo "installing haproxy (Debian package)"
    apt-get install -y -qq haproxy >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq haproxy; }
fi

export PULSE_ENV=development
export DATABASE_URL=${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/pulse_scale}
export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/11}
export SOCKETIO_ASYNC_MODE=${SOCKETIO_ASYNC_MODE:-gevent}
export PULSE_NAMESPACE=${PULSE_NAMESPACE:-scale-$$-$(date +%s)}
unset SOCKETIO_CHANNEL  # <namespace>:socketio: this run's own
export CHATBOT_API_KEYS=scale-chatbot-key
# Limits are still counted on every request (the same cost as in production), only never
# reached: a benchmark that hits them measures 429 answers, not the endpoint.
export CHATBOT_RATE_LIMIT="100000000 per minute" LOGIN_RATE_LIMIT="100000000 per minute"
export RATE_LIMIT_AUTHENTICATED="100000000 per hour" RATE_LIMIT_ANONYMOUS="100000000 per hour"
export PYTHONWARNINGS=ignore HOST=127.0.0.1
PROXY_PORT=${PROXY_PORT:-8000} WEB1_PORT=${WEB1_PORT:-5001} WEB2_PORT=${WEB2_PORT:-5002}
export SCALE_RUN_DIR=${SCALE_RUN_DIR:-$(mktemp -d /tmp/pulse-scale.XXXX)}
export SCALE_URL=http://127.0.0.1:$PROXY_PORT
mkdir -p "$SCALE_RUN_DIR"
echo "run dir: $SCALE_RUN_DIR  proxy: $SCALE_URL  mode: $SOCKETIO_ASYNC_MODE  namespace: $PULSE_NAMESPACE"

# 10,000 sockets through a proxy need ~2 descriptors each there (client and server side):
# raise the limit when allowed (root may raise the hard limit too).
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "open-files limit: $(ulimit -n)"

PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    forget_namespace
}
forget_namespace() {  # this run's keys only (RQ's job keys without an id of ours expire by themselves)
    $PY bench/scale/forget_namespace.py || true
}
trap cleanup EXIT INT TERM

# a fresh database and Redis db, then the users and their tokens
name=${DATABASE_URL##*/}
psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" -c "CREATE DATABASE \"$name\"" >/dev/null
# No FLUSHDB: this run's namespace is new, so Redis holds nothing of it yet.
FLASK_APP=app:create_app $ROOT/.venv/bin/flask db upgrade >/dev/null 2>&1
$PY bench/scale/seed.py "$SCALE_RUN_DIR/tokens.json" "${SCALE_STUDENTS:-1000}" "${SCALE_MENTORS:-100}"

start() {  # name, command...
    local name=$1; shift
    "$@" >"$SCALE_RUN_DIR/$name.log" 2>&1 &
    PIDS+=($!)
    echo $! >"$SCALE_RUN_DIR/$name.pid"
}
PORT=$WEB1_PORT start web1 $PY wsgi.py
PORT=$WEB2_PORT start web2 $PY wsgi.py
start worker $PY worker.py
wait_for() {  # port
    for i in $(seq 151); do
        curl -fs -o /dev/null "http://127.0.0.1:$1/healthz" && return 0
        [ "$i" = 151 ] && { echo "nothing answers on :$1; logs in $SCALE_RUN_DIR" >&2; exit 1; }
        sleep 0.2
    done
}
wait_for "$WEB1_PORT"
wait_for "$WEB2_PORT"
# HAProxy holds two descriptors per connection, so one process holds at most (open-files
# limit - 100) / 2 connections: 9,950 under a 20,000 hard limit. PROXY_PROCESSES (2) HAProxy
# processes bind the same port (SO_REUSEPORT, HAProxy's default on Linux) and the kernel
# spreads new connections over them; the sticky cookie names a web process, so any of them
# routes a polling client to the same one.
MAXCONN=${PROXY_MAXCONN:-$(( ($(ulimit -n) - 100) / 2 ))}
sed -e "s/@MAXCONN@/$MAXCONN/g" -e "s/@PROXY_PORT@/$PROXY_PORT/" -e "s/@WEB1_PORT@/$WEB1_PORT/" -e "s/@WEB2_PORT@/$WEB2_PORT/" \
    bench/scale/haproxy.cfg.in >"$SCALE_RUN_DIR/haproxy.cfg"
for i in $(seq "${PROXY_PROCESSES:-2}"); do
    start "haproxy$i" haproxy -f "$SCALE_RUN_DIR/haproxy.cfg" -db
done
wait_for "$PROXY_PORT"

echo "up: web1 :$WEB1_PORT, web2 :$WEB2_PORT, worker, ${PROXY_PROCESSES:-2} x haproxy :$PROXY_PORT (maxconn $MAXCONN each)"

if [ $# -gt 0 ]; then
    "$@"
else
    echo "Ctrl-C to stop (stops by itself after ${SCALE_SECONDS:-1800} s)"
    sleep "${SCALE_SECONDS:-1800}"
fi
