#!/usr/bin/env python3
"""call_bench_report.py: measurements and report of call_bench.sh (Python 3 standard library).

  cpu PID...                       one CPU sample: "pid:ticks" per PID (utime+stime of every
                                   thread, plus its child processes: Kamailio's workers), then
                                   "sys:busy,total,steal" from /proc/stat and "t:epoch"
  window START_FILE END_FILE WARM_S END_S UNTIL_PID PID...
                                   CPU samples WARM_S and END_S seconds from now (the end one
                                   earlier if UNTIL_PID exits first): the step's steady state
  step DIR                         one load step's record as one JSON line, from DIR/params,
                                   DIR/cpu_start, DIR/cpu_end, DIR/media, the SIPp files in
                                   DIR/uac and DIR/uas
  line JSON_LINE                   the one-line summary of a step record
  last-rate RESULTS SYSTEM MODE MAX_FAIL
                                   the rate to profile: the first unclean rate of that ramp,
                                   or its last rate when every step was clean
  machine OUT_JSON RESULTS PROFILE_DIR...
                                   the run's description (machine, command, load, settings
                                   from the environment call_bench.sh exports) and the
                                   profile of signald taken in PROFILE_DIRs, as JSON
  doc RESULTS MACHINE_JSON DOC     writes the section into DOC (created when missing): the
                                   section is replaced, other sections are left alone, and a
                                   hand-written "### Analysis" part of the section is kept
"""
import glob
import json
import os
import platform
import re
import subprocess
import sys
import time

SECTION = "## Calls: signald + mediad vs Kamailio + rtpengine"
ANALYSIS = "### Analysis"
ACHIEVED_MIN = 0.95  # a clean step reached 95 % of its offered rate
SYSTEMS = {"tandem": "signald + mediad", "peer": "Kamailio + rtpengine"}
MODES = {"sig": "signalling only (SDP relayed, media session created, no RTP)",
         "rtp": "1 s of G.711 (34 packets of 30 ms) from the caller, echoed by the callee"}
# per system: the CPU columns of its table, (role in params, header)
CPU_ROLES = {"tandem": [("signald", "signald"), ("mediad", "mediad")],
             "peer": [("kamailio", "Kamailio (all)"), ("rtpengine", "rtpengine")]}


# ---------------------------------------------------------------- CPU sampling

def _stat_fields(pid):
    with open("/proc/%d/stat" % pid) as f:
        st = f.read()
    return st[st.rfind(")") + 2:].split()  # fields after "(comm)", state first


def _children(pid):
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if int(_stat_fields(int(d))[1]) == pid:
                    kids.append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    return kids


def _ticks(pid):
    try:
        f = _stat_fields(pid)
    except OSError:
        return None
    return int(f[11]) + int(f[12])  # utime, stime (stat fields 14 and 15)


def _sys_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]] + [0] * 8
    user, nice, system, idle, iowait, irq, softirq, steal = v[:8]
    busy = user + nice + system + irq + softirq
    return busy, busy + idle + iowait + steal, steal


def sample(pids, kids=None):
    lines = []
    for p in pids:
        t = _ticks(p)
        if t is None:
            continue
        for c in (kids or {}).get(p, _children(p)):
            t += _ticks(c) or 0
        lines.append("%d:%d" % (p, t))
    lines.append("sys:%d,%d,%d" % _sys_ticks())
    lines.append("t:%.3f" % time.time())
    return "\n".join(lines) + "\n"


def window(start_file, end_file, warm, end, until_pid, pids):
    t0 = time.time()
    kids = {p: _children(p) for p in pids}  # Kamailio forks its workers at start only

    def alive():
        try:
            os.kill(until_pid, 0)
            return True
        except OSError:
            return False

    while time.time() < t0 + warm and alive():
        time.sleep(0.05)
    with open(start_file, "w") as f:
        f.write(sample(pids, kids))
    while time.time() < t0 + end and alive():
        time.sleep(0.05)
    with open(end_file, "w") as f:
        f.write(sample(pids, kids))


# ---------------------------------------------------------------- one step

