#!/usr/bin/env bash
# Checks the deployment files of deploy/ (docs/NODES.md) as far as this
# machine can without Docker, a Kubernetes cluster or systemd as init:
#
# - the systemd units: `systemd-analyze verify` (when it is installed) with
#   the binary's path swapped for /bin/true, any warning failing; KillMode
#   mixed and a TimeoutStopSec longer than serve's stop grace;
# - the Dockerfile: known instructions only, ARG/FROM first, COPY --from a
#   stage defined above, exec-form JSON that parses, a non-root USER,
#   EXPOSE 8432, a HEALTHCHECK, and every file it copies from the context
#   let in by .dockerignore;
# - the Kubernetes manifest (when PyYAML is there): it parses; selectors
#   match the pod's labels; every volume mounted exists, every Secret key
#   referenced is in the Secret, every probe's port is declared; non-root,
#   read-only root file systems, the key's Secret volume 0400, a grace
#   period longer than serve's stop grace;
# - every option the deploy files give `pgshuttle serve`, and every
#   PGSHUTTLE_* variable they set, is in docs/NODES.md.
#
# What it cannot check (docker build, kubectl apply) is said in
# docs/NODES.md. Exit 77 (skipped) without python3.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

if ! command -v python3 >/dev/null 2>&1; then
    echo "deploy: skipped (python3 is not installed)"
    exit 77
fi

failures=0
fail() {
    echo "deploy: $*"
    failures=$((failures + 1))
}

# serve's stop grace (src/service/supervisor.c): systemd and Kubernetes must wait longer.
grace=$(sed -n 's/^#define STOP_GRACE \([0-9]*\).*/\1/p' src/service/supervisor.c)
[[ -n $grace ]] || fail "STOP_GRACE not found in src/service/supervisor.c"

# ---- systemd ----
units=(deploy/systemd/pgshuttle.service packaging/pgshuttle.service)
if command -v systemd-analyze >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    for unit in "${units[@]}"; do
        copy=$tmp/$(basename "$(dirname "$unit")")-pgshuttle.service
        sed 's#^ExecStart=/usr/local/bin/pgshuttle #ExecStart=/bin/true #' "$unit" >"$copy"
        out=$(cd "$tmp" && systemd-analyze verify "./${copy##*/}" 2>&1) || fail "$unit: systemd-analyze verify failed"
        [[ -z $out ]] || fail "$unit: systemd-analyze verify: $out"
    done
else
    echo "deploy: systemd-analyze is not installed: the units' keys are not verified"
fi
for unit in "${units[@]}"; do
    grep -qx 'KillMode=mixed' "$unit" || fail "$unit: KillMode=mixed (SIGTERM to serve alone) is missing"
    stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)$/\1/p' "$unit")
    if [[ -z $stop || -z $grace ]] || ((stop <= grace)); then
        fail "$unit: TimeoutStopSec=${stop:-?} must be longer than serve's stop grace (${grace:-?} s)"
    fi
done

# ---- Dockerfile, Kubernetes, docs ----
python3 - "$grace" <<'EOF' || failures=$((failures + 1))
import fnmatch, json, os, re, shlex, sys

grace = int(sys.argv[1] or 0)
failures = []


def fail(msg):
    failures.append(msg)
    print("deploy: " + msg)


# -- Dockerfile --
DOCKERFILE = "deploy/docker/Dockerfile"
KNOWN = {"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
         "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"}


def instructions(path):
    """(line number, keyword, arguments) of each instruction, continuations joined."""
    out, buf, start = [], "", 0
    for no, line in enumerate(open(path), 1):
        stripped = line.strip()
        if not buf and (not stripped or stripped.startswith("#")):
            continue
        if buf and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if not buf:
            start = no
        if stripped.endswith("\\"):
            buf += stripped[:-1] + " "
            continue
        buf += stripped
        word, _, rest = buf.partition(" ")
        out.append((start, word, rest.strip()))
        buf = ""
    if buf:
        fail(f"{path}: the last instruction ends with a line continuation")
    return out


def dockerignore_allows(path, patterns):
    """Whether .dockerignore lets path into the context (the last matching pattern wins)."""
    allowed = True
    for pat in patterns:
        neg = pat.startswith("!")
        p = pat[1:] if neg else pat
        p = p.rstrip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatchcase(x, p) for x in prefixes):
            allowed = neg
    return allowed


