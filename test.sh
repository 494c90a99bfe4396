#!/usr/bin/env bash
# Runs every test of CityOps.Twin on a fresh machine of this project's kind: installs what the tests need
# (PostgreSQL 15's server; Chromium and CJK fonts for the browser tests), starts a private PostgreSQL cluster in a temp folder for the tests, runs every
# test project, the benchmarks' quick mode and a 2-minute soak, stops the cluster, and ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"

PG_BIN=/usr/lib/postgresql/15/bin
WORK=$(mktemp -d /tmp/cityops-test.XXXXXX)
LOG="$WORK/test.log"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_postgres() {
  if [ -f "$WORK/pg/postmaster.pid" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap stop_postgres EXIT

install_prerequisites() {
  local packages=()
  [ -x "$PG_BIN/initdb" ] || packages+=(postgresql-15)
  # The end-to-end tests drive Debian's Chromium (never a downloaded browser); the twin view is in Chinese.
  [ -x /usr/bin/chromium ] || packages+=(chromium)
  fc-list 2>/dev/null | grep -q "Noto Sans CJK" || packages+=(fonts-noto-cjk)
  if [ ${#packages[@]} -gt 0 ]; then
    echo "== installing ${packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  fi
}

start_postgres() {
  if [ "$(id -u)" = 0 ]; then chown postgres "$WORK"; fi
  as_postgres "$PG_BIN/initdb" -D "$WORK/pg" -A trust -U twin >/dev/null
  # max_connections: test classes run side by side, each with silos whose pools hold up to 20 connections; the
  # default 100 was exceeded ("too many clients") when storage tests of several classes overlapped.
  for attempt in 1 2 3 4 5; do
    PG_PORT=$((20000 + RANDOM % 20000))
    if as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -w -t 30 -l "$WORK/pg.log" \
         -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null; then
      export TWIN_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=twin;Database=postgres;Pooling=true"
      echo "== PostgreSQL for the tests on 127.0.0.1:$PG_PORT"
      return
    fi
  done
  cat "$WORK/pg.log" >&2
  echo "PostgreSQL did not start" >&2
  exit 1
}

install_prerequisites
start_postgres

echo "== building"
dotnet build CityOps.Twin.sln -c Release -nologo -v q

echo "== tests"
status=0
# The browser tests hold the twin view to wall-clock promises (an alarm on screen within 2 s of its reading),
# so they run after the other projects, not beside them on the same two cores.
dotnet test CityOps.Twin.sln -c Release --no-build -nologo --filter "FullyQualifiedName!~CityOps.Twin.EndToEnd&FullyQualifiedName!~CityOps.Twin.Cluster" 2>&1 | tee "$LOG" || status=$?
# The cluster tests run three silo processes at a time and time their failover: alone, after the others. Detailed
# verbosity prints what each measured (failover seconds, failed calls, restart seconds, readings lost in the window).
echo "== cluster tests (silo processes over one PostgreSQL)"
dotnet test tests/CityOps.Twin.Cluster.Tests -c Release --no-build -nologo --logger "console;verbosity=detailed" 2>&1 | tee -a "$LOG" || status=$?
dotnet test tests/CityOps.Twin.EndToEnd.Tests -c Release --no-build -nologo 2>&1 | tee -a "$LOG" || status=$?

echo "== benchmarks, quick mode (checks every benchmark's results at tiny size)"
bench_status=0
dotnet run -c Release --no-build --project bench -- quick 2>&1 | tee -a "$LOG" || bench_status=$?

echo "== soak, 2 minutes (memory and queue depths must stay flat; 'bench -- soak' runs the full 30)"
soak_status=0
dotnet run -c Release --no-build --project bench -- soak 2 2>&1 | tee -a "$LOG" || soak_status=$?

echo "== screenshots of the twin view: tests/CityOps.Twin.EndToEnd.Tests/bin/Release/net10.0/screenshots/"

passed=$(grep -Eo 'Passed: +[0-9]+' "$LOG" | awk '{s += $2} END {print s + 0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$LOG" | awk '{s += $2} END {print s + 0}')
if [ "$bench_status" -ne 0 ]; then failed=$((failed + 1)); else passed=$((passed + 1)); fi
if [ "$soak_status" -ne 0 ]; then failed=$((failed + 1)); else passed=$((passed + 1)); fi
# The names of the failed tests and the first lines of what each said, last, where a reader of the run's tail looks.
if [ "$failed" -ne 0 ]; then
  echo "== failed"
  awk '/^  Failed [A-Za-z]/ { n = 12 } /^  Stack Trace:/ { n = 0 } n > 0 { print; n-- }' "$LOG" | cut -c1-400
fi
echo "$passed passed, $failed failed"
if [ "$status" -ne 0 ] || [ "$bench_status" -ne 0 ] || [ "$soak_status" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
