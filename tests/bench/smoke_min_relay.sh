#!/bin/bash
# Smoke test of min_relay (not a benchmark): in each mode, 10 calls through a chain of 2 of its
# sessions for one second must all arrive, and the relay must say it forwarded them on the
# sockets that mode receives on. Then the arithmetic of rtp_bench.sh's --rt follow-ups and of
# the min relay's ceiling lines, on a made-up results file. Catches a ceiling relay that stops
# forwarding or a report that drops the SCHED_FIFO steps.
set -u
. "$TANDEM_SRC/tests/integration/lib.sh"
RTP_LOAD=$TANDEM_BUILD/tests/bench/rtp_load
MIN_RELAY=$TANDEM_BUILD/tests/bench/min_relay
REPORT=$TANDEM_SRC/tests/bench/rtp_bench_report.py

for mode in sendto connect pair; do
	base=$(free_port 20)
	pmin=$(free_port 40)
	"$MIN_RELAY" --mode "$mode" --calls 10 --chain 2 --base-port "$base" --port-min "$pmin" \
		--out "$T/ports-$mode.txt" 2>"$T/min-$mode.log" &
	echo $! >"$T/min-$mode.pid"
	check "$mode: min_relay is ready (ports file written)" wait_for 10 test -s "$T/ports-$mode.txt"
	out=$(timeout 60 "$RTP_LOAD" --ports "$T/ports-$mode.txt" --calls 10 --chain 2 \
		--base-port "$base" --duration 1 --warmup 0.5 --poll sleep 2>"$T/rtp_load-$mode.log")
	echo "$out"
	# 10 calls x 2 directions x 50 packets/s x 1 s, none lost
	check "$mode: 1000 packets sent and 1000 received" \
		grep -q '"sent":1000,"received":1000,"lost":0,' <<<"$out"
	check "$mode: nothing misrouted or malformed" grep -q '"misrouted":0,"malformed":0,' <<<"$out"
	stop_pidfile "$T/min-$mode.pid"
	cat "$T/min-$mode.log"
	# 10 calls x 2 directions x 50 packets/s x 1.5 s (warm-up too), at each of 2 hops
	fwd=$(sed -n 's/.*forwarded \([0-9]*\) (received on connected sockets \([0-9]*\)).*/\1 \2/p' \
		"$T/min-$mode.log")
	read -r forwarded connected <<<"${fwd:-0 0}"
	check "$mode: forwarded every packet at both hops ($forwarded)" test "$forwarded" -ge 3000
	if [ "$mode" = sendto ]; then
		check "$mode: received on the unconnected sockets" test "$connected" -eq 0
	else
		check "$mode: received on the connected sockets" test "$connected" -eq "$forwarded"
	fi
done
check "a bad mode is a usage error" bash -c "! '$MIN_RELAY' --mode x --calls 1 --base-port 2000 \
	--port-min 3000 --out /dev/null 2>/dev/null"

# Report: a made-up run (mediad holds 600 x 3, rtpengine 400 x 3, min-connect 800 x 3); half of
# mediad's 180 000 packets/s is 900 calls x 1 hop.
row() { # RELAY CALLS LOSS_PCT [PHASE [RT]]: p99 4000 us, 200 under SCHED_FIFO, direct 10
	printf '{"relay":"%s","calls":%s,"attempt":1,"phase":"%s","rt":%s,"rc":0,"loadavg_before":"1 1 1","loadavg_after":"1 1 1","stat_before":"","stat_after":"","result":{"chain":3,"relay_pps":%s,"offered_pps":%s,"received_pps":%s,"loss_pct":%s,"misrouted":0,"malformed":0,"gen_load_pct":50,"send_lag_us":{"p99":10},"latency_us":{"p50":50,"p99":%s,"max":900},"sent_total":1,"relay":{"cpu_pct":90,"cpu_ns_per_pkt":5000}}}\n' \
		"$1" "$2" "${4:-sweep}" "${5:-0}" $(($2 * 300)) $(($2 * 100)) $(($2 * 100)) "$3" \
		"$([ "$1" = direct ] && echo 10 || echo $((${5:-0} > 0 ? 200 : 4000)))"
}
{
	row direct 500 0 baseline
	for n in 200 400 600 800; do row mediad $n $([ $n -gt 600 ] && echo 5 || echo 0); done
	for n in 200 400 600; do row rtpengine $n $([ $n -gt 400 ] && echo 5 || echo 0); done
	for n in 400 800 1000; do row min-connect $n $([ $n -gt 800 ] && echo 5 || echo 0); done
} >"$T/results.jsonl"
follow=$(python3 "$REPORT" followups "$T/results.jsonl" 0.1 10)
echo "followups: $follow"
check "follow-ups: mediad at half load, normal and SCHED_FIFO 10" \
	grep -q 'mediad:900:1:0 mediad:900:1:10' <<<"$follow"
check "follow-ups: rtpengine at the same load, normal and SCHED_FIFO 10" \
	grep -q 'rtpengine:900:1:0 rtpengine:900:1:10' <<<"$follow"
check "no SCHED_FIFO follow-up without --rt" \
	bash -c "! python3 '$REPORT' followups '$T/results.jsonl' 0.1 0 | grep -Eq ':[1-9][0-9]*( |\$)'"
for f in $follow; do
	IFS=: read -r r c _ rt <<<"$f"
	row "$r" "$c" 0 follow-up "$rt"
done >>"$T/results.jsonl"
printf 'command=x\nstarted=x\nloadavg_start=1\nloadavg_end=1\n' >"$T/machine.txt"
python3 "$REPORT" report "$T" 0.1 >"$T/report.md"
check "report: the ratio mediad / rtpengine" grep -q 'rtpengine, sustainable packets/s on one core: 1.50' "$T/report.md"
check "report: the min relay's ceiling against both" \
	grep -q 'min-connect / rtpengine 2.00, min-connect / mediad 1.33' "$T/report.md"
check "report: half-load latency of mediad under SCHED_FIFO" \
	grep -q 'mediad, worker_rt_priority = 10 (SCHED_FIFO relay thread): 190 us' "$T/report.md"
check "report: and of rtpengine under chrt -f" \
	grep -q 'rtpengine, chrt -f 10 (SCHED_FIFO, whole process): 190 us' "$T/report.md"
finish
