#!/usr/bin/env bash
# Commits one changed stack file (the migration rerun's bumped Pulumi.<stack>.yaml) to a branch:
# `git pull --rebase` then push, once more on failure, and fails loudly when the push is refused,
# printing the exact change to commit by hand. Why it must land: the job's execution token is a
# function of (runtime image, migrateRerun) and Cloud Run keeps executions, so a deploy that sends
# the old migrateRerun again re-sends a token whose execution exists and fails at the job.
#
# usage: commit-stack-file.sh FILE BRANCH MESSAGE
# env:   REMOTE (default origin); RETRY_DELAY seconds between the two attempts (default 5);
#        GITHUB_STEP_SUMMARY, when set, gets the outcome too.
set -euo pipefail

file="$1"
branch="$2"
message="$3"
remote="${REMOTE:-origin}"

summary() {
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then printf '%s\n' "$@" >> "$GITHUB_STEP_SUMMARY"; fi
}

# The change as lines (without the diff's +/- marks): what a person sets by hand if the push fails.
added="$(git diff -U0 -- "$file" | sed -n 's/^+\([^+]\)/\1/p')"
if [ -z "$added" ]; then
    echo "::error::$file has no change to commit; expected the bumped migrateRerun"
    exit 1
fi

# The Actions bot, as author and as committer (the rebase below commits too).
export GIT_AUTHOR_NAME="github-actions[bot]" GIT_COMMITTER_NAME="github-actions[bot]"
export GIT_AUTHOR_EMAIL="41898282+github-actions[bot]@users.noreply.github.com" GIT_COMMITTER_EMAIL="41898282+github-actions[bot]@users.noreply.github.com"
git add -- "$file"
git commit --quiet -m "$message" -- "$file"

for attempt in 1 2; do
    # --autostash: anything else the job left in tracked files must not block the rebase.
    if git pull --quiet --rebase --autostash "$remote" "$branch" && git push --quiet "$remote" "HEAD:$branch"; then
        echo "committed to $branch: $added"
        summary "### Committed the rerun" "\`$added\` in \`$file\` on \`$branch\` ($(git rev-parse --short HEAD))."
        exit 0
    fi
    git rebase --abort >/dev/null 2>&1 || true
    if [ "$attempt" -eq 1 ]; then
        echo "push to $branch failed; pulling and trying once more"
        sleep "${RETRY_DELAY:-5}"
    fi
done

# Refused twice (a protected branch, a conflicting edit): the migration has run with the new token,
# so main must carry it before the next deploy of this stack.
echo "::error file=$file::could not push the bumped $file to $branch. Commit this change to $file on $branch by hand before the next deploy (a deploy with the old value fails at the migrate job: 'Resource ... already exists'): ${added//$'\n'/%0A}"
summary "### Commit the rerun by hand" \
    "The push to \`$branch\` was refused. Before the next deploy of this stack, set in \`$file\` on \`$branch\`:" \
    '```' "$added" '```'
exit 1
