#!/usr/bin/env python3
"""Every learner program of programs/manifest.toml through `sockstep check`.

A correct program must pass every check of its role; a buggy one must fail each check its
manifest entry names (the first is the check aimed at its bug, and it must point to that
check's lesson), and pass every other check but those listed as may_fail.

usage: run_programs.py SOCKSTEP [FILE...]   (files: only those programs)
"""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "programs")
CHECKS = os.path.join(HERE, "..", "..", "lessons", "checks")


def check_lessons():
    """check id -> lesson, per role, from the built-in check files."""
    out = {}
    for name in os.listdir(CHECKS):
        with open(os.path.join(CHECKS, name), "rb") as f:
            for check in tomllib.load(f)["check"]:
                out[(check["role"], check["id"])] = check["lesson"]
    return out


def command_of(program, build):
    path = os.path.join(PROGRAMS, program["file"])
    if program["lang"] == "python":
        return [sys.executable, path, "{port}"]
    binary = os.path.join(build, os.path.splitext(program["file"])[0])
    subprocess.run(["gcc", "-Wall", "-Wextra", "-Werror", "-O2", "-pthread", "-o", binary, path], check=True)
    return [binary, "{port}"]


def run(sockstep, program, build, lessons):
    command = command_of(program, build)
    started = time.monotonic()
    done = subprocess.run([sockstep, "check", program["role"], "--json", "--"] + command,
                          capture_output=True, text=True, timeout=300)
    seconds = time.monotonic() - started
    problems = []
    verdicts = {}
    for line in done.stdout.splitlines():
        v = json.loads(line)
        for key in ("check", "passed", "lesson", "why"):
            if key not in v:
                problems.append(f"a verdict without '{key}': {line}")
        verdicts[v["check"]] = v
    expected_checks = {c for (role, c) in lessons if role == program["role"]}
    if set(verdicts) != expected_checks:
        problems.append(f"checks run {sorted(verdicts)}, expected {sorted(expected_checks)}; stderr: {done.stderr.strip()}")
    fails = program["fails"]
    may_fail = set(program.get("may_fail", []))
    for check, v in verdicts.items():
        if check in fails and v["passed"]:
            problems.append(f"{check} passed, but the program's bug must fail it")
        if check not in fails and check not in may_fail and not v["passed"]:
            problems.append(f"{check} failed: {v['why']} | {v.get('evidence')}")
        if not v["passed"] and not v["why"]:
            problems.append(f"{check} failed without saying why")
    if fails and fails[0] in verdicts:
        want = lessons[(program["role"], fails[0])]
        if verdicts[fails[0]]["lesson"] != want:
            problems.append(f"{fails[0]} points to lesson {verdicts[fails[0]]['lesson']}, expected {want}")
    want_code = 1 if fails else 0
    if done.returncode != want_code and not (may_fail and done.returncode in (0, 1)):
        problems.append(f"exit code {done.returncode}, expected {want_code}")
    return program["file"], seconds, problems, verdicts


def main():
    sockstep = os.path.abspath(sys.argv[1])
    only = set(sys.argv[2:])
    with open(os.path.join(PROGRAMS, "manifest.toml"), "rb") as f:
        programs = [p for p in tomllib.load(f)["program"] if not only or p["file"] in only]
    lessons = check_lessons()
    build = tempfile.mkdtemp(prefix="sockstep-check-")
    failed = 0
    try:
        # Each program gets ports of its own ({port}), so a few run side by side.
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            jobs = [pool.submit(run, sockstep, p, build, lessons) for p in programs]
            for job in jobs:
                name, seconds, problems, verdicts = job.result()
                passed = sum(1 for v in verdicts.values() if v["passed"])
                print(f"{'FAIL' if problems else 'ok  '} {name:32} {passed}/{len(verdicts)} passed  {seconds:5.1f} s")
                for p in problems:
                    print(f"       {p}")
                failed += 1 if problems else 0
    finally:
        shutil.rmtree(build, ignore_errors=True)
    print(f"{len(programs) - failed} of {len(programs)} programs judged as expected")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
