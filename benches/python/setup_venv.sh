#!/usr/bin/env bash
# Makes the Python environment of the reference and comparison scripts (reference.py, compare.py):
# benches/python/.venv (or $1), from PyPI.
#   bash benches/python/setup_venv.sh && benches/python/.venv/bin/python benches/python/reference.py
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${1:-$here/.venv}"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet -r "$here/requirements.txt"
echo "venv ready: $venv"
