#!/usr/bin/env bash
# npm run test:image — build docker/Dockerfile with buildah (no Docker daemon needed) and
# exercise the image: non-root user, /readyz, the demo request equals the CLI's output, a
# job's result survives a SIGTERM stop and a restart on the same /data volume, the
# HEALTHCHECK command, the image's files (no dev dependencies, tests, sources or .git),
# the image size; and `docker compose config` on docker/compose.yaml (both profiles).
#
# Runs as root on Debian (apt-get installs buildah, debootstrap and docker-compose when
# missing). chroot isolation (no daemon, no user namespaces); buildah's configured storage
# driver (overlay where the kernel allows it; set STORAGE_DRIVER=vfs in
# /etc/containers/storage.conf where it does not).
# Base image: node:20-bookworm-slim is pulled when the registry answers; otherwise a
# stand-in of the same name is made by docker/standin-base.sh (TEST FALLBACK, see there).
# Build args: TFJS_BACKEND (default here: cpu, since libtensorflow cannot be downloaded on
# the machine this was written on; set TFJS_BACKEND=node where it can).
# Environment: EXTRA_CA (default /etc/ssl/certs/ca-certificates.crt) is handed to the
# build as the `extra_ca` secret, for a TLS-inspecting proxy.
{ # (the whole script is one block, read before it runs: editing the file mid-run is safe)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

export BUILDAH_ISOLATION=chroot BUILDAH_FORMAT=docker
image=localhost/labelcheck:test
base=docker.io/library/node:20-bookworm-slim
tfjs_backend=${TFJS_BACKEND:-cpu}
extra_ca=${EXTRA_CA:-/etc/ssl/certs/ca-certificates.crt}
t0=$(date +%s)
failures=0
passes=0
say() { echo "test:image: $*"; }
ok() { passes=$((passes + 1)); echo "ok - $*"; }
not_ok() { failures=$((failures + 1)); echo "not ok - $*"; }
check() { # check "description" command...
  local what=$1; shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}
die() { echo "not ok - $*"; echo "test:image: FAILED"; exit 1; }

# ---- tools ------------------------------------------------------------------------------
need=()
command -v buildah >/dev/null || need+=(buildah)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" uidmap >/dev/null
fi
say "$(buildah --version), storage driver $(buildah info --format '{{.store.GraphDriverName}}')"

# ---- compose file -----------------------------------------------------------------------
compose_check() { # profile
  local out
  out=$(cd docker && COMPOSE_PROFILES=$1 docker-compose -f compose.yaml config 2>&1) || { echo "$out"; return 1; }
  printf '%s\n' "$out" > "/tmp/labelcheck-compose-$1.yaml"
}
for profile in single postgres; do
  check "docker-compose config accepts docker/compose.yaml (profile $profile)" compose_check "$profile"
done
# `config` prints every service; which ones a profile starts is their `profiles` field.
services_of() { python3 -c '
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
print(" ".join(sorted(n for n, s in c["services"].items() if sys.argv[2] in s.get("profiles", []))))' "/tmp/labelcheck-compose-$1.yaml" "$1"; }
check "profile single is one labelcheck container (SQLite under /data)" test "$(services_of single)" = "labelcheck"
check "profile postgres is api + worker + db" test "$(services_of postgres)" = "api db worker"
shared_database_only() { python3 -c '
import sys, yaml
s = yaml.safe_load(open(sys.argv[1]))["services"]
has = lambda svc: any(str(v).startswith("labelcheck-data:") or (isinstance(v, dict) and v.get("source") == "labelcheck-data") for v in s[svc].get("volumes", []))
env = lambda svc: s[svc]["environment"]
ok = all("DATABASE_URL" in env(x) and env(x).get("UPLOAD_STORAGE") == "database" and not has(x) for x in ("api", "worker"))
sys.exit(0 if ok else 1)' /tmp/labelcheck-compose-postgres.yaml; }
check "profile postgres: api and worker share only PostgreSQL (UPLOAD_STORAGE=database, no shared volume)" shared_database_only

# ---- base image -------------------------------------------------------------------------
if buildah inspect --type image "$base" >/dev/null 2>&1; then
  standin_node=$(buildah inspect --type image --format '{{index .Docker.Config.Labels "labelcheck.standin.node"}}' "$base")
  if [ -n "$standin_node" ]; then
    say "base $base: the LOCAL STAND-IN made earlier (debootstrapped bookworm + this machine's Node $standin_node; test fallback)"
  else
    say "base $base: already in local storage (pulled)"
  fi
  if [ -n "$standin_node" ] && [ "$standin_node" != "$(node -v)" ]; then
    say "the stand-in was made with Node $standin_node, this machine has $(node -v): making it again"
    buildah rmi "$base" >/dev/null
    bash docker/standin-base.sh "$base"
  fi
elif timeout 120 buildah pull --quiet "$base" >/dev/null 2>&1; then
  say "pulled $base from the registry"
else
  say "cannot pull $base (no Docker Hub access here): making a LOCAL STAND-IN of the same name (test fallback)"
  bash docker/standin-base.sh "$base"
fi

# ---- build ------------------------------------------------------------------------------
secret=()
if [ -s "$extra_ca" ]; then
  secret=(--secret "id=extra_ca,src=$extra_ca")
  say "extra CA bundle for the build steps: $extra_ca (a build secret; not in the image)"
fi
say "building docker/Dockerfile (TFJS_BACKEND=$tfjs_backend)"
b0=$(date +%s)
if [ "${TEST_IMAGE_REUSE:-}" = 1 ] && buildah inspect --type image "$image" >/dev/null 2>&1; then
  say "TEST_IMAGE_REUSE=1: testing the existing $image without rebuilding (development only)"
else
  # No --layers: only the final image is written to storage (the build stage's layers are
  # over a GB each; committing them dominated the build time on a slow disk).
  if ! buildah bud --pull=never --format docker --isolation chroot \
      --ignorefile docker/Dockerfile.dockerignore "${secret[@]}" \
      --build-arg "TFJS_BACKEND=$tfjs_backend" \
      -f docker/Dockerfile -t "$image" . 2>&1; then
    die "buildah bud failed"
  fi
fi
say "built $image in $(( $(date +%s) - b0 )) s"

# ---- the image's own configuration ------------------------------------------------------
buildah inspect --type image "$image" > /tmp/labelcheck-image.json
field() { node -e 'const c = JSON.parse(require("fs").readFileSync("/tmp/labelcheck-image.json")).Docker.config; const v = c[process.argv[1]]; console.log(typeof v === "string" ? v : JSON.stringify(v ?? null))' "$1"; }
cmd_json=$(field Cmd)
user=$(field User)
health_json=$(field Healthcheck)
stop_signal=$(field StopSignal)
say "CMD $cmd_json, USER $user, STOPSIGNAL $stop_signal, HEALTHCHECK $health_json"
mapfile -t cmd < <(node -e 'for (const a of JSON.parse(process.argv[1])) console.log(a)' "$cmd_json")
mapfile -t health < <(node -e '
  const h = JSON.parse(process.argv[1]); const t = h && h.Test || [];
  if (t[0] === "CMD-SHELL") console.log("/bin/sh\n-c\n" + t[1]); else if (t[0] === "CMD") console.log(t.slice(1).join("\n"));' "$health_json")
[ ${#cmd[@]} -gt 0 ] || die "the image has no CMD"
[ ${#health[@]} -gt 0 ] || die "the image has no HEALTHCHECK"
check "STOPSIGNAL is SIGTERM" test "$stop_signal" = SIGTERM
shutdown_ms=30000

# ---- files in the image -----------------------------------------------------------------
ctr=$(buildah from --pull=never "$image")
vol=$(mktemp -d /var/tmp/labelcheck-data.XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$(node_pid "$server_pid")" 2>/dev/null || true; sleep 2; kill -KILL "$server_pid" 2>/dev/null || true
  fi
  buildah umount "$ctr" >/dev/null 2>&1 || true
  buildah rm "$ctr" >/dev/null 2>&1 || true
  rm -rf "$vol"
}
trap cleanup EXIT
mnt=$(buildah mount "$ctr")
listing=$(cd "$mnt/app" && find . -path ./node_modules -prune -o -print | sort)
say "files under /app (node_modules listed separately):"
printf '%s\n' "$listing" | sed 's/^/    /' | awk 'NR<=60' ; [ "$(printf '%s\n' "$listing" | wc -l)" -le 60 ] || say "    … $(printf '%s\n' "$listing" | wc -l) entries in all"
say "node_modules: $(ls "$mnt/app/node_modules" | wc -l) entries, $(du -sh "$mnt/app/node_modules" | cut -f1); dist: $(du -sh "$mnt/app/dist" | cut -f1)"
no_path() { ! [ -e "$mnt$1" ]; }
for p in /app/.git /app/src /app/test /app/bench /app/seeds /app/scripts /app/tsconfig.json /app/.ci /app/docs; do
  check "no $p in the image" no_path "$p"
done
ts_sources=$(cd "$mnt/app" && find . -path ./node_modules -prune -o -name '*.ts' -print | head -n 5)
check "no TypeScript sources or declarations outside node_modules${ts_sources:+ (found: $ts_sources)}" test -z "$ts_sources"
# package-lock.json marks every package only dev dependencies need ("dev": true).
dev_found=$(node -e '
  const fs = require("fs"), path = require("path");
  const lock = JSON.parse(fs.readFileSync(process.argv[1] + "/package-lock.json"));
  const dev = Object.entries(lock.packages).filter(([p, v]) => p && v.dev).map(([p]) => p);
  const found = dev.filter((p) => fs.existsSync(path.join(process.argv[2], p)));
  console.log(dev.length + " " + found.slice(0, 10).join(" "));' "$root" "$mnt/app")
check "no dev-only package of package-lock.json in node_modules (${dev_found%% *} checked)${dev_found#* }" test -z "${dev_found#* }"
ca_size=$(stat -c %s "$extra_ca" 2>/dev/null || echo 0)
ca_sum=$(sha256sum "$extra_ca" 2>/dev/null | cut -d' ' -f1)
ca_copies=$(find "$mnt" -xdev -type f -size "${ca_size}c" -exec sha256sum {} + 2>/dev/null | awk -v s="$ca_sum" '$1==s{print $2}' | head -n 3)
check "the build's CA secret is not in the image (no file with its content; no /run/secrets)" test -z "$ca_copies" -a ! -e "$mnt/run/secrets/extra_ca"
uid=$(awk -F: -v u="${user%%:*}" '$1==u{print $3}' "$mnt/etc/passwd")
[ -n "$uid" ] || die "the image's USER $user is not in its /etc/passwd"
buildah umount "$ctr" >/dev/null

# ---- run the image's CMD ----------------------------------------------------------------
# chroot isolation shares the host's network, so PORT is set to a free port (the only
# variable the test overrides; everything else is the image's own environment).
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
base_url="http://127.0.0.1:$port"
chown "$uid" "$vol"   # a fresh named volume takes the image's /data ownership (node)

node_pid() { # the node process under the buildah run process $1
  local p=$1 kids
  for _ in 1 2 3 4 5 6; do
    [ "$(cat /proc/"$p"/comm 2>/dev/null)" = node ] && { echo "$p"; return 0; }
    kids=$(pgrep -P "$p" | head -n 1) || return 1
    p=$kids
  done
  return 1
}
start_server() { # log file
  buildah run --env "PORT=$port" -v "$vol:/data" "$ctr" -- "${cmd[@]}" >"$1" 2>&1 &
  server_pid=$!
  local i
  for i in $(seq 1 120); do
    if curl -fsS "$base_url/readyz" >/dev/null 2>&1; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || { tail -n 20 "$1"; return 1; }
    sleep 0.5
  done
  tail -n 20 "$1"; return 1
}
stop_server() { # → sets stop_ms, stop_status
  local pid s0
  pid=$(node_pid "$server_pid") || return 1
  s0=$(date +%s%N)
  kill -TERM "$pid"
  set +e; wait "$server_pid"; stop_status=$?; set -e
  stop_ms=$(( ($(date +%s%N) - s0) / 1000000 ))
  server_pid=
}

log1=$(mktemp); log2=$(mktemp)
start_server "$log1" || die "the server did not become ready (log above)"
ok "the image's CMD serves; /readyz is ready: $(curl -fsS "$base_url/readyz")"
npid=$(node_pid "$server_pid")
proc_uid=$(awk '/^Uid:/{print $2}' /proc/"$npid"/status)
check "the server process runs as non-root (uid $proc_uid, image USER $user)" test "$proc_uid" != 0 -a "$proc_uid" = "$uid"

# The demo request over HTTP == the CLI (inside the same image) on the same body.
curl -fsS "$base_url/v1/label-issues" -H 'content-type: application/json' --data-binary @seeds/demo/request.json -o /tmp/labelcheck-http.json
buildah run "$ctr" -- node dist/src/cli.js label-issues --input - < seeds/demo/request.json > /tmp/labelcheck-cli.json
# (the CLI ends its output with a newline, for terminals)
echo >> /tmp/labelcheck-http.json
check "the demo request's HTTP response is byte-identical to the CLI's output ($(wc -c < /tmp/labelcheck-cli.json) bytes)" cmp -s /tmp/labelcheck-http.json /tmp/labelcheck-cli.json
check "the demo response flags label issues" node -e 'process.exit(JSON.parse(require("fs").readFileSync("/tmp/labelcheck-http.json")).num_label_issues > 0 ? 0 : 1)'

# HEALTHCHECK: the image's own command, inside the container, while it serves.
check "the HEALTHCHECK command succeeds" buildah run --env "PORT=$port" "$ctr" -- "${health[@]}"

# A job, then SIGTERM, then a restart on the same volume.
job=$(node -e 'const b = JSON.parse(require("fs").readFileSync("seeds/demo/request.json")); b.kind = "label-issues"; process.stdout.write(JSON.stringify(b))' \
  | curl -fsS "$base_url/v1/jobs" -H 'content-type: application/json' --data-binary @- | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).id))')
status=
for _ in $(seq 1 120); do
  status=$(curl -fsS "$base_url/v1/jobs/$job" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).status))')
  case "$status" in succeeded|failed|cancelled) break ;; esac
  sleep 0.5
done
check "job $job succeeded" test "$status" = succeeded
curl -fsS "$base_url/v1/jobs/$job/result" -o /tmp/labelcheck-result-1.json
curl -fsS "$base_url/v1/jobs/$job/label-issues?limit=100000" -o /tmp/labelcheck-issues-1.json
stop_server || die "cannot find the server process"
check "SIGTERM: the server exited 0 in ${stop_ms} ms (graceful, within SHUTDOWN_TIMEOUT_MS=$shutdown_ms)" test "$stop_status" -eq 0 -a "$stop_ms" -lt "$shutdown_ms"
check "the shutdown was logged as complete" grep -q 'shutdown complete' "$log1"

start_server "$log2" || die "the server did not start again on the same /data volume"
curl -fsS "$base_url/v1/jobs/$job/result" -o /tmp/labelcheck-result-2.json || true
curl -fsS "$base_url/v1/jobs/$job/label-issues?limit=100000" -o /tmp/labelcheck-issues-2.json || true
check "after the restart the job's result is the same" cmp -s /tmp/labelcheck-result-1.json /tmp/labelcheck-result-2.json
check "after the restart the job's label issues are the same ($(wc -c < /tmp/labelcheck-issues-1.json) bytes)" cmp -s /tmp/labelcheck-issues-1.json /tmp/labelcheck-issues-2.json
check "the job's flagged examples equal the synchronous demo response's" node -e '
  const fs = require("fs");
  const sync = JSON.parse(fs.readFileSync("/tmp/labelcheck-http.json")).label_issues.map((r) => r.index);
  const job = JSON.parse(fs.readFileSync("/tmp/labelcheck-issues-2.json")).label_issues.map((r) => r.index);
  process.exit(sync.length > 0 && JSON.stringify(job.slice(0, sync.length)) === JSON.stringify(sync) ? 0 : 1)'
stop_server || die "cannot find the server process"
check "second SIGTERM: exit 0 in ${stop_ms} ms" test "$stop_status" -eq 0 -a "$stop_ms" -lt "$shutdown_ms"
ls -la "$vol" | sed 's/^/    \/data: /'

size=$(buildah images --format '{{.Size}}' "$image" | head -n 1)
say "image $image: $size (TFJS_BACKEND=$tfjs_backend)"
say "$passes passed, $failures failed, $(( $(date +%s) - t0 )) s in all"
[ "$failures" -eq 0 ] || { echo "test:image: FAILED"; exit 1; }
echo "test:image: passed"
exit 0
}
