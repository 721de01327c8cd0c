#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""ci/matrix-row and ci/matrix-table on rows made here from small reports, without root or a
sandbox: a row from a cell's reports, a cell said to have run without them, the merge of cells from
separate directories (as CI engines' artifact downloads leave them), MISSING, BROKEN and
cannot-run cells, bad rows and bad command lines, and each exit status."""
import json
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ROW = os.path.join(SRC, "ci", "matrix-row")
TABLE = os.path.join(SRC, "ci", "matrix-table")

try:
    import jsonschema
except ImportError:  # python3-jsonschema, from ci/deps
    jsonschema = None

JUNIT = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="2" failures="1" errors="0" skipped="0" time="1.5">
  <testsuite name="{name}" tests="2" failures="{failures}" errors="0" skipped="0" time="1.5">
    <testcase classname="{name}" name="a" time="1"/>
    <testcase classname="{name}" name="b" time="0.5">{failure}</testcase>
  </testsuite>
</testsuites>
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def cell_dir(top, cell, fail_check=False, with_qualify=True):
    """A cell's directory as ci/matrix leaves it before the row: reports of run and qualify."""
    d = os.path.join(top, cell)
    write(os.path.join(d, "run", "report.json"), json.dumps({
        "environment": {"systemd": {"version": "257.13-1"}, "kernel": {"release": "6.1.0-test"}},
        "scenarios": [{"name": "01-seed-docker", "verdict": "PASS", "reason": None},
                      {"name": "10-fork-64", "verdict": "PASS", "reason": ""}]}))
    write(os.path.join(d, "run", "junit.xml"), JUNIT.format(name="01-seed-docker", failures=0, failure=""))
    write(os.path.join(d, "run", "report.html"), "<!DOCTYPE html><title>run</title>")
    if with_qualify:
        verdict = "FAIL" if fail_check else "PASS"
        write(os.path.join(d, "qualify", "qualify.json"), json.dumps({
            "systemd": "257.13-1", "checks": [{"name": "percent-reload", "verdict": verdict,
                                               "reason": "cut tenfold" if fail_check else ""}]}))
        write(os.path.join(d, "qualify", "junit.xml"),
              JUNIT.format(name="qualify", failures=int(fail_check),
                           failure='<failure message="cut tenfold"/>' if fail_check else ""))
    write(os.path.join(d, "qualify.stderr"), "taskstorm: qualify: the sandbox went away\n")
    write(os.path.join(d, "where"), "sandbox, cgroup hybrid\n")
    return d


def run(*args):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True)


