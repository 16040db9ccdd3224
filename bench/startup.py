#!/usr/bin/env python3
"""eventctl's start-to-exit time beside trivial Swift programs, measured in the same run.

Usage: bench/startup.py BIN_DIR [ROUNDS]
Builds two baselines with swiftc (a statically linked "hello" and a dynamically linked one
that imports Foundation), starts eventd on a temporary socket, then times, round-robin so that
machine noise hits all alike: the baselines, `eventctl --version` (no socket), `eventctl status`
and `eventctl add`. Prints medians and each one's excess over the dynamic Foundation baseline.
"""
import os, shutil, statistics, subprocess, sys, tempfile, time

bin_dir = sys.argv[1]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 200
work = tempfile.mkdtemp(prefix="evb-", dir="/tmp")

def build(name, source, static):
    path = os.path.join(work, name + ".swift")
    with open(path, "w") as f:
        f.write(source)
    flags = ["-static-stdlib"] if static else []
    subprocess.run(["swiftc", "-O", *flags, path, "-o", os.path.join(work, name)], check=True)
    return os.path.join(work, name)

static_hello = build("hello_static", 'print("hi")\n', True)
dynamic_foundation = build("hello_foundation", 'import Foundation\nprint(Date().timeIntervalSince1970 > 0)\n', False)

socket = os.path.join(work, "s")
daemon = subprocess.Popen([os.path.join(bin_dir, "eventd"), "--socket", socket, "--data-dir", os.path.join(work, "data"), "--log-level", "error"])
env = dict(os.environ, EVENTD_SOCKET=socket)
ctl = os.path.join(bin_dir, "eventctl")
for _ in range(200):
    if subprocess.run([ctl, "status"], env=env, capture_output=True).returncode == 0:
        break
    time.sleep(0.05)

commands = {
    "baseline: static Swift hello": [static_hello],
    "baseline: dynamic Swift + Foundation": [dynamic_foundation],
    "eventctl --version": [ctl, "--version"],
    "eventctl status": [ctl, "status"],
    # Each add on a day of its own, so no round pays for clash checks against the earlier ones.
    "eventctl add": lambda i: [ctl, "add", "Họp giao ban", "--kind", "meeting", "--start", f"{i % 28 + 1}/{i // 28 % 12 + 1}/{2017 + i // 336} 8h30"],
}
samples = {name: [] for name in commands}
try:
    for i in range(rounds):
        for name, argv in commands.items():
            argv = argv(i) if callable(argv) else argv
            start = time.perf_counter()
            subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
            samples[name].append((time.perf_counter() - start) * 1000)
finally:
    daemon.terminate()
    daemon.wait()
    shutil.rmtree(work, ignore_errors=True)  # the built baselines and the register

base = statistics.median(samples["baseline: dynamic Swift + Foundation"])
print(f"{'command':40} {'median ms':>10} {'p90 ms':>8} {'vs Foundation baseline':>24}   ({rounds} rounds)")
for name, values in samples.items():
    values.sort()
    median = statistics.median(values)
    p90 = values[int(len(values) * 0.9)]
    print(f"{name:40} {median:10.2f} {p90:8.2f} {median - base:+20.2f} ms ({median / base:.2f}x)")
