#!/usr/bin/env python3
"""Reads messages eventd's mail hook received with Python's `email` parser; prints JSON.

    mail_check.py FILE...

For each message: decoded Subject, From and To (display name and address), Message-ID, every
header name, the text/plain body, and the text/calendar part's `method=` parameter with the
METHOD, SEQUENCE, STATUS, UID, ORGANIZER and ATTENDEEs inside it (read with `icalendar`), and
the calendar text itself, from which the tests answer as a client would.
"""
import email
import email.policy
import json
import sys

import icalendar


def read(path):
    with open(path, "rb") as f:
        message = email.message_from_binary_file(f, policy=email.policy.default)
    out = {
        "file": path,
        "subject": str(message["Subject"]),
        "fromName": message["From"].addresses[0].display_name,
        "fromAddress": message["From"].addresses[0].addr_spec,
        "toName": message["To"].addresses[0].display_name,
        "toAddress": message["To"].addresses[0].addr_spec,
        "messageId": str(message["Message-ID"]),
        "headers": [name for name in message.keys()],
        "contentType": message.get_content_type(),
        "text": None,
        "calendarParam": None,
        "method": None,
        "sequence": None,
        "status": None,
        "summary": None,
        "uid": None,
        "organizer": None,
        "attendees": [],
        "calendar": None,
    }
    for part in message.iter_parts():
        if part.get_content_type() == "text/plain":
            out["text"] = part.get_content()
        elif part.get_content_type() == "text/calendar":
            out["calendarParam"] = part.get_param("method")
            calendar = icalendar.Calendar.from_ical(part.get_content())
            out["method"] = str(calendar.get("METHOD"))
            event = next(iter(calendar.walk("VEVENT")))
            out["sequence"] = int(event.get("SEQUENCE", 0))
            out["status"] = str(event.get("STATUS", ""))
            out["summary"] = str(event.get("SUMMARY", ""))
            out["uid"] = str(event.get("UID", ""))
            out["calendar"] = part.get_content()

            def address(value):
                text = str(value)
                return text[7:].lower() if text.lower().startswith("mailto:") else text

            if event.get("ORGANIZER") is not None:
                out["organizer"] = address(event.get("ORGANIZER"))
            attendees = event.get("ATTENDEE", [])
            if not isinstance(attendees, list):
                attendees = [attendees]
            out["attendees"] = [address(a) for a in attendees]
    return out


if __name__ == "__main__":
    json.dump([read(p) for p in sys.argv[1:]], sys.stdout, ensure_ascii=False, sort_keys=True)
