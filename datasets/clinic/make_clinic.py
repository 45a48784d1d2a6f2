#!/usr/bin/env python3
"""A synthetic clinical export: visits of patients merged from two source systems.

    python3 datasets/clinic/make_clinic.py                      # datasets/clinic/clinic.csv
    python3 datasets/clinic/make_clinic.py --seed 41 --patients 1500 --names alt --us-first \\
        -o tests/fixtures/clinic/clinic_alt.csv                 # the second export of the tests

Every person, name, number and date here is made up (from a seeded generator, the same file for
the same arguments on any machine); no record describes anyone.

One row per visit, 1 to 5 visits per patient (40%, 25%, 15%, 12%, 8%). Each visit comes from one of
two source systems, chosen at random: system A writes dates as YYYY-MM-DD and phones as
(NPA) NXX-XXXX, system B writes MM/DD/YYYY and NPA-NXX-XXXX. The export is system A's rows then
system B's (with --us-first, B's then A's), as two exports appended to each other.

Columns (default names; --names alt gives the second set):

    visit_id        encounter_id      V + 7 digits, one per row
    mrn             chart_number      8 digits, one per patient (the same in both systems)
    patient_name    full_name         First Last, from common US names
    ssn             social_security_number   AAA-GG-SSSS (valid area, group, serial)
    phone           home_phone        a North American number
    dob             birth_date        born 1924-2010 (some over 89 at their visits)
    sex             gender            F or M
    zip             postal_code       5-digit ZIP in 13 three-digit areas of New England, two of
                                      them restricted areas (036, 059: ZIP3 000 after Safe Harbor)
    admit_date      admission_dt      2015-2024
    age             age_at_visit      whole years at the admission
    diagnosis       dx                an ICD-10 code
    length_of_stay  los_days          0-14 days
"""

import argparse
import csv
import datetime as dt
import os
import random

NAMES = {
    "default": [
        "visit_id", "mrn", "patient_name", "ssn", "phone", "dob", "sex", "zip",
        "admit_date", "age", "diagnosis", "length_of_stay",
    ],
    "alt": [
        "encounter_id", "chart_number", "full_name", "social_security_number", "home_phone",
        "birth_date", "gender", "postal_code", "admission_dt", "age_at_visit", "dx", "los_days",
    ],
}

FIRST = [
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony",
    "Margaret", "Mark", "Sandra", "Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily",
    "Andrew", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda", "Brian",
    "Dorothy", "George", "Melissa", "Timothy", "Deborah",
]
LAST = [
    "Smith", "Johnson", "Williams", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "Harris", "Sanchez", "Clark",
    "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Torres", "Nguyen", "Hill", "Flores", "Adams", "Nelson", "Baker", "Hall", "Rivera",
    "Campbell", "Mitchell", "Carter", "Roberts",
]
# Three-digit ZIP areas (weights) and the last two digits of a few ZIP codes in each.
ZIP3 = [
    ("021", 30), ("024", 8), ("018", 8), ("019", 7), ("017", 6), ("016", 6), ("014", 5),
    ("010", 5), ("011", 5), ("023", 6), ("027", 5), ("036", 2), ("059", 2),
]
DIAGNOSES = [
    "I10", "E11.9", "J45.909", "N39.0", "K21.9", "F32.9", "M54.5", "J18.9", "I50.9",
    "E78.5", "R07.9", "S72.001A", "C50.919", "N18.3", "A41.9",
]
AREA_CODES = ["617", "508", "781", "978", "413", "774", "339", "351", "603", "802"]


def ssn(r):
    while True:
        area = r.randint(1, 899)
        if area != 666:
            break
    return f"{area:03d}-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}"


def phone_digits(r):
    exchange = r.randint(200, 999)
    while exchange % 100 == 11:
        exchange = r.randint(200, 999)
    return r.choice(AREA_CODES), f"{exchange:03d}", f"{r.randint(0, 9999):04d}"


def random_day(r, first, last):
    return first + dt.timedelta(days=r.randint(0, (last - first).days))


def age_at(born, day):
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def patients(r, n):
    zips = {z3: [f"{z3}{r.randint(0, 99):02d}" for _ in range(r.randint(2, 4))] for z3, _ in ZIP3}
    areas = [z3 for z3, _ in ZIP3]
    weights = [w for _, w in ZIP3]
    mrns = r.sample(range(10_000_000, 100_000_000), n)
    out = []
    for i in range(n):
        born = random_day(r, dt.date(1924, 1, 1), dt.date(2010, 12, 31))
        out.append({
            "mrn": str(mrns[i]),
            "name": f"{r.choice(FIRST)} {r.choice(LAST)}",
            "ssn": ssn(r),
            "phone": phone_digits(r),
            "born": born,
            "sex": r.choice("FM"),
            "zip": r.choice(zips[r.choices(areas, weights)[0]]),
            "visits": r.choices([1, 2, 3, 4, 5], [40, 25, 15, 12, 8])[0],
        })
    return out


def rows(r, people):
    by_system = {"A": [], "B": []}
    for p in people:
        for _ in range(p["visits"]):
            first = max(dt.date(2015, 1, 1), p["born"])
            admitted = random_day(r, first, dt.date(2024, 12, 31))
            system = r.choice("AB")
            by_system[system].append((admitted, system, p))
    for system in by_system.values():
        system.sort(key=lambda v: (v[0], v[2]["mrn"]))
    return by_system


def fmt_date(d, system):
    return d.isoformat() if system == "A" else d.strftime("%m/%d/%Y")


def fmt_phone(digits, system):
    npa, nxx, line = digits
    return f"({npa}) {nxx}-{line}" if system == "A" else f"{npa}-{nxx}-{line}"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--patients", type=int, default=2000)
    ap.add_argument("--names", choices=sorted(NAMES), default="default")
    ap.add_argument("--us-first", action="store_true",
                    help="system B's rows (MM/DD/YYYY) first")
    ap.add_argument("-o", "--output", default=os.path.join(here, "clinic.csv"))
    a = ap.parse_args()
    r = random.Random(a.seed)
    people = patients(r, a.patients)
    by_system = rows(r, people)
    order = ["B", "A"] if a.us_first else ["A", "B"]
    visit_ids = r.sample(range(1_000_000, 10_000_000), sum(len(v) for v in by_system.values()))
    with open(a.output, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(NAMES[a.names])
        n = 0
        for system in order:
            for admitted, _, p in by_system[system]:
                w.writerow([
                    f"V{visit_ids[n]}",
                    p["mrn"],
                    p["name"],
                    p["ssn"],
                    fmt_phone(p["phone"], system),
                    fmt_date(p["born"], system),
                    p["sex"],
                    p["zip"],
                    fmt_date(admitted, system),
                    age_at(p["born"], admitted),
                    r.choice(DIAGNOSES),
                    r.randint(0, 14),
                ])
                n += 1
    print(f"wrote {n} visits of {len(people)} patients to {a.output}")


if __name__ == "__main__":
    main()
