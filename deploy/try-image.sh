#!/usr/bin/env bash
# Builds the image and runs it against the Bot API double (bot/sandbox/) on loopback: a stranger
# sends /start and must be answered, the health check must pass, and SIGTERM must stop the bot
# cleanly. Made for a machine with no Docker engine and no Docker Hub: buildah builds on a
# bookworm base made here with debootstrap from deb.debian.org; podman runs it, with crun or else
# runc, and where neither can start a container, `buildah run` runs the image's command in its
# root file system instead.
#
#   deploy/try-image.sh [--webhook]      (as root, from a checkout with `pip install -e .` done)
#
# --webhook runs the bot as compose.yaml does, the double posting updates to it. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
BASE=localhost/mentorbot-base:bookworm
IMAGE=localhost/mentorbot:try
TOKEN=123456:try-image
# vfs: no overlay file system is needed, which a machine that is itself a container may lack;
# but it copies the whole file system for every layer and container, minutes each time.
# STORAGE_DRIVER=overlay, where the kernel allows it, keeps its own store beside the default one.
STORE=(--storage-driver "${STORAGE_DRIVER:-vfs}")
if [ "${STORAGE_DRIVER:-vfs}" != vfs ]; then
  STORE+=(--root "/var/lib/containers/try-$STORAGE_DRIVER" --runroot "/run/try-$STORAGE_DRIVER")
fi
WEBHOOK=${1:-}

if ! podman "${STORE[@]}" image exists "$BASE"; then
  rootfs=$(mktemp -d)
  chmod 0755 "$rootfs"  # it becomes the image's /, which mktemp made owner-only
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman "${STORE[@]}" import --quiet - "$BASE" >/dev/null
  rm -rf "$rootfs"
  echo "made $BASE with debootstrap from deb.debian.org"
fi

# This machine's CA bundle, for a network that inspects TLS (see the Dockerfile); --format
# docker, because the OCI format has no HEALTHCHECK.
build_log=$(mktemp)
if ! buildah "${STORE[@]}" bud --layers --isolation chroot --format docker \
  --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt \
  --build-arg BASE="$BASE" -t "$IMAGE" . >"$build_log" 2>&1; then
  tail -20 "$build_log"
  exit 1
fi
echo "built $IMAGE in $(grep -c '^STEP' "$build_log") steps"
rm "$build_log"

env_args() {  # the environment the bot gets; {api} and {port} are filled in once known
  echo "TELEGRAM_BOT_TOKEN=$TOKEN" "TELEGRAM_API_URL={api}"
  if [ "$WEBHOOK" = --webhook ]; then
    echo "MENTORBOT_WEBHOOK_URL=http://127.0.0.1:{port}/mentorbot/hook"
    echo "MENTORBOT_WEBHOOK_PORT={port}" "MENTORBOT_WEBHOOK_SECRET=try-image-secret"
  fi
}

container=""
cleanup() {
  if [ -n "$container" ]; then buildah "${STORE[@]}" rm "$container" >/dev/null; fi
}
trap cleanup EXIT

# What the image asks an engine to run as its health check, without "CMD": the same command here.
mapfile -t health < <(buildah "${STORE[@]}" inspect --type image \
  --format '{{range .Docker.Config.Healthcheck.Test}}{{println .}}{{end}}' "$IMAGE" | sed '/^$/d')
[ "${health[0]:-}" = CMD ] && health=("${health[@]:1}")

