"""Reads an `strace -f` log as whole calls: a call another thread interrupted is written
as "<unfinished ...>" and later "<... NAME resumed>"; the two halves are joined here."""
import re


def calls(path):
    """Each line of the log, with a call split across two lines joined into one."""
    pending = {}
    for raw in open(path, encoding='utf-8', errors='replace'):
        raw = raw.rstrip('\n')
        m = re.match(r'^(\d+) +(.*) <unfinished \.\.\.>$', raw)
        if m:
            pending[m.group(1)] = m.group(2)
            continue
        m = re.match(r'^(\d+) +<\.\.\. \w+ resumed>(.*)$', raw)
        if m and m.group(1) in pending:
            raw = m.group(1) + ' ' + pending.pop(m.group(1)) + m.group(2)
        yield raw
