"""Facts of a real iTIP answer, read with Python's own email and icalendar parsers, so the
mail-in tests can seed eventd with the event the answer is about: prints JSON with the
sender, METHOD, UID, SEQUENCE, the attendee's address and PARTSTAT, and DTSTART."""
import email
import email.policy
import json
import sys

import icalendar

path = sys.argv[1]
raw = open(path, "rb").read()
sender = None
calendar_bytes = raw
if path.endswith(".eml"):
    message = email.message_from_bytes(raw, policy=email.policy.default)
    sender = email.utils.parseaddr(str(message["From"]))[1].lower()
    part = next(p for p in message.walk() if p.get_content_type() in ("text/calendar", "application/ics"))
    calendar_bytes = part.get_payload(decode=True)
cal = icalendar.Calendar.from_ical(calendar_bytes)
event = next(c for c in cal.walk("VEVENT"))
attendee = event.get("ATTENDEE")
if isinstance(attendee, list):
    attendee = attendee[0]
address = str(attendee)
address = address[7:] if address.lower().startswith("mailto:") else address
start = event.decoded("DTSTART")
print(json.dumps({
    "sender": sender,
    "method": str(cal.get("METHOD")),
    "uid": str(event.get("UID")),
    "sequence": int(event.get("SEQUENCE", 0)),
    "attendee": address.lower(),
    "partstat": str(attendee.params.get("PARTSTAT", "")).lower(),
    "start": start.isoformat(),
}))
