#!/usr/bin/env python3
"""Reads eventd's .ics files with real outside clients and prints what they see, as JSON.

    ics_check.py parse FILE...            every VEVENT as Python's `icalendar` reads it
    ics_check.py expand FROM TO FILE...   occurrences `recurring-ical-events` finds in [FROM, TO)

Times are printed as UTC instants (seconds since 1970) so they compare exactly with eventd's;
whole-day values as YYYY-MM-DD. Any parse error exits non-zero with the message.
"""
import datetime as dt
import json
import sys

import icalendar
import recurring_ical_events


def instant(value):
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise SystemExit(f"floating time {value} where eventd writes a zone")
        return int(value.timestamp())
    return value.isoformat()


def person(prop):
    params = prop.params
    roles = params.get("X-EVENTD-ROLE", "")
    return {
        "address": str(prop),
        "cn": str(params.get("CN", "")),
        "role": str(params.get("ROLE", "")),
        "eventdRoles": sorted(r for r in str(roles).split(",") if r),
    }


def many(component, name):
    value = component.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse(paths):
    out = []
    for path in paths:
        with open(path, "rb") as f:
            calendar = icalendar.Calendar.from_ical(f.read())
        for event in calendar.walk("VEVENT"):
            exdates = []
            for ex in many(event, "EXDATE"):
                exdates += [instant(d.dt) for d in ex.dts]
            out.append({
                "file": path,
                "method": str(calendar.get("METHOD", "")),
                "uid": str(event["UID"]),
                "summary": str(event.get("SUMMARY", "")),
                "status": str(event.get("STATUS", "")),
                "sequence": int(event.get("SEQUENCE", 0)),
                "tzid": str(event["DTSTART"].params.get("TZID", "")),
                "start": instant(event["DTSTART"].dt),
                "end": instant(event["DTEND"].dt) if "DTEND" in event else None,
                "organizer": person(event["ORGANIZER"]) if "ORGANIZER" in event else None,
                "attendees": sorted((person(a) for a in many(event, "ATTENDEE")), key=lambda p: p["address"]),
                "rrule": event["RRULE"].to_ical().decode() if "RRULE" in event else None,
                "exdates": sorted(exdates, key=str),
                "relatedTo": [str(r) for r in many(event, "RELATED-TO")],
                "alarms": len(list(event.walk("VALARM"))),
            })
    return out


def expand(start, end, paths):
    window = (dt.datetime.fromtimestamp(int(start), dt.timezone.utc), dt.datetime.fromtimestamp(int(end), dt.timezone.utc))
    out = []
    for path in paths:
        with open(path, "rb") as f:
            calendar = icalendar.Calendar.from_ical(f.read())
        for occurrence in recurring_ical_events.of(calendar).between(*window):
            if occurrence.get("RELATED-TO"):
                continue  # sessions are not occurrences of the event
            out.append({"uid": str(occurrence["UID"]), "start": instant(occurrence["DTSTART"].dt)})
    return sorted(out, key=lambda o: (str(o["start"]), o["uid"]))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    result = parse(args) if command == "parse" else expand(args[0], args[1], args[2:])
    json.dump(result, sys.stdout, ensure_ascii=False, sort_keys=True)
