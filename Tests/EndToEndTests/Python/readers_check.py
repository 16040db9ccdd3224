#!/usr/bin/env python3
"""Imports the whole corpus into one register and has four calendar readers read what eventd
publishes, comparing each one's occurrences with `eventctl list`, as JSON on stdout.

    readers_check.py EVENTCTL SOCKET CORPUS_DIR FEEDS_DIR OUT_DIR

- Every file of the corpus is imported, in name order, into one register (a later file updates
  an earlier one's UID as a subscriber's feed would); refused files add nothing.
- The truth is `eventctl list --from --to --all --json`, for each UID over the three years from
  its first start (at most 400 occurrences): each occurrence as (start, end), instants for times
  and (first day, last day) for whole days.
- The readers read the feed all.ics (the whole register in one file) and the exports
  (`eventctl ics ID`, one file per event):
    icalendar   Python icalendar + recurring-ical-events
    vobject     Python vobject: its rruleset (RRULE, RDATE, EXDATE), with RECURRENCE-ID overrides applied
    khal        `khal import --batch all.ics` / the exports as a vdir, then `khal list` (an event spanning days is listed on each; counted once)
    calcurse    `calcurse -i`, then `calcurse -Q`, run in each event's own zone (TZ=…): calcurse keeps
                no zone per event, so a subscriber in that zone is the fair reading; it keeps no
                UID either, so its occurrences are matched by title
  A reader that cannot read a file at all reads nothing of it.
- Per reader and source: occurrences eventd lists, how many the reader gives the same (start and
  end), which it lacks and which it has that eventd does not ("extra"), by UID.
Floating times are read in each event's zone (eventctl's `tz`): the zone eventd read them in.
"""
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
import zoneinfo

import icalendar
import recurring_ical_events

try:
    import vobject
except ImportError:  # reported, not hidden
    vobject = None

WINDOW_DAYS = 3 * 366
MAX_OCCURRENCES = 400
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


def run(args, env=None, stdin=None, timeout=120):
    """A reader that hangs (calcurse 4.7 loops on a VEVENT without SUMMARY) has read nothing."""
    try:
        return subprocess.run(args, capture_output=True, text=True, env=env, input=stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, -9, "", f"{args[0]} did not finish within {timeout} s")


def eventctl(binary, sock, *args):
    r = run([binary, "--socket", sock, *args])
    if r.returncode != 0:
        raise RuntimeError(f"eventctl {' '.join(args)}: {r.returncode} {r.stderr[:300]}")
    return r.stdout


def day(value):
    return value.isoformat()


def key_of(start, end, all_day, zone):
    """(start, end) comparable across readers: epoch seconds, or first and last day for whole days."""
    if all_day:
        s = start.date() if isinstance(start, dt.datetime) else start
        e = end.date() if isinstance(end, dt.datetime) else end
        if isinstance(end, dt.datetime) and (end.hour, end.minute, end.second) != (0, 0, 0):
            last = e
        else:
            last = e - dt.timedelta(days=1)
        return (day(s), day(max(last, s)))
    def epoch(v):
        if not isinstance(v, dt.datetime):
            v = dt.datetime.combine(v, dt.time())
        if v.tzinfo is None:
            v = v.replace(tzinfo=zone)
        return int(v.timestamp())
    return (epoch(start), epoch(end))


# MARK: the register

def import_corpus(binary, sock, corpus):
    names = sorted(os.path.relpath(os.path.join(d, f), corpus) for d, _, fs in os.walk(corpus) for f in fs if f.endswith(".ics"))
    imported = []
    for name in names:
        r = run([binary, "--socket", sock, "import", os.path.join(corpus, name), "--json"])
        if r.returncode == 0:
            imported.append(name)
    return names, imported


def register(binary, sock):
    """Every stored event once (a series once), by UID."""
    events = json.loads(eventctl(binary, sock, "list", "--all", "--json"))
    return {e["uid"]: e for e in events}


