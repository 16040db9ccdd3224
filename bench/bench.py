#!/usr/bin/env python3
"""make bench: issue 10's figures of the real eventd, each beside a baseline measured in the same
run, printed, written to a JSON file and to docs/benchmarks.md.

Usage: bench/bench.py BIN_DIR     (release eventd, eventctl and eventd-bench; ICAL_PARSE names the
                                   built bench/ical-parse.c, default BIN_DIR/ical-parse)

Sizes come from BENCH_SCALE (full: 20,000-event files, 100,000 events; small: a quick run of a
couple of minutes), each overridable: BENCH_EVENTS (events per file), BENCH_FILES, BENCH_ADDS,
BENCH_CPU_ADDS, BENCH_ISOLATED, BENCH_CROWD, BENCH_SLOT_ADDS, BENCH_AGENDA_REQUESTS,
BENCH_RATE_SECONDS, BENCH_STORE (eventd-bench's arguments). BENCH_JSON and BENCH_DOC say where
the figures go (.build/bench.json, docs/benchmarks.md).

The figures, in the order they run:
  1. adds/s over the socket from 1 and 8 clients (persistent connections), fresh daemon, beside
     Python sqlite3 committing one INSERT per transaction, WAL + synchronous=FULL;
  2. `eventctl import` of one generated file into a fresh daemon, beside the same rows fed to the
     sqlite3 shell in one transaction plus libical parsing the file (ical-parse.c);
  3. resident memory after the rest of the files and after BENCH_ADDS single adds, feeds settled,
     beside the same daemon's RSS when idle and empty;
  4. eventd's CPU time per add at that size, feed work included (a burst, then one at a time);
  5. an add into a slot already holding BENCH_CROWD events beside one into an empty slot;
  6. a person's four-week agenda over the API (p50/p99) beside the raw SQLite query on the same
     register, and in the store (eventd-bench) beside the same query prepared once.
"""
import json, os, platform, random, shutil, sqlite3, statistics, subprocess, sys, tempfile, threading, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eventdlib as ev

bin_dir = os.path.abspath(sys.argv[1])
top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCALES = {
    "full": dict(EVENTS=20000, FILES=5, ADDS=1000, CPU_ADDS=200, ISOLATED=10, CROWD=150, SLOT_ADDS=8,
                 AGENDA_REQUESTS=2000, RATE_SECONDS=10, PEOPLE=3000, STORE="100000 20000 500000 2000"),
    "small": dict(EVENTS=2000, FILES=2, ADDS=100, CPU_ADDS=50, ISOLATED=6, CROWD=150, SLOT_ADDS=6,
                  AGENDA_REQUESTS=1000, RATE_SECONDS=4, PEOPLE=1500, STORE="20000 4000 100000 1000"),
}
scale = os.environ.get("BENCH_SCALE", "full")
size = {k: os.environ.get("BENCH_" + k, v) for k, v in SCALES[scale].items()}
size = {k: (v if k == "STORE" else int(v)) for k, v in size.items()}
json_path = os.path.abspath(os.environ.get("BENCH_JSON", os.path.join(top, ".build", "bench.json")))
doc_path = os.path.abspath(os.environ.get("BENCH_DOC", os.path.join(top, "docs", "benchmarks.md")))
work = tempfile.mkdtemp(prefix="evbench-", dir="/tmp")
FEEDS_DELAY = 0.2
# eventd's defaults but for a short feeds_delay, so "feeds settled" comes quickly. A 20,000-event
# file is about 21 MB: under max_import_bytes (64 MiB by default).
CONFIG = f"feeds_delay = {FEEDS_DELAY}\n"
QUIET = 1.0  # seconds without eventd CPU that count as "feeds settled" (5 feeds_delays)
figures, notes = [], []


def log(text):
    print(text, flush=True)


def median(values):
    return statistics.median(values) if values else float("nan")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def cell(value):
    """Three significant digits, without exponents below a million."""
    if value is None:
        return ""
    if isinstance(value, int) or (isinstance(value, float) and value >= 1000):
        return f"{value:,.0f}"
    return f"{value:.3g}"


