#!/usr/bin/env python3
"""srtp_bench_report.py: the report of tests/bench/srtp_bench.sh.

  srtp_bench_report.py summary JSON          one line about one rtp_load result
  srtp_bench_report.py report OUTDIR         markdown section from OUTDIR/results.jsonl
  srtp_bench_report.py update-doc DOC REPORT replace (or add) that section in DOC
  srtp_bench_report.py check OUTDIR RELAYS CASES
                                             exit 1 unless every relay forwarded every case
                                             with SRTP intact (the smoke test's assertions)
Python 3 standard library only.
"""
import json
import os
import re
import statistics
import sys

SECTION = "### SRTP: mediad vs rtpengine, relay CPU per packet"
AFTER = "### SRTP: what SDES costs the relay per packet"
RELAYS = ("mediad", "rtpengine")


def srtp_failures(r):
    """Generator-side failures: authentication, replay and other libsrtp errors, plus what
    mediad itself dropped as failing authentication."""
    s = r.get("srtp")
    if not s:
        return 0
    return s["auth_failed"] + s["replayed"] + s["errors"] + s.get("mediad_srtp_failed", 0)


def summary(r):
    if not r:
        return "no result"
    relay = r.get("relay") or {}
    out = "loss %.3f %%, relay %.0f ns/packet (%.1f %% CPU)" % (
        r["loss_pct"], relay.get("cpu_ns_per_pkt", 0), relay.get("cpu_pct", 0))
    s = r.get("srtp")
    if s:
        out += ", SRTP %d decrypted, %d failures" % (s["unprotected"], srtp_failures(r))
    return out


def case_label(case):
    parts = case.split(":")
    if parts[0] == "plain":
        return "RTP <-> RTP (reference)"
    if parts[0] == "a":
        return "SRTP <-> RTP: %s on leg A, leg B plain" % parts[1]
    if len(parts) > 2 and parts[2] != parts[1]:
        return "SRTP <-> SRTP: %s on leg A, %s on leg B" % (parts[1], parts[2])
    return "SRTP <-> SRTP: %s on both legs (rtpengine: passes SRTP through)" % parts[1]


def load(outdir):
    rows = []
    with open(os.path.join(outdir, "results.jsonl")) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def machine(outdir):
    m = {}
    try:
        with open(os.path.join(outdir, "machine.txt")) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                m[k] = v
    except OSError:
        pass
    return m


def fmt_ns(v, sign=False):
    return ("{:+,}" if sign else "{:,}").format(int(round(v))).replace(",", " ")


def report(outdir):
    rows = load(outdir)
    m = machine(outdir)
    cases, relays = [], []
    for r in rows:
        if r["case"] not in cases:
            cases.append(r["case"])
        if r["relay"] not in relays:
            relays.append(r["relay"])
    # per (relay, case): CPU ns per packet of every good run, worst loss, SRTP failures
    cell = {}
    for r in rows:
        c = cell.setdefault((r["relay"], r["case"]), {"ns": [], "loss": [], "fail": 0, "bad": 0,
                                                      "pps": 0})
        res = r.get("result")
        if r["rc"] != 0 or not res or not res.get("relay"):
            c["bad"] += 1
            continue
        c["ns"].append(res["relay"]["cpu_ns_per_pkt"])
        c["loss"].append(res["loss_pct"])
        c["fail"] += srtp_failures(res)
        c["pps"] = res["relay_pps"]
    med = {k: statistics.median(v["ns"]) for k, v in cell.items() if v["ns"]}
    calls = rows[0]["calls"] if rows else 0
    reps = max((r["repeat"] for r in rows), default=0)
    out = [SECTION, ""]
    out.append("Measured by `tests/bench/srtp_bench.sh` from %s to %s (UTC), commit `%s`:"
               % (m.get("started", "?"), m.get("finished", "?"), m.get("commit", "?")))
    out.append("")
    out.append("```")
    out.append(m.get("command", "tests/bench/srtp_bench.sh"))
    out.append("```")
    out.append("")
    out.append("- Machine: %s cores, %s, kernel %s, shared with other work during the run "
               "(load average %s at the start, %s at the end): CPU time per packet is the "
               "figure that load moves least, wall-clock rates and latency are not reported."
               % (m.get("nproc", "?"), m.get("cpu", "?"), m.get("kernel", "?"),
                  m.get("loadavg_start", "?"), m.get("loadavg_end", "?")))
    cmd = m.get("command", "")

    def opt(name):
        return cmd.split(name + " ")[-1].split()[0] if name + " " in cmd else "?"

    out.append("- %d calls, both directions at 50 packets/s (%s packets/s through the relay), "
               "172-octet G.711 RTP; each call one relay session; relay (1 thread) pinned to "
               "core 0, rtp_load to core 1, both at nice -10. Every case and relay run %s, "
               "interleaved, each run %s s measured after %s s of warm-up on a freshly "
               "started relay; the table gives the median and, in brackets, the lowest and "
               "highest run."
               % (calls, fmt_ns(100 * calls), "once" if reps == 1 else "%d times" % reps,
                  opt("--duration"), opt("--warmup")))
    out.append("- Relay CPU per packet: the relay process's utime + stime over the measured "
               "window (`/proc/PID/stat`) divided by the packets relayed. rtp_load encrypts "
               "with libsrtp2 (%s) and decrypts and authenticates every packet its SRTP "
               "endpoints receive; \"SRTP failures\" counts authentication, replay and other "
               "libsrtp errors on the generator and the packets mediad dropped as failing "
               "authentication." % (m.get("libsrtp2") or "Debian's package"))
    out.append("- mediad: RelWithDebInfo from this tree, keys in CreateSession (SrtpParams). "
               "rtpengine: %s, userspace (`table = -1`), 1 thread, keys by ng offer/answer "
               "(`rtpe_ng.py --srtp`): RTP/SAVP with a=crypto from A, `transport-protocol` "
               "RTP/AVP or RTP/SAVP towards B, its own keys read from the SDP it returned."
               % m.get("rtpengine", "?").replace("Version: ", ""))
    out.append("")
    hdr = "| case | " + " | ".join("%s ns / packet" % r for r in relays)
    if "mediad" in relays and "rtpengine" in relays:
        hdr += " | mediad / rtpengine | added to plain: mediad / rtpengine"
    hdr += " | loss % (worst run) | SRTP failures |"
    out.append(hdr)
    out.append("|" + "---|" * (hdr.count("|") - 1))
    for case in cases:
        line = "| %s |" % case_label(case)
        for relay in relays:
            c = cell.get((relay, case))
            if not c or not c["ns"]:
                line += " - |"
                continue
            line += " %s (%s-%s) |" % (fmt_ns(med[(relay, case)]), fmt_ns(min(c["ns"])),
                                       fmt_ns(max(c["ns"])))
        if "mediad" in relays and "rtpengine" in relays:
            a, b = med.get(("mediad", case)), med.get(("rtpengine", case))
            line += " %s |" % ("%.2f" % (a / b) if a and b else "-")
            pa, pb = med.get(("mediad", "plain")), med.get(("rtpengine", "plain"))
            if case != "plain" and a and b and pa and pb:
                line += " %s / %s |" % (fmt_ns(a - pa, True), fmt_ns(b - pb, True))
            else:
                line += " - |"
        line += " %s |" % " / ".join(
            "%.3f" % max(cell[(r, case)]["loss"]) if cell.get((r, case), {}).get("loss") else "-"
            for r in relays)
        line += " %s |" % " / ".join(str(cell[(r, case)]["fail"]) if (r, case) in cell else "-"
                                     for r in relays)
        out.append(line)
    bad = sum(c["bad"] for c in cell.values())
    out.append("")
    out.append("Loss and SRTP failures: %s, in that order. Runs that failed to run: %d."
               % (" / ".join(relays), bad))
    out.append("")
    return "\n".join(out)


