#!/usr/bin/env bash
# Sets up everything the kiosk needs on a Debian/Ubuntu machine, then runs it.
#   ./setup.sh demo          open the kiosk in demo mode (virtual chip, PDF printer, demo data folder)
#   ./setup.sh test [ARGS]   run the whole test suite (ARGS go to pytest)
# Missing system packages are installed with apt-get (as root, or through sudo); the Python side
# lives in .venv. Re-running is quick: each step is skipped when already done.
set -euo pipefail

cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="$ROOT/.venv"
MODE=${1:-}
[ $# -gt 0 ] && shift

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31mLỖI / ERROR: %s\033[0m\n' "$*" >&2; exit 1; }

case "$MODE" in
  demo|test) ;;
  *) echo "usage: ./setup.sh demo | test [pytest args]" >&2; exit 2 ;;
esac

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi

APT_PACKAGES=(
  python3 python3-venv python3-dev gcc make pkg-config
  pcscd vsmartcard-vpcd libpcsclite-dev swig
  fonts-dejavu-core poppler-utils zbar-tools xvfb xauth x11-utils
  postgresql haproxy
  libegl1 libgl1 libglib2.0-0 libdbus-1-3 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0 libxcb-render-util0
  libxcb-image0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 libxrender1 libxi6 libpulse0
)

install_system_packages() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing system packages: ${missing[*]}"
    "${SUDO[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
    # pcscd reads the reader drivers at start: restart it if one of them was just installed.
    case " ${missing[*]} " in *" pcscd "*|*" vsmartcard-vpcd "*) VPCD_NEW=1 ;; esac
  fi
}

python_for_venv() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return
    fi
  done
  die "Python 3.11 or newer is needed"
}

install_python() {
  local stamp="$VENV/.installed"
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating the virtual environment in .venv"
    "$(python_for_venv)" -m venv "$VENV"
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    say "Installing the kiosk and its Python dependencies"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".[test,face,package]"
    touch "$stamp"
  fi
  say "Compiling translations"
  "$VENV/bin/python" -c "from kiosk.ui.i18n import compile_translations; compile_translations()"
}

pcsc_reachable() {
  "$VENV/bin/python" - <<'EOF' 2>/dev/null
import sys
from smartcard.System import readers
try:
    sys.exit(0 if any(str(r).startswith("Virtual PCD") for r in readers()) else 1)
except Exception:
    sys.exit(1)
EOF
}

start_pcscd() {
  # pcscd loads the vpcd reader driver at start: (re)start it if the virtual readers are missing.
  if pcsc_reachable && [ -z "${VPCD_NEW:-}" ]; then return; fi
  say "Starting the PC/SC service (pcscd) with the virtual reader driver"
  if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
    "${SUDO[@]}" systemctl restart pcscd.socket pcscd.service 2>/dev/null || true
  else
    "${SUDO[@]}" pkill -x pcscd 2>/dev/null || true
    # The old daemon must have released vpcd's ports before the new one binds them.
    for _ in $(seq 1 50); do pgrep -x pcscd >/dev/null || break; sleep 0.2; done
    # The daemon outlives this script: it must not inherit our open files (a lock the caller holds
    # around this script would otherwise stay held by pcscd for as long as it runs).
    (
      for fd in /proc/$BASHPID/fd/*; do
        fd=${fd##*/}; [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
      done
      exec "${SUDO[@]}" setsid pcscd --foreground >/tmp/kiosk-pcscd.log 2>&1 < /dev/null
    ) 2>/dev/null &
  fi
  for _ in $(seq 1 150); do pcsc_reachable && return; sleep 0.2; done
  die "pcscd does not show the virtual readers (is vsmartcard-vpcd installed?)"
}

install_system_packages
install_python
start_pcscd

if [ "$MODE" = demo ]; then
  say "Opening the kiosk in demo mode (log in as canbo / canbo-demo)"
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    say "No screen found: the kiosk runs on a virtual screen (xvfb-run)"
    exec xvfb-run -a -s "-screen 0 1280x800x24" "$VENV/bin/kiosk" --demo "$@"
  fi
  exec "$VENV/bin/kiosk" --demo "$@"
fi

say "Running the test suite"
export QT_QPA_PLATFORM=offscreen
set +e
"$VENV/bin/python" -m pytest "$@"
status=$?
set -e
[ $status -eq 5 ] && die "pytest collected no tests"
exit $status