def figure(key, name, value, unit, baseline=None, baseline_name="", goal="", met=None, ratio=None, **extra):
    """One row of the table; `ratio` defaults to value / baseline."""
    if ratio is None and baseline:
        ratio = value / baseline
    row = dict(key=key, figure=name, eventd=value, unit=unit, baseline=baseline, baseline_name=baseline_name, ratio=ratio, goal=goal, met=met, **extra)
    figures.append(row)
    base = f"   baseline {cell(baseline)} {unit} ({baseline_name})" if baseline is not None else ""
    log(f"  {name}: {cell(value)} {unit}{base}" + (f"   ratio {ratio:.3g}" if ratio is not None else "")
        + (f"   goal {goal}: {'MET' if met else 'NOT MET'}" if met is not None else ""))


def machine():
    commit = subprocess.run(["git", "-C", top, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", top, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
    return dict(cores=os.cpu_count(), cpu=platform.processor() or platform.machine(), loadavg=list(os.getloadavg()),
                date=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), commit=commit + ("+changes" if dirty else ""),
                scale=scale, sizes={k: v for k, v in size.items()})


# --- Data -----------------------------------------------------------------------------------

log(f"bench: scale {scale}, {size['FILES']} files of {size['EVENTS']} events, work folder {work}")
start_machine = machine()
pool = ev.people(size["PEOPLE"])
batches = [ev.events(size["EVENTS"], pool, seed=k, uid_prefix=f"b{k}") for k in range(size["FILES"])]
files = []
for k, batch in enumerate(batches):
    path = os.path.join(work, f"import-{k}.ics")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(ev.ics(batch))
    files.append(path)
log(f"  generated {len(files)} files, {os.path.getsize(files[0]) / 1e6:.1f} MB each, {len(pool)} people")


# --- 1. adds/s beside raw per-row commits -----------------------------------------------------

def schema_of(daemon):
    """eventd's schema as its fresh register has it (sqlite_sequence is SQLite's own)."""
    text = subprocess.run(["sqlite3", os.path.join(daemon.data, "register.sqlite"), ".schema"], capture_output=True, text=True, check=True).stdout
    return "\n".join(line for line in text.splitlines() if not line.startswith("CREATE TABLE sqlite_sequence"))


def empty_register(schema, name):
    path = os.path.join(work, name)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    subprocess.run(["sqlite3", path], input="PRAGMA journal_mode=WAL;\n" + schema, capture_output=True, text=True, check=True)
    return path


def add_body(title, start, person=None, duration="1h"):
    body = {"kind": "meeting", "title": title, "start": start, "duration": duration, "location": "Hội trường A, Bộ Tư pháp"}
    if person:
        body["participants"] = [{"person": person, "role": "attendee"}]
    return body


def when(seconds):
    """A WHEN for eventd: local time in Asia/Ho_Chi_Minh (its default_tz)."""
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(seconds + ev.VN))


SLOT0 = 1_893_456_000  # 2030-01-01: no generated event is there


def hour(n):
    """The n-th one-hour slot from 2030: every add of the bench has a slot of its own (1 h long)
    unless it means to crowd one; the phases use separate ranges of n."""
    return when(SLOT0 + n * 3600)


def adds_per_second(daemon, clients, seconds, offset):
    """Each client adds on its own persistent connection, every event in a slot of its own."""
    counts, errors, stop = [0] * clients, [], threading.Event()

    def client(i):
        conn = daemon.connect()
        n = 0
        while not stop.is_set():
            status, body = conn.call("POST", "/v1/events", add_body(f"Họp giao ban số {i}-{n}", hour((offset + i) * 20_000 + n), f"Người {i}-{n} <rate{offset}x{i}x{n}@moj.gov.vn>"))
            if status != 201:
                errors.append((status, body[:200]))
            else:
                counts[i] += 1
            n += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    if errors:
        notes.append(f"{len(errors)} failed adds from {clients} clients, first: {errors[0]}")
    return sum(counts) / elapsed


def raw_commits_per_second(schema, seconds):
    """One INSERT per transaction, WAL and synchronous=FULL (what eventd promises), from one process."""
    path = empty_register(schema, "raw-commits.sqlite")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    n, cpu0, began = 0, time.process_time(), time.perf_counter()
    while time.perf_counter() - began < seconds:
        slot = SLOT0 + n * 3600
        db.execute("BEGIN")
        db.execute("INSERT INTO event (uid, kind, title, location, start_at, end_at, tz, status, created_at, updated_at) "
                   "VALUES (?, 'meeting', ?, 'Hội trường A, Bộ Tư pháp', ?, ?, 'Asia/Ho_Chi_Minh', 'confirmed', 0, 0)",
                   (f"raw-{n}@bench", f"Họp giao ban số {n}", slot, slot + 3600))
        db.execute("COMMIT")
        n += 1
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu0
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    db.close()
    return n / elapsed, cpu / n


