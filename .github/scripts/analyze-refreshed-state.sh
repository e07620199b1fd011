#!/usr/bin/env bash
# The drift job's second check: what runs in the cloud now, judged by the policy pack. A refresh
# writes state, and the drift job's identity may not write the backend: the stack's state is copied
# into a private file:// backend (the backend's meta.yaml and stacks/, not its history, backups or
# locks), the copy is refreshed, and `pulumi policy analyze` reads the refreshed copy.
#
# Each command's output and exit code land in OUT_DIR (refresh.txt/.rc, analyze.txt/.rc) for
# drift-report.ts, which decides; this script exits 0 once they are recorded, and 1 when the copy
# could not be made (gcloud's error then in refresh.txt, and no refresh.rc).
#
# usage: analyze-refreshed-state.sh STACK OUT_DIR
# env:   PULUMI_BACKEND_URL, the backend to copy (gs://...); RUNNER_TEMP for the copy (default /tmp).
set -euo pipefail

stack="$1"
out="$2"
source_url="${PULUMI_BACKEND_URL:?PULUMI_BACKEND_URL is not set}"
copy="$(mktemp -d "${RUNNER_TEMP:-/tmp}/state.XXXXXX")"
mkdir -p "$copy/.pulumi" "$out"

if ! gcloud storage rsync --recursive --exclude '^(history|backups|locks)/' "${source_url%/}/.pulumi" "$copy/.pulumi" > "$out/refresh.txt" 2>&1; then
    cat "$out/refresh.txt"
    echo "::error::could not copy the state of $stack from ${source_url%/}/.pulumi"
    exit 1
fi
export PULUMI_BACKEND_URL="file://$copy"

rc=0
pulumi refresh --stack "$stack" --yes --skip-preview --non-interactive --color never > "$out/refresh.txt" 2>&1 || rc=$?
cat "$out/refresh.txt"
echo "$rc" > "$out/refresh.rc"
if [ "$rc" -ne 0 ]; then exit 0; fi

rc=0
pulumi policy analyze --stack "$stack" --non-interactive --color never --policy-pack policies --policy-pack-config ".github/policy-config/$stack.json" > "$out/analyze.txt" 2>&1 || rc=$?
cat "$out/analyze.txt"
echo "$rc" > "$out/analyze.rc"
