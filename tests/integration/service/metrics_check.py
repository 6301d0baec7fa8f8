#!/usr/bin/env python3
"""metrics_check.py: a strict reader of /metrics as `pgshuttle serve` writes it.

Checks the Prometheus text exposition format (0.0.4) and docs/API.md's
metrics, without promtool (the service tests run promtool too when it is
installed):

  - every line is "# HELP name text", "# TYPE name type" or a sample
    name{label="value",...} number (labels escaped as the format says);
  - each family has exactly one TYPE line, before its samples, at most one
    HELP line, and its samples together;
  - counters end in _total;
  - the families, their types and their label names are docs/API.md's, no
    other; copy_tables' state and cdc_changes_applied_total's op are from
    their lists; no sample repeats a label set;
  - no label value holds a connection string or one of the --secret values.

Usage: metrics_check.py FILE [--secret S]... [--sample NAME LABELS]... [--value NAME LABELS]...
  --sample NAME k=v,k=v   a sample of NAME with (at least) these labels must exist
  --value NAME k=v,k=v    prints "value NAME k=v,k=v VALUE" (exactly these labels; none if absent)
Prints each problem, then "samples: N in F families"; exits 1 on a problem.
"""
import re
import sys

FAMILIES = {
    "pgshuttle_migration_info": ("gauge", {"migration", "mode", "option", "source_type"}),
    "pgshuttle_migration_state": ("gauge", {"migration", "state"}),
    "pgshuttle_copy_bytes_total": ("counter", {"migration", "database"}),
    "pgshuttle_copy_rows_total": ("counter", {"migration", "database"}),
    "pgshuttle_copy_tables": ("gauge", {"migration", "database", "state"}),
    "pgshuttle_cdc_changes_applied_total": ("counter", {"migration", "database", "op"}),
    "pgshuttle_cdc_lag_seconds": ("gauge", {"migration", "database"}),
    "pgshuttle_cdc_lag_bytes": ("gauge", {"migration", "database"}),
    "pgshuttle_worker_restarts_total": ("counter", {"migration"}),
    "pgshuttle_stale_writes_rejected_total": ("counter", {"migration"}),
    "pgshuttle_node_up": ("gauge", {"node"}),
    "pgshuttle_node_running_migrations": ("gauge", {"node"}),
    "pgshuttle_node_capacity": ("gauge", {"node"}),
    "pgshuttle_node_heartbeat_age_seconds": ("gauge", {"node"}),
    "pgshuttle_node_draining": ("gauge", {"node"}),
}
LABEL_VALUES = {
    ("pgshuttle_copy_tables", "state"): {"queued", "copying", "copied", "failed"},
    ("pgshuttle_cdc_changes_applied_total", "op"): {"insert", "update", "delete", "truncate"},
}
METRIC_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL_NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
LABEL_VALUE = r'"(?:[^"\\\n]|\\\\|\\"|\\n)*"'
LABEL = LABEL_NAME + "=" + LABEL_VALUE
NUMBER = r"(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?Inf|NaN)"
SAMPLE = re.compile(
    r"^(" + METRIC_NAME + r")(?:\{(" + LABEL + r"(?:," + LABEL + r")*)?,?\})? (" + NUMBER + r")(?: -?[0-9]+)?$"
)
ONE_LABEL = re.compile("(" + LABEL_NAME + ")=(" + LABEL_VALUE + ")")
HELP = re.compile(r"^# HELP (" + METRIC_NAME + r") (.*)$")
TYPE = re.compile(r"^# TYPE (" + METRIC_NAME + r") (counter|gauge|histogram|summary|untyped)$")
CONNINFO = re.compile(r"postgres(?:ql)?://|password|(?:^|\s)(?:host|user|dbname|port)\s*=", re.I)


def unescape(v):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), v[1:-1])


def parse_labels(text):
    return [(m.group(1), unescape(m.group(2))) for m in ONE_LABEL.finditer(text or "")]


