"""What bench/bench.py and scripts/load.py share: a real eventd in a temporary folder, a
persistent HTTP/1.1 connection over its Unix socket, its memory and CPU from /proc, waiting
until its feed writer is done, and realistic Vietnamese calendars (.ics and the same rows as SQL).
"""
import atexit, http.client, json, os, pwd, random, shutil, socket, subprocess, tempfile, time, unicodedata


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over eventd's socket; kept alive between requests like eventctl's would be."""

    def __init__(self, path, timeout=600):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path
        self.last_use = time.monotonic()

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)

    def call(self, method, path, body=None, content_type="application/json"):
        """(status, bytes); a dict body is sent as JSON."""
        headers = {}
        if isinstance(body, dict):
            body = json.dumps(body, ensure_ascii=False).encode()
        if body is not None:
            headers["Content-Type"] = content_type
        # eventd closes a kept-alive connection idle for idle_timeout (60 s): a long wait for the
        # feeds to settle must not turn the next request into a broken pipe.
        if time.monotonic() - self.last_use > 30:
            self.close()
        self.request(method, path, body=body, headers=headers)
        answer = self.getresponse()
        data = answer.read()
        self.last_use = time.monotonic()
        return answer.status, data


class Daemon:
    """One eventd on its own socket and data folder. As root it runs as eventd-test through
    setpriv, as the unit runs it as an unprivileged user (as scripts/soak.py does)."""

    def __init__(self, bin_dir, config="", name="evb", hook_body=None):
        self.as_root = os.getuid() == 0
        self.user = pwd.getpwnam("eventd-test") if self.as_root else None
        self.work = tempfile.mkdtemp(prefix=name + "-", dir="/tmp")  # on disk, not tmpfs: fsyncs are real
        os.chmod(self.work, 0o755)
        self.own(self.work)
        self.eventd = os.path.join(bin_dir, "eventd")
        if self.as_root:
            # The build folder may be out of the daemon user's reach (a clone under /root).
            self.eventd = os.path.join(self.work, "eventd")
            shutil.copy(os.path.join(bin_dir, "eventd"), self.eventd)
            os.chmod(self.eventd, 0o755)
        self.ctl = os.path.join(bin_dir, "eventctl")
        self.socket = os.path.join(self.work, "s")
        self.data = os.path.join(self.work, "data")
        self.feeds = os.path.join(self.data, "feeds")
        self.hook = os.path.join(self.work, "hook.sh")
        with open(self.hook, "w") as f:
            f.write(hook_body or "#!/bin/sh\ncat >/dev/null\nexit 0\n")
        os.chmod(self.hook, 0o755)
        self.config = os.path.join(self.work, "eventd.conf")
        with open(self.config, "w") as f:
            f.write('organizer = "Văn phòng Bộ Tư pháp <vanphong@moj.gov.vn>"\nlog_level = warning\n' + config)
        self.env = dict(os.environ, EVENTD_SOCKET=self.socket)
        self.process = None

    def own(self, path):
        if self.user:
            os.chown(path, self.user.pw_uid, self.user.pw_gid)

    def start(self):
        command = [self.eventd, "--socket", self.socket, "--data-dir", self.data, "--config", self.config, "--mail-hook", self.hook]
        if self.as_root:
            command = ["setpriv", "--reuid=eventd-test", "--regid=eventd-test", "--init-groups", "--"] + command
        # setpriv execs eventd, so the child's pid is eventd's.
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.work, "eventd.log"), "a"))
        atexit.register(self.remove)  # no eventd outlives a bench that failed half-way
        for _ in range(400):
            if self.process.poll() is not None:
                raise SystemExit("eventd exited with %d; see %s" % (self.process.returncode, os.path.join(self.work, "eventd.log")))
            if self.ctl_run("status").returncode == 0:
                return self
            time.sleep(0.05)
        raise SystemExit("eventd did not start; see " + os.path.join(self.work, "eventd.log"))

    @property
    def pid(self):
        return self.process.pid

    def connect(self):
        return UnixHTTPConnection(self.socket)

    def ctl_run(self, *args):
        return subprocess.run([self.ctl, *args], env=self.env, capture_output=True, text=True)

    def status(self):
        return json.loads(self.ctl_run("status", "--json").stdout or "{}")

    def memory_kib(self):
        """VmRSS and VmHWM of eventd, in KiB."""
        fields = {}
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    fields[key] = int(value.split()[0])
        return fields

    def cpu_seconds(self):
        """utime + stime of eventd (all its threads), in seconds."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def settle(self, quiet=1.0, timeout=1800, uid=None):
        """Waits until all.ics holds `uid` (the last change made, when given) and eventd has then
        used no CPU for `quiet` seconds: the feed writer is idle. Nothing in the API says that a
        feed pass is still due (GET /v1/status has only the last write), and eventd rests up to
        30 s between passes, so quiet CPU alone would end the wait before the pass. Returns the
        seconds waited."""
        began = time.time()
        last_cpu, quiet_since = self.cpu_seconds(), time.time()
        checked, seen = None, uid is None
        while time.time() - began < timeout:
            time.sleep(0.1)
            cpu, feeds = self.cpu_seconds(), self.feeds_mtime()
            if not seen and feeds != checked:
                checked, seen = feeds, self.feed_has(uid)
            # One clock tick (10 ms) of CPU in a window is the scheduler's, not a feed pass.
            if cpu - last_cpu > 0.011:
                last_cpu, quiet_since = cpu, time.time()
            elif seen and time.time() - quiet_since >= quiet:
                return time.time() - began
        raise SystemExit(f"eventd did not settle in {timeout} s" + (f" (all.ics never held {uid})" if not seen else ""))

    def feed_has(self, uid):
        """Whether all.ics has a VEVENT with this UID (a byte search: the file may be 100 MB)."""
        try:
            with open(os.path.join(self.feeds, "all.ics"), "rb") as f:
                return b"\r\nUID:" + uid.encode() + b"\r\n" in f.read()
        except FileNotFoundError:
            return False

    def feeds_mtime(self):
        try:
            return os.stat(os.path.join(self.feeds, "all.ics")).st_mtime_ns
        except FileNotFoundError:
            return 0

    def feed_uids(self):
        """The UIDs of the VEVENTs in all.ics (continuation lines unfolded)."""
        try:
            text = open(os.path.join(self.feeds, "all.ics"), encoding="utf-8", newline="").read()
        except FileNotFoundError:
            return set()
        text = text.replace("\r\n ", "").replace("\r\n\t", "")
        return {line[4:] for line in text.split("\r\n") if line.startswith("UID:")}

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def remove(self):
        self.stop()
        shutil.rmtree(self.work, ignore_errors=True)


