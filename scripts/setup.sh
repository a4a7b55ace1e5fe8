#!/usr/bin/env bash
# Set up rnnviz on a fresh Debian machine (root, no GPU); safe to run again.
#   1. system libraries that manim builds against (cairo, pango, pkg-config),
#      and with --browser Debian's chromium (the browser test drives it with Playwright),
#   2. a virtual environment in .venv with rnnviz (editable) and all its extras.
# Each step is skipped when it is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

packages=(libcairo2-dev libpango1.0-dev pkg-config)
for option in "$@"; do
    case "$option" in
        --browser) packages+=(chromium) ;;
        *) echo "setup: unknown option $option (expected --browser)" >&2; exit 2 ;;
    esac
done
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || packages+=(python3 python3-venv python3-dev)
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        build-essential "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || { echo "setup: creating .venv"; python3 -m venv .venv; }
stamp=.venv/.rnnviz-setup
wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "setup: installing rnnviz and its extras into .venv (first time: a few minutes)"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet --editable ".[all]"
    echo "$wanted" > "$stamp"
fi
