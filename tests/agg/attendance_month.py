#!/usr/bin/env python3
"""A month of attendance for tests/agg/test_attendance_month.sh.

  attendance_month.py gen DIR SEED
      Made-up people, shifts and passages of November 2026 (and the
      shift days either side of it), from a fixed seed:
        DIR/people-N.csv     the credential lists, one per department
        DIR/departments      N <tab> department
        DIR/shifts           name start end break grace days
        DIR/assign           group|person <tab> target <tab> shift
        DIR/passages         person ts_ms direction result passage gate
        DIR/gate-GATE.jsonl  the events each gate publishes, in seq order
        DIR/fixes            person day field local-time|- why (HR's)
        DIR/intent           person day what minutes: what the generator
                             meant a day to be (absent, late, early,
                             missing), for days no correction touches

  attendance_month.py expect DIR FROM TO
      The report those files should give, as tab-separated cells with
      the CSV's header, computed from the rules as docs/aggregator.md and
      the header comment of src/agg/attendance.h state them, not from the
      C code: a second, independent implementation.

Times: the site's zone, Asia/Ho_Chi_Minh, through Python's zoneinfo
(the C code uses the C library's mktime()).
"""
import datetime as dt
import hashlib
import json
import random
import sys
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SITE = "s1"
GATES = ["g1", "g2", "g3"]
FIRST = dt.date(2026, 11, 1)
LAST = dt.date(2026, 11, 30)
HEADER = ["day", "person", "name", "department", "shift", "first_in",
          "last_out", "worked_min", "late_min", "early_min", "missing",
          "absent", "corrected"]

