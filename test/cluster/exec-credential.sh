#!/bin/sh
# Exec credential plugin for the kwb-exec context of the Kube Workbench test
# cluster (see README.md). kubectl runs it with KWB_TOKEN set (from the
# kubeconfig) and caches the credential until expirationTimestamp, one
# minute ahead, so long-running clients exercise token refresh.
# Each call is recorded in $KWB_EXEC_LOG when set.
set -eu
if [ -z "${KWB_TOKEN:-}" ]; then
  echo "exec-credential.sh: KWB_TOKEN is not set" >&2
  exit 1
fi
exp=$(date -u -d '+60 seconds' +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -v+60S +%Y-%m-%dT%H:%M:%SZ)
if [ -n "${KWB_EXEC_LOG:-}" ]; then
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) issued token expiring $exp" >> "$KWB_EXEC_LOG"
fi
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' "$KWB_TOKEN" "$exp"
