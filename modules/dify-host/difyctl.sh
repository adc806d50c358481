#!/bin/bash
# difyctl: runs the pinned Dify release with docker compose on this host.
#   bootstrap    converge the host: packages, Compose plugin, data volume, Docker, logs, Dify checkout
#   render-env   write Dify's .env: .env.example + Parameter Store settings + Secrets Manager
#   up | down    start (and wait until healthy) or stop the compose project
#   reload       render-env, then up: compose recreates only the containers whose settings changed
#   upgrade <version> <commit>
#                check out the verified tag, re-render .env, pull, restart, wait until healthy;
#                on any failure check out the previous release again and restart it; on success
#                remove the images no container uses any more
#   health       exit 0 when /console/api/ping answers through nginx
#   status       versions (running and desired) and health, as KEY=value lines
# Every step is idempotent: dify.service runs bootstrap, render-env and up on every start, and
# starts again after any failure. The commands that change the host take turns (lock below).
# Installed by cloud-init from the dify stack's user data (modules/dify-host in the repo).
set -Eeuo pipefail
shopt -s inherit_errexit

# DIFY_ETC, DIFY_LOG_DIR and DIFY_LOCK_TIMEOUT exist for tests; on the host they are the defaults.
DIFY_ETC=${DIFY_ETC:-/etc/dify}
DIFY_LOG_DIR=${DIFY_LOG_DIR:-/var/log/dify}
# shellcheck source=/dev/null
. "$DIFY_ETC/host.env"
APP_DIR="$DATA_DIR/app"
DOCKER_DIR="$APP_DIR/docker"
# The registry login (registry_login) is shared by every difyctl, from systemd or SSM alike.
export DOCKER_CONFIG="$DIFY_ETC/docker"
COMPOSE=(docker compose --project-name dify --project-directory "$DOCKER_DIR" --file "$DOCKER_DIR/docker-compose.yaml")
mkdir -p "$DIFY_LOG_DIR"
exec 2> >(tee -a "$DIFY_LOG_DIR/difyctl.log" >&2)
log_tee=$!
# render_env's .env being written, until it is renamed to .env: removed however difyctl ends.
env_tmp=
# systemd kills a failed unit's processes as soon as this one exits: let tee write the last
# lines (the reason for the failure) first.
trap 'rm -f "$env_tmp"; exec 2>&-; wait "$log_tee"' EXIT

