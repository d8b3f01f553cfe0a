#!/bin/sh
# demo.sh — the main job on the embedded default (owner: foundation; filled in as import lands).
set -eu
BIN=${1:-build/equitylens}
echo "demo: not yet wired"