log("1. adds over the socket beside raw SQLite per-row commits")
d1 = ev.Daemon(bin_dir, CONFIG, name="evbench-d1").start()
d1.settle(QUIET)
schema = schema_of(d1)
idle_fresh = d1.memory_kib()
# fsync latency on a disk shared with other builds swings several-fold within minutes, so the raw
# rate is measured before and after each eventd run, and each is compared with the mean of its two.
raw = [raw_commits_per_second(schema, size["RATE_SECONDS"])]
one = adds_per_second(d1, 1, size["RATE_SECONDS"], 0)
raw.append(raw_commits_per_second(schema, size["RATE_SECONDS"]))
eight = adds_per_second(d1, 8, size["RATE_SECONDS"], 1)
raw.append(raw_commits_per_second(schema, size["RATE_SECONDS"]))
raw_cpu = median([cpu for _, cpu in raw])
goal = "≥ raw rate"
for key, name, rate, (before, after) in (("adds_1_client", "adds/s, 1 client", one, raw[0:2]), ("adds_8_clients", "adds/s, 8 clients", eight, raw[1:3])):
    base = (before[0] + after[0]) / 2
    figure(key, name, rate, "adds/s", base, "Python sqlite3, 1 INSERT per commit, WAL, synchronous=FULL; mean of runs just before and after",
           goal, rate >= base, raw_before=before[0], raw_after=after[0])
d1.remove()


# --- 2. import beside sqlite3 shell + libical ------------------------------------------------

log(f"2. import of one {size['EVENTS']}-event file")
sql = os.path.join(work, "import-0.sql")
with open(sql, "w", encoding="utf-8") as f:
    f.write("PRAGMA synchronous=FULL;\nBEGIN;\n" + ev.sql_rows(batches[0], pool) + "COMMIT;\n")
shell_times = []
for r in range(3):
    path = empty_register(schema, "shell.sqlite")
    began = time.perf_counter()
    with open(sql) as script:
        subprocess.run(["sqlite3", "-bail", path], stdin=script, capture_output=True, check=True)
    shell_times.append(time.perf_counter() - began)
rows = subprocess.run(["sqlite3", path, "SELECT count(*) FROM event"], capture_output=True, text=True).stdout.strip()
assert rows == str(size["EVENTS"]), f"the sqlite3 shell stored {rows} events"
parse = subprocess.run([os.environ.get("ICAL_PARSE", os.path.join(bin_dir, "ical-parse")), files[0], "3"], capture_output=True, text=True, check=True).stdout.split("\n")
parse_times = [float(line.split()[0]) / 1000 for line in parse if line]
assert all(int(line.split()[1]) == size["EVENTS"] for line in parse if line), "libical did not find every VEVENT"
shell_s, libical_s = median(shell_times), median(parse_times)

d2 = ev.Daemon(bin_dir, CONFIG, name="evbench-d2").start()
d2.settle(QUIET)
idle = d2.memory_kib()


def import_file(daemon, path, batch):
    """`eventctl import FILE`, as a person would. A file eventd refuses for its size or its number of
    components is imported in pieces of 4,000 events instead (the refusal is kept as a note), so
    the figures after it can still be measured."""
    began = time.perf_counter()
    result = daemon.ctl_run("import", path)
    elapsed = time.perf_counter() - began
    if result.returncode == 0:
        return elapsed, None
    refusal = (result.stderr or result.stdout).strip()
    began = time.perf_counter()
    for k in range(0, len(batch), 4000):
        piece = path + f".{k}.ics"
        with open(piece, "w", encoding="utf-8", newline="") as f:
            f.write(ev.ics(batch[k:k + 4000]))
        part = daemon.ctl_run("import", piece)
        if part.returncode != 0:
            raise SystemExit(f"eventctl import {piece} failed: {part.stderr}")
    return time.perf_counter() - began, refusal