log() { printf '%s difyctl %s: %s\n' "$(date -u +%FT%TZ)" "${FUNCNAME[1]:-main}" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
trap 'die "line $LINENO: $BASH_COMMAND"' ERR
# bash runs no EXIT trap when a signal kills it (systemd's stop or start timeout sends SIGTERM):
# exit instead, through die and the EXIT trap.
trap 'die "stopped by a signal"' HUP INT TERM

aws_() { aws --region "$REGION" --output text "$@"; }
param() { aws_ ssm get-parameter --name "$PARAM_PATH/$1" --query Parameter.Value; }
# Name and value of each parameter under <path>/$1/, as JSON [[name, value], ...]: text output
# separates fields with tabs, so it cut a value at its first tab.
parameters() {
  aws --region "$REGION" --output json ssm get-parameters-by-path --path "$PARAM_PATH/$1/" --query 'Parameters[].[Name,Value]'
}

# The commands that change the host take this lock first, so that an upgrade (SSM Run Command),
# a reload (the settings' SSM association) and systemd's start, restart or stop never interleave
# their checkouts, renders and restarts; health and status never wait for it. An upgrade runs
# its steps as child difyctl processes: they inherit fd 9, whose open file holds the lock, and
# flock on that same open file returns at once where a lock of their own would wait for their
# parent until the timeout. The default wait outlasts an upgrade (two health waits of 15
# minutes, pulls) and ends before dify.service's 45-minute TimeoutStartSec, so a start that
# waited in vain says why here before systemd stops it.
LOCK_FILE="$DIFY_ETC/difyctl.lock"
lock() {
  [ /proc/self/fd/9 -ef "$LOCK_FILE" ] || exec 9>>"$LOCK_FILE"
  flock --nonblock 9 && return
  log "waiting for $LOCK_FILE: another difyctl is changing the host"
  flock --wait "${DIFY_LOCK_TIMEOUT:-2400}" 9 ||
    die "another difyctl still holds $LOCK_FILE after ${DIFY_LOCK_TIMEOUT:-2400} s (see $DIFY_LOG_DIR/difyctl.log for what it is doing); try again once it has finished"
}

install_packages() {
  rpm -q docker git jq amazon-cloudwatch-agent >/dev/null && return
  log "installing docker, git, jq and the CloudWatch agent"
  dnf install -y -q docker git jq amazon-cloudwatch-agent
}

install_compose() {
  local arch sum bin=/usr/local/lib/docker/cli-plugins/docker-compose
  arch=$(uname -m)
  case "$arch" in
    x86_64) sum=$COMPOSE_SHA256_X86_64 ;;
    aarch64) sum=$COMPOSE_SHA256_AARCH64 ;;
    *) die "no Docker Compose checksum for $arch" ;;
  esac
  [ -x "$bin" ] && echo "$sum  $bin" | sha256sum -c --status && return
  log "installing Docker Compose $COMPOSE_VERSION for $arch"
  mkdir -p "${bin%/*}"
  curl -fsSL --retry 5 -o "$bin.download" "$COMPOSE_DOWNLOAD_URL/v$COMPOSE_VERSION/docker-compose-linux-$arch"
  echo "$sum  $bin.download" | sha256sum -c --status || { rm -f "$bin.download"; die "Docker Compose checksum mismatch"; }
  chmod 0755 "$bin.download"
  mv "$bin.download" "$bin"
}

# True only for a volume that reads back as never written: EBS creates empty volumes as zeros.
# blkid alone cannot tell: it exits 2 both for "no filesystem" and when it could not read the
# device, and formatting on a failed read would wipe Dify's data.
volume_is_blank() {
  local status=0
  blkid -p "$1" >/dev/null 2>&1 || status=$?
  [ "$status" -eq 2 ] && cmp -s -n 1048576 "$1" /dev/zero
}

# The data volume is attached after the instance starts, so wait for it by its volume ID. It is
# mounted here on every boot, not from fstab: a late volume then delays dify.service (which
# retries) instead of failing a mount job that nothing retries.
mount_data_volume() {
  mountpoint -q "$DATA_DIR" && return
  local volume device
  volume=$(param data-volume-id)
  device="/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${volume/-/}"
  log "waiting for data volume $volume"
  for _ in $(seq 120); do
    [ -e "$device" ] && break
    sleep 5
  done
  [ -e "$device" ] || die "data volume $volume not attached after 10 minutes"
  if volume_is_blank "$device"; then
    log "formatting empty data volume $volume"
    mkfs.xfs -q -L dify-data "$device"
  fi
  mkdir -p "$DATA_DIR"
  mount -o noatime "$device" "$DATA_DIR" || die "cannot mount data volume $volume; it is not blank, so it was not formatted"
}

start_services() {
  /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s \
    -c "file:$DIFY_ETC/cloudwatch-agent.json" >/dev/null
  # Not enabled: Docker's data root is on the data volume, so it starts from here, once that is
  # mounted. reset-failed clears a start refused before the mount (its drop-in checks).
  systemctl reset-failed docker.service 2>/dev/null || true
  systemctl start docker.service
}

# Docker Hub allows anonymous clients 10 pulls an hour per address (every host behind the NAT
# shares it) and Dify's compose project uses a dozen images: with a token, 100 an hour per user.
registry_login() {
  [ -n "${DOCKER_HUB_SECRET_ID:-}" ] || return 0
  local secret username token
  secret=$(aws_ secretsmanager get-secret-value --secret-id "$DOCKER_HUB_SECRET_ID" --query SecretString)
  if ! username=$(jq -er .username <<<"$secret") || ! token=$(jq -er .token <<<"$secret"); then
    die "secret $DOCKER_HUB_SECRET_ID must hold {\"username\": ..., \"token\": ...}"
  fi
  docker login --username "$username" --password-stdin <<<"$token" >/dev/null
  log "logged in to Docker Hub as $username"
}

