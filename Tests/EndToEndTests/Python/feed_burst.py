#!/usr/bin/env python3
"""Adds N events through eventd's Unix socket as fast as it answers, while a reader polls a feed
file and parses every read with `icalendar`; prints JSON: reads, parse failures, seconds.

    feed_burst.py SOCKET FEED_FILE N
"""
import datetime
import http.client
import json
import socket
import sys
import threading
import time

import icalendar


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def burst(path, n):
    for i in range(n):
        # One a day at 08:00, so each add is a plain write (no clash checks against the others).
        day = datetime.date(2030, 1, 1) + datetime.timedelta(days=i)
        body = json.dumps({"kind": "meeting", "title": f"Họp giao ban số {i}", "start": f"{day.isoformat()}T08:00:00+07:00",
                           "duration": "1h", "location": f"Phòng {i}"})
        connection = UnixConnection(path)
        connection.request("POST", "/v1/events", body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 201:
            raise SystemExit(f"add {i} answered {response.status}")


def main():
    path, feed, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    stats = {"reads": 0, "failures": [], "seconds": 0.0}
    done = threading.Event()

    def reader():
        while not done.is_set():
            with open(feed, "rb") as f:
                data = f.read()
            stats["reads"] += 1
            try:
                calendar = icalendar.Calendar.from_ical(data)
                assert data.endswith(b"END:VCALENDAR\r\n"), "no END:VCALENDAR at the end"
                list(calendar.walk("VEVENT"))
            except Exception as error:  # a partial file would land here
                stats["failures"].append(str(error)[:200])
            time.sleep(0.005)

    thread = threading.Thread(target=reader)
    thread.start()
    started = time.time()
    try:
        burst(path, n)
    finally:
        stats["seconds"] = time.time() - started
        done.set()
        thread.join()
    json.dump(stats, sys.stdout)


main()
