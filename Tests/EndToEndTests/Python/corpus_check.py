#!/usr/bin/env python3
"""Runs every file of the corpus through a live eventd and compares what comes back with what
Python's icalendar and recurring-ical-events read in the original file, as JSON on stdout.

    corpus_check.py SOCKET CORPUS_DIR OUT_DIR [FILE...]

For each file (or only those named, relative to CORPUS_DIR), in a register emptied first:
  - POST /v1/import; the outcome is "imported" (something created or updated), "empty" (a 200
    that stored nothing: a calendar without VEVENTs) or "refused" (4xx, with the message); a 5xx is
    "error", which must never happen.
  - series: for every UID that repeats (RRULE, RDATE or RECURRENCE-ID), the starts eventd lists
    (GET /v1/events?from&to, one entry per occurrence) against those recurring-ical-events finds in
    the original file, over the three years from the UID's first DTSTART (at most 400 occurrences).
  - round trip: GET /v1/events/ID.ics for every event imported, read with icalendar and compared
    property by property with the original VEVENT of the same UID (and RECURRENCE-ID): each
    property is "kept" (the same value, compared as instants, text, sets or bytes as fits), "changed"
    or "lost". DTSTAMP, CREATED, LAST-MODIFIED and PRODID are the register's own and not compared.
Floating times are read in Asia/Ho_Chi_Minh, eventd's default zone in the tests.
"""
import datetime as dt
import http.client
import json
import os
import socket
import sys
import urllib.parse
import zoneinfo

import icalendar
import recurring_ical_events

DEFAULT_ZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
OWN = {"DTSTAMP", "CREATED", "LAST-MODIFIED", "PRODID", "X-EVENTD-KIND"}
WINDOW_DAYS = 3 * 366
MAX_OCCURRENCES = 400


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=60)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(60)
        self.sock.connect(self.path)