# desired_release prints "<version> <commit>" from Parameter Store (the config's dify.version).
desired_release() { param release | jq -r '"\(.version) \(.commit)"'; }

running_version() { git -C "$APP_DIR" describe --tags --exact-match 2>/dev/null || echo none; }

verify_commit() {
  local head
  head=$(git -C "$1" rev-parse HEAD)
  [ "$head" = "$2" ] || die "the tag points to $head, not the verified $2: refusing it"
}

# Steps run as separate difyctl processes so each keeps errexit and reports its own failure.
upgrade() {
  local version=${1:?usage: difyctl upgrade <version> <commit>} commit=${2:?usage: difyctl upgrade <version> <commit>}
  local previous previous_commit
  previous=$(running_version)
  previous_commit=$(git -C "$APP_DIR" rev-parse HEAD)
  if [ "$previous" = "$version" ]; then
    log "Dify is already $version"
    echo "result=unchanged version=$version"
    return
  fi
  log "upgrading Dify $previous -> $version"
  if git -C "$APP_DIR" fetch --quiet --depth 1 --filter=blob:none origin tag "$version" &&
    git -C "$APP_DIR" checkout --quiet "$version" &&
    "$0" verify-commit "$commit" && "$0" render-env && "${COMPOSE[@]}" pull --quiet && "$0" up; then
    log "upgraded Dify $previous -> $version"
    # The previous release's images: nothing runs them now, and they fill the volume over upgrades.
    docker image prune --all --force >/dev/null || log "could not prune unused images"
    echo "result=upgraded version=$version previous=$previous"
    return
  fi
  log "upgrade to $version failed: rolling back to $previous"
  git -C "$APP_DIR" checkout --quiet --force "$previous_commit"
  if "$0" render-env && "$0" up; then
    echo "result=rolled-back version=$previous failed=$version"
    die "upgrade to $version failed; Dify $previous is running again"
  fi
  echo "result=broken version=$previous failed=$version"
  die "upgrade to $version failed and so did the rollback to $previous: restore the data volume from the snapshot"
}

# First boot on an empty data volume: check out the desired release. Later boots keep what the
# volume holds; changing versions is `upgrade`'s job (it snapshots first).
checkout_release() {
  [ -d "$APP_DIR/.git" ] && return
  local version commit
  read -r version commit < <(desired_release)
  [ -n "${commit:-}" ] || die "no desired release in $PARAM_PATH/release"
  log "fetching Dify $version ($commit)"
  rm -rf "$APP_DIR.partial"
  git -c advice.detachedHead=false clone --quiet --depth 1 --branch "$version" --filter=blob:none --sparse \
    https://github.com/langgenius/dify.git "$APP_DIR.partial"
  git -C "$APP_DIR.partial" sparse-checkout set docker
  verify_commit "$APP_DIR.partial" "$commit"
  mv "$APP_DIR.partial" "$APP_DIR"
}

bootstrap() {
  install_packages
  install_compose
  mount_data_volume
  start_services
  registry_login
  checkout_release
  log "host ready: Dify $(running_version), desired $(desired_release)"
}

# Each setting becomes one line of .env, its value written byte for byte (tabs, quotes, $, #, \
# and all, for compose to read as it reads .env.example's); a line break would end that line and
# start another, a key of its own: refuse it. $1 is parameters' JSON.
refuse_line_breaks() {
  local broken
  broken=$(jq -r '.[] | select(.[1] | test("[\r\n]")) | .[0]' <<<"$1" | paste -sd' ' -)
  [ -z "$broken" ] || die "$broken: a line break in the value, which no line of .env can hold"
}