# --- Realistic calendars -------------------------------------------------------------------

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Chẩu", "Nhữ"]
MIDDLE = ["Văn", "Thị", "Chí", "Duy", "Thanh", "Minh", "Đức", "Quốc", "Thu", "Hữu", "Ngọc", "Tiến", "Xuân", "Hồng"]
GIVEN = ["Hiếu", "Tâm", "Hiển", "Lâm", "Hùng", "Dũng", "Hương", "Lan", "Phương", "Đạt", "Thắng", "Nga", "Hải", "Quân", "Trang", "Yến", "Khánh", "Tuấn", "Thảo", "Bình"]
POSITIONS = ["Thứ trưởng", "Giám đốc Sở", "Phó Giám đốc", "Chánh Văn phòng", "Vụ trưởng", "Chuyên viên", "Trưởng phòng", "Phó Chủ tịch UBND tỉnh"]
PLACES = ["Thái Nguyên", "Tuyên Quang", "Bắc Kạn", "Vườn Quốc gia Cúc Phương, Ninh Bình", "Công an tỉnh Bạc Liêu", "Vĩnh Phúc",
          "Hà Nội", "Thành phố Hồ Chí Minh", "Đà Nẵng", "Lai Châu", "Hội trường A, Bộ Tư pháp", "Phòng họp số 1, Sở Tư pháp Hà Giang"]
