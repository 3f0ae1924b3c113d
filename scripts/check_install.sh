#!/usr/bin/env bash
# Install backchannel the two ways a user does, each into a throwaway venv, and ingest an HTML
# page with each: (1) README's line exactly, with the pip that `python3 -m venv` bundles and no
# upgrade (editable, with the dev extra); (2) a plain wheel install, `pip install .`.  Issue 15:
# the bundled pip once skipped lxml_html_clean and `ingest page.html` ended in a traceback, while
# `make` (which upgrades pip first) worked.  Run from .ci/run before `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cat > "$work/page.html" <<'HTML'
<html><head><title>Talks</title></head><body><article><h1>Talks</h1>
<p>The minister phoned her counterpart on Monday to discuss the border crossing.</p>
<p>Both sides said the call was constructive and agreed to meet again next week.</p>
</article></body></html>
HTML

check() {  # $1: label, $2: venv; ingest the page and insist on its title in the output
  local out="$work/$1.jsonl"
  (cd "$work" && "$2/bin/backchannel" ingest page.html -o "$out")
  grep -q '"title":"Talks"' "$out" || { echo "check_install: $1: no title in $out" >&2; exit 1; }
  echo "check_install: $1: ok ($("$2/bin/pip" --version | cut -d' ' -f1-2))"
}

# 1. README: python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'  (bundled pip, as is)
"$PYTHON" -m venv "$work/readme"
"$work/readme/bin/pip" install -q --disable-pip-version-check -e '.[dev]'
check readme "$work/readme"

# 2. A plain wheel install: pip install .
"$PYTHON" -m venv "$work/wheel"
"$work/wheel/bin/pip" install -q --disable-pip-version-check .
check wheel "$work/wheel"
