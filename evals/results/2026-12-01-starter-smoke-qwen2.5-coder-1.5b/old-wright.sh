#!/bin/sh
# wright at a975b62 as a cmd: agent: run, then leave its branch checked out in the tree the check reads.
repo=$1; ticket=$2; model=$3; url=$4; steps=$5; secs=$6; tokens=$7
XDG_CONFIG_HOME=/tmp/oldcfg /tmp/wbin/wright-a975 run --json --repo "$repo" --task-file "$ticket" --model "$model" --base-url "$url" \
  --max-steps "$steps" --timeout "$secs" --token-budget "$tokens" > /tmp/old-events/$(basename "$repo").jsonl 2>/dev/null
rc=$?
b=$(git -C "$repo" for-each-ref --format='%(refname:short)' refs/heads/wright/ | head -n1)
[ -n "$b" ] && git -C "$repo" checkout -q --detach "$b"
exit $rc
