#!/usr/bin/env python3
"""make load: 8 clients for SECONDS (60) adding, updating, reading agendas, importing small
files and inviting, while feeds regenerate (feeds_delay 0.3 s) and reminders and invitations go
out through a real hook script. Then checks:
  - no request failed, apart from the refusals provoked on purpose (an impossible date: 400);
  - every acknowledged add, update and import is in the register as acknowledged;
  - every event of the register is in all.ics once feeds settle;
  - every reminder that fell due during the run, and every acknowledged invitation, reached the
    hook (its log holds the Message-ID);
  - eventd's RSS is flat after warm-up: the largest sample of the last third of the run is at
    most 20% above the largest of the first third (RSS_GROWTH to change). Why 20%: the register
    grows by a few thousand events during a run, and bounded caches (SQLite's page cache, malloc
    arenas of 2 cores' threads) may still fill after the first third; a cost per event kept in
    memory (the kind issue 10 found: kilobytes per event) grows by far more over 40 s of writes.
Prints a summary and exits 1 on any failure.

Usage: scripts/load.py BIN_DIR [SECONDS]    (as root, eventd runs as eventd-test, as in soak.py)
"""
import json, os, random, sqlite3, sys, threading, time, urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench"))
import eventdlib as ev

bin_dir = os.path.abspath(sys.argv[1])
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60
CLIENTS = 8
RSS_GROWTH = float(os.environ.get("RSS_GROWTH", "0.20"))
hook_log_name = "sent.log"
# The hook a real MTA would be: reads the message, takes a moment, records what it delivered.
HOOK = "#!/bin/sh\ncat >/dev/null\nsleep 0.05\necho \"$EVENTD_MESSAGE_ID $EVENTD_NOTICE_KIND\" >> \"$(dirname \"$0\")/sent.log\"\nexit 0\n"
daemon = ev.Daemon(bin_dir, "feeds_delay = 0.3\nhook_concurrency = 4\n", name="evload", hook_body=HOOK).start()
hook_log = os.path.join(daemon.work, hook_log_name)
pool = ev.people(800, seed=5)

lock = threading.Lock()
acknowledged = {}       # event id -> title last acknowledged (each client updates only its own events)
imported_uids = set()
invitations = []        # Message-IDs of acknowledged invitations
soon = []               # (event id, reminder due, as epoch seconds)
known_emails = []       # people acknowledged in the register, for agenda reads
errors, refusals_provoked = [], 0
counts = {}
stop = threading.Event()
began = time.time()


def count(op):
    with lock:
        counts[op] = counts.get(op, 0) + 1


def client(number):
    global refusals_provoked
    rng = random.Random(number)
    conn = daemon.connect()
    mine = []
    n = 0
    while not stop.is_set():
        n += 1
        op = rng.choices(["add", "soon", "update", "agenda", "import", "invite", "refused"], [35, 5, 20, 25, 8, 5, 2])[0]
        try:
            if op in ("add", "soon"):
                people = rng.sample(pool, rng.randint(1, 3))
                title = f"Họp công tác {number}-{n}: {rng.choice(ev.TITLES['meeting'])}"
                body = {"kind": rng.choice(["meeting", "workshop", "conference"]), "title": title, "location": rng.choice(ev.PLACES),
                        "participants": [{"person": f"{p['name']} <{p['email']}>", "role": role} for p, role in zip(people, ["chair", "speaker", "attendee"])]}
                if op == "soon":
                    # Starts within the run (plus a minute): its 1-minute reminder falls due while clients run.
                    start = time.time() + 60 + rng.uniform(0, max(1, seconds - 15))
                    body.update(start=time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(start)), duration="1h", reminders=["1m"])
                else:
                    body.update(start=time.strftime("%Y-%m-%d %H:%M", time.gmtime(1_924_992_000 + rng.randrange(5 * 365 * 48) * 1800)), duration="90m")
                status, answer = conn.call("POST", "/v1/events", body)
                if status != 201:
                    raise RuntimeError(f"{status} {answer[:300]}")
                event = json.loads(answer)
                with lock:
                    acknowledged[event["id"]] = title
                    known_emails.extend(p["email"] for p in people)
                    if op == "soon":
                        soon.append((event["id"], start - 60))
                mine.append(event["id"])
            elif op == "update" and mine:
                eid = rng.choice(mine)
                title = f"Họp công tác {number}-{n} (đã sửa)"
                status, answer = conn.call("PATCH", f"/v1/events/{eid}", {"title": title, "location": rng.choice(ev.PLACES)})
                if status != 200:
                    raise RuntimeError(f"{status} {answer[:300]}")
                with lock:
                    acknowledged[eid] = title
            elif op == "agenda" and known_emails:
                email = rng.choice(known_emails)
                q = urllib.parse.urlencode({"from": "2031-01-01", "to": "2031-01-29", "format": "json"})
                status, answer = conn.call("GET", f"/v1/people/{urllib.parse.quote(email)}/agenda?{q}")
                if status != 200:
                    raise RuntimeError(f"{status} {answer[:300]}")
            elif op == "import":
                batch = ev.events(rng.randint(5, 20), pool, seed=number * 1_000_000 + n, uid_prefix=f"load-{number}-{n}")
                status, answer = conn.call("POST", "/v1/import", ev.ics(batch).encode(), "text/calendar; charset=utf-8")
                if status != 200:
                    raise RuntimeError(f"{status} {answer[:300]}")
                result = json.loads(answer)
                with lock:
                    imported_uids.update(result["created"])
                    known_emails.extend(p["email"] for e in batch for p, _ in e["people"])
            elif op == "invite" and mine:
                status, answer = conn.call("POST", f"/v1/events/{rng.choice(mine)}/invite")
                if status != 202:
                    raise RuntimeError(f"{status} {answer[:300]}")
                with lock:
                    invitations.extend(q["messageId"] for q in json.loads(answer)["queued"])
            elif op == "refused":
                status, answer = conn.call("POST", "/v1/events", {"kind": "meeting", "title": "Ngày không có", "start": "31/2/2031 8h00"})
                if status != 400:
                    raise RuntimeError(f"an impossible date got {status} {answer[:300]}, not 400")
                with lock:
                    refusals_provoked += 1
            else:
                continue
            count(op)
        except Exception as error:  # a broken connection is an error too; start a new one
            with lock:
                errors.append(f"{op}: {error}")
            conn.close()
            conn = daemon.connect()


