# SPDX-License-Identifier: LGPL-2.1-or-later
"""What ci/matrix-row and ci/matrix-table share: the row's format (ci/matrix-row.schema.json),
reading a row back, and JUnit suites renamed after the cell they came from."""
import json
import os
import re
import xml.etree.ElementTree as ET

ROW_SCHEMA = "taskstorm-matrix-row/1"
TABLE_SCHEMA = "taskstorm-matrix-table/1"
ROW_FIELDS = ("schema", "cell", "release", "backend", "cgroup", "status", "reason", "systemd",
              "kernel", "where", "seconds", "results")
STATUSES = ("ran", "broken", "cannot-run")
VERDICTS = ("PASS", "FAIL", "SKIP", "BROKEN")
CELL = re.compile(r"^(?P<release>[a-z][a-z0-9-]*)-(?P<backend>sandbox|vm)-(?P<cgroup>v[12])$")

# The order cells are shown in when no list names them: ci/matrix --list --all's.
RELEASES = ("bullseye", "bookworm", "bookworm-backports", "trixie", "sid")


class BadRow(Exception):
    """A row.json that is not a row: the message names the file and what is wrong."""


def split_cell(cell):
    m = CELL.match(cell)
    return (m["release"], m["backend"], m["cgroup"]) if m else None


def cell_order(cell):
    parts = split_cell(cell) or (cell, "", "")
    release, backend, cgroup = parts
    rank = RELEASES.index(release) if release in RELEASES else len(RELEASES)
    return (backend != "sandbox", cgroup != "v2" if backend == "vm" else False, rank, cell)


def load_row(path):
    """The row in PATH, checked as far as the table relies on it; BadRow otherwise."""
    try:
        with open(path) as f:
            row = json.load(f)
    except OSError as e:
        raise BadRow(f"{path}: {e.strerror}")
    except ValueError as e:
        raise BadRow(f"{path}: not JSON: {e}")
    if not isinstance(row, dict) or row.get("schema") != ROW_SCHEMA:
        raise BadRow(f"{path}: not a matrix row (schema is not {ROW_SCHEMA})")
    missing = [k for k in ROW_FIELDS if k not in row]
    if missing:
        raise BadRow(f"{path}: no {', '.join(missing)}")
    if not split_cell(str(row["cell"])):
        raise BadRow(f"{path}: bad cell '{row['cell']}'")
    if row["status"] not in STATUSES:
        raise BadRow(f"{path}: bad status '{row['status']}'")
    for r in row["results"] if isinstance(row["results"], list) else [None]:
        if not isinstance(r, dict) or r.get("verdict") not in VERDICTS or not r.get("name"):
            raise BadRow(f"{path}: a result without a name or a verdict")
    return row


def junit_suites(path):
    """The testsuite elements of the JUnit file at PATH ([] where there is none)."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return []
    return [root] if root.tag == "testsuite" else list(root.iter("testsuite"))


def renamed(suite, cell):
    """SUITE with the cell in its name and in each test case's class name, so that suites of
    many cells stay apart in one file."""
    suite.set("name", f"{cell}: {suite.get('name', '')}")
    for case in suite.iter("testcase"):
        case.set("classname", f"{cell}.{case.get('classname') or suite.get('name')}")
    return suite


def one_case_suite(cell, name, outcome, message):
    """A suite of one test case for a cell that has no results: OUTCOME is error or skipped."""
    suite = ET.Element("testsuite", name=f"{cell}: {name}", tests="1", failures="0",
                       errors="1" if outcome == "error" else "0",
                       skipped="1" if outcome == "skipped" else "0", time="0")
    case = ET.SubElement(suite, "testcase", classname=cell, name=name, time="0")
    ET.SubElement(case, outcome, message=message)
    return suite


def write_junit(path, name, suites):
    """A testsuites root over SUITES, with the counts summed, written to PATH."""
    root = ET.Element("testsuites", name=name)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key) or 0) for s in suites)))
    root.set("time", f"{sum(float(s.get('time') or 0) for s in suites):.3f}")
    root.extend(suites)
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)


def write_json(path, value):
    with open(path + ".tmp", "w") as f:
        json.dump(value, f, indent=2)
        f.write("\n")
    os.replace(path + ".tmp", path)
