#!/usr/bin/env bash
# Checks everything in docker/ that can be checked without a Docker engine:
#   1. the Dockerfile with dockerfile-utils (npm; the parser and linter of the Dockerfile language server);
#   2. compose.yaml through a real Compose parser (docker compose v2 when the plugin is installed, else Debian's
#      docker-compose 1.29), with the cpu and the gpu profile;
#   3. compose.yaml against the current compose-spec JSON schema (dclint, from npm; its style rules are off);
#   4. prometheus/prometheus.yml with promtool check config;
#   5. every PromQL query of the Grafana dashboard with promtool check rules (syntax);
#   6. DockerStackTest: the dashboard's metric names and labels against a live scrape of the real trainer and scorer,
#      the scrape targets against the Compose services, the cluster against the docker profile and the clients.
# With --live, also (about a minute, on loopback ports 18090-18091, 19090, 19392, 19400-19402):
#   7. the services as Compose runs them, but on this machine (./streamrec: a broker, the trainer, two scorers), a
#      real Prometheus scraping them under the job names of prometheus/prometheus.yml, a synthetic replay, then
#      every dashboard query evaluated by that Prometheus: each must return at least one series.
# Needs: jq, curl, promtool and prometheus (apt-get install prometheus), docker-compose or the compose plugin
# (apt-get install docker-compose), node/npm. A missing tool is an error, not a skip.
set -euo pipefail
cd "$(dirname "$0")"
live=false
[ "${1:-}" = --live ] && live=true

step() { printf '\n== %s\n' "$*"; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "validate: $1 is missing ($2)" >&2; exit 2; }; }
need jq "apt-get install jq"
need promtool "apt-get install prometheus"
need npx "apt-get install npm"
need curl "apt-get install curl"
"$live" && need prometheus "apt-get install prometheus"

step "Dockerfile: parse and lint (dockerfile-utils 0.16.3)"
npx --yes dockerfile-utils@0.16.3 lint Dockerfile
echo "valid"

step "Compose: parse and resolve compose.yaml"
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  need docker-compose "apt-get install docker-compose, or the Docker Compose v2 plugin"
  compose=(docker-compose)
fi
"${compose[@]}" version | sed -n 1p
for profile in cpu gpu; do
  "${compose[@]}" --profile "$profile" -f compose.yaml config -q
  echo "profile $profile: valid"
done

step "Compose: compose-spec JSON schema (dclint 3.1.0)"
npx --yes dclint@3.1.0 compose.yaml --color false --disable-rule \
  no-build-and-image no-quotes-in-volumes require-project-name-field require-quotes-in-ports service-keys-order \
  services-alphabetical-order top-level-properties-order service-dependencies-alphabetical-order \
  service-ports-alphabetical-order service-image-require-explicit-tag
echo "valid"

step "Prometheus: scrape configuration"
promtool check config prometheus/prometheus.yml

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
# Every query of the dashboard, one a line, Grafana's $__rate_interval as a plain duration.
queries() { jq -r '.panels[].targets[]?.expr | gsub("\\$__rate_interval"; "1m")' grafana/dashboards/*.json; }

step "Grafana: dashboard JSON and the syntax of its PromQL"
rules="$work/dashboard-rules.yml"
{
  echo "groups:"
  echo "  - name: dashboard"
  echo "    rules:"
  # Grafana's $__rate_interval becomes a plain duration; each query becomes a recording rule promtool parses.
  n=0
  queries | while IFS= read -r expr; do
    n=$((n + 1))
    printf '      - record: dashboard:query_%d\n        expr: |-\n          %s\n' "$n" "$expr"
  done
} > "$rules"
promtool check rules --lint-fatal "$rules"

step "DockerStackTest (live scrape of the trainer and the scorer on an embedded broker)"
(cd .. && ./mvnw -q -B -pl services/cli -am verify -Dtest=DockerStackTest -Dsurefire.failIfNoSpecifiedTests=false)
echo "passed"

if "$live"; then
  step "Live: the services, a real Prometheus, every dashboard query evaluated"
  cli=../streamrec
  kafka=127.0.0.1:19392
  "$cli" --version
  started() { pids+=("$!"); }
  await() { # URL WHAT: polls until the URL answers 200
    for _ in $(seq 1 120); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 1; done
    echo "validate: $2 did not come up; logs in $work" >&2; tail -n 20 "$work"/*.log >&2; exit 1
  }
  "$cli" broker --port 19392 --data-dir "$work/kafka" > "$work/broker.log" 2>&1 & started
  for _ in $(seq 1 120); do grep -q "Kafka ready" "$work/broker.log" && break; sleep 1; done
  grep -q "Kafka ready" "$work/broker.log" || { echo "validate: the broker did not start" >&2; cat "$work/broker.log" >&2; exit 1; }
  "$cli" train --bootstrap-server "$kafka" --device cpu --metrics-port 19400 > "$work/trainer.log" 2>&1 & started
  for n in 1 2; do
    "$cli" score --bootstrap-server "$kafka" --set metrics.port=$((19400 + n)) --http-port $((18089 + n)) \
      --state-dir "$work/scorer-$n" > "$work/scorer-$n.log" 2>&1 & started
  done
  # The job names of prometheus/prometheus.yml, with this machine's addresses for the Compose services.
  {
    echo "global: {scrape_interval: 2s, evaluation_interval: 2s}"
    echo "scrape_configs:"
    for job in $(sed -n 's/^ *- job_name: *//p' prometheus/prometheus.yml); do
      case "$job" in
        trainer) targets='"127.0.0.1:19400"' ;;
        scorer) targets='"127.0.0.1:19401", "127.0.0.1:19402"' ;;
        *) echo "validate: no local address for job $job" >&2; exit 1 ;;
      esac
      echo "  - {job_name: $job, static_configs: [{targets: [$targets]}]}"
    done
  } > "$work/prometheus.yml"
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
    --web.listen-address=127.0.0.1:19090 > "$work/prometheus.log" 2>&1 & started
  await http://127.0.0.1:19400/metrics trainer
  await http://127.0.0.1:18090/health scorer-1
  await http://127.0.0.1:18091/health scorer-2
  await http://127.0.0.1:19090/-/ready prometheus
  "$cli" replay --bootstrap-server "$kafka" --synthetic 3000 2000 60000 --rate 3000 --quiet
  sleep 15   # the last snapshots, then several scrapes and a full rate window after them
  up=$(curl -fsS http://127.0.0.1:19090/api/v1/query --data-urlencode 'query=sum(up)' | jq -r '.data.result[0].value[1]')
  echo "targets up: $up of 3"
  [ "$up" = 3 ] || { echo "validate: not every target is up" >&2; exit 1; }
  empty=0
  while IFS= read -r expr; do
    answer=$(curl -fsS http://127.0.0.1:19090/api/v1/query --data-urlencode "query=$expr")
    printf '%3s series  %-14s %s\n' "$(jq '.data.result | length' <<<"$answer")" \
      "$(jq -r '.data.result[0].value[1] // "-"' <<<"$answer" | cut -c1-14)" "$expr"
    [ "$(jq '.data.result | length' <<<"$answer")" -gt 0 ] || empty=$((empty + 1))
  done < <(queries)
  [ "$empty" = 0 ] || { echo "validate: $empty dashboard queries returned no series" >&2; exit 1; }
fi

printf '\nvalidate: all checks passed\n'
