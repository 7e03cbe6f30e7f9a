"""Runs one command and shows where its time and memory go: its stderr lines stamped with the elapsed
time and the resident memory at that moment, the resident memory sampled every --every seconds, and at
the end the wall time and the peak (from the kernel's rusage of the child).

Standard library only (Linux: reads /proc/PID/status). Example, the national run:
    python3 benches/python/trace.py -- target/release/fracture run \
        --dataset ../synth-out/france/dataset/dataset.toml
"""

import argparse
import os
import subprocess
import sys
import threading
import time


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--every", type=float, default=2.0, help="seconds between memory samples")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    done = threading.Event()
    peak_seen = [0.0]

    def sample():
        while not done.wait(a.every):
            r = rss_mb(p.pid)
            if r is not None:
                peak_seen[0] = max(peak_seen[0], r)
                print(f"[{time.perf_counter() - t0:7.1f} s] rss {r:8.0f} MB", file=sys.stderr, flush=True)

    threading.Thread(target=sample, daemon=True).start()
    for line in p.stderr:
        r = rss_mb(p.pid)
        print(f"[{time.perf_counter() - t0:7.1f} s] rss {r or 0:8.0f} MB | {line.rstrip()}", file=sys.stderr, flush=True)
    _, status, usage = os.wait4(p.pid, 0)
    done.set()
    wall = time.perf_counter() - t0
    print(f"wall {wall:.1f} s, peak RSS {usage.ru_maxrss / 1024:.0f} MB (rusage), user {usage.ru_utime:.1f} s, "
          f"system {usage.ru_stime:.1f} s, load average {os.getloadavg()[0]:.2f}", file=sys.stderr)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
