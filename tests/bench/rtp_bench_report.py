#!/usr/bin/env python3
"""rtp_bench_report.py: the arithmetic of rtp_bench.sh (Python 3 standard library only).

  verdict JSON MAX_LOSS          one step: ok, loss, noisy-ok, noisy-loss, generator-ok,
                                 generator-loss or failed
  followups RESULTS MAX_LOSS RT  extra steps to run after the sweeps, as RELAY:CALLS:CHAIN:RT
                                 words (RT: SCHED_FIFO priority, 0 = normal scheduling)
  report OUT_DIR MAX_LOSS        the Markdown section from OUT_DIR/results.jsonl and machine.txt
  update-doc DOC REPORT          replaces (or appends) the section in DOC, keeping its
                                 hand-written "### Analysis" part

A step is generator-bound when the generator itself was near its limit (busy >= 95 % of the
window): the relay may have more to give. It is noisy when the generator was not busy but its
sends still left more than 5 ms late at p99: something else took its core.
"""
import json
import math
import os
import sys

SECTION = "## RTP relay: mediad vs rtpengine"
ANALYSIS = "### Analysis"
GEN_LOAD_LIMIT = 95.0
GEN_LAG_LIMIT_US = 5000.0
GEN_COMFORT_PPS = 100000  # generator packets/s with headroom, for the latency follow-up
QUEUE_P50_US = 10000.0  # median latency above this: packets wait in a standing queue


def generator_bound(r):
    return r.get("gen_load_pct", 0) >= GEN_LOAD_LIMIT


def noisy(r):
    return not generator_bound(r) and r.get("send_lag_us", {}).get("p99", 0) >= GEN_LAG_LIMIT_US


def verdict(r, max_loss):
    if not r:
        return "failed"
    lossy = r["loss_pct"] > max_loss or r["misrouted"] > 0 or r["malformed"] > 0
    v = "loss" if lossy else "ok"
    if generator_bound(r):
        return "generator-" + v
    return "noisy-" + v if noisy(r) else v


def passed(r, max_loss):
    return verdict(r, max_loss) in ("ok", "noisy-ok", "generator-ok")


def relay_pps(r):
    return r.get("relay_pps", r["received_pps"])