def read_kv(path, sep="="):
    d = {}
    if os.path.exists(path):
        with open(path) as f:
            for ln in f:
                if sep in ln:
                    k, v = ln.rstrip("\n").split(sep, 1)
                    d[k.strip()] = v.strip()
    return d


def pct(sorted_vals, p):
    """nearest-rank percentile"""
    if not sorted_vals:
        return None
    k = max(0, min(len(sorted_vals) - 1, -(-len(sorted_vals) * p // 100) - 1))
    return sorted_vals[int(k)]


def last_stat_row(path):
    with open(path) as f:
        rows = [ln.rstrip("\n").split(";") for ln in f if ln.strip()]
    return dict(zip(rows[0], rows[-1])) if len(rows) > 1 else {}


def rtt_values(files):
    """SIPp -trace_rtt lines: date_ms;response_time_ms;rtd_name (header line skipped)"""
    vals, times = [], []
    for path in files:
        with open(path) as f:
            for ln in f:
                parts = ln.strip().split(";")
                if len(parts) < 2:
                    continue
                try:
                    times.append(float(parts[0]))
                    vals.append(float(parts[1]))
                except ValueError:
                    continue
    return sorted(vals), sorted(times)


def step(d):
    params = read_kv(os.path.join(d, "params"))
    c0 = read_kv(os.path.join(d, "cpu_start"), ":")
    c1 = read_kv(os.path.join(d, "cpu_end"), ":")
    media = read_kv(os.path.join(d, "media"))
    rec = {"system": params["system"], "mode": params["mode"], "rate": int(params["rate"]),
           "seconds": int(params["seconds"]), "offered": int(params["offered"])}
    # CPU % of one core over the steady-state window
    hz = os.sysconf("SC_CLK_TCK")
    cpu = {}
    if "t" in c0 and "t" in c1 and float(c1["t"]) > float(c0["t"]):
        wall = float(c1["t"]) - float(c0["t"])
        rec["cpu_window_s"] = round(wall, 1)
        for k, pid in params.items():
            if k.startswith("pid_") and pid in c0 and pid in c1:
                cpu[k[4:]] = round((int(c1[pid]) - int(c0[pid])) / hz / wall * 100.0, 1)
        b0, t0, s0 = (int(x) for x in c0["sys"].split(","))
        b1, t1, s1 = (int(x) for x in c1["sys"].split(","))
        if t1 > t0:
            ncpu = os.cpu_count() or 1
            rec["machine_busy_pct"] = round((b1 - b0) / (t1 - t0) * 100.0 * ncpu, 1)
            rec["steal_pct"] = round((s1 - s0) / (t1 - t0) * 100.0 * ncpu, 1)
    rec["cpu_pct"] = cpu
    uac = glob.glob(os.path.join(d, "uac", "*stat.csv"))
    s = last_stat_row(uac[0]) if uac else {}
    created = int(s.get("TotalCallCreated", 0))
    ok = int(s.get("SuccessfulCall(C)", 0))
    rec.update({"created": created, "successful": ok,
                "sipp_failed": int(s.get("FailedCall(C)", 0)),
                "retransmissions": int(s.get("Retransmissions(C)", 0)),
                "timeouts": int(s.get("FailedTimeoutOnRecv(C)", 0)),
                "unexpected": int(s.get("FailedUnexpectedMessage(C)", 0)),
                "max_udp_retrans": int(s.get("FailedMaxUDPRetrans(C)", 0)),
                "regexp_failed": int(s.get("FailedRegexpDoesntMatch(C)", 0))
                + int(s.get("FailedRegexpHdrNotFound(C)", 0))})
    # every offered call that did not end well is a failure: failed, timed out or never finished
    rec["failed"] = rec["offered"] - ok
    rec["fail_pct"] = round(100.0 * rec["failed"] / rec["offered"], 3) if rec["offered"] else 100.0
    uas = glob.glob(os.path.join(d, "uas", "*stat.csv"))
    if uas:
        su = last_stat_row(uas[0])
        rec["uas_successful"] = int(su.get("SuccessfulCall(C)", 0))
        rec["uas_failed"] = int(su.get("FailedCall(C)", 0))
    vals, times = rtt_values(glob.glob(os.path.join(d, "uac", "*_rtt.csv")))
    if vals:
        rec.update({"setup_samples": len(vals), "setup_p50_ms": pct(vals, 50),
                    "setup_p90_ms": pct(vals, 90), "setup_p99_ms": pct(vals, 99),
                    "setup_max_ms": vals[-1]})
    if len(times) > 1 and times[-1] > times[0]:
        rec["achieved_rate"] = round((len(times) - 1) / ((times[-1] - times[0]) / 1000.0), 1)
    for k, v in media.items():
        try:
            rec[k] = int(v)
        except ValueError:
            rec[k] = v
    rec["rss_mb"] = {k[7:]: round(int(v) / 1024.0, 1) for k, v in params.items()
                     if k.startswith("rss_kb_") and v.isdigit()}
    for k in ("uac_rc", "uas_rc", "leftover_sessions", "leftover_dialogs", "load1"):
        if params.get(k, "") != "":
            rec[k] = float(params[k]) if "." in params[k] else int(params[k])
    return rec


def line(rec):
    out = ("%-6s %-3s rate=%-5d ok=%d/%d failed=%d (%.3f%%) achieved=%s setup p50/p99=%s/%s ms"
           % (rec["system"], rec["mode"], rec["rate"], rec["successful"], rec["offered"],
              rec["failed"], rec["fail_pct"], rec.get("achieved_rate"), rec.get("setup_p50_ms"),
              rec.get("setup_p99_ms")))
    out += " cpu% " + " ".join("%s=%s" % kv for kv in sorted(rec["cpu_pct"].items()))
    if rec["mode"] == "rtp":
        out += " media: " + media_text(rec)
    return out


def media_text(rec):
    if rec["system"] == "tandem":
        n = rec.get("cdr_calls", 0)
        if not n:
            return "no CDR"
        return ("%d CDRs, RTP packets per call a=%.1f b=%.1f, %d calls with < 30 packets a side"
                % (n, rec.get("cdr_rtp_a", 0) / n, rec.get("cdr_rtp_b", 0) / n,
                   rec.get("cdr_short", 0)))
    pk = rec.get("rtpe_packets")
    if pk is None:
        return "no rtpengine totals"
    return "rtpengine relayed %d packets (%.1f per successful call)" % (
        pk, pk / rec["successful"] if rec["successful"] else 0)


def clean(rec, max_fail):
    """few enough failures, and SIPp really offered the rate (not a generator-bound step)"""
    return (rec["fail_pct"] < max_fail
            and rec.get("achieved_rate", 0) >= ACHIEVED_MIN * rec["rate"])


def load(results):
    with open(results) as f:
        return [json.loads(ln) for ln in f if ln.strip()]


def ramp(rows, system, mode):
    return [r for r in rows if r["system"] == system and r["mode"] == mode
            and not r.get("profile")]


def last_rate(results, system, mode, max_fail):
    rows = ramp(load(results), system, mode)
    for r in rows:
        if not clean(r, max_fail):
            return r["rate"]
    return rows[-1]["rate"] if rows else 0


# ---------------------------------------------------------------- run description

def _sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()


def _block(title, rows):
    return [title, "", "```"] + rows + ["```", ""] if rows else []


def profile_lines(d):
    """per-thread CPU and perf summaries of one profile step directory, as Markdown"""
    base = os.path.basename(d.rstrip("/")).split("_")  # NN_tandem_MODE_RATE_profile
    mode, rate = base[2], base[3]
    out = []
    threads = os.path.join(d, "threads.txt")
    if os.path.exists(threads):
        rows = [ln.rstrip() for ln in open(threads) if ln.strip()]
        out += _block("%s mode at %s calls/s: threads of signald and mediad (%% of a core over "
                      "3 s, from /proc/PID/task/*/stat):" % (mode, rate), rows)
    sym = os.path.join(d, "perf_symbols.txt")
    if os.path.exists(sym):
        rows = [re.sub(r"(\s+-)+$", "", ln.rstrip()) for ln in open(sym)
                if re.match(r"\s+\d+\.\d+%", ln)][:20]
        out += _block("%s mode at %s calls/s: signald's CPU by function (`perf record -g`, 8 s, "
                      "self time):" % (mode, rate), rows)
    dso = os.path.join(d, "perf_dso.txt")
    if os.path.exists(dso):
        rows = [ln.rstrip() for ln in open(dso) if re.match(r"\s+\d+\.\d+%", ln)][:10]
        out += _block("by library:", rows)
    return out


def describe_run(out_json, results, dirs):
    env = os.environ
    loads = [r.get("load1", 0) for r in load(results)] if os.path.exists(results) else []
    prof = []
    for d in dirs:
        prof += profile_lines(d)
    m = {"date": _sh("date -u +'%Y-%m-%d %H:%M'"),
         "commit": _sh("git -C '%s' rev-parse --short HEAD" % env.get("SRC", ".")),
         "command": env.get("COMMAND", ""), "nproc": os.cpu_count(),
         "cpu": _sh("sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1"),
         "kernel": platform.release(), "load_before": env.get("LOAD_BEFORE", "?"),
         "load_max": max(loads) if loads else "?", "load_after": _sh("cut -d' ' -f1-3 /proc/loadavg"),
         "hold_ms": int(env.get("HOLD_MS", 1000)), "step_s": int(env.get("STEP_S", 0)),
         "warm_s": int(env.get("WARM_S", 0)), "max_fail": float(env.get("MAX_FAIL", 0.1)),
         "tandem_config": "signald and mediad built RelWithDebInfo from this tree, log level %s, "
                          "mediad with one relay thread per core, SQLite state (sip_dialogs, CDR) "
                          "in a temp dir" % env.get("LOG_LEVEL", "?"),
         "priority": env.get("PRIORITY", "?"),
         "peer_config": "Kamailio 5.6 (4 UDP workers, stateful proxy with record-route, digest "
                        "auth, in-memory usrloc) and rtpengine 10.5 (userspace, 2 threads), "
                        "started by the peer's own start.sh",
         "profile": prof}
    with open(out_json, "w") as f:
        json.dump(m, f, indent=1)


# ---------------------------------------------------------------- Markdown

def fmt(v, nd=0):
    if v is None:
        return "–"
    if isinstance(v, float) and nd == 0 and v.is_integer():
        return "%d" % v
    return ("%." + str(nd) + "f") % v if isinstance(v, (int, float)) else str(v)


def clean_max(rows, max_fail):
    """the highest rate of the ramp below which every step was clean"""
    best = None
    for r in rows:
        if not clean(r, max_fail):
            break
        best = r
    return best


def table(rows, system, max_fail):
    cols = CPU_ROLES[system]
    hdr = ["offered calls/s", "achieved", "ok / offered", "failed %", "setup p50 / p99 ms"]
    hdr += ["CPU %s %%" % h for _, h in cols] + ["CPU SIPp uac / uas %"]
    hdr.append("machine busy % (others)")
    hdr.append("RSS MB after (%s)" % " / ".join(role for role, _ in cols))
    if rows and rows[0]["mode"] == "rtp":
        hdr.append("media")
    out = ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    for r in rows:
        c = r["cpu_pct"]
        cells = ["%d%s" % (r["rate"], "" if clean(r, max_fail) else " ✗"),
                 fmt(r.get("achieved_rate"), 0), "%d / %d" % (r["successful"], r["offered"]),
                 "%.2f" % r["fail_pct"],
                 "%s / %s" % (fmt(r.get("setup_p50_ms")), fmt(r.get("setup_p99_ms")))]
        cells += [fmt(c.get(role), 0) for role, _ in cols]
        cells.append("%s / %s" % (fmt(c.get("sipp_uac"), 0), fmt(c.get("sipp_uas"), 0)))
        busy = r.get("machine_busy_pct")
        ours = sum(v for v in c.values())
        cells.append("%s (%s)" % (fmt(busy, 0), fmt(max(0.0, busy - ours), 0))
                     if busy is not None else "–")
        cells.append(" / ".join(fmt(r.get("rss_mb", {}).get(role), 0) for role, _ in cols))
        if r["mode"] == "rtp":
            cells.append(media_short(r))
        out.append("| " + " | ".join(cells) + " |")
    return out


def media_short(r):
    if r["system"] == "tandem":
        n = r.get("cdr_calls", 0)
        return ("CDR a/b %.1f / %.1f pkts per call" % (r.get("cdr_rtp_a", 0) / n,
                                                      r.get("cdr_rtp_b", 0) / n)) if n else "no CDR"
    pk = r.get("rtpe_packets")
    return ("%.1f pkts relayed per call" % (pk / r["successful"])) if pk and r["successful"] \
        else "–"


def render(rows, machine, max_fail):
    out = [SECTION, ""]
    out.append("Measured by `tests/bench/call_bench.sh` on %s (UTC), commit `%s`. The same SIPp "
               "scenarios (`tests/bench/sipp/`), rates and step length against both systems."
               % (machine.get("date", "?"), machine.get("commit", "?")))
    out.append("")
    out.append("```")
    out.append(machine.get("command", ""))
    out.append("```")
    out.append("")
    out.append("- Machine: %s cores, %s, kernel %s; SIPp, both daemons of the system under test "
               "and everything else share these cores." % (machine.get("nproc"),
                                                           machine.get("cpu"),
                                                           machine.get("kernel")))
    out.append("- Load average before the run: %s; highest seen at a step start: %s; "
               "after: %s." % (machine.get("load_before"), machine.get("load_max"),
                                machine.get("load_after")))
    out.append("- Call: INVITE, 407, ACK, INVITE with digest (MD5), 100 from the switch, 180 and 200 from the callee, "
               "ACK, %d ms hold, BYE from the caller. The callee sends 180, then 200 5 ms later (back to back, a proxy with several worker processes may deliver them swapped, which SIPp counts as a failed call), so setup times include those 5 ms (SIPp's timer ticks make it 4-8 ms). Caller identities from a CSV (1000, "
               "1002-1019); callee 1001 registered, one SIPp UAS answering every call with "
               "`-rtp_echo`. Both ends check that every SDP they get points at the relay." %
               machine.get("hold_ms", 1000))
    out.append("- Steps of %s s at a fixed rate (`-r`, `-m rate×seconds`, `-timeout`, "
               "`-recv_timeout`), ramped until failures reach %s %%; a rate is clean with fewer failures and at least 95 %% of it reached. A call is failed unless the "
               "caller's scenario completed (rejected, timed out, unexpected message, SDP not at "
               "the relay, or never finished). Setup time = first INVITE sent → 200 received "
               "(`-trace_rtt`), so it includes the 407 round trip; SIPp's clock ticks here are "
               "coarse (a few ms)." % (machine.get("step_s"), max_fail))
    out.append("- CPU: %% of one core, from `/proc/PID/stat` (all threads; Kamailio's worker "
               "processes summed) between %s s into the step and the last call's creation. "
               "Machine busy: both cores = 200 %%, from `/proc/stat`; in brackets what "
               "processes other than the daemons and SIPp took (other work on this machine)." %
               machine.get("warm_s"))
    out.append("- Tandem: %s. Peer: %s. Both systems' daemons and SIPp ran at %s." % (
        machine.get("tandem_config"), machine.get("peer_config"), machine.get("priority")))
    out.append("")
    summary = ["| mode | signald + mediad clean max | Kamailio + rtpengine clean max | "
               "ratio Tandem/peer | Tandem at its max: setup p50/p99, CPU | peer at its max: "
               "setup p50/p99, CPU |", "|---|---|---|---|---|---|"]
    for mode in ("sig", "rtp"):
        best = {s: clean_max(ramp(rows, s, mode), max_fail) for s in SYSTEMS}
        if not any(ramp(rows, s, mode) for s in SYSTEMS):
            continue
        cells = [mode]
        for s in ("tandem", "peer"):
            b = best[s]
            cells.append("%d calls/s" % b["rate"] if b else "none clean")
        if best["tandem"] and best["peer"]:
            cells.append("%.2f" % (best["tandem"]["rate"] / best["peer"]["rate"]))
        else:
            cells.append("–")
        for s in ("tandem", "peer"):
            b = best[s]
            if not b:
                cells.append("–")
                continue
            cpu = ", ".join("%s %s %%" % (h, fmt(b["cpu_pct"].get(role), 0))
                            for role, h in CPU_ROLES[s])
            cells.append("%s / %s ms; %s" % (fmt(b.get("setup_p50_ms")),
                                             fmt(b.get("setup_p99_ms")), cpu))
        summary.append("| " + " | ".join(cells) + " |")
    out += summary + [""]
    for mode in ("sig", "rtp"):
        for s in ("tandem", "peer"):
            rs = ramp(rows, s, mode)
            if not rs:
                continue
            out.append("### %s, %s" % (SYSTEMS[s], MODES[mode]))
            out.append("")
            out += table(rs, s, max_fail)
            out.append("")
            notes = media_notes(rs, mode) + leftover_notes(rs)
            out += notes + ([""] if notes else [])
    out.append("✗: not clean (failures at or above %s %%, or less than 95 %% of the rate "
               "reached)." % max_fail)
    out.append("")
    prof = machine.get("profile")
    if prof:
        out.append("### Profile of signald at its limit")
        out.append("")
        out += prof
        out.append("")
    return out


def media_notes(rs, mode):
    if mode != "rtp":
        return []
    lines = []
    for r in rs:
        lines.append("- %d calls/s: %s" % (r["rate"], media_text(r)))
    return ["Media check (did RTP flow both ways through the relay?):", ""] + lines


def leftover_notes(rs):
    bad = [r for r in rs if r.get("leftover_sessions") or r.get("leftover_dialogs")]
    return ["- after %d calls/s: %s media sessions and %s live dialogs were left once the "
            "step's calls had ended" % (r["rate"], r.get("leftover_sessions", 0),
                                        r.get("leftover_dialogs", 0)) for r in bad]


def update_doc(doc, section_lines):
    old = []
    if os.path.exists(doc):
        with open(doc) as f:
            old = f.read().split("\n")
    start = next((i for i, ln in enumerate(old) if ln.strip() == SECTION), None)
    analysis = []
    if start is not None:
        end = next((i for i in range(start + 1, len(old)) if old[i].startswith("## ")), len(old))
        body = old[start:end]
        a = next((i for i, ln in enumerate(body) if ln.strip() == ANALYSIS), None)
        if a is not None:
            analysis = body[a:]
            while analysis and not analysis[-1].strip():
                analysis.pop()
        before, after = old[:start], old[end:]
    else:
        before = old if old and any(ln.strip() for ln in old) else ["# Performance", ""]
        while before and not before[-1].strip():
            before.pop()
        before.append("")
        after = []
    new = section_lines + (analysis + [""] if analysis else [])
    text = "\n".join(before + new + after).rstrip("\n") + "\n"
    with open(doc, "w") as f:
        f.write(text)


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    a = sys.argv[2:]
    if cmd == "cpu":
        sys.stdout.write(sample([int(p) for p in a]))
    elif cmd == "window" and len(a) >= 6:
        window(a[0], a[1], float(a[2]), float(a[3]), int(a[4]), [int(p) for p in a[5:]])
    elif cmd == "step" and len(a) == 1:
        print(json.dumps(step(a[0]), sort_keys=True))
    elif cmd == "line" and len(a) == 1:
        print(line(json.loads(a[0])))
    elif cmd == "last-rate" and len(a) == 4:
        print(last_rate(a[0], a[1], a[2], float(a[3])))
    elif cmd == "machine" and len(a) >= 2:
        describe_run(a[0], a[1], a[2:])
    elif cmd == "doc" and len(a) == 3:
        with open(a[1]) as f:
            machine = json.load(f)
        update_doc(a[2], render(load(a[0]), machine, float(machine.get("max_fail", 0.1))))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
