#!/usr/bin/env python3
"""make soak: SIGKILL eventd at random moments while clients write and notices go out, many
rounds, then check that nothing acknowledged was lost.

Usage: scripts/soak.py BIN_DIR [ROUNDS]   (20 rounds in CI)

Each round starts eventd on one data directory (as the unprivileged user eventd-test when run
as root, as the unit would run it), runs a writer that adds events and invites their people,
and kills eventd with SIGKILL after a random 0.2-1.5 s. The mail hook appends each message's
Message-ID to a log and takes a random 0-0.3 s, so kills land during dispatch too. After the
last round eventd starts once more and is given time to send what is due. Then:
  - every event whose add was acknowledged (eventctl printed its id) is in the register;
  - every invitation that was acknowledged is sent: it is in the hook's log at least once
    (at-least-once delivery: a notice killed mid-hook may go out twice, with one Message-ID);
  - no notice is left pending, sending or failed.
Prints "N passed, N failed" and exits 1 on any failure.
"""
import json, os, pwd, random, shutil, signal, subprocess, sys, tempfile, threading, time

bin_dir = os.path.abspath(sys.argv[1])
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
as_root = os.getuid() == 0
work = tempfile.mkdtemp(prefix="evsoak-", dir="/tmp")
os.chmod(work, 0o755)
user = pwd.getpwnam("eventd-test") if as_root else None


def own(path):
    if user:
        os.chown(path, user.pw_uid, user.pw_gid)


own(work)
eventd = os.path.join(bin_dir, "eventd")
if as_root:
    # The build folder may be out of the daemon user's reach (a clone under /root).
    shutil.copy(eventd, os.path.join(work, "eventd"))
    os.chmod(os.path.join(work, "eventd"), 0o755)
    eventd = os.path.join(work, "eventd")
ctl = os.path.join(bin_dir, "eventctl")
socket = os.path.join(work, "s")
sent_log = os.path.join(work, "sent.log")
hook = os.path.join(work, "hook.sh")
with open(hook, "w") as f:
    f.write("#!/bin/sh\ncat >/dev/null\nsleep 0.$(( $(od -An -N1 -tu1 /dev/urandom) % 3 ))\n"
            f'echo "$EVENTD_MESSAGE_ID" >> {sent_log}\nexit 0\n')
os.chmod(hook, 0o755)
with open(os.path.join(work, "eventd.conf"), "w") as f:
    f.write('organizer = "Văn phòng Bộ Tư pháp <vanphong@moj.gov.vn>"\nlog_level = warning\nfeeds_delay = 0.2\n')
env = dict(os.environ, EVENTD_SOCKET=socket)


def start():
    command = [eventd, "--socket", socket, "--data-dir", os.path.join(work, "data"), "--config", os.path.join(work, "eventd.conf"), "--mail-hook", hook]
    if as_root:
        command = ["setpriv", "--reuid=eventd-test", "--regid=eventd-test", "--init-groups", "--"] + command
    daemon = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "eventd.log"), "a"))
    for _ in range(200):
        if subprocess.run([ctl, "status"], env=env, capture_output=True).returncode == 0:
            return daemon
        time.sleep(0.05)
    raise SystemExit("eventd did not start; see " + os.path.join(work, "eventd.log"))


acknowledged_events, acknowledged_invites = [], []


def writer(stop, round_number):
    n = 0
    while not stop.is_set():
        n += 1
        title = f"Họp giao ban vòng {round_number} số {n}"
        add = subprocess.run([ctl, "add", title, "--kind", "meeting", "--start", "4/7/2030 8h00", "--remind", "none",
                              "--attendee", f"Người {round_number}-{n} <p{round_number}x{n}@example.vn>"], env=env, capture_output=True, text=True)
        if add.returncode != 0:
            continue
        acknowledged_events.append(int(add.stdout.strip()))
        invite = subprocess.run([ctl, "invite", add.stdout.strip(), "--json"], env=env, capture_output=True, text=True)
        if invite.returncode == 0:
            acknowledged_invites.extend(q["messageId"] for q in json.loads(invite.stdout)["queued"])


random.seed(int(os.environ.get("SOAK_SEED", time.time())))
for r in range(rounds):
    daemon = start()
    stop = threading.Event()
    thread = threading.Thread(target=writer, args=(stop, r))
    thread.start()
    time.sleep(random.uniform(0.2, 1.5))
    daemon.send_signal(signal.SIGKILL)
    daemon.wait()
    stop.set()
    thread.join()

daemon = start()
deadline = time.time() + 120
while time.time() < deadline:
    notices = json.loads(subprocess.run([ctl, "notices", "--json"], env=env, capture_output=True, text=True).stdout or "[]")
    if notices and all(n["state"] in ("sent", "skipped") for n in notices):
        break
    time.sleep(0.5)
events = {e["id"] for e in json.loads(subprocess.run([ctl, "list", "--json"], env=env, capture_output=True, text=True).stdout)}
daemon.send_signal(signal.SIGTERM)
daemon.wait()
sent = open(sent_log).read().split() if os.path.exists(sent_log) else []

passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("PASS  " if ok else "FAIL  ") + what)
    if ok:
        passed += 1
    else:
        failed += 1


lost = [i for i in acknowledged_events if i not in events]
check(not lost, f"{len(acknowledged_events)} acknowledged adds over {rounds} SIGKILLs, all in the register" + (f" (lost: {lost[:10]})" if lost else ""))
unsent = [m for m in acknowledged_invites if m not in sent]
check(not unsent, f"{len(acknowledged_invites)} acknowledged invitations, each sent at least once" + (f" (never sent: {unsent[:5]})" if unsent else ""))
stuck = [n for n in notices if n["state"] not in ("sent", "skipped")]
check(not stuck, f"{len(notices)} notices, none left pending, sending or failed" + (f" ({[(n['id'], n['state']) for n in stuck[:5]]})" if stuck else ""))
check(len(acknowledged_events) > rounds, f"the writer got {len(acknowledged_events)} adds through in {rounds} rounds")
print(f"{len(sent) - len(set(sent))} repeated sends (at least once: a notice killed mid-hook goes out again)")
shutil.rmtree(work, ignore_errors=True)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
