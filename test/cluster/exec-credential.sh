#!/bin/sh
# Exec credential plugin for the kwb-exec context of the Kube Workbench test
# cluster (see README.md). kubectl runs it with KWB_TOKEN set (from the
# kubeconfig) and caches the credential until expirationTimestamp, one
# minute ahead (KWB_TOKEN_TTL_SECONDS), so long-running clients exercise
# token refresh.
# Each call is recorded in $KWB_EXEC_LOG when set.
set -eu
if [ -z "${KWB_TOKEN:-}" ]; then
  echo "exec-credential.sh: KWB_TOKEN is not set" >&2
  exit 1
fi
# Tests that need to see a token expire set KWB_TOKEN_TTL_SECONDS (in the environment of the client that runs
# the plugin) instead of waiting a minute.
ttl=${KWB_TOKEN_TTL_SECONDS:-60}
case $ttl in
  '' | *[!0-9]*)
    echo "exec-credential.sh: KWB_TOKEN_TTL_SECONDS must be a whole number of seconds" >&2
    exit 1
    ;;
esac
exp=$(date -u -d "+$ttl seconds" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -v+"$ttl"S +%Y-%m-%dT%H:%M:%SZ)
if [ -n "${KWB_EXEC_LOG:-}" ]; then
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) issued token expiring $exp" >> "$KWB_EXEC_LOG"
fi
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' "$KWB_TOKEN" "$exp"