# Settings as KEY=value lines: Parameter Store <path>/env/*, CORS origins every stack put under
# <path>/cors/*, and secrets mapped by $DIFY_ETC/secret-env ("<KEY> <secret field>" lines).
settings() {
  local params secret origins key field value
  params=$(parameters env)
  refuse_line_breaks "$params"
  jq -r '.[] | "\(.[0] | split("/") | last)=\(.[1])"' <<<"$params"
  params=$(parameters cors)
  refuse_line_breaks "$params"
  origins=$(jq -r '[.[][1] | split(",")[] | select(. != "")] | unique | join(",")' <<<"$params")
  echo "WEB_API_CORS_ALLOW_ORIGINS=$origins"
  echo "CONSOLE_CORS_ALLOW_ORIGINS=$origins"
  secret=$(aws_ secretsmanager get-secret-value --secret-id "$SECRET_ID" --query SecretString)
  while read -r key field; do
    value=$(jq -er --arg f "$field" '.[$f] | select(tostring | test("[\r\n]") | not)' <<<"$secret") ||
      die "secret $SECRET_ID has no $field, or it holds a line break"
    echo "$key=$value"
  done <"$DIFY_ETC/secret-env"
  value=$(jq -er .REDIS_PASSWORD <<<"$secret")
  echo "CELERY_BROKER_URL=redis://:$value@redis:6379/1"
}

# .env = .env.example with each key of settings() replaced in place, or appended when new.
# It is written to a file of its own, then renamed: compose never reads half a .env, and a failed
# render leaves the previous one. mktemp creates that file new (never one left over, with
# whatever mode it has) with mode 0600: .env holds secrets, readable by root only; and in
# .env's directory, so the rename is atomic.
render_env() {
  local values
  values=$(settings)
  env_tmp=$(mktemp "$DOCKER_DIR/.env.XXXXXXXXXX")
  awk 'NR == FNR { i = index($0, "="); v[substr($0, 1, i - 1)] = substr($0, i + 1); next }
       { i = index($0, "="); k = substr($0, 1, i - 1) }
       i > 1 && (k in v) { print k "=" v[k]; delete v[k]; next }
       { print }
       END { for (k in v) print k "=" v[k] }' <(printf '%s\n' "$values") "$DOCKER_DIR/.env.example" \
    >"$env_tmp"
  mv "$env_tmp" "$DOCKER_DIR/.env"
  env_tmp=
  log "rendered $DOCKER_DIR/.env ($(wc -l <"$DOCKER_DIR/.env") lines)"
}

health() { curl -fsS --max-time 5 http://127.0.0.1/console/api/ping | grep -q '"result": *"pong"'; }

# Up to DIFY_HEALTH_ATTEMPTS (90) checks, DIFY_HEALTH_INTERVAL (10) seconds apart.
wait_healthy() {
  for _ in $(seq "${DIFY_HEALTH_ATTEMPTS:-90}"); do
    health 2>/dev/null && return 0
    sleep "${DIFY_HEALTH_INTERVAL:-10}"
  done
  return 1
}

up() {
  log "starting Dify $(running_version)"
  "${COMPOSE[@]}" up -d --remove-orphans --quiet-pull
  wait_healthy || die "Dify did not answer /console/api/ping in time"
  log "Dify $(running_version) is healthy"
}

down() { "${COMPOSE[@]}" down; }

reload() {
  render_env
  up
}

status() {
  echo "running=$(running_version)"
  echo "desired=$(desired_release | cut -d' ' -f1)"
  if health; then echo "health=ok"; else echo "health=failing"; fi
}

case "${1:-}" in
  bootstrap | render-env | up | down | reload) lock; "${1//-/_}" ;;
  health | status) "$1" ;;
  upgrade) lock; upgrade "${@:2}" ;;
  verify-commit) verify_commit "$APP_DIR" "${2:?}" ;;
  *) die "usage: difyctl bootstrap|render-env|up|down|reload|upgrade|health|status" ;;
esac
