#!/usr/bin/env bash
# npm run test:on-date -- <YYYY-MM-DD> [jest arguments]
# Runs the Jest suites with this machine's date set to the given day (10:00
# UTC, then moving on as usual), through libfaketime: every process the tests
# start (api, worker, store, their own Redis) inherits it. No test may depend
# on the day it runs; this is how that is shown (docs/testing.md).
set -euo pipefail

day=${1:?usage: npm run test:on-date -- YYYY-MM-DD [jest arguments]}
shift
[[ $day =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || { echo "not a day: $day (YYYY-MM-DD)" >&2; exit 2; }

if ! command -v faketime >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Needs Debian's faketime: install with 'apt-get install -y faketime' (as root), then run this again." >&2
    exit 1
  fi
  apt-get install -y faketime >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y faketime >/dev/null; }
fi

bash "$(dirname "$0")/ensure-test-services.sh"
# Timers run on the real monotonic clock; only the calendar moves.
export FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=UTC
# Redis (server and cli) and Chromium keep the real date: libfaketime breaks
# their start-up (jemalloc's clock_gettime recursion), and none decides
# anything by the calendar. The tests find them on PATH and CHROMIUM_PATH:
# wrappers that drop it, runnable by the unprivileged user some tests use and
# with no PATH of their own (those tests give a bare one).
real=$(mktemp -d)
chmod 755 "$real"
trap 'rm -rf "$real"' EXIT
envbin=$(command -v env)
for binary in redis-server redis-cli chromium; do
  target=$(command -v "$binary" || true)
  [[ -n $target ]] && printf '#!/bin/sh\nexec %s -u LD_PRELOAD -u FAKETIME %s "$@"\n' "$envbin" "$target" >"$real/$binary" && chmod 755 "$real/$binary"
done
export PATH="$real:$PATH" CHROMIUM_PATH="$real/chromium"
echo "[on-date] the machine's date is $(faketime "$day 10:00:00" date -u +%FT%TZ) for this run"
faketime "$day 10:00:00" npx jest "$@"