def call(sock, method, path, body=None, content_type=None):
    conn = UnixConnection(sock)
    headers = {"Content-Type": content_type} if content_type else {}
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def epoch(value):
    """An instant as seconds since 1970, a date as YYYY-MM-DD (whole-day values)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=DEFAULT_ZONE)
        return int(value.timestamp())
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def iso_epoch(text, all_day):
    value = dt.datetime.fromisoformat(text)
    return value.date().isoformat() if all_day else int(value.timestamp())


def clear(sock):
    status, data = call(sock, "GET", "/v1/events")
    for event in json.loads(data):
        call(sock, "DELETE", f"/v1/events/{event['id']}")


def components(calendar):
    return [c for c in calendar.walk("VEVENT")]


def key(component):
    rid = component.get("RECURRENCE-ID")
    return (str(component.get("UID", "")), epoch(rid.dt) if rid is not None else None)


def values(component, name):
    value = component.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def normalise(name, prop, component):
    """A comparable form of one property value."""
    if name in ("DTSTART", "DTEND", "RECURRENCE-ID", "DUE"):
        return epoch(prop.dt)
    if name in ("EXDATE", "RDATE"):
        out = []
        for d in prop.dts:
            v = d.dt
            if isinstance(v, tuple):  # a PERIOD
                out.append((epoch(v[0]), epoch(v[1]) if not isinstance(v[1], dt.timedelta) else epoch(v[0] + v[1])))
            else:
                out.append(epoch(v))
        return sorted(out, key=str)
    if name == "CATEGORIES":
        return sorted(str(c).strip() for c in prop.cats) if hasattr(prop, "cats") else sorted(str(prop).split(","))
    if name in ("ATTENDEE", "ORGANIZER"):
        params = {k.upper(): str(v) for k, v in prop.params.items() if k.upper() not in ("X-EVENTD-ROLE",)}
        return (str(prop).lower().removeprefix("mailto:"), sorted(params.items()))
    if name in ("SUMMARY", "LOCATION", "DESCRIPTION", "COMMENT"):
        return " ".join(str(prop).split())
    if name == "SEQUENCE":
        return int(prop)
    if name == "RRULE":
        # INTERVAL=1 and WKST=MO are the defaults (RFC 5545 3.3.10); writing them or not says the same.
        # BYDAY=+3WE is 3WE; the order of a BY list says nothing.
        parts = {k: sorted(str(x).lstrip("+") for x in v) if k.startswith("BY") else [str(x) for x in v] for k, v in prop.items()}
        if parts.get("INTERVAL") == ["1"]:
            del parts["INTERVAL"]
        if parts.get("WKST") == ["MO"]:
            del parts["WKST"]
        return sorted(parts.items())
    if name == "STATUS":
        return str(prop).upper()
    try:
        # VALUE= naming the property's own default type (URL;VALUE=URI) says nothing.
        params = sorted((k.upper(), str(v)) for k, v in prop.params.items() if k.upper() != "VALUE")
        return (prop.to_ical().decode("utf-8", "replace"), params)
    except Exception:
        return str(prop)


def same_day(before, after):
    """A date and a datetime at the local midnight of that date (DATE;TZID=…) name the same day."""
    def day(p):
        v = p.dt
        if isinstance(v, dt.datetime):
            return v.date().isoformat() if (v.hour, v.minute, v.second) == (0, 0, 0) else None
        return v.isoformat()
    return len(before) == len(after) == 1 and day(before[0]) is not None and day(before[0]) == day(after[0])


def end_of(component):
    if "DTEND" in component:
        return epoch(component["DTEND"].dt)
    if "DURATION" in component:
        return epoch(component["DTSTART"].dt + component["DURATION"].dt)
    start = component["DTSTART"].dt
    return epoch(start if isinstance(start, dt.datetime) else start + dt.timedelta(days=1))


def compare(original, exported):
    """Per property name: kept, changed or lost (a name the original has that the export lacks)."""
    result = {"kept": [], "changed": [], "lost": [], "empty": []}
    names = [n for n in dict.fromkeys(k.upper() for k in original.keys()) if n not in OWN]
    for name in names:
        if name == "DTEND" and "DTEND" not in exported:
            # DTEND equal to DTSTART is written as DTSTART alone (RFC 5545 3.6.1), which says the same.
            (result["kept"] if end_of(original) == end_of(exported) else result["changed"]).append(name)
            continue
        if name == "DURATION":
            (result["kept"] if end_of(original) == end_of(exported) else result["changed"]).append(name)
            continue
        raw = values(original, name)
        if all(not p.to_ical().strip() for p in raw if hasattr(p, "to_ical")) and all(hasattr(p, "to_ical") for p in raw):
            result.setdefault("empty", []).append(name)  # RFC 5545 3.3.11: an empty value; eventd keeps none
            continue
        before = [normalise(name, p, original) for p in raw]
        if all(v == "" for v in before):
            result["empty"].append(name)
            continue
        after = [normalise(name, p, exported) for p in values(exported, name)]
        if not after:
            result["lost"].append(name)
        elif name in ("EXDATE", "RDATE"):
            flat = lambda xs: sorted({x for v in xs for x in v}, key=str)
            (result["kept"] if flat(before) == flat(after) else result["changed"]).append(name)
        elif name in ("ATTENDEE", "ORGANIZER"):
            b = {a: p for a, p in before}
            a = {a: p for a, p in after}
            if set(b) - set(a):
                result["lost"].append(name)
            elif any(set(b[x]) - set(a[x]) for x in b):
                result["changed"].append(name)
            else:
                result["kept"].append(name)
        elif name == "CATEGORIES":
            (result["kept"] if sorted(x for v in before for x in v) == sorted(x for v in after for x in v) else result["changed"]).append(name)
        elif sorted(map(str, before)) == sorted(map(str, after)) or (len(before) == 1 and before[0] in after):
            result["kept"].append(name)
        elif name in ("DTSTART", "DTEND", "RECURRENCE-ID") and same_day(values(original, name), values(exported, name)):
            result["kept"].append(name)  # a DATE with a TZID (Thunderbird, Nextcloud) written as the plain DATE it is
        else:
            result["changed"].append(name)
    alarms_before = len(original.walk("VALARM"))
    alarms_after = len(exported.walk("VALARM"))
    if alarms_before:
        (result["kept"] if alarms_before == alarms_after else result["changed"]).append("VALARM")
    return result


def occurrences_python(calendar, uid, start, end, dates):
    """Starts recurring-ical-events finds; with `dates` (eventd holds a whole-day series) each as
    its day, since a DATE with a TZID (which Thunderbird and Nextcloud write) reads as a datetime."""
    found = []
    for occurrence in recurring_ical_events.of(calendar).between(start, end):
        if str(occurrence.get("UID")) == uid:
            value = occurrence["DTSTART"].dt
            if dates and isinstance(value, dt.datetime):
                value = value.date()
            found.append(epoch(value))
            if len(found) >= MAX_OCCURRENCES:
                break
    return sorted(set(found), key=str)


def occurrences_eventd(sock, uid, start, end):
    params = urllib.parse.urlencode({"from": start.isoformat(), "to": end.isoformat()})
    status, data = call(sock, "GET", f"/v1/events?{params}")
    if status != 200:
        raise RuntimeError(f"GET /v1/events {status}: {data[:300]!r}")
    out = [iso_epoch(e["start"], e["allDay"]) for e in json.loads(data) if e["uid"] == uid]
    return sorted(set(out[:MAX_OCCURRENCES]), key=str)


def check(sock, corpus, out_dir, name):
    path = os.path.join(corpus, name)
    with open(path, "rb") as f:
        raw = f.read()
    clear(sock)
    report = {"file": name, "series": [], "roundTrip": {}}
    status, data = call(sock, "POST", "/v1/import", body=raw, content_type="text/calendar")
    report["status"] = status
    if status >= 500:
        report["outcome"] = "error"
        report["message"] = data.decode("utf-8", "replace")[:500]
        return report
    if status != 200:
        report["outcome"] = "refused"
        try:
            report["message"] = json.loads(data)["error"]["message"]
        except Exception:
            report["message"] = data.decode("utf-8", "replace")[:500]
        return report
    result = json.loads(data)
    report["created"] = len(result["created"])
    report["updated"] = len(result["updated"])
    report["skipped"] = [s["uid"] for s in result["skipped"]]
    report["outcome"] = "imported" if result["created"] or result["updated"] else "empty"
    if report["outcome"] == "empty":
        return report
    try:
        original = icalendar.Calendar.from_ical(raw)
    except Exception as error:
        report["pythonError"] = f"icalendar cannot read the original: {error}"[:300]
        return report

    status, data = call(sock, "GET", "/v1/events")
    stored = {e["uid"]: e for e in json.loads(data)}
    by_uid = {}
    for component in components(original):
        by_uid.setdefault(str(component.get("UID", "")), []).append(component)

    # Recurrence: every UID that repeats, compared over three years from its first DTSTART.
    for uid, parts in by_uid.items():
        if uid not in stored:
            continue
        repeats = any("RRULE" in c or "RDATE" in c or "RECURRENCE-ID" in c for c in parts) or len(parts) > 1
        if not repeats:
            continue
        starts = [c["DTSTART"].dt for c in parts if "DTSTART" in c]
        first = min((s if isinstance(s, dt.datetime) else dt.datetime.combine(s, dt.time())).replace(tzinfo=None) for s in starts)
        window = (first - dt.timedelta(days=1), first + dt.timedelta(days=WINDOW_DAYS))
        entry = {"uid": uid}
        try:
            py = occurrences_python(original, uid, *window, dates=stored[uid]["allDay"])
        except Exception as error:
            entry["pythonError"] = str(error)[:300]
            report["series"].append(entry)
            continue
        zone = DEFAULT_ZONE
        w = (window[0].replace(tzinfo=zone), window[1].replace(tzinfo=zone))
        ev = occurrences_eventd(sock, uid, *w)
        entry["eventd"] = len(ev)
        entry["python"] = len(py)
        entry["onlyEventd"] = [x for x in ev if x not in py][:5]
        entry["onlyPython"] = [x for x in py if x not in ev][:5]
        entry["agree"] = ev == py
        report["series"].append(entry)

    # Round trip: each stored event exported and compared with the original VEVENTs of its UID.
    lost, changed, kept = {}, {}, 0
    for uid, event in stored.items():
        status, data = call(sock, "GET", f"/v1/events/{event['id']}.ics")
        if status != 200:
            report.setdefault("exportErrors", []).append(f"{uid}: {status}")
            continue
        with open(os.path.join(out_dir, name.replace("/", "_") + f".{event['id']}.ics"), "wb") as f:
            f.write(data)
        try:
            exported = icalendar.Calendar.from_ical(data)
        except Exception as error:
            report.setdefault("exportErrors", []).append(f"{uid}: icalendar cannot read the export: {error}"[:300])
            continue
        written = {key(c): c for c in components(exported)}
        for c in components(exported):
            # A whole-day series' occurrence named by a local midnight (Exchange) is written by its date.
            rid = c.get("RECURRENCE-ID")
            if rid is not None and not isinstance(rid.dt, dt.datetime):
                written.setdefault(("day", str(c.get("UID", "")), rid.dt.isoformat()), c)
        for component in by_uid.get(uid, []):
            k = key(component)
            rid = component.get("RECURRENCE-ID")
            if k not in written and rid is not None and isinstance(rid.dt, dt.datetime):
                k = ("day", k[0], rid.dt.date().isoformat())
            if k not in written:
                # A masterless override is exported under a master whose DTSTART is its RECURRENCE-ID.
                lost.setdefault("VEVENT", []).append(f"{uid} {k[1]}")
                continue
            r = compare(component, written[k])
            kept += len(r["kept"])
            for n in r["lost"]:
                lost.setdefault(n, []).append(uid)
            for n in r["changed"]:
                changed.setdefault(n, []).append(uid)
    report["roundTrip"] = {"lost": {k: len(v) for k, v in lost.items()}, "changed": {k: len(v) for k, v in changed.items()}}
    report["propertiesKept"] = kept
    return report


def main():
    sock, corpus, out_dir = sys.argv[1:4]
    names = sys.argv[4:] or sorted(
        os.path.relpath(os.path.join(d, f), corpus) for d, _, fs in os.walk(corpus) for f in fs if f.endswith(".ics"))
    os.makedirs(out_dir, exist_ok=True)
    reports = []
    for name in names:
        try:
            reports.append(check(sock, corpus, out_dir, name))
        except Exception as error:  # a checker failure is reported, not hidden
            reports.append({"file": name, "outcome": "checker-error", "message": repr(error)[:500]})
    json.dump(reports, sys.stdout, ensure_ascii=False, sort_keys=True, indent=1)


if __name__ == "__main__":
    main()
