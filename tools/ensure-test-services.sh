#!/usr/bin/env bash
# Run by `npm test` first (its pretest script). The tests need, on this machine:
#   - Redis answering on 127.0.0.1:6379, and the redis-server binary (the fault suite starts its own);
#   - PostgreSQL answering on 127.0.0.1:5432 that lets `postgres` in (customers' contacts);
#   - Debian's Chromium at /usr/bin/chromium (the queue dashboard's browser test);
#   - openssl (the abuse suite makes a throwaway certificate for the embedded store's TLS).
# What is installed but not running is started. What is missing is installed
# from Debian's packages when we are root; otherwise we stop at once, with one
# line naming what to install.
set -euo pipefail

# Overridable only so the script's own test can point it elsewhere; the tests themselves use these defaults.
redis_port=${ENSURE_REDIS_PORT:-6379}
postgres_port=${ENSURE_POSTGRES_PORT:-5432}
chromium=${ENSURE_CHROMIUM:-/usr/bin/chromium}

say() { printf '[test services] %s\n' "$*"; }

redis_answers() {
  (exec 3<>/dev/tcp/127.0.0.1/$redis_port && printf 'PING\r\n' >&3 && IFS= read -r -t 2 reply <&3 && [[ $reply == +PONG* ]]) 2>/dev/null
}
postgres_answers() {
  (exec 3<>/dev/tcp/127.0.0.1/$postgres_port) 2>/dev/null
}
wait_for() {
  for _ in $(seq 1 100); do "$1" && return 0; sleep 0.1; done
  return 1
}

# 1. Install what is missing, all at once.
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
postgres_answers || command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
[[ -x $chromium ]] || missing+=(chromium)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)

if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "The tests need Debian's ${missing[*]}: install with 'apt-get install -y ${missing[*]}' (as root), then run npm test again." >&2
    exit 1
  fi
  say "installing Debian's ${missing[*]}"
  # Quiet unless it fails: then its whole output, to say why.
  if ! log=$(apt-get update -qq 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" 2>&1); then
    printf '%s\n' "$log" >&2
    echo "installing ${missing[*]} failed (above)" >&2
    exit 1
  fi
  if [[ " ${missing[*]} " == *" postgresql "* ]]; then
    # A cluster we just installed exists only for the tests: let local connections in without a password, as they expect.
    for hba in /etc/postgresql/*/main/pg_hba.conf; do
      sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+$/\1trust/; s/^(local\s+all\s+all\s+)\S+$/\1trust/' "$hba"
      pg_ctlcluster "$(basename "$(dirname "$(dirname "$hba")")")" main reload 2>/dev/null || true
    done
  fi
fi

# 2. Start what is installed but not running.
if ! redis_answers; then
  say "starting redis-server on 127.0.0.1:$redis_port"
  # Keeps nothing on disk: test data only.
  redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --dir /tmp >/dev/null
  wait_for redis_answers || { echo "redis-server did not answer on 127.0.0.1:$redis_port after starting it; see its log" >&2; exit 1; }
fi

if ! postgres_answers; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "PostgreSQL is installed but not running: start it with 'service postgresql start' (as root), then run npm test again." >&2
    exit 1
  fi
  say "starting postgresql"
  for cluster in /etc/postgresql/*/main; do
    version=$(basename "$(dirname "$cluster")")
    pg_ctlcluster "$version" main start || true
  done
  wait_for postgres_answers || { echo "PostgreSQL did not answer on 127.0.0.1:$postgres_port after starting it; see /var/log/postgresql" >&2; exit 1; }
fi

# 3. The tests connect as `postgres` without a password (PERSONAL_DATA_URL in test/support/api-harness.ts).
if command -v psql >/dev/null 2>&1 && ! PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -p "$postgres_port" -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
  echo "PostgreSQL on 127.0.0.1:$postgres_port does not let user postgres in without a password: add 'host all all 127.0.0.1/32 trust' to its pg_hba.conf (tests only), reload it, then run npm test again." >&2
  exit 1
fi