class Matrix(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.top = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def row(self, cell, status="ran", reason="", top=None, **kw):
        d = cell_dir(top or self.top, cell, **kw)
        r = run(ROW, "--cell", cell, "--status", status, "--reason", reason, "--seconds", "7", d)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(d, "row.json")) as f:
            return d, json.load(f)

    def test_row_from_reports(self):
        d, row = self.row("trixie-sandbox-v1", fail_check=True)
        self.assertEqual((row["release"], row["backend"], row["cgroup"]), ("trixie", "sandbox", "v1"))
        self.assertEqual((row["status"], row["systemd"], row["kernel"]), ("ran", "257.13", "6.1.0-test"))
        self.assertEqual([(r["kind"], r["name"], r["verdict"], r["reason"]) for r in row["results"]],
                         [("scenario", "01-seed-docker", "PASS", ""), ("scenario", "10-fork-64", "PASS", ""),
                          ("qualify", "percent-reload", "FAIL", "cut tenfold")])
        if jsonschema:
            with open(os.path.join(SRC, "ci", "matrix-row.schema.json")) as f:
                jsonschema.validate(row, json.load(f))
        root = ET.parse(os.path.join(d, "junit.xml")).getroot()
        self.assertEqual([s.get("name") for s in root.iter("testsuite")],
                         ["trixie-sandbox-v1: 01-seed-docker", "trixie-sandbox-v1: qualify"])
        self.assertEqual((root.get("tests"), root.get("failures")), ("4", "1"))
        with open(os.path.join(d, "report.html")) as f:
            self.assertIn("<title>run</title>", f.read())

    def test_ran_without_a_report_is_broken(self):
        d, row = self.row("trixie-sandbox-v1", with_qualify=False)
        self.assertEqual(row["status"], "broken")
        self.assertIn("`taskstorm qualify` left no report: taskstorm: qualify: the sandbox went away", row["reason"])
        self.assertEqual(row["results"], [])
        case = ET.parse(os.path.join(d, "junit.xml")).getroot().find("testsuite/testcase")
        self.assertIsNotNone(case.find("error"))
        with open(os.path.join(d, "report.html")) as f:
            self.assertIn("trixie-sandbox-v1: broken", f.read())

    def test_merge_of_separate_jobs(self):
        # as GitHub's download-artifact leaves them: cells/cell-NAME/row.json
        self.row("trixie-sandbox-v1", top=os.path.join(self.top, "cells", "cell-trixie-sandbox-v1"))
        self.row("bookworm-sandbox-v1", fail_check=True, top=os.path.join(self.top, "job2"))
        self.row("sid-sandbox-v1", status="cannot-run", reason="no cgroup v1 in 258", top=os.path.join(self.top, "job3"))
        out = os.path.join(self.top, "table")
        cells = "bookworm-sandbox-v1 trixie-sandbox-v1 sid-sandbox-v1 bullseye-sandbox-v1"
        r = run(TABLE, "--cells", cells, "--out", out, os.path.join(self.top, "cells"),
                os.path.join(self.top, "job2"), os.path.join(self.top, "job3"))
        self.assertEqual(r.returncode, 1, r.stderr)  # bullseye is missing
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0].split(), cells.split())
        self.assertEqual(lines[4].split(), ["cell", "ran", "ran", "cannot", "run", "MISSING"])
        self.assertIn("qualify percent-reload", r.stdout)
        self.assertIn("- bullseye-sandbox-v1: MISSING: no row", r.stdout)
        self.assertIn("- sid-sandbox-v1: cannot run on its host: no cgroup v1 in 258", r.stdout)
        self.assertIn("- bookworm-sandbox-v1: qualify percent-reload: FAIL: cut tenfold", r.stdout)
        with open(os.path.join(out, "table.txt")) as f:
            self.assertEqual(f.read(), r.stdout)
        with open(os.path.join(out, "table.json")) as f:
            table = json.load(f)
        self.assertEqual([c["status"] for c in table["cells"]], ["ran", "ran", "cannot-run", "missing"])
        self.assertEqual(table["results"][2], {"row": "qualify percent-reload", "verdicts": {
            "bookworm-sandbox-v1": "FAIL", "trixie-sandbox-v1": "PASS", "sid-sandbox-v1": "-",
            "bullseye-sandbox-v1": "-"}})
        with open(os.path.join(out, "table.md")) as f:
            self.assertTrue(f.read().startswith("|  | bookworm-sandbox-v1 | trixie-sandbox-v1 |"))
        root = ET.parse(os.path.join(out, "junit.xml")).getroot()
        self.assertEqual(len(root.findall("testsuite")), 6)
        self.assertEqual((root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")),
                         ("10", "1", "1", "1"))

    def test_exit_status(self):
        self.row("bookworm-sandbox-v1", fail_check=True)
        out = os.path.join(self.top, "table")
        self.assertEqual(run(TABLE, "--out", out, self.top).returncode, 0)  # a FAIL is a result
        self.assertEqual(run(TABLE, "--require-pass", "--out", out, self.top).returncode, 1)
        self.row("trixie-sandbox-v1", status="broken", reason="debootstrap failed")
        r = run(TABLE, "--out", out, self.top)
        self.assertEqual(r.returncode, 1)
        self.assertIn("- trixie-sandbox-v1: BROKEN: debootstrap failed", r.stdout)

    def test_order_without_cells(self):
        for cell in ("sid-vm-v2", "bookworm-vm-v1", "trixie-sandbox-v1", "bullseye-sandbox-v1"):
            self.row(cell)
        r = run(TABLE, "--out", os.path.join(self.top, "table"), self.top)
        self.assertEqual(r.stdout.splitlines()[0].split(),
                         ["bullseye-sandbox-v1", "trixie-sandbox-v1", "sid-vm-v2", "bookworm-vm-v1"])

    def test_bad_input(self):
        out = os.path.join(self.top, "table")
        write(os.path.join(self.top, "x", "row.json"), '{"schema": "something else"}')
        r = run(TABLE, "--out", out, self.top)
        self.assertEqual(r.returncode, 3)
        self.assertRegex(r.stderr, r"^ci/matrix-table: .*/x/row.json: not a matrix row")
        write(os.path.join(self.top, "x", "row.json"), "{")
        self.assertEqual(run(TABLE, "--out", out, self.top).returncode, 3)
        os.remove(os.path.join(self.top, "x", "row.json"))
        self.row("trixie-sandbox-v1", top=os.path.join(self.top, "a"))
        self.row("trixie-sandbox-v1", top=os.path.join(self.top, "b"))
        r = run(TABLE, "--out", out, self.top)
        self.assertEqual(r.returncode, 3)
        self.assertIn("two rows for trixie-sandbox-v1", r.stderr)
        for args, message in (((os.path.join(self.top, "nothing"),), "no such directory"),
                              (("--cells", "trixie", self.top), "bad cell 'trixie'"),
                              (("--cells", "sid-vm-v2 sid-vm-v2", self.top), "names a cell twice"),
                              (("--bogus", self.top), "unrecognized arguments"),
                              ((), "the following arguments are required")):
            r = run(TABLE, "--out", out, *args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(message, r.stderr)
        self.assertEqual(run(ROW, "--cell", "trixie", "--status", "ran", self.top).returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