rss = []  # (seconds since start, KiB)


def sampler():
    while not stop.is_set():
        rss.append((time.time() - began, daemon.memory_kib()["VmRSS"]))
        stop.wait(1)


threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)] + [threading.Thread(target=sampler)]
for t in threads:
    t.start()
print(f"load: {CLIENTS} clients for {seconds:.0f} s on {daemon.socket}", flush=True)
time.sleep(seconds)
stop.set()
for t in threads:
    t.join()
ended = time.time()
print("requests: " + ", ".join(f"{op} {c}" for op, c in sorted(counts.items())) + f" ({sum(counts.values()) / seconds:.0f}/s)")
print("RSS MiB every second: " + " ".join(f"{kib / 1024:.0f}" for _, kib in rss))

# Notices due in the run are sent within a second or two; invitations at once. Wait for them and
# for the feed writer, with a deadline. A last add made after every client stopped marks the end:
# a feed pass that holds it read every write acknowledged before it.
status, answer = daemon.connect().call("POST", "/v1/events", {"kind": "meeting", "title": "Kết thúc tải", "start": "2040-01-01 08:00"})
if status != 201:
    errors.append(f"the closing add: {status} {answer[:300]}")
daemon.settle(1.5, uid=json.loads(answer)["uid"] if status == 201 else None)
db = sqlite3.connect(f"file:{os.path.join(daemon.data, 'register.sqlite')}?mode=ro", uri=True)
deadline = time.time() + 60
while time.time() < deadline:
    due_unsent = db.execute("SELECT count(*) FROM notice WHERE state IN ('pending', 'sending') AND next_attempt_at <= ?", (int(ended),)).fetchone()[0]
    if not due_unsent:
        break
    time.sleep(0.5)
daemon.settle(1.5)

passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("PASS  " if ok else "FAIL  ") + what)
    passed, failed = passed + bool(ok), failed + (not ok)


check(not errors, f"{sum(counts.values())} requests, no errors ({refusals_provoked} refusals provoked on purpose, each a 400)"
      + (f"; {len(errors)} errors, first: {errors[:3]}" if errors else ""))

conn = daemon.connect()
missing, stale = [], []
for eid, title in acknowledged.items():
    status, answer = conn.call("GET", f"/v1/events/{eid}")
    if status != 200:
        missing.append(eid)
    elif json.loads(answer)["title"] != title:
        stale.append(eid)
check(not missing and not stale, f"{len(acknowledged)} acknowledged adds present with their last acknowledged title"
      + (f" (missing {missing[:10]}, stale {stale[:10]})" if missing or stale else ""))
register_uids = {uid for (uid,) in db.execute("SELECT uid FROM event")}
lost_imports = imported_uids - register_uids
check(not lost_imports, f"{len(imported_uids)} imported UIDs in the register" + (f" (lost {sorted(lost_imports)[:5]})" if lost_imports else ""))
feed = daemon.feed_uids()
not_in_feed = register_uids - feed
check(not not_in_feed, f"{len(register_uids)} events of the register all in all.ics" + (f" ({len(not_in_feed)} missing, e.g. {sorted(not_in_feed)[:3]})" if not_in_feed else ""))

sent = open(hook_log).read().split("\n") if os.path.exists(hook_log) else []
sent_ids = {line.split()[0] for line in sent if line.strip()}
due = db.execute("SELECT message_id, state FROM notice WHERE kind = 'reminder' AND due_at <= ?", (int(ended),)).fetchall()
unsent = [(m, s) for m, s in due if m not in sent_ids]
check(due and not unsent, f"{len(due)} reminders due during the run ({len(soon)} events starting soon), each through the hook"
      + (f" (not sent: {unsent[:5]})" if unsent else ""))
uninvited = [m for m in invitations if m not in sent_ids]
check(not uninvited, f"{len(invitations)} acknowledged invitations, each through the hook" + (f" (not sent: {uninvited[:5]})" if uninvited else ""))
failed_notices = db.execute("SELECT count(*) FROM notice WHERE state = 'failed'").fetchone()[0]
check(not failed_notices, f"no notice failed ({failed_notices})")

third = len(rss) // 3
first_max = max(k for _, k in rss[:third]) if third else 0
last_max = max(k for _, k in rss[-third:]) if third else 0
check(third and last_max <= first_max * (1 + RSS_GROWTH),
      f"RSS flat after warm-up: last third max {last_max / 1024:.0f} MiB vs first third max {first_max / 1024:.0f} MiB "
      f"(+{(last_max / first_max - 1) * 100 if first_max else 0:.0f}%, limit +{RSS_GROWTH * 100:.0f}%)")
alive = daemon.process.poll() is None
check(alive, "eventd still running")
logged = [line for line in open(os.path.join(daemon.work, "eventd.log")) if "error" in line.lower()]
print(f"eventd logged {len(logged)} error lines" + (f", first: {logged[0].strip()[:300]}" if logged else ""))
db.close()
daemon.remove()
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
