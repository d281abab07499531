#!/usr/bin/env python3
"""`walk echo-tcp --export DIR` (in English and in Chinese) judged by the tools made for
its diagrams and its report:

- session.svg parses as XML (python3's parser, and xmllint where installed) and names both
  lanes, the bytes each way and the FIN;
- session.mmd is read by Mermaid's own parser (mermaid_oracle.mjs) with the same lanes and
  bytes;
- session.html is rendered by headless Chromium: the picture is not blank and shows both
  lanes' colours (the inline diagram was drawn), the page's DOM has the diagram, the steps
  and the bytes, and Chromium's network log shows no request but the file itself (its
  host resolver also maps every name to nowhere); the file names no outside address.

Exits 77 (skipped) when Chromium is not installed or cannot start here, saying so.

usage: report_oracle.py SOCKSTEP [PNG_DIR]   (PNG_DIR keeps the screenshots)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sockstep = os.path.abspath(sys.argv[1])
keep = sys.argv[2] if len(sys.argv) > 2 else None
here = os.path.dirname(os.path.abspath(__file__))
problems = []
SVG = "{http://www.w3.org/2000/svg}"


def check_svg(path, lang):
    root = ET.parse(path).getroot()
    texts = [t.text or "" for t in root.iter(SVG + "text")]
    for want in ("server", "client", "b'hello'", "b'HELLO'", "FIN"):
        if not any(want in t for t in texts):
            problems.append(f"{lang}: session.svg has no text {want!r}")
    if shutil.which("xmllint"):
        r = subprocess.run(["xmllint", "--noout", path], capture_output=True, text=True)
        if r.returncode != 0:
            problems.append(f"{lang}: xmllint: {r.stderr.strip()}")


def check_mermaid(path, lang):
    r = subprocess.run(["node", os.path.join(here, "mermaid_oracle.mjs"), path], capture_output=True, text=True,
                       timeout=60)
    if r.returncode == 77:
        print(f"{lang}: session.mmd not read back: {r.stderr.strip()}")
        return
    if r.returncode != 0:
        problems.append(f"{lang}: Mermaid cannot read session.mmd: {r.stderr.strip()}")
        return
    read = json.loads(r.stdout)
    names = [p["name"] for p in read["participants"]]
    if names != ["server", "client"]:
        problems.append(f"{lang}: session.mmd participants {names}")
    texts = [m["text"] for m in read["messages"] if m["text"]]
    for want in ("b'hello'", "b'HELLO'", "accept() …"):
        if want not in texts:
            problems.append(f"{lang}: Mermaid read no message {want!r} in session.mmd")


def chromium(args, timeout=90):
    return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--no-first-run", "--disable-extensions", "--disable-background-networking",
                           "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND"]
                          + args, capture_output=True, text=True, timeout=timeout)


def page_requests(netlog):
    """The URLs the page asked Chromium's network stack for. The browser's own requests
    (its clock, updates, dictionaries: no origin) are not the page's; a file:// page's
    have its opaque origin, "null"."""
    text = open(netlog, encoding="utf-8", errors="replace").read().rstrip()
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # Chromium may stop before closing the list
        log = json.loads(text.rstrip(",") + "]}")
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return sorted({e["params"]["url"] for e in log["events"]
                   if e["type"] == start and "url" in e.get("params", {})
                   and e["params"].get("initiator") != "not an origin"})


def colours(png):
    """The picture's colours, as ImageMagick's histogram lists them (#RRGGBB -> pixels)."""
    r = subprocess.run(["convert", png, "-alpha", "off", "-format", "%c", "histogram:info:-"], capture_output=True,
                       text=True, check=True)
    found = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*(\d+):.*(#[0-9A-Fa-f]{6})", line)
        if m:
            found[m.group(2).upper()] = int(m.group(1))
    return found


def check_html(path, lang, tmp):
    html = open(path, encoding="utf-8").read()
    for outside in ("http://", "https://", "src=", "url(", "<script", "<link", "@import"):
        if outside in html:
            problems.append(f"{lang}: session.html has {outside!r}")
    want_lang = "zh-Hans" if lang == "zh" else "en"
    if f'<html lang="{want_lang}">' not in html:
        problems.append(f"{lang}: session.html is not marked lang={want_lang}")
    url = "file://" + path
    png = os.path.join(tmp, f"report-{lang}.png")
    netlog = os.path.join(tmp, f"net-{lang}.json")
    started = time.monotonic()
    shot = chromium([f"--screenshot={png}", "--window-size=1280,2000", f"--log-net-log={netlog}", url])
    took = time.monotonic() - started
    if not os.path.exists(png):
        print(f"SKIP: chromium could not render here (exit {shot.returncode}): {shot.stderr.strip()[-300:]}")
        sys.exit(77)
    outside = page_requests(netlog)
    if outside:
        problems.append(f"{lang}: the page asked for {outside}")
    found = colours(png)
    total = sum(found.values())
    white = found.get("#FFFFFF", 0)
    if total == 0 or white > total * 0.97 or len(found) < 16:
        problems.append(f"{lang}: the picture looks blank ({len(found)} colours, {white} of {total} pixels white)")
    # The lanes' colours (server blue, client vermillion, as the light theme draws them):
    # the inline diagram was drawn.
    for name, colour in (("server", "#006DAB"), ("client", "#AD4C00")):
        if found.get(colour, 0) < 20:
            problems.append(f"{lang}: the picture has no {name} lane colour {colour}")
    if lang == "en":  # the DOM is the same in both languages; one look is enough
        dom = chromium(["--dump-dom", url]).stdout
        for want in ("<svg", 'id="steps"', 'id="calls"', 'id="bytes"', "68</span>"):
            if want not in dom:
                problems.append(f"{lang}: the rendered page has no {want!r}")
    if keep:
        os.makedirs(keep, exist_ok=True)
        shutil.copy(png, os.path.join(keep, os.path.basename(png)))
    print(f"{lang}: rendered in {took:.1f} s, {len(found)} colours, {white * 100 // max(total, 1)}% white")


browser = shutil.which("chromium") or shutil.which("chromium-browser")
if browser is None:
    print("SKIP: chromium is not installed (third_party/install-deps.sh installs it): session.html not rendered")
with tempfile.TemporaryDirectory() as tmp:
    if browser is not None:
        # The network log tells a page that loads from outside: one that does is caught.
        control = os.path.join(tmp, "control.html")
        with open(control, "w") as f:
            f.write('<!DOCTYPE html><img src="http://sockstep-outside.invalid/x.png">')
        netlog = os.path.join(tmp, "net-control.json")
        chromium([f"--log-net-log={netlog}", "--dump-dom", "file://" + control])
        if not os.path.exists(netlog):
            print("SKIP: chromium could not start here: session.html not rendered")
            sys.exit(77)
        if page_requests(netlog) != ["http://sockstep-outside.invalid/x.png"]:
            problems.append(f"the network log does not show a page's outside image: {page_requests(netlog)}")
    for lang in ("en", "zh"):
        out = os.path.join(tmp, lang)
        done = subprocess.run([sockstep, "walk", "echo-tcp", "--lang", lang, "--export", out], capture_output=True,
                              text=True, timeout=120)
        if done.returncode != 0:
            problems.append(f"{lang}: walk --export exited {done.returncode}: {done.stderr}")
            continue
        check_svg(os.path.join(out, "session.svg"), lang)
        check_mermaid(os.path.join(out, "session.mmd"), lang)
        if browser is not None:
            check_html(os.path.join(out, "session.html"), lang, tmp)

for p in problems:
    print(p)
if problems:
    sys.exit(1)
sys.exit(77 if browser is None else 0)