def update_doc(doc, report_file):
    with open(doc) as f:
        text = f.read()
    with open(report_file) as f:
        rep = f.read().rstrip("\n") + "\n\n"
    heading = re.compile(r"^#{1,3} ", re.M)
    start = text.find(SECTION + "\n")
    if start < 0:
        after = text.find(AFTER + "\n")
        if after < 0:
            print("%s: no section \"%s\" to add the report after" % (doc, AFTER), file=sys.stderr)
            return 1
        m = heading.search(text, after + len(AFTER) + 1)
        start = end = m.start() if m else len(text)
    else:
        m = heading.search(text, start + len(SECTION) + 1)
        end = m.start() if m else len(text)
    with open(doc, "w") as f:
        f.write(text[:start] + rep + text[end:])
    return 0


def check(outdir, relays, cases):
    """Every relay and case: ran, no loss beyond 1 %, SRTP decrypted, no failure at all."""
    rows = load(outdir)
    fails = 0
    for relay in relays.split():
        for case in cases.split():
            got = [r for r in rows if r["relay"] == relay and r["case"] == case]
            what = "%s %s" % (relay, case)
            res = got[0].get("result") if got else None
            problems = []
            if not got or got[0]["rc"] != 0 or not res:
                problems.append("did not run")
            else:
                if res["received"] < 0.99 * res["sent"] or res["sent"] == 0:
                    problems.append("%d of %d packets arrived" % (res["received"], res["sent"]))
                if case != "plain":
                    s = res.get("srtp")
                    legs = case.split(":")[0]
                    # each SRTP endpoint decrypts what it receives: leg A's half, or all
                    want = res["received_total"] * (1.0 if legs == "ab" else 0.49)
                    if not s or s["unprotected"] < want or s["unprotected"] == 0:
                        problems.append("SRTP decrypted %s of %d" % (s and s["unprotected"],
                                                                     want))
                    if srtp_failures(res):
                        problems.append("%d SRTP failures" % srtp_failures(res))
                elif res.get("srtp"):
                    problems.append("plain case ran with SRTP")
            print("%s: %s" % ("FAIL" if problems else "ok", what + (": " + ", ".join(problems)
                                                                 if problems else "")))
            fails += bool(problems)
    return 1 if fails else 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "summary":
        print(summary(json.loads(sys.argv[2])))
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "report":
        print(report(sys.argv[2]))
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "update-doc":
        return update_doc(sys.argv[2], sys.argv[3])
    if len(sys.argv) == 5 and sys.argv[1] == "check":
        return check(sys.argv[2], sys.argv[3], sys.argv[4])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