ins = instructions(DOCKERFILE)
stages, user, has = [], None, set()
patterns = [l.strip() for l in open(".dockerignore") if l.strip() and not l.startswith("#")]
for i, (no, word, rest) in enumerate(ins):
    where = f"{DOCKERFILE}:{no}"
    if word.upper() != word or word not in KNOWN:
        fail(f"{where}: unknown instruction {word}")
        continue
    has.add(word)
    if i == 0 and word not in ("FROM", "ARG"):
        fail(f"{where}: the first instruction must be FROM (or ARG)")
    if word == "FROM":
        m = re.match(r"^(\S+)(?:\s+AS\s+(\S+))?$", rest, re.I)
        if not m:
            fail(f"{where}: FROM IMAGE [AS NAME] expected")
        stages.append(m.group(2) if m else None)
        user = None
    elif word in ("COPY", "ADD"):
        args = shlex.split(rest)
        flags = [a for a in args if a.startswith("--")]
        paths = [a for a in args if not a.startswith("--")]
        src = [f.split("=", 1)[1] for f in flags if f.startswith("--from=")]
        if len(paths) < 2:
            fail(f"{where}: {word} needs a source and a destination")
        elif src and src[0] not in stages[:-1]:
            fail(f"{where}: COPY --from={src[0]} names no stage above")
        elif not src:
            for p in paths[:-1]:
                if p != "." and not os.path.exists(p):
                    fail(f"{where}: {p} does not exist")
                elif p != "." and not dockerignore_allows(p, patterns):
                    fail(f"{where}: {p} is left out of the context by .dockerignore")
    elif word in ("CMD", "ENTRYPOINT") or (word == "HEALTHCHECK" and " CMD [" in rest):
        form = rest[rest.index("CMD ") + 4:] if word == "HEALTHCHECK" else rest
        try:
            value = json.loads(form)
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise ValueError
        except ValueError:
            fail(f"{where}: {word} is not a JSON array of strings (exec form)")
    elif word == "USER":
        user = rest.split(":")[0]
    elif word == "EXPOSE" and "8432" not in rest.split():
        fail(f"{where}: EXPOSE 8432 expected (serve's port)")
if stages and user in (None, "root", "0"):
    fail(f"{DOCKERFILE}: the last stage runs as root (no USER, or USER root)")
for word in ("HEALTHCHECK", "EXPOSE", "ENTRYPOINT", "CMD"):
    if word not in has:
        fail(f"{DOCKERFILE}: no {word}")
# the context must let in what the build needs
for needed in ("CMakeLists.txt", "src/util/seal.c", "sql", "cmake/embed_web.cmake",
               "web/app.js", "tests/CMakeLists.txt", "tests/unit/test_seal.c"):
    if not dockerignore_allows(needed, patterns):
        fail(f".dockerignore leaves out {needed}, which the build reads")
for secret in (".git/config", "build/CMakeCache.txt", "web/node_modules/uplot/package.json",
               "pgshuttle.db", "deploy/kubernetes/pgshuttle.yaml"):
    if dockerignore_allows(secret, patterns):
        fail(f".dockerignore lets {secret} into the context")

# -- Kubernetes --
MANIFEST = "deploy/kubernetes/pgshuttle.yaml"
try:
    import yaml
except ImportError:
    yaml = None
    print(f"deploy: PyYAML is not installed: {MANIFEST} is not checked")
