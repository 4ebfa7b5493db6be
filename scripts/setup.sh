#!/usr/bin/env bash
# Sets up everything yakkan needs on a fresh Debian machine; safe to run again.
#   scripts/setup.sh          runtime: Graphviz, a CJK font, .venv with yakkan
#   scripts/setup.sh --test   also the test tools and Debian's chromium for the browser test
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

debs=(graphviz fonts-noto-cjk)
[ $want_test -eq 1 ] && debs+=(chromium)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq "${missing[@]}" >/dev/null
fi

py=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$py" -m venv .venv
extras=""
[ $want_test -eq 1 ] && extras="[dev]"
stamp=".venv/.yakkan-installed${extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}"
  touch "$stamp"
fi
echo "setup: ready (.venv/bin/yakkan)"