def main(argv):
    path, secrets, wanted, values = None, [], [], []
    i = 1
    while i < len(argv):
        if argv[i] == "--secret":
            secrets.append(argv[i + 1])
            i += 2
        elif argv[i] in ("--sample", "--value"):
            labels = dict(kv.split("=", 1) for kv in argv[i + 2].split(",") if kv)
            (wanted if argv[i] == "--sample" else values).append((argv[i + 1], labels, argv[i + 2]))
            i += 3
        else:
            path = argv[i]
            i += 1
    problems = []
    typed, helped, done, samples = {}, set(), set(), []
    current = None
    text = open(path, encoding="utf-8").read()
    if not text.endswith("\n"):
        problems.append("the text does not end with a newline")
    for n, line in enumerate(text.split("\n")[:-1], 1):
        where = "line %d (%s)" % (n, line[:120])
        if line.startswith("#"):
            m = HELP.match(line) or TYPE.match(line)
            if m is None:
                if line.startswith("# HELP") or line.startswith("# TYPE"):
                    problems.append(where + ": a malformed HELP or TYPE line")
                continue
            name = m.group(1)
            if name in done:
                problems.append(where + ": %s comes back after other families" % name)
            if line.startswith("# HELP"):
                if name in helped:
                    problems.append(where + ": a second HELP line for " + name)
                helped.add(name)
            else:
                if name in typed:
                    problems.append(where + ": a second TYPE line for " + name)
                if any(s[0] == name for s in samples):
                    problems.append(where + ": the TYPE line of %s after its samples" % name)
                typed[name] = m.group(2)
            if current is not None and current != name:
                done.add(current)
            current = name
            continue
        m = SAMPLE.match(line)
        if m is None:
            problems.append(where + ": not a sample line name{label=\"value\",...} number")
            continue
        name, labels = m.group(1), parse_labels(m.group(2))
        if name not in typed:
            problems.append(where + ": a sample of %s before (or without) its TYPE line" % name)
        if name in done or (current is not None and current != name):
            problems.append(where + ": the samples of %s are not together" % name)
        if current is not None and current != name:
            done.add(current)
        current = name
        samples.append((name, labels, float(m.group(3))))
        names = [k for k, _ in labels]
        if len(set(names)) != len(names):
            problems.append(where + ": a label repeats")
        for k, v in labels:
            if CONNINFO.search(v) or any(s and s in v for s in secrets):
                problems.append(where + ": the label %s holds a connection string or a password" % k)
            allowed = LABEL_VALUES.get((name, k))
            if allowed is not None and v not in allowed:
                problems.append(where + ": %s=%r is not one of %s" % (k, v, sorted(allowed)))
    seen = set()
    for name, labels, _ in samples:
        key = (name, tuple(sorted(labels)))
        if key in seen:
            problems.append("%s%s: the same labels twice" % (name, dict(labels)))
        seen.add(key)
    for name, kind in typed.items():
        if kind == "counter" and not name.endswith("_total"):
            problems.append("%s: a counter whose name does not end in _total" % name)
        spec = FAMILIES.get(name)
        if spec is None:
            problems.append("%s: not a metric of docs/API.md" % name)
            continue
        if kind != spec[0]:
            problems.append("%s: TYPE %s, docs/API.md says %s" % (name, kind, spec[0]))
        if name not in helped:
            problems.append("%s: no HELP line" % name)
    for name in FAMILIES:
        if name not in typed:
            problems.append("%s: missing" % name)
    for name, labels, _ in samples:
        spec = FAMILIES.get(name)
        if spec and {k for k, _ in labels} != spec[1]:
            problems.append("%s%s: labels %s, docs/API.md says %s"
                            % (name, dict(labels), sorted(k for k, _ in labels), sorted(spec[1])))
    for name, want, _ in wanted:
        if not any(s[0] == name and want.items() <= dict(s[1]).items() for s in samples):
            problems.append("no sample %s%s" % (name, want))
    for name, want, raw in values:
        found = [s[2] for s in samples if s[0] == name and dict(s[1]) == want]
        print("value %s %s %s" % (name, raw, repr(found[0]) if found else "none"))
    for p in problems:
        print("problem: " + p)
    print("samples: %d in %d families" % (len(samples), len(typed)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
