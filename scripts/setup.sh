#!/usr/bin/env bash
# Sets up everything yakkan needs on a fresh Debian machine; safe to run again.
#   scripts/setup.sh          runtime: Graphviz, a CJK font, .venv with yakkan
#   scripts/setup.sh --test   also the test tools and Debian's chromium for the browser test
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

debs=(graphviz fonts-noto-cjk gcc)  # gcc: the simulator's compiled customer loop (Cython)
[ $want_test -eq 1 ] && debs+=(chromium)
# the C headers of the interpreter the loop is compiled for (Debian's python3 has them in python3-dev)
py=${PYTHON:-python3}
"$py" -c 'import os, sysconfig, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
  || debs+=(python3-dev)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || "$py" -m venv .venv
extras=""
[ $want_test -eq 1 ] && extras="[dev]"
stamp=".venv/.yakkan-installed${extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}"
  touch "$stamp"
fi
# the bytecode of yakkan's own modules, written once here: each `yakkan` process then reads
# it instead of compiling every module again (0.2 s of every verify), also where the
# environment sets PYTHONDONTWRITEBYTECODE (pip has compiled the installed packages')
.venv/bin/python -m compileall -q cli model verify simulate diagrams terms >/dev/null
# the bundled model's compiled customer loop, into the user's cache (simulate/build.py);
# where it cannot be built, simulations run the same loop as plain Python
.venv/bin/python -m yakkan.simulate.build
echo "setup: ready (.venv/bin/yakkan)"
