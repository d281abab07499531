#!/usr/bin/env python3
"""`sockstep check` on bad input: one line on stderr and exit code 2, never a hang. A
program that is wrong is no bad input: it fails its check (exit 1). JUnit output is XML
a CI reads, and --lang zh gives the verdicts in Chinese.

usage: bad_input.py SOCKSTEP
"""
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sockstep = os.path.abspath(sys.argv[1])
here = os.path.dirname(os.path.abspath(__file__))
programs = os.path.join(here, "programs")
problems = []


def run(*args):
    return subprocess.run([sockstep, *args], capture_output=True, text=True, timeout=120)


def bad(args, says):
    done = run(*args)
    lines = done.stderr.strip().splitlines()
    if done.returncode != 2 or len(lines) != 1 or says not in done.stderr:
        problems.append(f"{args}: exit {done.returncode}, stderr {done.stderr!r}; expected 2 and one line with {says!r}")


with tempfile.TemporaryDirectory() as tmp:
    bad(["check", "server"], "check needs your program")
    bad(["check", "server", "--", "no-such-program-anywhere"], "command not found")
    bad(["check", "teacher", "--", "true"], "role")
    bad(["check", "server", "--only", "no-such-check", "--", "true"], "no server check 'no-such-check'")
    bad(["check", "client", "--port", "70000", "--", "true"], "port")
    broken = os.path.join(tmp, "broken.toml")
    cases = {
        "[[check]]\nid = \"x\"\nrole = \"server\"\nlesson = \"echo-tcp\"\ntitle = { en = \"a\", zh = \"b\" }\nstep = [ { do = \"conect\", client = \"a\" } ]\n":
            ("broken.toml:6:", "did you mean 'connect'?"),
        "[[check]]\nid = \"x\"\nrole = \"server\"\nlesson = \"echo-tpc\"\ntitle = { en = \"a\", zh = \"b\" }\nstep = [ { do = \"connect\", client = \"a\" } ]\n":
            ("broken.toml:4:", "no lesson 'echo-tpc'"),
        "[[check]]\nid = \"x\"\nrole = \"server\"\nlesson = \"echo-tcp\"\ntitle = { en = \"a\" }\nstep = [ { do = \"connect\", client = \"a\" } ]\n":
            ("broken.toml:5:", "has no 'zh'"),
        "[[check]]\nid = \"x\"\nrole = \"client\"\nlesson = \"echo-tcp\"\ntitle = { en = \"a\", zh = \"b\" }\nstep = [ { do = \"connect\", client = \"a\" } ]\n":
            ("broken.toml:6:", "no action 'connect' in a client check"),
        "[[check]\nid = 1\n": ("broken.toml:1:", "not valid TOML"),
        "a" + ".b" * 200 + " = 1\n": ("broken.toml:1:", "nested too deep"),
    }
    for text, (where, says) in cases.items():
        with open(broken, "w") as f:
            f.write(text)
        bad(["check", "server", "--checks", broken, "--", "true"], where)
        bad(["check", "server", "--checks", broken, "--", "true"], says)

    # The program's own failure is a verdict, not bad input: exit 1, with its status.
    done = run("check", "server", "--only", "echo-one", "--", "false")
    if done.returncode != 1 or "exited with status 1 before it listened" not in done.stdout:
        problems.append(f"a server that exits at once: exit {done.returncode}, {done.stdout!r}")

    # JUnit: one testcase per check, a failure element for each failed one.
    junit = os.path.join(tmp, "out.xml")
    exported = os.path.join(tmp, "export")
    done = run("check", "client", "--junit", junit, "--lang", "zh", "--export", exported, "--",
               sys.executable, os.path.join(programs, "client_one_recv.py"), "{port}")
    suite = ET.parse(junit).getroot().find("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    if set(cases) != {"whole-reply", "whole-send", "refused", "closes-socket"}:
        problems.append(f"junit testcases {sorted(cases)}")
    elif cases["whole-reply"].find("failure") is None or cases["refused"].find("failure") is not None:
        problems.append("junit: whole-reply must fail and refused pass")
    elif "stream-boundaries" not in cases["whole-reply"].find("failure").text:
        problems.append("junit: the failure does not name its lesson")
    if suite.get("failures") != "1" or suite.get("tests") != "4":
        problems.append(f"junit counts: tests={suite.get('tests')} failures={suite.get('failures')}")
    # --export: a folder per check, its verdict and the program's calls.
    md = os.path.join(exported, "whole-reply", "session.md")
    if not os.path.exists(md) or "whole-reply" not in open(md).read() or "recv(" not in open(md).read():
        problems.append("check --export wrote no whole-reply/session.md with its verdict and calls")
    if not os.path.exists(os.path.join(exported, "refused", "session.json")):
        problems.append("check --export wrote no refused/session.json")
    # Its diagram and report too, in the check's language.
    svg = os.path.join(exported, "whole-reply", "session.svg")
    html = os.path.join(exported, "whole-reply", "session.html")
    if not os.path.exists(svg) or not any("recv(" in (t.text or "") for t in ET.parse(svg).getroot().iter(
            "{http://www.w3.org/2000/svg}text")):
        problems.append("check --export wrote no whole-reply/session.svg with the program's recv()")
    if not os.path.exists(html) or '<html lang="zh-Hans">' not in open(html, encoding="utf-8").read():
        problems.append("check --export --lang zh wrote no Chinese whole-reply/session.html")
    # The Chinese verdicts.
    if "原因" not in done.stdout or "回复是分几次到的" not in done.stdout or "项检查中通过了 3 项" not in done.stdout:
        problems.append(f"--lang zh output: {done.stdout!r}")

for p in problems:
    print(p)
print("bad input handled" if not problems else f"{len(problems)} problems")
sys.exit(1 if problems else 0)