def truth(binary, sock, events):
    """UID → window and eventd's occurrences in it, as eventctl lists them."""
    out = {}
    by_year = {}
    for uid, e in events.items():
        first = dt.datetime.fromisoformat(e["start"])
        window = (first - dt.timedelta(days=1), first + dt.timedelta(days=WINDOW_DAYS))
        by_year.setdefault(first.year, []).append(uid)
        out[uid] = {"window": window, "zone": e["tz"], "allDay": e["allDay"], "title": e["title"], "occurrences": []}
    # One listing for the UIDs that begin in one year, over all their windows.
    for year, uids in by_year.items():
        start = min(out[u]["window"][0] for u in uids).isoformat()
        end = max(out[u]["window"][1] for u in uids).isoformat()
        listed = json.loads(eventctl(binary, sock, "list", "--from", start, "--to", end, "--all", "--json"))
        wanted = set(uids)
        for o in listed:
            if o["uid"] not in wanted:
                continue
            key_start = dt.datetime.fromisoformat(o["start"])
            lo, hi = out[o["uid"]]["window"]
            if not (key_start < hi and dt.datetime.fromisoformat(o["end"]) > lo or key_start >= lo and key_start < hi):
                continue
            occurrences = out[o["uid"]]["occurrences"]
            if len(occurrences) >= MAX_OCCURRENCES:
                continue
            zone = zoneinfo.ZoneInfo(o["tz"])
            key = key_of(dt.datetime.fromisoformat(o["start"]), dt.datetime.fromisoformat(o["end"]), o["allDay"], zone)
            occurrences.append(key)
    for v in out.values():
        v["occurrences"] = sorted(set(v["occurrences"]), key=str)
    return out


def in_window(key, info):
    start = key[0]
    lo, hi = info["window"]
    if isinstance(start, str):
        return lo.date().isoformat() <= start < hi.date().isoformat()
    return lo.timestamp() <= start < hi.timestamp()


# MARK: the readers

def read_icalendar(texts, truths):
    found = {}
    for text in texts:
        whole = icalendar.Calendar.from_ical(text)
        # The calendar read once, then each UID's VEVENTs expanded with the VTIMEZONEs beside them
        # (expanding the whole feed once per UID would take hours).
        zones = [c for c in whole.subcomponents if c.name == "VTIMEZONE"]
        by_uid = {}
        for c in whole.walk("VEVENT"):
            by_uid.setdefault(str(c.get("UID")), []).append(c)
        for uid in by_uid.keys() & truths.keys():
            calendar = icalendar.Calendar()
            for c in zones + by_uid[uid]:
                calendar.add_component(c)
            info = truths[uid]
            zone = zoneinfo.ZoneInfo(info["zone"])
            lo, hi = info["window"]
            for o in recurring_ical_events.of(calendar).between(lo.replace(tzinfo=None), hi.replace(tzinfo=None)):
                if str(o.get("UID")) != uid:
                    continue
                start = o["DTSTART"].dt
                end = o["DTEND"].dt if "DTEND" in o else start + (o["DURATION"].dt if "DURATION" in o else dt.timedelta(0))
                all_day = not isinstance(start, dt.datetime)
                found.setdefault(uid, set()).add(key_of(start, end if not all_day or end != start else start + dt.timedelta(days=1), all_day, zone))
    return found