import_s, refusal = import_file(d2, files[0], batches[0])
last_uid = batches[0][-1]["uid"]
if refusal:
    notes.append(f"eventctl import of the whole {size['EVENTS']}-event file was refused ({refusal}); "
                 f"the figure is the file imported in pieces of 4,000 events")
figure("import_file", f"import of one {size['EVENTS']}-event file (eventctl import)" + (" [in pieces: whole file refused]" if refusal else ""),
       import_s, "s", shell_s + libical_s, f"sqlite3 shell, same rows in 1 transaction ({shell_s:.2f} s) + libical parse ({libical_s:.2f} s)",
       "≤ 5× baseline", (import_s / (shell_s + libical_s) <= 5) and not refusal,
       events_per_second=size["EVENTS"] / import_s, sqlite3_shell_s=shell_s, libical_s=libical_s, refused=refusal)
settle_s = d2.settle(QUIET, uid=last_uid)
expected = {e["uid"] for e in batches[0]}
in_feed = len(expected & d2.feed_uids())
figure("feed_after_import", "imported events in all.ics once feeds settled", in_feed, "events", len(expected), "events imported",
       "all", in_feed == len(expected), settle_seconds=settle_s)


# --- 3. memory at size ------------------------------------------------------------------------

total = size["EVENTS"] * size["FILES"]
log(f"3. memory after {total} events and after {size['ADDS']} adds")
for k in range(1, size["FILES"]):
    seconds, refused = import_file(d2, files[k], batches[k])
    log(f"  file {k + 1}: {seconds:.1f} s" + (" (in pieces)" if refused else ""))
d2.settle(QUIET, uid=batches[-1][-1]["uid"])
after_import = d2.memory_kib()
MiB = 1024
figure("rss_after_import", f"RSS after importing {total} events, feeds settled", after_import["VmRSS"] / MiB, "MiB",
       idle["VmRSS"] / MiB, "the same eventd idle and empty", "≤ 64 MiB", after_import["VmRSS"] <= 64 * MiB, hwm_mib=after_import["VmHWM"] / MiB)
conn = d2.connect()
add_errors = []
for n in range(size["ADDS"]):
    status, body = conn.call("POST", "/v1/events", add_body(f"Họp giao ban số {n}", hour(n), f"Người thêm {n} <them{n}@moj.gov.vn>"))
    if status != 201:
        add_errors.append((status, body[:200]))
    else:
        last_uid = json.loads(body)["uid"]
d2.settle(QUIET, uid=last_uid)
after_adds = d2.memory_kib()
figure("rss_after_adds", f"RSS after {size['ADDS']} more adds, feeds settled", after_adds["VmRSS"] / MiB, "MiB",
       idle["VmRSS"] / MiB, "the same eventd idle and empty", "≤ 64 MiB", after_adds["VmRSS"] <= 64 * MiB, hwm_mib=after_adds["VmHWM"] / MiB)
figure("hwm_after_adds", "peak RSS (VmHWM) over the run so far", after_adds["VmHWM"] / MiB, "MiB",
       idle["VmRSS"] / MiB, "the same eventd idle and empty", "≤ 64 MiB", after_adds["VmHWM"] <= 64 * MiB)


# --- 4. CPU per add, feed work included ---------------------------------------------------------

size_now = total + size["ADDS"]
log(f"4. eventd CPU per add at {size_now} events, feed work included")
cpu0 = d2.cpu_seconds()
for n in range(size["CPU_ADDS"]):
    status, body = conn.call("POST", "/v1/events", add_body(f"Họp rà soát số {n}", hour(100_000 + n)))
    if status != 201:
        add_errors.append((status, body[:200]))
    else:
        last_uid = json.loads(body)["uid"]
d2.settle(QUIET, uid=last_uid)
burst_ms = (d2.cpu_seconds() - cpu0) * 1000 / size["CPU_ADDS"]


def isolated_add(title, start, person=None):
    """One add and the feed rewrite it causes: (request ms, eventd CPU ms until settled)."""
    cpu0 = d2.cpu_seconds()
    began = time.perf_counter()
    status, body = conn.call("POST", "/v1/events", add_body(title, start, person))
    latency = (time.perf_counter() - began) * 1000
    if status != 201:
        notes.append(f"isolated add failed: {status} {body[:200]}")
        return latency, float("nan")
    d2.settle(QUIET, uid=json.loads(body)["uid"])
    return latency, (d2.cpu_seconds() - cpu0) * 1000


