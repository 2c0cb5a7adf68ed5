# prometheus.sh: a private Prometheus for the integration tests (sourced
# after common.sh and daemon.sh): data under $W, on loopback, killed at
# exit. Scrapes every second.

# prom_up SCRAPE_CONFIGS: start Prometheus with these scrape_configs (YAML
# list items, indented by two spaces); PROM_URL is its address
prom_up() {
	_pp=$(( $(free_port) + 7 ))
	while ss -Hltn "sport = :$_pp" | grep -q .; do _pp=$((_pp + 1)); done
	printf 'global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n%s\n' "$1" >"$W/prom.yml"
	prometheus --config.file="$W/prom.yml" --storage.tsdb.path="$W/tsdb" \
		--web.listen-address="127.0.0.1:$_pp" >"$W/prometheus.log" 2>&1 &
	_ppid=$!
	t_defer "kill -9 $_ppid"
	t_bound "$_ppid" "${D_LIFETIME:-120}"
	PROM_URL=http://127.0.0.1:$_pp
}

# promq EXPR: the query's result (the JSON array) at this moment
promq() { curl -s "$PROM_URL/api/v1/query" --data-urlencode "query=$1" | jq -c '.data.result'; }
# promv EXPR: the first series' value, or nothing
promv() { promq "$1" | jq -r '.[0].value[1] // empty'; }
# prom_targets_up N: N targets answer (for wait_until)
prom_targets_up() { [ "$(promv 'sum(up)')" = "$1" ]; }