def read_vobject(texts, truths):
    found = {}
    for text in texts:
        for calendar in vobject.readComponents(text):
            events = [c for c in calendar.getChildren() if c.name == "VEVENT"]
            overrides = {}
            for c in events:
                if hasattr(c, "recurrence_id"):
                    overrides.setdefault(c.uid.value, []).append(c)
            for c in events:
                uid = c.uid.value
                if hasattr(c, "recurrence_id") or uid not in truths:
                    continue
                info = truths[uid]
                zone = zoneinfo.ZoneInfo(info["zone"])
                start = c.dtstart.value
                all_day = not isinstance(start, dt.datetime)
                if hasattr(c, "dtend"):
                    length = c.dtend.value - start
                elif hasattr(c, "duration"):
                    length = c.duration.value
                else:
                    length = dt.timedelta(days=1) if all_day else dt.timedelta(0)
                def local(v):
                    if isinstance(v, dt.datetime) and v.tzinfo is None:
                        return v.replace(tzinfo=zone)
                    return v
                lo, hi = info["window"]
                starts = []
                rules = c.getrruleset(addRDate=True)
                if rules is None:
                    starts = [start]
                else:
                    for s in rules:
                        probe = local(s if isinstance(s, dt.datetime) else dt.datetime.combine(s, dt.time()))
                        if probe >= hi or len(starts) > 5000:
                            break
                        starts.append(s)
                moved = {}
                for o in overrides.get(uid, []):
                    rid = o.recurrence_id.value
                    moved[key_of(rid, rid, all_day, zone)[0]] = o
                for s in starts:
                    if all_day and isinstance(s, dt.datetime):
                        s = s.date()
                    rid = key_of(s, s, all_day, zone)[0]
                    o = moved.get(rid)
                    if o is not None:
                        os_ = o.dtstart.value
                        oe = o.dtend.value if hasattr(o, "dtend") else os_ + (o.duration.value if hasattr(o, "duration") else length)
                        if hasattr(o, "status") and str(o.status.value).upper() == "CANCELLED":
                            pass  # eventd lists a cancelled occurrence as cancelled, not gone
                        key = key_of(local(os_), local(oe), not isinstance(os_, dt.datetime), zone)
                    else:
                        key = key_of(local(s), local(s) + length, all_day, zone)
                    if in_window(key, info):
                        found.setdefault(uid, set()).add(key)
    return found


KHAL_CONF = """[calendars]
[[c]]
path = {path}
[locale]
timeformat = %H:%M:%S
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%dT%H:%M:%S
longdatetimeformat = %Y-%m-%dT%H:%M:%S
local_timezone = UTC
default_timezone = UTC
[default]
default_calendar = c
"""


def read_khal(work, files, truths, feed):
    """khal's occurrences; `feed`: one file to `khal import`, else files put in the vdir as they are."""
    shutil.rmtree(work, ignore_errors=True)
    vdir = os.path.join(work, "c")
    os.makedirs(vdir)
    conf = os.path.join(work, "khal.conf")
    with open(conf, "w") as f:
        f.write(KHAL_CONF.format(path=vdir))
    env = dict(os.environ, XDG_DATA_HOME=os.path.join(work, "data"), XDG_CACHE_HOME=os.path.join(work, "cache"), TZ="UTC")
    notes = []
    if feed:
        r = run(["khal", "-c", conf, "import", "--batch", files[0]], env=env)
        if r.returncode != 0:
            notes.append(r.stderr.strip()[-300:])
    else:
        for i, path in enumerate(files):
            shutil.copy(path, os.path.join(vdir, f"{i}.ics"))
    los = [t["window"][0] for t in truths.values()]
    his = [t["window"][1] for t in truths.values()]
    r = run(["khal", "-c", conf, "list", "--format", "{uid}\t{start}\t{end}\t{title}", "--day-format", "",
             min(los).astimezone(dt.timezone.utc).strftime("%Y-%m-%d"), max(his).astimezone(dt.timezone.utc).strftime("%Y-%m-%d")], env=env, timeout=900)
    if r.returncode != 0:
        notes.append(r.stderr.strip()[-300:])
    errors = [line for line in r.stderr.splitlines() if "error" in line.lower() or "warning" in line.lower()]
    found = {}
    for line in r.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or parts[0] not in truths:
            continue
        uid, s, e = parts[0], parts[1], parts[2]
        info = truths[uid]
        if len(s) == 10:
            key = (s, e if len(e) == 10 else s)
        else:
            utc = dt.timezone.utc
            key = (int(dt.datetime.fromisoformat(s).replace(tzinfo=utc).timestamp()), int(dt.datetime.fromisoformat(e).replace(tzinfo=utc).timestamp()))
        if in_window(key, info):
            found.setdefault(uid, set()).add(key)
    return found, notes + errors[:5]