isolated = [isolated_add(f"Họp lẻ số {n}", hour(110_000 + n)) for n in range(size["ISOLATED"])]
figure("add_cpu_burst", f"eventd CPU per add, burst of {size['CPU_ADDS']} then settled, at {size_now} events", burst_ms, "ms",
       raw_cpu * 1000, "Python sqlite3 CPU per FULL commit", "none set", None)
figure("add_cpu_isolated", f"eventd CPU per add, each settled alone (median of {size['ISOLATED']})", median([c for _, c in isolated]), "ms",
       raw_cpu * 1000, "Python sqlite3 CPU per FULL commit", "none set", None, latency_ms=median([l for l, _ in isolated]))


# --- 5. crowded slot beside empty slot ------------------------------------------------------

log(f"5. an add into a slot holding {size['CROWD']} events beside one into an empty slot")
CROWDED = hour(120_000)
for n in range(size["CROWD"]):
    status, body = conn.call("POST", "/v1/events", add_body(f"Phiên làm việc số {n}", CROWDED, f"Khách {n} <khach{n}@moj.gov.vn>"))
    if status == 201:
        last_uid = json.loads(body)["uid"]
d2.settle(QUIET, uid=last_uid)
empty, crowded = [], []
for n in range(size["SLOT_ADDS"]):  # alternating, so drift in machine load hits both alike
    empty.append(isolated_add(f"Họp khoảng trống {n}", hour(130_000 + n), f"Trống {n} <trong{n}@moj.gov.vn>"))
    crowded.append(isolated_add(f"Họp giờ đông {n}", CROWDED, f"Đông {n} <dong{n}@moj.gov.vn>"))
# "Equal within noise": the medians within 25%, a margin wider than the run-to-run spread of
# isolated adds on this shared 2-core machine, and far narrower than the 3x the issue measured.
for what, index in (("request latency", 0), ("eventd CPU incl. feeds", 1)):
    e, c = median([x[index] for x in empty]), median([x[index] for x in crowded])
    figure(f"crowded_slot_{'latency' if index == 0 else 'cpu'}", f"add into a slot of {size['CROWD']}+ events, {what}", c, "ms", e,
           "the same add into an empty slot", "≤ 1.25× (equal within noise)", c <= 1.25 * e,
           empty_p90=pct([x[index] for x in empty], 0.9), crowded_p90=pct([x[index] for x in crowded], 0.9))


# --- 6. agendas ---------------------------------------------------------------------------------