# podman's default limits (over a million open files and processes) need CAP_SYS_RESOURCE, which
# root inside a container may lack; these are far more than the bot needs. crun refuses a hybrid
# cgroup hierarchy (v1 controllers beside an empty v2), which runc accepts.
LIMITS=(--ulimit nofile=4096:4096 --ulimit nproc=4096:4096 --no-healthcheck)
run=()
refusals=()
for runtime in crun runc; do
  command -v "$runtime" >/dev/null || continue
  podman=(podman "${STORE[@]}" --runtime "$runtime")
  if said=$("${podman[@]}" run --rm "${LIMITS[@]}" "$IMAGE" --version 2>&1); then
    if [ ${#refusals[@]} -gt 0 ]; then printf '%s\n' "${refusals[@]}"; fi
    echo "running the image with podman ($runtime)"
    run=("${podman[@]}" run --rm --name mentorbot-try --network host "${LIMITS[@]}")
    check=("${podman[@]}" exec mentorbot-try)
    for pair in $(env_args); do run+=(-e "$pair"); done
    run+=("$IMAGE")
    break
  fi
  refusals+=("  podman ($runtime): $(tail -1 <<<"$said")")
done
if [ ${#run[@]} = 0 ]; then
  echo "podman cannot start a container here; running the image's root file system with buildah"
  if [ ${#refusals[@]} -gt 0 ]; then printf '%s\n' "${refusals[@]}"; fi
  container=$(buildah "${STORE[@]}" from "$IMAGE")
  run=(buildah "${STORE[@]}" run --isolation chroot)
  for pair in $(env_args); do run+=(--env "$pair"); done
  check=("${run[@]}" "$container" --)
  run+=("$container" -- mentorbot run)
fi

TOKEN=$TOKEN PYTHONPATH=. "$PYTHON" - "$(printf '%s\n' "${run[@]}")" "$(printf '%s\n' "${check[@]}")" \
  "$(printf '%s\n' "${health[@]}")" <<'EOF'
import asyncio, os, signal, socket, sys, urllib.error, urllib.request

from bot.sandbox import BotApiDouble

RUN, CHECK, HEALTH = (argument.splitlines() for argument in sys.argv[1:4])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bot_pid(parent: int) -> int:
    """The `mentorbot run` process under `parent`: buildah answers SIGTERM with SIGKILL to its
    child, so the signal goes to the bot itself; with podman it is the container's, not ours.
    The deepest match, since buildah's own helper carries the same words in its command line."""
    children: dict[int, list[int]] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, level = parent, [parent]
    while level:
        level = [child for pid in level for child in children.get(pid, [])]
        for pid in level:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                    argv = cmdline.read().split(b"\0")
            except OSError:
                continue
            if b"run" in argv and any(a.endswith(b"/mentorbot") for a in argv):
                found = pid
    return found


def image_bot_uid() -> str:
    """The real uid of the bot in the image (its venv's path tells it from anything on the host)."""
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                argv = cmdline.read().split(b"\0")
            if argv[1:3] == [b"/opt/mentorbot/venv/bin/mentorbot", b"run"]:
                with open(f"/proc/{entry}/status") as status:
                    return next(line.split()[1] for line in status if line.startswith("Uid:"))
        except (OSError, IndexError):
            continue
    return "unknown (not found)"


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode().strip()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode().strip()


async def command(*argv: str) -> tuple[int, str]:
    done = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await done.communicate()
    return done.returncode or 0, out.decode().strip()


async def main() -> int:
    async with BotApiDouble(os.environ["TOKEN"], limits=None) as double:
        port = str(free_port())

        def fill(args: list[str]) -> list[str]:
            return [a.replace("{api}", double.api_url).replace("{port}", port) for a in args]

        bot = await asyncio.create_subprocess_exec(
            *fill(RUN), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        assert bot.stdout is not None
        log: list[str] = []

        async def read() -> None:
            async for line in bot.stdout:
                log.append(line.decode().rstrip())
                print("  bot:", log[-1], flush=True)

        reader = asyncio.create_task(read())
        for _ in range(120):
            if any("Mentorbot is running" in line for line in log) or bot.returncode is not None:
                break
            await asyncio.sleep(0.5)
        ok = any("Mentorbot is running" in line for line in log)
        if ok:
            stranger = double.add_user(first_name="Try", language_code="en")
            await stranger.send("/start")
            answer = (await stranger.next_message(timeout=30))["text"]
            print("answer to /start:", answer.splitlines()[0], flush=True)
            way = "webhook" if double.calls("setWebhook") else "long polling"
            print(f"updates by {way}: {len(double.calls('getUpdates'))} getUpdates calls")
            print("the bot runs as uid", image_bot_uid(), flush=True)
            if way == "webhook":
                url = f"http://127.0.0.1:{port}/healthz"
                code, body = await asyncio.to_thread(get, url)
                print(f"GET {url}: {code} {body}", flush=True)
                ok = code == 200
            for _ in range(30):  # the first heartbeat may still be on its way
                status, said = await command(*fill(CHECK), *HEALTH)
                if status == 0:
                    break
                await asyncio.sleep(1)
            print(f"HEALTHCHECK {' '.join(HEALTH)}: status {status}: {said}", flush=True)
            ok = ok and status == 0
        if bot.returncode is None:
            target = bot_pid(bot.pid)
            print(f"SIGTERM to {'the bot' if target != bot.pid else RUN[0]} (pid {target})")
            os.kill(target, signal.SIGTERM)
        stopped = await asyncio.wait_for(bot.wait(), 30)
        await reader
        print("after SIGTERM: exit status", stopped, flush=True)
        return 0 if ok and stopped == 0 else 1


sys.exit(asyncio.run(main()))
EOF