# name: start, end (minutes after midnight), break, grace, weekdays.
SHIFTS = {
    "day": (8 * 60, 17 * 60, 60, 5, "123456"),
    "swing": (14 * 60, 22 * 60, 30, 5, "12345"),
    "night": (22 * 60, 6 * 60, 30, 10, "123456"),
}
# department: people, the shift the department works.
DEPARTMENTS = [
    ("Kho", 60, "day"),
    ("Xưởng May", 60, "swing"),
    ("Xưởng Cắt", 50, "night"),
    ("Bảo trì", 30, "day"),
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
GIVEN = ["Thị Hồng", "Văn An", "Thị Mai", "Văn Bình", "Thị Lan", "Minh Đức",
         "Thu Hà", "Quốc Huy", "Ngọc Ánh", "Văn Tùng"]


def wall(day, minute, sec=0.0):
    """The local wall time minute (may pass 1440) after day's midnight,
    plus sec seconds, as UTC milliseconds."""
    t = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
    return int(round(t.replace(tzinfo=ZONE).timestamp() * 1000 + sec * 1000))


def local(ms):
    if ms is None:
        return ""
    t = dt.datetime.fromtimestamp(ms // 1000, ZONE)
    return t.strftime("%Y-%m-%d %H:%M:%S")


def local_ms(text):
    """ "YYYY-MM-DD HH:MM" of the site as UTC milliseconds."""
    t = dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZONE)
    return int(t.timestamp() * 1000)


def days(first, last):
    d = first
    while d <= last:
        yield d
        d += dt.timedelta(days=1)


def shift_at(shift, day):
    """Rule 1: the shift of shift day `day`, as (start, end) ms."""
    start, end = shift[0], shift[1]
    return wall(day, start), wall(day, end + (1440 if end <= start else 0))


def gen_person_day(rnd, shift, day, working, out):
    """One person's passages of shift day `day` into out as
    (ts_ms, direction, result, passage); returns what was meant, for the
    intent file: a list of (what, minutes)."""
    start, end = shift_at(shift, day)
    grace = shift[3]
    sec = lambda: rnd.randint(0, 59) + rnd.randint(0, 999) / 1000.0
    meant = []
    if not working:
        if rnd.random() < 0.08:		# overtime on a day off
            t = start + rnd.randint(-10, 30) * 60000 + int(sec() * 1000)
            out.append((t, "entry", "granted", "passed"))
            out.append((t + rnd.randint(180, 300) * 60000, "exit",
                        "granted", "passed"))
        return meant
    r = rnd.random()
    if r < 0.04:
        meant.append(("absent", 0))
        return meant
    if r < 0.06:	# only denied (an expired badge): absent all the same
        out.append((start - 5 * 60000, "entry", "denied", "none"))
        meant.append(("absent", 0))
        return meant
    if r < 0.075:	# the way released, never taken: absent too
        out.append((start - 3 * 60000, "entry", "granted", "not-passed"))
        meant.append(("absent", 0))
        return meant
    # Arrival.
    k = rnd.random()
    if k < 0.12:
        late = rnd.randint(grace + 1, 95)
        t_in = start + late * 60000 + int(sec() * 1000)
        meant.append(("late", late))
    elif k < 0.16:	# at the grace's edge: grace minutes and a few
        t_in = start + grace * 60000 + int(sec() * 1000)	# seconds: not late
        meant.append(("late", 0))
    else:
        t_in = start - rnd.randint(1, 25) * 60000 + int(sec() * 1000)
        meant.append(("late", 0))
    # Departure.
    k = rnd.random()
    if k < 0.09:
        early = rnd.randint(grace + 1, 150)
        t_out = end - early * 60000 - int(sec() * 1000)
        meant.append(("early", early))
    elif k < 0.12:	# overtime
        t_out = end + rnd.randint(60, 240) * 60000 + int(sec() * 1000)
        meant.append(("early", 0))
    else:
        t_out = end + rnd.randint(0, 20) * 60000 + int(sec() * 1000)
        meant.append(("early", 0))
    ins = [t_in]
    if rnd.random() < 0.05:		# the badge shown twice
        ins.append(t_in + rnd.randint(1, 9) * 60000 + rnd.randint(1, 999))
    if rnd.random() < 0.04:		# refused first, a minute before
        out.append((t_in - 60000, "entry", "denied", "none"))
    if rnd.random() < 0.04:		# released, not taken, then taken
        out.append((t_in - 30000, "entry", "granted", "not-passed"))
    if rnd.random() < 0.10:		# out for lunch and back
        mid = start + (end - start) // 2
        out.append((mid, "exit", "granted", "passed"))
        out.append((mid + rnd.randint(20, 50) * 60000, "entry", "granted",
                    "passed"))
    k = rnd.random()
    if k < 0.05:			# no out-punch
        ins_only = True
        meant = [m for m in meant if m[0] != "early"]
        meant.append(("missing", "out"))
    else:
        ins_only = False
    if 0.05 <= k < 0.08:		# no in-punch
        ins = []
        meant = [m for m in meant if m[0] != "late"]
        meant.append(("missing", "in"))
    for t in ins:
        out.append((t, "entry", "granted", "passed"))
    if not ins_only:
        out.append((t_out, "exit", "granted", "passed"))
    return meant


def gen(outdir, seed):
    rnd = random.Random(seed)
    people = []		# (id, name, department, shift)
    n = 0
    for dept, count, shift in DEPARTMENTS:
        for _ in range(count):
            n += 1
            name = "%s %s" % (rnd.choice(FAMILY), rnd.choice(GIVEN))
            people.append(["W-%04d" % n, name, dept, shift])
    assign = [("group", d, s) for d, _, s in DEPARTMENTS]
    # Maintenance: a third on their own shifts (a person's wins over the
    # department's).
    for p in people:
        if p[2] == "Bảo trì" and rnd.random() < 0.33:
            p[3] = rnd.choice(["night", "swing"])
            assign.append(("person", p[0], p[3]))
    # Contractors: passages, a department, no shift: no attendance.
    contractors = [["C-%03d" % i, "Nhà thầu %d" % i, "Nhà thầu", None]
                   for i in range(1, 4)]
    with open(outdir + "/shifts", "w") as f:
        for name, s in SHIFTS.items():
            f.write("%s\t%02d:%02d\t%02d:%02d\t%d\t%d\t%s\n" % (
                name, s[0] // 60, s[0] % 60, s[1] // 60, s[1] % 60, s[2],
                s[3], s[4]))
    with open(outdir + "/assign", "w") as f:
        for a in assign:
            f.write("\t".join(a) + "\n")
    depts = [d for d, _, _ in DEPARTMENTS] + ["Nhà thầu"]
    with open(outdir + "/departments", "w") as f:
        for i, d in enumerate(depts):
            f.write("%d\t%s\n" % (i, d))
            with open("%s/people-%d.csv" % (outdir, i), "w") as c:
                c.write("id,kind,subject,name,valid_from,valid_until,"
                        "status,lanes\n")
                for p in people + contractors:
                    if p[2] == d:
                        c.write("%s,signed,%s,%s,,,active,*\n" % (
                            p[0], p[0], p[1]))
    with open(outdir + "/staff", "w") as f:
        for p in people:
            f.write("\t".join(p) + "\n")

    passages = []	# (ts, person, direction, result, passage)
    intent = {}
    for p in people + contractors:
        shift = SHIFTS[p[3] or "day"]
        # The shift days either side of the month too: their passages
        # sit in the windows next to the month's first and last days.
        for day in days(FIRST - dt.timedelta(days=1),
                        LAST + dt.timedelta(days=1)):
            working = str(day.isoweekday()) in shift[4]
            mine = []
            meant = gen_person_day(rnd, shift, day, working, mine)
            if p[3] is not None and FIRST <= day <= LAST:
                intent[(p[0], day.isoformat())] = meant
            passages += [(t, p[0], d, r, pa) for t, d, r, pa in mine]
    # On the windows' edges (rule 2: [from, to), a passage on a boundary
    # belongs to the later day): a day worker out at 00:30:00.000 sharp,
    # the next day's window; a night worker out at 13:59:59.999, still
    # the night before's.
    edges = [("day", dt.date(2026, 11, 10), 24 * 60 + 30, 0),
             ("night", dt.date(2026, 11, 17), 24 * 60 + 14 * 60, -0.001)]
    for shift, day, minute, sec in edges:
        who = next(p for p in people if p[3] == shift)
        passages.append((wall(day, minute, sec), who[0], "exit", "granted",
                         "passed"))
        intent.pop((who[0], day.isoformat()), None)
        intent.pop((who[0], (day + dt.timedelta(days=1)).isoformat()), None)
    # No two passages of one person at the same instant: which is first
    # would be the store's choice.
    passages.sort()
    seen = set()
    for i, (t, who, *_rest) in enumerate(passages):
        while (t, who) in seen:
            t += 1
        seen.add((t, who))
        passages[i] = (t, who, *_rest)
    passages.sort()

    # HR's corrections, on days that need them; some twice (the latest
    # wins), one on a day off.
    fixes = []
    month = [(k, v) for k, v in sorted(intent.items())]
    absent = [k for k, v in month if ("absent", 0) in v]
    no_out = [k for k, v in month if ("missing", "out") in v]
    no_in = [k for k, v in month if ("missing", "in") in v]
    staff = {p[0]: p for p in people}

    def at(person, day, minute):
        s = SHIFTS[staff[person][3]]
        d = dt.date.fromisoformat(day)
        t = dt.datetime.combine(d, dt.time()) + dt.timedelta(minutes=minute)
        return t.strftime("%Y-%m-%d %H:%M")

    for person, day in rnd.sample(no_out, 6):
        s = SHIFTS[staff[person][3]]
        end = s[1] + (1440 if s[1] <= s[0] else 0)
        fixes.append((person, day, "last_out", at(person, day, end),
                      "badge forgotten"))
    for person, day in rnd.sample(no_in, 4):
        s = SHIFTS[staff[person][3]]
        fixes.append((person, day, "first_in", at(person, day, s[0] + 7),
                      "gate down"))
    for person, day in rnd.sample(absent, 6):
        fixes.append((person, day, "excused", "-", "leave"))
    for person, day in rnd.sample([k for k, v in month if ("late", 0) in v
                                   and len(v) == 2], 3):
        s = SHIFTS[staff[person][3]]
        fixes.append((person, day, "first_in", at(person, day, s[0] + 30),
                      "wrong badge"))
        fixes.append((person, day, "first_in", at(person, day, s[0] - 2),
                      "wrong badge, again"))
    sunday = next(p[0] for p in people if p[3] == "day")
    fixes.append((sunday, "2026-11-15", "first_in", at(sunday, "2026-11-15",
                                                        9 * 60), "came in"))
    for person, day, *_ in fixes:
        intent.pop((person, day), None)
    with open(outdir + "/fixes", "w") as f:
        for fx in fixes:
            f.write("\t".join(fx) + "\n")
    with open(outdir + "/intent", "w") as f:
        for (person, day), meant in sorted(intent.items()):
            for what, v in meant:
                f.write("%s\t%s\t%s\t%s\n" % (person, day, what, v))

    # The gates: each passage at one of them; each gate numbers its own
    # events and publishes them in that order.  A granted one goes out
    # first as "pending" (rev 0) and again with its outcome, passed or
    # not (rev 1), once the turnstile has told: here a few events later.
    with open(outdir + "/passages", "w") as f, \
            open(outdir + "/gates", "w") as gl:
        seqs = {g: 0 for g in GATES}
        later = {g: [] for g in GATES}
        outs = {g: open("%s/gate-%s.jsonl" % (outdir, g), "w")
                for g in GATES}

        def send(g, doc):
            outs[g].write(json.dumps(doc, ensure_ascii=False,
                                     separators=(",", ":")) + "\n")

        for t, who, direction, result, passage in passages:
            g = rnd.choice(GATES)
            seqs[g] += 1
            f.write("%s\t%d\t%s\t%s\t%s\t%s\n" % (who, t, direction, result,
                                                  passage, g))
            # As tests/agg/lib.sh's ev() writes one.
            doc = {
                "event_id": hashlib.md5(("%s-%d" % (g, seqs[g])).encode())
                .hexdigest(),
                "seq": seqs[g], "rev": 0, "time": "t", "ts_ms": t,
                "gate": g, "site": SITE, "lane": "1",
                "direction": direction, "type": "scan", "kind": "badge",
                "subject": "**" + who[-4:], "credential_id": who,
                "result": result,
                "reason": result if result == "granted" else "expired",
                "passage": "pending" if result == "granted" else passage,
                "decode_us": 4000, "latency_us": 4100,
            }
            send(g, doc)
            if result == "granted":
                later[g].append(dict(doc, rev=1, passage=passage))
            if len(later[g]) > rnd.randint(0, 3):
                send(g, later[g].pop(0))
        for g in GATES:
            for doc in later[g]:
                send(g, doc)
            outs[g].close()
            gl.write("%s\t%d\n" % (g, seqs[g]))


def expect(outdir, first, last):
    """The report by the documented rules (numbers as in attendance.h)."""
    shifts = {}
    for line in open(outdir + "/shifts"):
        name, start, end, brk, grace, wd = line.rstrip("\n").split("\t")
        hm = lambda s: int(s[:2]) * 60 + int(s[3:])
        shifts[name] = (hm(start), hm(end), int(brk), int(grace), wd)
    staff = [l.rstrip("\n").split("\t") for l in open(outdir + "/staff")]
    by_person = {}
    for line in open(outdir + "/passages"):
        who, t, direction, result, passage, _gate = \
            line.rstrip("\n").split("\t")
        # Rule 3, and a way released but left unused is no passage.
        if result != "granted" or passage == "not-passed":
            continue
        by_person.setdefault(who, []).append((int(t), direction))
    fixes = {}
    for line in open(outdir + "/fixes"):
        who, day, field, value, _why = line.rstrip("\n").split("\t")
        fixes.setdefault((who, day), []).append(
            (field, local_ms(value) if value != "-" else None))
    first = dt.date.fromisoformat(first)
    last = dt.date.fromisoformat(last)
    print("\t".join(HEADER))
    for who, name, dept, shift_name in sorted(staff):
        s = shifts[shift_name]
        mine = sorted(by_person.get(who, []))
        for day in days(first, last):
            one = dt.timedelta(days=1)
            # Rules 1 and 2.
            start, end = shift_at(s, day)
            _, prev_end = shift_at(s, day - one)
            next_start, _ = shift_at(s, day + one)
            lo = prev_end + (start - prev_end) // 2
            hi = end + (next_start - end) // 2
            inside = [p for p in mine if lo <= p[0] < hi]
            # Rule 4.
            ins = [t for t, d in inside if d == "entry"]
            outs = [t for t, d in inside if d == "exit"]
            first_in = min(ins) if ins else None
            last_out = max(outs) if outs else None
            missing_in = bool(inside) and inside[0][1] == "exit"
            missing_out = bool(inside) and inside[-1][1] == "entry"
            # Rule 5.
            corrected = False
            for field, value in fixes.get((who, day.isoformat()), []):
                corrected = True
                if field == "first_in":
                    first_in, missing_in = value, False
                elif field == "last_out":
                    last_out, missing_out = value, False
                else:
                    missing_in = missing_out = False
            # Rule 6.
            worked = 0
            if first_in is not None and last_out is not None and \
                    last_out > first_in:
                worked = max((last_out - first_in) // 60000 - s[2], 0)
            # Rule 7.
            working = str(day.isoweekday()) in s[4]
            late = early = 0
            if working and first_in is not None:
                m = (first_in - start) // 60000 if first_in >= start else 0
                late = m if m > s[3] else 0
            if working and last_out is not None:
                m = (end - last_out) // 60000 if last_out <= end else 0
                early = m if m > s[3] else 0
            # Rule 8.
            absent = working and not inside and not corrected
            missing = ",".join(w for w, f in (("in", missing_in),
                                             ("out", missing_out)) if f)
            print("\t".join([day.isoformat(), who, name, dept, shift_name,
                             local(first_in), local(last_out), str(worked),
                             str(late), str(early), missing,
                             str(int(absent)), str(int(corrected))]))


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "expect":
        expect(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit("usage: attendance_month.py gen DIR SEED | "
                 "expect DIR FROM TO")