log(f"6. one person's four-week agenda through the API, {size['AGENDA_REQUESTS']} requests")
rng = random.Random(11)
FIRST, SPAN = 1_735_664_400, 4 * 365 * ev.DAY - 28 * ev.DAY
present = sorted({p["id"]: p for batch in batches for e in batch for p, _ in e["people"]}.values(), key=lambda p: p["id"])
probes = [(rng.choice(present), FIRST + rng.randrange(SPAN // ev.DAY) * ev.DAY) for _ in range(size["AGENDA_REQUESTS"])]


def agenda_path(person, start):
    # %20, not +, for the space: eventd reads + in a query as itself.
    q = urllib.parse.urlencode({"from": when(start), "to": when(start + 28 * ev.DAY), "format": "json"}, quote_via=urllib.parse.quote)
    return f"/v1/people/{urllib.parse.quote(person['email'])}/agenda?{q}"


for person, start in probes[:100]:  # warm-up: connection, page cache
    conn.call("GET", agenda_path(person, start))
api_times, api_errors = [], 0
for person, start in probes:
    began = time.perf_counter()
    status, _ = conn.call("GET", agenda_path(person, start))
    api_times.append((time.perf_counter() - began) * 1000)
    api_errors += status != 200
if api_errors:
    notes.append(f"{api_errors} agenda requests failed")
# The raw query on the same register, read-only beside the running daemon: eventd's own SQL.
db = sqlite3.connect(f"file:{os.path.join(d2.data, 'register.sqlite')}?mode=ro", uri=True)
ids = {email: pid for pid, email in db.execute("SELECT id, email FROM person")}
RAW = ("SELECT event_id FROM participation WHERE person_id = ? AND start_at > ? AND start_at < ? AND end_at > ? "
       "GROUP BY event_id ORDER BY min(start_at), event_id")
raw_times = []
for rounds in range(2):  # the first round warms the cache
    raw_times = []
    for person, start in probes:
        began = time.perf_counter()
        db.execute(RAW, (ids[person["email"]], start - 366 * ev.DAY, start + 28 * ev.DAY, start)).fetchall()
        raw_times.append((time.perf_counter() - began) * 1000)
db.close()
figure("agenda_api_p50", "a person's 4-week agenda over the API (persistent connection), p50", median(api_times), "ms",
       median(raw_times), "raw SQLite query (Python sqlite3), p50", "", None)
figure("agenda_api_p99", "a person's 4-week agenda over the API, p99", pct(api_times, 0.99), "ms",
       pct(raw_times, 0.99), "raw SQLite query, p99", "p99 ≤ 1 ms", pct(api_times, 0.99) <= 1.0)
logged = [line for line in open(os.path.join(d2.work, "eventd.log")) if "error" in line.lower()]
if logged:
    notes.append(f"eventd logged {len(logged)} error lines, first: {logged[0].strip()[:200]}")
d2.remove()

log("   eventd-bench: the agenda in the store beside the same query prepared once")
store_json = os.path.join(work, "store.json")
subprocess.run([os.path.join(bin_dir, "eventd-bench"), *size["STORE"].split()], env=dict(os.environ, EVENTD_BENCH_JSON=store_json), check=True,
               stdout=subprocess.DEVNULL)
store = json.load(open(store_json))
figure("agenda_store", f"a person's 4-week agenda in the store ({store['events']} events, {store['participations']} participations), median",
       store["agenda_store_us"]["median"], "µs", store["agenda_raw_us"]["median"], "raw SQLite, statement prepared once", "≤ 30 µs",
       store["agenda_store_us"]["median"] <= 30, p99=store["agenda_store_us"]["p99"])
feeds = store["feeds_ms"]
figure("feed_one_change", f"all.ics of {int(feeds['events'])} events after one change (one entry again, the rest as stored)", feeds["after_one_change"], "ms",
       feeds["raw_libical"], "libical serialising the whole calendar", "", None, full_rebuild_ms=feeds["full_rebuild"])


# --- Output -----------------------------------------------------------------------------------

if add_errors:
    notes.append(f"{len(add_errors)} single adds failed, first: {add_errors[0]}")
end_machine = machine()
result = dict(machine=start_machine, load_at_end=end_machine["loadavg"], figures=figures, notes=notes,
              idle_fresh_kib=idle_fresh, idle_kib=idle)
os.makedirs(os.path.dirname(json_path), exist_ok=True)
with open(json_path, "w") as f:
    json.dump(result, f, indent=2, ensure_ascii=False)


lines = ["# Benchmarks", "",
         "Written by `make bench` (bench/bench.py); do not edit by hand. Each figure is measured beside its",
         "baseline in the same run, on the machine below; medians unless the figure says otherwise.", "",
         f"- machine: {start_machine['cores']} cores ({start_machine['cpu']}), load average {' '.join(f'{x:.2f}' for x in start_machine['loadavg'])} at start, "
         f"{' '.join(f'{x:.2f}' for x in end_machine['loadavg'])} at end",
         f"- date: {start_machine['date']}; commit {start_machine['commit']}; scale `{scale}` ({', '.join(f'{k}={v}' for k, v in size.items())})", "",
         "| figure | eventd | baseline | ratio | goal | met? |", "|---|---|---|---|---|---|"]
for row in figures:
    met = "" if row["met"] is None else "yes" if row["met"] else "**no**"
    base = f"{cell(row['baseline'])} {row['unit']} ({row['baseline_name']})" if row["baseline"] is not None else ""
    lines.append(f"| {row['figure']} | {cell(row['eventd'])} {row['unit']} | {base} | {cell(row['ratio'])}{'×' if row['ratio'] is not None else ''} | {row['goal']} | {met} |")
if notes:
    lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
os.makedirs(os.path.dirname(doc_path), exist_ok=True)
with open(doc_path, "w") as f:
    f.write("\n".join(lines) + "\n")
shutil.rmtree(work, ignore_errors=True)
log("")
log("\n".join(lines[7:]))
log(f"\nfigures: {json_path}\ntable:   {doc_path}")