def read_calcurse(work, files, truths, zones_of=None):
    """calcurse's occurrences, per zone: imported and listed with TZ set to the events' zone."""
    found = {}
    notes = []
    zones = sorted({t["zone"] for t in truths.values()})
    by_title = {}
    for uid, t in truths.items():
        by_title.setdefault((t["zone"], " ".join(t["title"].split())), []).append(uid)
    def claim(uids, key, all_day):
        """The UIDs of that title an occurrence is theirs: those eventd lists it for, else the one
        whose window holds it and began last before it (titles repeat: "Easter" in every year)."""
        uids = [u for u in uids if truths[u]["allDay"] == all_day]
        listed = [u for u in uids if key in set(truths[u]["occurrences"])]
        if listed:
            return listed
        holding = [u for u in uids if in_window(key, truths[u])]
        return sorted(holding, key=lambda u: truths[u]["window"][0])[-1:]

    for zone in zones:
        folder = os.path.join(work, zone.replace("/", "_"))
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        with open(os.path.join(folder, "conf"), "w") as f:
            f.write("format.outputdate=%Y-%m-%d\n")
        env = dict(os.environ, TZ=zone)
        for path in files:
            if zones_of is not None and zone not in zones_of.get(path, {zone}):
                continue  # an export of an event in another zone: read in that zone's run
            r = run(["calcurse", "-D", folder, "-i", path], env=env, timeout=20)
            if r.returncode != 0 and zone == zones[0]:
                notes.append(f"{os.path.basename(path)}: {r.stderr.strip()[-200:]}")
        mine = [t for t in truths.values() if t["zone"] == zone]
        lo = min(t["window"][0] for t in mine).astimezone(zoneinfo.ZoneInfo(zone)).date()
        hi = max(t["window"][1] for t in mine).astimezone(zoneinfo.ZoneInfo(zone)).date()
        r = run(["calcurse", "-D", folder, "--input-datefmt", "4", "-Q", "--filter-type", "cal", "--from", lo.isoformat(),
                 "--days", str((hi - lo).days + 1),
                 "--format-apt", "A\t%(start:%s)\t%(end:%s)\t%m\\n", "--format-recur-apt", "A\t%(start:%s)\t%(end:%s)\t%m\\n",
                 "--format-event", "E\t%m\\n", "--format-recur-event", "E\t%m\\n"], env=env)
        current = None
        days = {}
        for line in r.stdout.splitlines():
            if len(line) == 11 and line.endswith(":"):
                current = line[:10]
                continue
            parts = line.split("\t")
            if parts[0] == "A" and len(parts) >= 4:
                key = (int(parts[1]), int(parts[2]))
                for uid in claim(by_title.get((zone, " ".join(parts[3].split())), []), key, all_day=False):
                    found.setdefault(uid, set()).add(key)
            elif parts[0] == "E" and len(parts) >= 2 and current:
                uids = [u for u in by_title.get((zone, " ".join(parts[1].split())), []) if truths[u]["allDay"]]
                # A day is one UID's when eventd lists an occurrence of it that takes that day in.
                mine = [u for u in uids if any(a <= current <= b for a, b in truths[u]["occurrences"])]
                for uid in mine or claim(uids, (current, current), all_day=True):
                    days.setdefault(uid, set()).add(current)
        # calcurse's events are single days: a run of days is one occurrence, its first to its last.
        for uid, ds in days.items():
            ordered = sorted(ds)
            runs = []
            for d in ordered:
                if runs and (dt.date.fromisoformat(d) - dt.date.fromisoformat(runs[-1][1])).days == 1:
                    runs[-1][1] = d
                else:
                    runs.append([d, d])
            wanted = set(truths[uid]["occurrences"])
            for first, last in runs:
                # Consecutive whole-day occurrences (a daily series) are each eventd's own.
                if (first, last) in wanted:
                    found.setdefault(uid, set()).add((first, last))
                else:
                    for d in (dt.date.fromisoformat(first) + dt.timedelta(days=i) for i in range((dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days + 1)):
                        found.setdefault(uid, set()).add((d.isoformat(), d.isoformat()))
            found[uid] = {k for k in found.get(uid, set()) if in_window(k, truths[uid])}
    return found, notes[:10]


def compare(truths, found):
    total = agree = extra = 0
    differing = []
    for uid, info in sorted(truths.items()):
        want = set(info["occurrences"])
        got = found.get(uid, set())
        # A reader's extra occurrences beyond eventd's 400 are not counted.
        if len(want) >= MAX_OCCURRENCES:
            got = {k for k in got if str(k[0]) <= str(max(want, key=lambda k: str(k[0]))[0])}
        total += len(want)
        agree += len(want & got)
        extra += len(got - want)
        if want != got:
            differing.append({"uid": uid, "zone": info["zone"], "eventd": len(want), "same": len(want & got),
                              "onlyEventd": [list(k) for k in sorted(want - got, key=str)[:3]],
                              "onlyReader": [list(k) for k in sorted(got - want, key=str)[:3]]})
    return {"occurrences": total, "agree": agree, "extra": extra, "differing": differing}


def main():
    binary, sock, corpus, feeds, out = sys.argv[1:6]
    os.makedirs(out, exist_ok=True)
    began = time.time()
    def phase(what):
        print(f"{time.time() - began:7.1f}s {what}", file=sys.stderr, flush=True)
    names, imported = import_corpus(binary, sock, corpus)
    phase("imported")
    events = register(binary, sock)
    truths = truth(binary, sock, events)
    phase("listed")
    # The feed: all.ics once its writer says it has written every change (status: feeds settled).
    # A file that merely stops changing is no proof: a pass over the whole feed can take longer
    # than any quiet spell on a busy machine, and the old file stays in place until it ends.
    all_ics = os.path.join(feeds, "all.ics")
    for _ in range(600):
        status = run([binary, "--socket", sock, "status", "--json"])
        if status.returncode == 0 and (json.loads(status.stdout).get("feeds") or {}).get("settled") is True:
            break
        time.sleep(0.2)
    last = open(all_ics, "rb").read() if os.path.exists(all_ics) else None
    feed_copy = os.path.join(out, "all.ics")
    with open(feed_copy, "wb") as f:
        f.write(last or b"")
    exports = []
    zones_of = {}
    for uid, e in sorted(events.items(), key=lambda x: x[1]["id"]):
        path = os.path.join(out, f"export-{e['id']}.ics")
        with open(path, "wb") as f:  # bytes as eventctl writes them, CRLF and all
            f.write(subprocess.run([binary, "--socket", sock, "ics", str(e["id"])], capture_output=True, check=True).stdout)
        exports.append(path)
        zones_of[path] = {e["tz"]}
    phase("exported")

    sources = {"feed": [feed_copy], "exports": exports}
    report = {"files": len(names), "imported": len(imported), "events": len(events), "readers": {}}
    for source, files in sources.items():
        texts = [open(p, encoding="utf-8").read() for p in files]
        for reader in ["icalendar", "vobject", "khal", "calcurse"]:
            notes = []
            try:
                if reader == "icalendar":
                    found = {}
                    for t in texts:  # each file alone: one unreadable export spoils only itself
                        try:
                            for k, v in read_icalendar([t], truths).items():
                                found.setdefault(k, set()).update(v)
                        except Exception as error:
                            notes.append(repr(error)[:200])
                elif reader == "vobject":
                    if vobject is None:
                        raise RuntimeError("vobject is not installed (scripts/requirements-test.txt)")
                    found = {}
                    for t in texts:
                        try:
                            for k, v in read_vobject([t], truths).items():
                                found.setdefault(k, set()).update(v)
                        except Exception as error:
                            notes.append(repr(error)[:200])
                elif reader == "khal":
                    found, notes = read_khal(os.path.join(out, f"khal-{source}"), files, truths, feed=source == "feed")
                else:
                    found, notes = read_calcurse(os.path.join(out, f"calcurse-{source}"), files, truths,
                                                 zones_of=zones_of if source == "exports" else None)
            except Exception as error:
                found, notes = {}, [repr(error)[:300]]
            phase(f"{reader} {source}")
            result = compare(truths, found)
            result["notes"] = notes[:10]
            report["readers"][f"{reader} {source}"] = result
    json.dump(report, sys.stdout, ensure_ascii=False, sort_keys=True, indent=1)


if __name__ == "__main__":
    main()