TITLES = {
    "meeting": ["Họp giao ban tuần", "Họp Ban chỉ đạo", "Họp rà soát tiến độ", "Họp thẩm định hồ sơ"],
    "conference": ["Hội nghị phát động phong trào thi đua", "Hội nghị tổng kết công tác tư pháp", "Hội nghị sơ kết 6 tháng"],
    "workshop": ["Hội thảo tham vấn mô hình 3D tại VQG Cúc Phương", "Hội thảo góp ý dự thảo Luật", "Tập huấn nghiệp vụ hộ tịch"],
    "visit": ["Buổi làm việc thống nhất phương án hướng tuyến giao thông", "Đoàn công tác làm việc với tỉnh"],
    "ceremony": ["Lễ công bố Quyết định khen thưởng", "Lễ trao Huân chương Lao động"],
    "signing": ["Lễ ký giao ước thi đua Khối cơ quan tư pháp", "Ký kết quy chế phối hợp"],
    "online": ["Hội nghị trực tuyến Chính phủ với địa phương", "Họp trực tuyến triển khai E-cabinet"],
}
# How often each kind comes up in an agency's calendar.
KIND_WEIGHTS = [("meeting", 40), ("conference", 15), ("workshop", 15), ("visit", 8), ("ceremony", 8), ("signing", 7), ("online", 7)]
ROLE_PARAMS = {"chair": "CHAIR", "speaker": "REQ-PARTICIPANT", "witness": "REQ-PARTICIPANT", "attendee": "REQ-PARTICIPANT"}
DAY = 86400
VN = 7 * 3600  # Asia/Ho_Chi_Minh is UTC+7 all year, so local times convert without a tz database


def fold(name):
    """Case and diacritics ignored, đ as d: eventd's name_folded."""
    name = name.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", name) if unicodedata.category(c) != "Mn").lower()


def people(count, seed=3):
    rng = random.Random(seed)
    result = []
    for i in range(count):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        email = fold(name).replace(" ", ".") + f".{i}@{rng.choice(['moj.gov.vn', 'thainguyen.gov.vn', 'stp.hagiang.gov.vn', 'congan.baclieu.gov.vn'])}"
        result.append({"id": i + 1, "name": name, "email": email, "position": rng.choice(POSITIONS)})
    return result


def events(count, pool, seed, uid_prefix, first=1_735_664_400, years=4):
    """`count` events from 1 January 2025 over `years` years (office hours, Asia/Ho_Chi_Minh),
    five people each: a chair, one or two speakers or a witness, the rest attendees."""
    rng = random.Random(seed)
    kinds = [k for k, w in KIND_WEIGHTS for _ in range(w)]
    result = []
    for i in range(count):
        kind = rng.choice(kinds)
        day = first + rng.randrange(years * 365) * DAY  # local midnight, as UTC seconds
        start = day + rng.choice([7 * 60 + 30, 8 * 60, 8 * 60 + 30, 9 * 60, 10 * 60, 13 * 60 + 30, 14 * 60, 15 * 60]) * 60
        end = start + rng.choice([60, 90, 120, 180, 240]) * 60
        chosen = rng.sample(pool, 5)
        roles = ["chair", "speaker", rng.choice(["speaker", "witness", "attendee"]), "attendee", "attendee"]
        result.append({
            "uid": f"{uid_prefix}-{i}@bench.eventd.vn", "kind": kind,
            "title": f"{rng.choice(TITLES[kind])} số {i}", "location": rng.choice(PLACES),
            "description": "Thành phần: lãnh đạo các đơn vị.\nChuẩn bị: Văn phòng." if rng.random() < 0.3 else None,
            "start": start, "end": end, "people": list(zip(chosen, roles)),
            "visiting": "Tỉnh Bắc Kạn" if kind == "visit" else None, "host": "Tỉnh Tuyên Quang" if kind == "visit" else None,
        })
    return result


