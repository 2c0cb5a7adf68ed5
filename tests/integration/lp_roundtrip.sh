#!/bin/sh
# Hostile names (backslashes, commas, '=', spaces, quotes, UTF-8) encoded by
# collector/lp.c, written to a real InfluxDB 1.x and read back: each must
# come back byte for byte, as tag value, tag key, field key and measurement,
# also after influxd restarts (names are re-parsed from the series index).
# tests/tools/lpwrite.c holds the table of names.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/influxd.sh"
need_cmd influxd curl jq awk
[ -x "$LXC_TOOLS/lpwrite" ] || { not_ok "lpwrite built ($LXC_TOOLS/lpwrite)"; t_done; exit 1; }

influxd_start || { not_ok "influxd starts"; t_done; exit 1; }
W=$INFLUX_DIR/lp
mkdir -p "$W"

"$LXC_TOOLS/lpwrite" lines >"$W/all.lp"
eq "lpwrite: every case encoded or refused as its table says" $? 0
"$LXC_TOOLS/lpwrite" expect >"$W/want.tsv"
sed '/^#--measurements--$/,$d' "$W/all.lp" >"$W/names.lp"
sed '1,/^#--measurements--$/d' "$W/all.lp" >"$W/meas.lp"

influx_createdb lpn
influx_createdb lpm
write() {
	_code=$(influx_write "$2" "$3")
	eq "$1" "$_code" 204
	[ "$_code" = 204 ] || sed 's/^/# /' "$INFLUX_DIR/write.out"
}
write "write tags, tag keys, field keys" lpn "$W/names.lp"
write "write measurements" lpm "$W/meas.lp"

# got.tsv: "KIND<TAB>CASE<TAB>NAME" as InfluxDB answers them. jq string
# interpolation (not @tsv) so backslashes come out as they are.
collect() {
	{
		influx_q lpn 'SELECT * FROM lp_tags GROUP BY *' | jq -r \
			'.results[0].series[]? | "t\t\(.tags.case)\t\(.tags.t)"'
		influx_q lpn 'SELECT * FROM lp_tagkeys GROUP BY *' | jq -r \
			'.results[0].series[]? | .tags as $t
			 | $t | to_entries[] | select(.key != "case" and .value == "x")
			 | "k\t\($t.case)\t\(.key)"'
		influx_q lpn 'SELECT * FROM lp_fields GROUP BY *' | jq -r \
			'.results[0].series[]? | .tags.case as $c | .columns as $cols
			 | .values[0] as $v | range(1; $cols | length)
			 | select($v[.] != null) | "f\t\($c)\t\($cols[.])"'
		influx_q lpm 'SELECT * FROM /.*/ GROUP BY *' | jq -r \
			'.results[0].series[]? | "m\t\(.tags.mcase)\t\(.name)"'
	} >"$W/got.tsv"
	# the metadata queries answer from the index, not from the series
	{
		influx_q lpn 'SHOW TAG VALUES FROM lp_tags WITH KEY = "t"' | jq -r \
			'.results[0].series[0].values[]?[1]'
		influx_q lpn 'SHOW TAG KEYS FROM lp_tagkeys' | jq -r \
			'.results[0].series[0].values[]?[0] | select(. != "case")'
		influx_q lpn 'SHOW FIELD KEYS FROM lp_fields' | jq -r \
			'.results[0].series[0].values[]?[0]'
		influx_q lpm 'SHOW MEASUREMENTS' | jq -r '.results[0].series[0].values[]?[0]'
	} | LC_ALL=C sort >"$W/got_index.txt"
}

# every wanted name, one check each; then nothing more than wanted
compare() {
	_when=$1
	while IFS= read -r _line; do
		_k=$(printf '%s\n' "$_line" | cut -f1)
		_c=$(printf '%s\n' "$_line" | cut -f2)
		if grep -Fxq -- "$_line" "$W/got.tsv"; then
			ok "$_when: $_k case $_c comes back exactly"
		else
			not_ok "$_when: $_k case $_c does not come back exactly"
			printf '%s\n' "$_line" | cut -f3- | od -An -c | head -5 | sed 's/^/#   want /'
			grep -P "^$_k\t$_c\t" "$W/got.tsv" | cut -f3- | od -An -c | head -5 | sed 's/^/#   got  /'
		fi
	done <"$W/want.tsv"
	eq "$_when: no other series, tag keys, fields or measurements" \
		"$(LC_ALL=C sort "$W/got.tsv" | uniq | wc -l)" "$(wc -l <"$W/want.tsv")"
	# the index answers: the same names (empty tag value: no entry)
	cut -f3- "$W/want.tsv" | grep -v '^$' | LC_ALL=C sort >"$W/want_index.txt"
	if cmp -s "$W/want_index.txt" "$W/got_index.txt"; then
		ok "$_when: SHOW TAG VALUES/TAG KEYS/FIELD KEYS/MEASUREMENTS list exactly the names"
	else
		not_ok "$_when: SHOW ... lists other names"
		diff "$W/want_index.txt" "$W/got_index.txt" | head -20 | sed 's/^/# /'
	fi
}

collect
compare "fresh"

# restart on the same data: names now come from the on-disk index
kill "$INFLUX_PID" && wait "$INFLUX_PID" 2>/dev/null
influxd run -config "$INFLUX_DIR/influxd.conf" >>"$INFLUX_DIR/influxd.log" 2>&1 &
INFLUX_PID=$!
_i=0
while [ "$(curl -s -o /dev/null -w '%{http_code}' "$INFLUX_URL/ping")" != 204 ] && [ $_i -lt 150 ]; do
	_i=$((_i + 1))
	sleep 0.1
done
check "influxd restarts on the same data" [ $_i -lt 150 ]
collect
compare "after restart"

t_done || exit 1
