#!/usr/bin/env python3
"""Checks that a unit's SystemCallFilter= lets through every system call a run made.

usage: unit_syscalls.py UNIT_FILE STRACE_SUMMARY...
UNIT_FILE's SystemCallFilter= lines are expanded with the groups `systemd-analyze
syscall-filter` lists (an allow list, minus the ~ lines); each STRACE_SUMMARY is `strace -c`
output. Prints the calls the filter would refuse (exit 1), or how many calls were seen (exit 0).
"""
import re
import subprocess
import sys


def groups():
    out = subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True, text=True,
                         check=True).stdout
    g, cur = {}, None
    for line in out.splitlines():
        if line.startswith("@"):
            cur = g.setdefault(line.strip(), set())
        elif cur is not None and line.strip() and not line.strip().startswith("#"):
            cur.add(line.strip())
    return g


def expand(names, g, seen=None):
    seen = seen or set()
    out = set()
    for n in names:
        if n.startswith("@"):
            if n in seen:
                continue
            seen.add(n)
            out |= expand(g.get(n, ()), g, seen)
        else:
            out.add(n)
    return out


def main():
    g = groups()
    allow, deny = set(), set()
    for line in open(sys.argv[1]):
        m = re.match(r"\s*SystemCallFilter=(.*)", line)
        if not m:
            continue
        v = m.group(1).strip()
        if v.startswith("~"):
            deny |= expand(v[1:].split(), g)
        else:
            allow |= expand(v.split(), g)
    allowed = allow - deny
    if not allowed:
        print("no allow list in", sys.argv[1])
        return 2
    used = set()
    for f in sys.argv[2:]:
        for line in open(f):
            p = line.split()
            if len(p) >= 5 and re.match(r"^[\d.]+$", p[0]) and re.match(r"^[a-z_0-9]+$", p[-1]):
                if p[-1] != "total":
                    used.add(p[-1])
    refused = sorted(used - allowed)
    if refused:
        print("refused by the filter:", " ".join(refused))
        return 1
    print(f"{len(used)} system calls, all allowed ({' '.join(sorted(used))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
