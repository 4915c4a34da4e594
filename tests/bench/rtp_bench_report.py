#!/usr/bin/env python3
"""rtp_bench_report.py: the arithmetic of rtp_bench.sh (Python 3 standard library only).

  verdict JSON MAX_LOSS          one step: ok, loss, noisy-ok, noisy-loss, generator-ok,
                                 generator-loss or failed
  followups RESULTS MAX_LOSS     extra steps to run after the sweeps, as RELAY:N words
  report OUT_DIR MAX_LOSS        the Markdown section from OUT_DIR/results.jsonl and machine.txt
  update-doc DOC REPORT          replaces (or appends) the section in DOC

A step is generator-bound when the generator itself was near its limit (busy >= 95 % of the
window): the relay may have more to give. It is noisy when the generator was not busy but its
sends still left more than 5 ms late at p99: something else took its core.
"""
import json
import os
import sys

SECTION = "## RTP relay: mediad vs rtpengine"
GEN_LOAD_LIMIT = 95.0
GEN_LAG_LIMIT_US = 5000.0
HALF_STEP = 50


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


def load_results(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def final_steps(rows, relay, max_loss):
    """Per N, the last attempt of the relay's sweep, in N order (follow-ups excluded)."""
    by_n = {}
    for row in rows:
        if row["relay"] == relay and row["phase"] == "sweep":
            by_n[row["calls"]] = row
    return [by_n[n] for n in sorted(by_n)]


def sustained(rows, relay, max_loss):
    """(row of the highest N whose loss stayed within the limit, with every lower N too; whether
    the sweep ended because the generator was the limit)."""
    best, gen_limited = None, False
    for row in final_steps(rows, relay, max_loss):
        v = verdict(row["result"], max_loss)
        if v in ("ok", "noisy-ok", "generator-ok"):
            best = row
            if v == "generator-ok":
                gen_limited = True
                break
        else:
            gen_limited = v == "generator-loss"
            break
    return best, gen_limited


def half_calls(best):
    n = best["calls"] // 2
    return max(HALF_STEP, (n + HALF_STEP // 2) // HALF_STEP * HALF_STEP)


def cmd_followups(path, max_loss):
    rows = load_results(path)
    out = []
    reached = [r["calls"] for r in rows if r["relay"] != "direct" and r["result"]]
    if reached:
        out.append("direct:%d" % max(reached))  # could the generator carry the largest step?
    best, _ = sustained(rows, "mediad", max_loss)
    if best:
        n = half_calls(best)
        out += ["mediad:%d" % n, "direct:%d" % n]
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
    """Share of the step's wall time the hypervisor took from the cores (/proc/stat "steal"),
    as "cpu0/cpu1" percentages."""
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


def step_row(row, base, max_loss):
    r = row["result"]
    relay = r.get("relay") or {}
    lat = r["latency_us"]
    note = [] if row["phase"] == "sweep" else [row["phase"]]
    if row["attempt"] > 1:
        note.append("repeat")
    if generator_bound(r):
        note.append("generator-bound")
    if noisy(r):
        note.append("noisy: sends %s ms late at p99" % fmt(r["send_lag_us"]["p99"] / 1000.0, 1))
    if r["misrouted"] or r["malformed"]:
        note.append("%d misrouted, %d malformed" % (r["misrouted"], r["malformed"]))
    added = "-"
    if base:
        added = "%s / %s" % (fmt(lat["p50"] - base["latency_us"]["p50"]),
                             fmt(lat["p99"] - base["latency_us"]["p99"]))
    return ("| %s | %d | %s | %s | %.3f | %s / %s / %s | %s | %s | %s | %s | %s | %s | %s |"
            % (row["relay"], row["calls"], fmt(r["offered_pps"]), fmt(r["received_pps"]),
               r["loss_pct"], fmt(lat["p50"]), fmt(lat["p99"]), fmt(lat["max"]), added,
               fmt(relay.get("cpu_pct"), 1), fmt(relay.get("cpu_ns_per_pkt")),
               fmt(r["gen_load_pct"]), row["loadavg_before"].split()[0], steal_pct(row),
               ", ".join(note)))


def cmd_report(out_dir, max_loss):
    rows = load_results(os.path.join(out_dir, "results.jsonl"))
    m = read_machine(out_dir)
    base = next((r["result"] for r in rows if r["phase"] == "baseline" and r["result"]), None)
    relays = list(dict.fromkeys(r["relay"] for r in rows if r["phase"] == "sweep"))

    L = [SECTION, ""]
    L.append("Measured by `tests/bench/rtp_bench.sh` on %s, commit %s." % (
        m.get("started", "?"), m.get("commit", "?")))
    L.append("")
    L.append("Machine: %s cores (`nproc`), %s, kernel %s; rtpengine %s (Debian package, "
             "userspace only: `table = -1`, `num-threads = 1`). The machine is a shared virtual "
             "machine: load average %s at the start, %s at the end; for every step the table "
             "gives the 1-minute load average and the share of time the hypervisor stole from "
             "each core, and steps disturbed by other work are marked noisy." % (
                 m.get("nproc"), m.get("cpu"), m.get("kernel"),
                 m.get("rtpengine", "?").replace("Version: ", ""), m.get("loadavg_start"),
                 m.get("loadavg_end")))
    L.append("")
    L.append("Command: `%s --doc docs/performance.md` (after `cmake --build build`)." %
             m.get("command", "tests/bench/rtp_bench.sh"))
    L.append("")
    L.append("Method: `rtp_load` simulates N calls; each call is an A and a B endpoint (one UDP "
             "socket each on 127.0.0.1) sending 172-byte RTP packets (12-byte header, 160-byte "
             "G.711 payload) to the relay at 50 packets/s in both directions, send times spread "
             "evenly over the 20 ms period, so N calls offer 100 x N packets/s to the relay. The "
             "payload carries call, direction, sequence and send time; the receiver counts loss "
             "(duplicates and reordering handled), and one-way latency (send to reception by the "
             "generator, log-linear histogram). The relay runs pinned to core 0 (mediad with "
             "1 worker; rtpengine with 1 thread), the generator pinned to core 1 (one io_uring, "
             "busy-polling so that the relay never pays for waking it). Each step: fresh relay, "
             "N sessions created (mediad: CreateSession RPC; rtpengine: ng offer/answer), "
             "%s s warm-up, %s s measured, then sessions deleted and the relay stopped. Relay "
             "CPU is utime+stime from /proc/PID/stat over the measured window; CPU per packet "
             "divides it by the packets relayed. A step whose loss exceeds %s %% is repeated "
             "once; the sweep stops at the second failure. Added latency is the step's p50/p99 "
             "minus the direct A-to-B baseline (%d calls, no relay)." % (
                 rows and rows[0]["result"] and rows[0]["result"]["warmup_s"] or "?",
                 rows and rows[0]["result"] and rows[0]["result"]["duration_s"] or "?",
                 max_loss, rows[0]["calls"] if rows else 0))
    L.append("")
    L.append("| relay | calls | offered pps | received pps | loss % | latency p50 / p99 / max "
             "(us) | added p50 / p99 (us) | relay CPU % | CPU ns / packet | generator busy % | "
             "load avg | steal % core 0/1 | note |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        if not row["result"]:
            L.append("| %s | %d | step failed (rc %s) | | | | | | | | | | |" % (
                row["relay"], row["calls"], row["rc"]))
            continue
        L.append(step_row(row, base, max_loss))
    L.append("")
    L.append("Rows in run order: the baseline first, then each relay's sweep, then the follow-ups "
             "(direct at the largest step, to show whether the generator could carry it; mediad "
             "and direct at half of mediad's maximum).")
    L.append("")

    summary = {}
    for relay in relays:
        best, gen_limited = sustained(rows, relay, max_loss)
        summary[relay] = (best, gen_limited)
    L.append("**Sustainable load on one core** (highest step with loss <= %s %%, every lower "
             "step too):" % max_loss)
    L.append("")
    for relay in relays:
        best, gen_limited = summary[relay]
        if not best:
            L.append("- %s: no step within the limit." % relay)
            continue
        r = best["result"]
        cpu = (r.get("relay") or {}).get("cpu_pct")
        est = r["received_pps"] / (cpu / 100.0) if cpu else None
        L.append("- %s: %s packets/s relayed (%d calls)%s; relay CPU %s %% there, %s ns per packet"
                 "%s." % (relay, fmt(r["received_pps"]), best["calls"],
                          " - the generator, not the relay, was the limit, so this is a lower "
                          "bound" if gen_limited else "",
                          fmt(cpu, 1), fmt((r.get("relay") or {}).get("cpu_ns_per_pkt")),
                          "; at that CPU cost one full core would relay about %s packets/s" %
                          fmt(est) if est and gen_limited else ""))
    L.append("")
    if "mediad" in summary and "rtpengine" in summary and summary["mediad"][0] and \
            summary["rtpengine"][0]:
        mb, mgen = summary["mediad"]
        rb, rgen = summary["rtpengine"]
        ratio = mb["result"]["received_pps"] / rb["result"]["received_pps"]
        L.append("**Ratio mediad / rtpengine (sustainable packets/s on one core): %s%.2f** "
                 "(target >= 2)." % (">= " if mgen and not rgen else "", ratio))
        mc = (mb["result"].get("relay") or {}).get("cpu_ns_per_pkt")
        rc = (rb["result"].get("relay") or {}).get("cpu_ns_per_pkt")
        if mc and rc:
            L.append("")
            L.append("CPU per packet at each relay's highest sustained step: mediad %s ns, "
                     "rtpengine %s ns (ratio %.2f)." % (fmt(mc), fmt(rc), rc / mc))
        same = [(a, b) for a in final_steps(rows, "mediad", max_loss)
                for b in final_steps(rows, "rtpengine", max_loss)
                if a["calls"] == b["calls"] and a["result"] and b["result"]
                and verdict(a["result"], max_loss) in ("ok", "noisy-ok")
                and verdict(b["result"], max_loss) in ("ok", "noisy-ok")]
        if same:
            L.append("")
            L.append("CPU per packet at equal load (both within the limit): " + "; ".join(
                "%d calls: mediad %s ns, rtpengine %s ns (%.2fx)" % (
                    a["calls"], fmt(a["result"]["relay"]["cpu_ns_per_pkt"]),
                    fmt(b["result"]["relay"]["cpu_ns_per_pkt"]),
                    b["result"]["relay"]["cpu_ns_per_pkt"] / a["result"]["relay"]["cpu_ns_per_pkt"])
                for a, b in same if a["result"]["relay"] and b["result"]["relay"]) + ".")
        L.append("")
    if "mediad" in summary and summary["mediad"][0]:
        n = half_calls(summary["mediad"][0])
        md = [r for r in rows if r["relay"] == "mediad" and r["calls"] == n and r["result"]]
        dr = [r for r in rows if r["relay"] == "direct" and r["calls"] == n and r["result"]]
        if md and dr:
            a, b = md[-1]["result"], dr[-1]["result"]
            added = a["latency_us"]["p99"] - b["latency_us"]["p99"]
            L.append("**p99 added latency at half of mediad's maximum** (%d calls, %s packets/s): "
                     "%s us (mediad p99 %s us, direct p99 %s us; target < 1000 us)." % (
                         n, fmt(a["received_pps"]), fmt(added), fmt(a["latency_us"]["p99"]),
                         fmt(b["latency_us"]["p99"])))
            L.append("")
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
    start = next((i for i, l in enumerate(lines) if l.rstrip("\n") == SECTION), None)
    if start is None:
        if not text.endswith("\n"):
            text += "\n"
        text += "\n" + section
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
        tail = "".join(lines[end:])
        text = "".join(lines[:start]) + section + ("\n" + tail if tail else "")
    with open(doc, "w") as f:
        f.write(text)


def main(argv):
    if len(argv) >= 3 and argv[1] == "verdict":
        r = None if argv[2] in ("", "null") else json.loads(argv[2])
        print(verdict(r, float(argv[3])))
        return 0
    if len(argv) == 4 and argv[1] == "followups":
        cmd_followups(argv[2], float(argv[3]))
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