def _fold_line(line):
    """RFC 5545 folding at 75 octets, never inside a UTF-8 sequence."""
    data, out, limit = line.encode(), [], 75
    while len(data) > limit:
        cut = limit
        while (data[cut] & 0xC0) == 0x80:
            cut -= 1
        out.append(data[:cut])
        data, limit = data[cut:], 74
    out.append(data)
    return b"\r\n ".join(out).decode()


def _escape(text):
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _local(seconds):
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime(seconds + VN))


def ics(evs, stamp="20260101T000000Z"):
    lines = ["BEGIN:VCALENDAR", "PRODID:-//eventd bench//vi", "VERSION:2.0", "METHOD:PUBLISH",
             "BEGIN:VTIMEZONE", "TZID:Asia/Ho_Chi_Minh", "BEGIN:STANDARD", "DTSTART:19700101T000000",
             "TZOFFSETFROM:+0700", "TZOFFSETTO:+0700", "TZNAME:ICT", "END:STANDARD", "END:VTIMEZONE"]
    for e in evs:
        lines += ["BEGIN:VEVENT", "UID:" + e["uid"], "DTSTAMP:" + stamp, "SEQUENCE:0", "STATUS:CONFIRMED",
                  "CATEGORIES:" + e["kind"], "SUMMARY:" + _escape(e["title"]), "LOCATION:" + _escape(e["location"]),
                  "DTSTART;TZID=Asia/Ho_Chi_Minh:" + _local(e["start"]), "DTEND;TZID=Asia/Ho_Chi_Minh:" + _local(e["end"])]
        if e["description"]:
            lines.append("DESCRIPTION:" + _escape(e["description"]))
        if e["visiting"]:
            lines += ["X-EVENTD-VISITING:" + _escape(e["visiting"]), "X-EVENTD-HOST:" + _escape(e["host"])]
        for person, role in e["people"]:
            lines.append(f'ATTENDEE;CN={person["name"]};ROLE={ROLE_PARAMS[role]};PARTSTAT=NEEDS-ACTION;X-EVENTD-ROLE={role}:mailto:{person["email"]}')
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold_line(line) + "\r\n" for line in lines)


def sql_rows(evs, pool, first_event_id=1):
    """The same people, events and participations as INSERTs for the sqlite3 shell: the rows the
    file carries, without eventd's own bookkeeping (audit, notices)."""
    q = lambda s: "NULL" if s is None else "'" + s.replace("'", "''") + "'"
    out = []
    for p in pool:
        out.append(f"INSERT INTO person (id, name, name_folded, email, position, lang, created_at) VALUES "
                   f"({p['id']}, {q(p['name'])}, {q(fold(p['name']))}, {q(p['email'])}, {q(p['position'])}, 'vi', 0);")
    for n, e in enumerate(evs, first_event_id):
        out.append(f"INSERT INTO event (id, uid, kind, title, description, location, start_at, end_at, tz, status, visiting_org, host_org, created_at, updated_at) VALUES "
                   f"({n}, {q(e['uid'])}, '{e['kind']}', {q(e['title'])}, {q(e['description'])}, {q(e['location'])}, {e['start']}, {e['end']}, "
                   f"'Asia/Ho_Chi_Minh', 'confirmed', {q(e['visiting'])}, {q(e['host'])}, 0, 0);")
        for person, role in e["people"]:
            out.append(f"INSERT INTO participation (event_id, person_id, role, start_at, end_at) VALUES ({n}, {person['id']}, '{role}', {e['start']}, {e['end']});")
    return "\n".join(out) + "\n"