def load_results(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def final_steps(rows, relay):
    """Per N, the last attempt of the relay's sweep, in N order."""
    by_n = {}
    for row in rows:
        if row["relay"] == relay and row["phase"] == "sweep":
            by_n[row["calls"]] = row
    return [by_n[n] for n in sorted(by_n)]


def sustained(rows, relay, max_loss):
    """(row of the highest step within the loss limit with every lower step within it too,
    True when that is not the relay's limit: the generator ended the sweep or the steps ran
    out)."""
    best = None
    for row in final_steps(rows, relay):
        v = verdict(row["result"], max_loss)
        if v.startswith("generator-"):
            return (row if v == "generator-ok" else best), True
        if not passed(row["result"], max_loss):
            return best, False
        best = row
    return best, True


def no_queue(r):
    """The relay kept up: no standing queue, median latency under QUEUE_P50_US."""
    return r["latency_us"]["p50"] < QUEUE_P50_US


def sustained_no_queue(rows, relay, max_loss):
    """Highest step within the loss limit and without a standing queue, lower ones too."""
    best = None
    for row in final_steps(rows, relay):
        r = row["result"]
        if not r or not passed(r, max_loss) or not no_queue(r):
            break
        best = row
    return best


def overloaded_throughput(rows, relay, max_loss):
    """Most packets/s the relay delivered in a step it could not keep up with: its ceiling."""
    got = [relay_pps(r["result"]) for r in rows if r["relay"] == relay and r["phase"] == "sweep"
           and r["result"] and not generator_bound(r["result"])
           and not passed(r["result"], max_loss)]
    return max(got) if got else None


def within_p99(rows, relay, max_loss, base, limit_us=1000.0):
    """Highest sweep step within the loss limit whose p99 added to the direct baseline is
    under limit_us (lower steps may have failed: noise on a shared machine)."""
    best = None
    for row in final_steps(rows, relay):
        r = row["result"]
        if not r or not passed(r, max_loss) or not base:
            continue
        if r["latency_us"]["p99"] - base["latency_us"]["p99"] >= limit_us:
            continue
        if not best or relay_pps(r) > relay_pps(best["result"]):
            best = row
    return best


def per_core(r):
    ns = (r.get("relay") or {}).get("cpu_ns_per_pkt")
    return 1e9 / ns if ns else None


def half_load(best):
    """(calls, chain) giving half of best's relayed packets/s with the generator at ease,
    the chain as short as that allows."""
    half = relay_pps(best["result"]) / 2.0
    chain = max(1, math.ceil(half / GEN_COMFORT_PPS))
    calls = max(10, int(round(half / 100.0 / chain / 10.0)) * 10)
    return calls, chain


def cmd_followups(path, max_loss, rt):
    rows = load_results(path)
    out = []
    reached = [r["calls"] for r in rows if r["phase"] == "sweep" and r["result"]]
    if reached:
        out.append("direct:%d:1:0" % max(reached))  # could the generator carry its largest step?
    best, _ = sustained(rows, "mediad", max_loss)
    if best:
        calls, chain = half_load(best)
        out += ["mediad:%d:%d:0" % (calls, chain)]
        if rt > 0:
            # the same load with real-time priority, and rtpengine both ways for fairness
            out += ["mediad:%d:%d:%d" % (calls, chain, rt)]
            if any(r["relay"] == "rtpengine" for r in rows):
                out += ["rtpengine:%d:%d:0" % (calls, chain),
                        "rtpengine:%d:%d:%d" % (calls, chain, rt)]
        out += ["direct:%d:1:0" % calls]
    print(" ".join(out))


def read_machine(out_dir):
    m = {}
    with open(os.path.join(out_dir, "machine.txt")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            m[k] = v
    return m


def fmt(v, nd=0):
    return "-" if v is None else ("{:,.%df}" % nd).format(v).replace(",", " ")


def steal_pct(row):
    """Share of the step's time the hypervisor took from each core (/proc/stat "steal")."""
    def parse(text):
        out = {}
        for line in text.split(";"):
            f = line.split()
            if len(f) >= 9:
                vals = [int(x) for x in f[1:9]]
                out[f[0]] = (sum(vals), vals[7])
        return out
    a, b = parse(row.get("stat_before", "")), parse(row.get("stat_after", ""))
    parts = []
    for cpu in sorted(set(a) & set(b)):
        total = b[cpu][0] - a[cpu][0]
        parts.append("%.0f" % (100.0 * (b[cpu][1] - a[cpu][1]) / total) if total > 0 else "-")
    return "/".join(parts) or "-"


def notes(row):
    r = row["result"]
    note = [] if row["phase"] == "sweep" else [row["phase"]]
    if row.get("rt"):
        note.append("SCHED_FIFO %d" % row["rt"])
    if row["attempt"] > 1:
        note.append("attempt %d" % row["attempt"])
    if generator_bound(r):
        note.append("generator-bound")
    if noisy(r):
        note.append("noisy: sends %s ms late at p99" % fmt(r["send_lag_us"]["p99"] / 1000.0, 1))
    md = r.get("mediad")
    if md and md.get("counted_packets") is not None:
        expected = r["sent_total"] * r.get("chain", 1)
        if md["counted_packets"] < expected * 0.999:  # a chain's warm-up drops a few
            note.append("mediad counted %d of %d packets" % (md["counted_packets"], expected))
    if r["misrouted"] or r["malformed"]:
        note.append("%d misrouted, %d malformed" % (r["misrouted"], r["malformed"]))
    return ", ".join(note)


def step_row(row, base):
    r = row["result"]
    relay = r.get("relay") or {}
    lat = r["latency_us"]
    chain = r.get("chain", 1)
    added = "-"
    if base and row["relay"] != "direct":
        added = "%s / %s" % (fmt(lat["p50"] - base["latency_us"]["p50"]),
                             fmt(lat["p99"] - base["latency_us"]["p99"]))
    drops = "%s / %s" % (fmt(r.get("gen_socket_drops")), fmt(r.get("relay_socket_drops")))
    return ("| %s | %d x %d | %s | %s | %.3f | %s | %s / %s / %s | %s | %s | %s | %s | %s | %s | %s "
            "|" % (row["relay"], row["calls"], chain, fmt(r["offered_pps"] * chain),
               fmt(relay_pps(r)), r["loss_pct"], drops, fmt(lat["p50"]), fmt(lat["p99"]),
               fmt(lat["max"]), added, fmt(relay.get("cpu_pct"), 1),
               fmt(relay.get("cpu_ns_per_pkt")),
               fmt(r["gen_load_pct"]), row["loadavg_before"].split()[0], steal_pct(row),
               notes(row)))


def half_load_latency(rows, best):
    """The p99 added latency at half of mediad's maximum, each relay and scheduling measured
    there, minus the direct p99 with the same calls."""
    calls, hops = half_load(best)
    direct = [r for r in rows if r["relay"] == "direct" and r["phase"] == "follow-up"
              and r["calls"] == calls and r["result"]]
    steps = [r for r in rows if r["relay"] != "direct" and r["phase"] == "follow-up"
             and r["calls"] == calls and r["result"]]
    if not direct or not steps:
        return []
    base = direct[-1]["result"]["latency_us"]["p99"]
    L = ["**p99 added latency at half of mediad's maximum** (%s packets/s relayed, %d calls x "
         "%d hops; p99 over the %d hops minus the direct p99 of %s us with the same %d calls; "
         "target < 1000 us):" % (fmt(relay_pps(steps[0]["result"])), calls, hops, hops,
                                 fmt(base), calls), ""]
    for r in steps:
        how = "normal scheduling" if not r.get("rt") else (
            "worker_rt_priority = %d (SCHED_FIFO relay thread)" % r["rt"]
            if r["relay"] == "mediad" else "chrt -f %d (SCHED_FIFO, whole process)" % r["rt"])
        lat = r["result"]["latency_us"]
        L.append("- %s, %s: %s us (p50 / p99 / max %s / %s / %s us)." % (
            r["relay"], how, fmt(lat["p99"] - base), fmt(lat["p50"]), fmt(lat["p99"]),
            fmt(lat["max"])))
    L.append("")
    return L


def cmd_report(out_dir, max_loss):
    rows = load_results(os.path.join(out_dir, "results.jsonl"))
    m = read_machine(out_dir)
    base_row = next((r for r in rows if r["phase"] == "baseline" and r["result"]), None)
    base = base_row["result"] if base_row else None
    relays = list(dict.fromkeys(r["relay"] for r in rows if r["phase"] == "sweep"))
    first = next((r["result"] for r in rows if r["result"]), {})
    chain = next((r["result"].get("chain", 1) for r in rows
                  if r["phase"] == "sweep" and r["result"]), 1)

    L = [SECTION, ""]
    L.append("Measured by `tests/bench/rtp_bench.sh` on %s (commit %s)." % (
        m.get("started", "?"), m.get("commit", "?")))
    L.append("")
    L.append("Command: `%s --doc docs/performance.md`, after `cmake --build build` (configured "
             "RelWithDebInfo, as `tests/run.sh` does)." % m.get("command", "tests/bench/rtp_bench.sh"))
    L.append("")
    L.append("Machine: %s cores (`nproc`), %s, kernel %s; rtpengine %s (Debian package "
             "rtpengine-daemon, userspace only: `table = -1`, `num-threads = 1`). It is a "
             "shared virtual machine where other work runs at the same time: load average %s "
             "at the start, %s at the end. For every step the table gives the 1-minute load "
             "average when it began (the benchmark's own relay and generator, both busy, "
             "account for up to 2 of it; more means other work) and the share of time the "
             "hypervisor stole from each core." % (
                 m.get("nproc"), m.get("cpu"), m.get("kernel"),
                 m.get("rtpengine", "?").replace("Version: ", ""), m.get("loadavg_start"),
                 m.get("loadavg_end")))
    L.append("")
    L.append("How: `rtp_load` simulates N calls, each an A and a B endpoint (one UDP socket each "
             "on 127.0.0.1) sending 172-byte RTP packets (12-byte header, 160-byte G.711 "
             "payload) at 50 packets/s in both directions, send times spread evenly over the "
             "20 ms period. The payload carries call, direction, sequence and send time; the "
             "receiver counts loss (duplicates and reordering handled) and one-way latency "
             "(log-linear histogram); after the traffic it reads how many datagrams the kernel "
             "dropped on full receive queues, on its own sockets (SO_MEMINFO) and on the "
             "relay's (/proc/net/udp), which tells who was too slow when packets were lost. Each call crosses %d relay sessions in a row (`--chain`: "
             "hop h's B side sends to hop h+1's A side), so the relay handles %d x 100 x N "
             "packets/s: one generator core could not otherwise load one relay core to its "
             "limit, and the relay's work per packet is the same (receive on one socket, send "
             "from another). The relay runs on core 0 (mediad: 1 worker; rtpengine: 1 thread), "
             "the generator on core 1 (one io_uring, busy-polling so the relay never pays for "
             "waking it), both at nice -10. Each step: fresh relay, sessions created (mediad: "
             "CreateSession RPC; rtpengine: ng offer/answer), %s s warm-up, %s s measured, "
             "sessions deleted, relay stopped. Relay CPU is utime+stime from /proc/PID/stat "
             "over the measured window, divided by the packets relayed for CPU per packet. A "
             "step over %s %% loss is repeated once, a noisy one (the generator's sends late "
             "although it was not busy: something else had its core) up to three times; the "
             "sweep stops at a failed step or when the generator is the limit. Added latency "
             "is the step's p50/p99 minus the direct A-to-B baseline without relay (%d calls), "
             "over all %d hops." % (
                 chain, chain, first.get("warmup_s", "?"), first.get("duration_s", "?"),
                 max_loss, base_row["calls"] if base_row else 0, chain))
    L.append("")
    L.append("| relay | calls x hops | offered relay pps | relayed pps | loss % | queue drops "
             "generator / relay | latency p50 / p99 / max (us) | added p50 / p99 (us) | relay "
             "CPU % | CPU ns / packet | generator busy % | load avg | steal % core 0/1 | note |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        if not row["result"]:
            L.append("| %s | %d | step failed (rc %s) | | | | | | | | | | | |" % (
                row["relay"], row["calls"], row["rc"]))
            continue
        L.append(step_row(row, base))
    L.append("")
    L.append("Rows in run order: baseline, each relay's sweep, then the follow-ups (direct at "
             "the largest generator load, to show whether the generator carried it; mediad and "
             "direct at half of mediad's maximum%s)." % (
                 ", also with the relays under SCHED_FIFO and rtpengine at the same load"
                 if any(r.get("rt") for r in rows) else ""))
    if any(r.startswith("min-") for r in relays):
        L.append("")
        L.append("min-sendto and min-connect are `tests/bench/min_relay`, not a product: per "
                 "packet it only receives and sends (no parsing, counters, latching or control "
                 "plane), on one io_uring like mediad's (multishot receive into provided "
                 "buffers, sends from the receive buffer without completions). "
                 "min-sendto sends with a destination address as mediad does; min-connect has "
                 "every socket connected to its remote and receives and sends without "
                 "addresses, the cheapest socket path found here. They show the ceiling of a "
                 "userspace socket relay on this machine.")
    L.append("")

    summary = {relay: sustained(rows, relay, max_loss) for relay in relays}
    L.append("**Sustainable packets/s on one core** (highest step within %s %% loss, every "
             "lower step too):" % max_loss)
    L.append("")
    for relay in relays:
        best, gen_limited = summary[relay]
        if not best:
            L.append("- %s: no step within the limit." % relay)
            continue
        r = best["result"]
        cpu = (r.get("relay") or {}).get("cpu_pct")
        est = relay_pps(r) / (cpu / 100.0) if cpu else None
        text = "- %s: %s packets/s relayed (%d calls x %d hops), relay CPU %s %%, %s ns per " \
               "packet" % (relay, fmt(relay_pps(r)), best["calls"], r.get("chain", 1),
                           fmt(cpu, 1), fmt((r.get("relay") or {}).get("cpu_ns_per_pkt")))
        if gen_limited:
            text += "; the relay did not fail: the generator reached its limit or the steps ran " \
                    "out, so this is a lower bound (at that CPU cost a full core would relay " \
                    "about %s packets/s)" % fmt(est)
        L.append(text + ".")
    L.append("")
    if all(summary.get(x, (None,))[0] for x in ("mediad", "rtpengine")):
        mb, mgen = summary["mediad"]
        rb, rgen = summary["rtpengine"]
        ratio = relay_pps(mb["result"]) / relay_pps(rb["result"])
        bound = ">= " if mgen and not rgen else ""
        L.append("**Ratio mediad / rtpengine, sustainable packets/s on one core: %s%.2f** "
                 "(target: >= 2)." % (bound, ratio))
        for relay in relays:
            if relay.startswith("min-") and summary[relay][0]:
                b, gen = summary[relay]
                L.append("")
                L.append("Ceiling of a userspace socket relay: %s / rtpengine %s%.2f, %s / "
                         "mediad %s%.2f." % (
                             relay, ">= " if gen and not rgen else "",
                             relay_pps(b["result"]) / relay_pps(rb["result"]),
                             relay, ">= " if gen and not mgen else "",
                             relay_pps(b["result"]) / relay_pps(mb["result"])))
        mc = (mb["result"].get("relay") or {}).get("cpu_ns_per_pkt")
        rc = (rb["result"].get("relay") or {}).get("cpu_ns_per_pkt")
        if mc and rc:
            L.append("")
            L.append("CPU per packet at each relay's highest sustained step: mediad %s ns, "
                     "rtpengine %s ns (%.2f x)." % (fmt(mc), fmt(rc), rc / mc))
        same = [(a, b) for a in final_steps(rows, "mediad") for b in final_steps(rows, "rtpengine")
                if a["calls"] == b["calls"] and a["result"] and b["result"]
                and a["result"].get("relay") and b["result"].get("relay")
                and passed(a["result"], max_loss) and passed(b["result"], max_loss)]
        if same:
            L.append("")
            L.append("CPU per packet at equal load, both within the limit: " + "; ".join(
                "%s pps: mediad %s ns, rtpengine %s ns (%.2f x)" % (
                    fmt(a["result"]["offered_pps"] * a["result"].get("chain", 1)),
                    fmt(a["result"]["relay"]["cpu_ns_per_pkt"]),
                    fmt(b["result"]["relay"]["cpu_ns_per_pkt"]),
                    b["result"]["relay"]["cpu_ns_per_pkt"] / a["result"]["relay"]["cpu_ns_per_pkt"])
                for a, b in same) + ".")
        L.append("")
    if base:
        L.append("**Packets/s per core within %s %% loss and p99 added latency < 1 ms** (the "
                 "highest such sweep step; per core = 10^9 / CPU ns per packet at that step, "
                 "i.e. what a fully busy core would relay at that cost):" % max_loss)
        L.append("")
        pc = {}
        for relay in relays:
            b = within_p99(rows, relay, max_loss, base)
            if not b:
                L.append("- %s: no step." % relay)
                continue
            r = b["result"]
            pc[relay] = per_core(r)
            L.append("- %s: %s packets/s relayed (%d calls x %d hops), p99 added %s us, relay "
                     "CPU %s %%, %s ns per packet: %s packets/s per core." % (
                         relay, fmt(relay_pps(r)), b["calls"], r.get("chain", 1),
                         fmt(r["latency_us"]["p99"] - base["latency_us"]["p99"]),
                         fmt((r.get("relay") or {}).get("cpu_pct"), 1),
                         fmt((r.get("relay") or {}).get("cpu_ns_per_pkt")), fmt(pc[relay])))
        if pc.get("mediad-fast") and pc.get("rtpengine"):
            L.append("")
            L.append("**Ratio mediad-fast / rtpengine, packets/s per core: %.1f** (target: >= 4); "
                     "mediad-fast / mediad: %s." % (
                         pc["mediad-fast"] / pc["rtpengine"],
                         "%.1f" % (pc["mediad-fast"] / pc["mediad"]) if pc.get("mediad") else "-"))
        if "mediad-fast" in relays:
            fast = [r for r in rows if r["relay"] == "mediad-fast" and r["result"]
                    and (r["result"].get("bpf") or {}).get("ns_per_run")]
            bpf_ns = sorted(r["result"]["bpf"]["ns_per_run"] for r in fast)
            L.append("")
            L.append("mediad-fast is mediad with `[rtp] fast_path = auto`: once a call's legs are "
                     "latched its packets are forwarded by mediad's tc program in the receive "
                     "softirq and the relay thread sees none of them. Attributing that cost: on "
                     "loopback the receive softirq runs on the sending core (the generator's), "
                     "charged to whatever task it interrupts, and this kernel samples softirq "
                     "time only at the tick (no CONFIG_IRQ_TIME_ACCOUNTING), which misses short "
                     "bursts on a mostly idle core. So for these steps mediad and the generator "
                     "run in a network namespace of their own, RPS on its lo "
                     "(`rps_cpus` = the relay core) moves receive processing, the program "
                     "included, to the relay core, and the relay's CPU is that core's busy time "
                     "(wall minus idle from /proc/stat, exact with NOHZ) over the measured window "
                     "(`rtp_load --relay-core`). That covers the whole receive path of every "
                     "packet from the generator's send to the far socket, mediad's thread, and "
                     "whatever else the scheduler ran on that core on this shared machine: an "
                     "upper bound. The program's own time comes from the kernel's BPF "
                     "statistics (`kernel.bpf_stats_enabled`, `bpftool prog show`): %s ns per "
                     "packet (median of the steps; %s to %s)%s." % (
                         fmt(bpf_ns[len(bpf_ns) // 2]) if bpf_ns else "-",
                         fmt(bpf_ns[0]) if bpf_ns else "-", fmt(bpf_ns[-1]) if bpf_ns else "-",
                         ", i.e. %s packets/s per core for the forwarding decision and rewrite "
                         "alone" % fmt(1e9 / bpf_ns[len(bpf_ns) // 2]) if bpf_ns else ""))
        L.append("")
    L.append("The loss criterion is lenient: a socket's default receive buffer holds a few "
             "hundred of these packets, seconds of one 50 packets/s stream, so a relay a "
             "little too slow can fall behind for the whole of a step without losing "
             "anything; its latency then runs to hundreds of milliseconds. Two stricter "
             "readings of the same steps:")
    L.append("")
    strict = {x: sustained_no_queue(rows, x, max_loss) for x in relays}
    ceiling = {x: overloaded_throughput(rows, x, max_loss) for x in relays}
    for relay in relays:
        b = strict[relay]
        L.append("- %s: without a standing queue (also median latency < %d ms): %s; delivered "
                 "when overloaded (its ceiling): %s." % (
                     relay, QUEUE_P50_US / 1000,
                     "%s packets/s (%d calls x %d hops)" % (
                         fmt(relay_pps(b["result"])), b["calls"], b["result"].get("chain", 1))
                     if b else "no step",
                     "%s packets/s" % fmt(ceiling[relay]) if ceiling[relay] else "not reached"))
    if strict.get("mediad") and strict.get("rtpengine"):
        L.append("")
        L.append("Ratio without a standing queue: %.2f; ratio of the ceilings: %s." % (
            relay_pps(strict["mediad"]["result"]) / relay_pps(strict["rtpengine"]["result"]),
            "%.2f" % (ceiling["mediad"] / ceiling["rtpengine"])
            if ceiling.get("mediad") and ceiling.get("rtpengine") else "-"))
    L.append("")
    if summary.get("mediad", (None,))[0]:
        L += half_load_latency(rows, summary["mediad"][0])
    print("\n".join(L))


def cmd_update_doc(doc, report_path):
    with open(report_path) as f:
        section = f.read().rstrip("\n") + "\n"
    text = ""
    if os.path.exists(doc):
        with open(doc) as f:
            text = f.read()
    if not text.strip():
        text = "# Performance\n\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip("\n") == SECTION), None)
    if start is None:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
        # a hand-written "### Analysis" part of the section outlives new measurements
        keep = next((i for i in range(start + 1, end) if lines[i].startswith(ANALYSIS)), None)
        if keep is not None:
            section += "\n" + "".join(lines[keep:end]).rstrip("\n") + "\n"
        tail = "".join(lines[end:])
        text = "".join(lines[:start]) + section + ("\n" + tail if tail else "")
    with open(doc, "w") as f:
        f.write(text)


def main(argv):
    if len(argv) >= 3 and argv[1] == "verdict":
        r = None if argv[2] in ("", "null") else json.loads(argv[2])
        print(verdict(r, float(argv[3])))
        return 0
    if len(argv) == 5 and argv[1] == "followups":
        cmd_followups(argv[2], float(argv[3]), int(argv[4]))
        return 0
    if len(argv) == 4 and argv[1] == "report":
        cmd_report(argv[2], float(argv[3]))
        return 0
    if len(argv) == 4 and argv[1] == "update-doc":
        cmd_update_doc(argv[2], argv[3])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