if yaml:
    try:
        docs = [d for d in yaml.safe_load_all(open(MANIFEST)) if d]
    except yaml.YAMLError as e:
        docs = []
        fail(f"{MANIFEST}: does not parse: {e}")
    by_kind = {d.get("kind"): d for d in docs}
    for kind in ("Secret", "Deployment", "Service"):
        if kind not in by_kind:
            fail(f"{MANIFEST}: no {kind}")
    secret = by_kind.get("Secret", {})
    secret_keys = set((secret.get("stringData") or {}).keys()) | set((secret.get("data") or {}).keys())
    dep = by_kind.get("Deployment", {})
    spec = dep.get("spec", {})
    pod = spec.get("template", {}).get("spec", {})
    labels = spec.get("template", {}).get("metadata", {}).get("labels", {})
    sel = spec.get("selector", {}).get("matchLabels", {})
    if not sel or any(labels.get(k) != v for k, v in sel.items()):
        fail(f"{MANIFEST}: the Deployment's selector does not match its pod's labels")
    svc_sel = by_kind.get("Service", {}).get("spec", {}).get("selector", {})
    if not svc_sel or any(labels.get(k) != v for k, v in svc_sel.items()):
        fail(f"{MANIFEST}: the Service's selector does not match the pod's labels")
    if spec.get("replicas", 1) < 2:
        fail(f"{MANIFEST}: fewer than 2 replicas is not several nodes")
    if pod.get("terminationGracePeriodSeconds", 30) <= grace:
        fail(f"{MANIFEST}: terminationGracePeriodSeconds must be longer than serve's stop grace ({grace} s)")
    if not pod.get("securityContext", {}).get("runAsNonRoot"):
        fail(f"{MANIFEST}: the pod does not set runAsNonRoot")
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for v in volumes.values():
        if "secret" in v:
            if v["secret"].get("secretName") != secret.get("metadata", {}).get("name"):
                fail(f"{MANIFEST}: volume {v['name']} names another Secret")
            if v["secret"].get("defaultMode") != 0o400:
                fail(f"{MANIFEST}: the Secret volume {v['name']} is not defaultMode 0400")
    mounts = {}
    for c in pod.get("initContainers", []) + pod.get("containers", []):
        name = c.get("name")
        if not c.get("securityContext", {}).get("readOnlyRootFilesystem"):
            fail(f"{MANIFEST}: container {name} has a writable root file system")
        ports = {p.get("name") for p in c.get("ports", [])} | {p.get("containerPort") for p in c.get("ports", [])}
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            p = c.get(probe)
            if p and "httpGet" in p and p["httpGet"].get("port") not in ports:
                fail(f"{MANIFEST}: {name}'s {probe} port is not one of its ports")
        for m in c.get("volumeMounts", []):
            if m["name"] not in volumes:
                fail(f"{MANIFEST}: {name} mounts {m['name']}, which is no volume")
            mounts[m["mountPath"]] = m["name"]
        for e in c.get("env", []):
            ref = e.get("valueFrom", {}).get("secretKeyRef")
            if ref and ref.get("key") not in secret_keys:
                fail(f"{MANIFEST}: {name} reads key {ref.get('key')} the Secret does not have")
    # files read from the Secret's mount must be keys of the Secret
    text = open(MANIFEST).read()
    for path, vol in mounts.items():
        if "secret" in volumes.get(vol, {}):
            for f in re.findall(re.escape(path.rstrip("/")) + r"/([A-Za-z0-9._-]+)", text):
                if f not in secret_keys:
                    fail(f"{MANIFEST}: {path}/{f} is not a key of the Secret")
    for c in pod.get("containers", []):
        if c.get("args", [None])[0] != "serve":
            fail(f"{MANIFEST}: container {c.get('name')} does not run serve")

# -- the deploy files against docs/NODES.md --
nodes = open("docs/NODES.md").read()
serve_args = {}  # where -> the arguments given to serve
unit = open("deploy/systemd/pgshuttle.service").read().replace("\\\n", " ")
for line in unit.splitlines():
    if line.startswith("ExecStart="):
        serve_args["deploy/systemd/pgshuttle.service"] = line.split()[2:]
for no, word, rest in ins:
    if word == "CMD":
        serve_args[DOCKERFILE] = json.loads(rest)[1:]
if yaml:
    for c in pod.get("containers", []):
        serve_args[MANIFEST] = c.get("args", [])[1:]
for where, args in serve_args.items():
    for a in args:
        opt = a.split("=", 1)[0]
        if opt.startswith("--") and f"`{opt} " not in nodes and f"`{opt}`" not in nodes:
            fail(f"{where}: serve's {opt} is not in docs/NODES.md")
for f in ["deploy/systemd/pgshuttle.service", "deploy/systemd/pgshuttle.env.example",
          DOCKERFILE, MANIFEST]:
    for var in sorted(set(re.findall(r"\bPGSHUTTLE_[A-Z_]+", open(f).read()))):
        if var not in nodes:
            fail(f"{f}: {var} is not in docs/NODES.md")

sys.exit(1 if failures else 0)
EOF

if ((failures)); then
    echo "deploy: FAILED"
    exit 1
fi
echo "deploy: systemd units, Dockerfile, .dockerignore, Kubernetes manifest and docs agree"
