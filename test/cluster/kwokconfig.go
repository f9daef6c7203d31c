package main

import (
	"fmt"
	"os"
	"strings"

	nodefast "sigs.k8s.io/kwok/kustomize/stage/node/fast"
	nodeheartbeat "sigs.k8s.io/kwok/kustomize/stage/node/heartbeat-with-lease"
	podfast "sigs.k8s.io/kwok/kustomize/stage/pod/fast"
)

// restartOnceStage simulates one crash and restart of every container of a
// pod labelled kwb.dev/restart-once=true, a second after kwok made it Running:
// the status (patched by kwok through the API server like any kubelet status
// update) gets restartCount 1 and a lastState.terminated with exit code 1. The
// selector no longer matches once a container has restarted, so it happens
// once. The sandbox controller gives such pods a previousLogsFile with the
// previous instance's log (sandbox.go).
const restartOnceStage = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: kwb-pod-restart-once
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.labels["` + restartOnceLabel + `"]'
      operator: 'In'
      values:
      - 'true'
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values:
      - 'Running'
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: 'In'
      values:
      - 'True'
    - key: '.status.containerStatuses.[] | select( .restartCount > 0 ) | .name'
      operator: 'DoesNotExist'
  delay:
    durationMilliseconds: 1000
  next:
    statusTemplate: |
      {{ $now := Now }}
      {{ $started := or .status.startTime $now }}
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: true
        started: true
        restartCount: 1
        lastState:
          terminated:
            exitCode: 1
            reason: Error
            startedAt: {{ $started | Quote }}
            finishedAt: {{ $now | Quote }}
        state:
          running:
            startedAt: {{ $now | Quote }}
      {{ end }}
`

// writeKwokConfig writes kwok's configuration: kwok's own default stages (the
// ones kwokctl feeds to kwok: node initialize, heartbeat with lease, pod
// ready/complete/delete), our restart-once stage, and cluster-wide fallbacks
// for logs, exec, port-forward and attach. Per-pod Logs/Exec/PortForward/Attach
// objects are created by the sandbox controller (sandbox.go).
func (s *supervisor) writeKwokConfig() error {
	docs := []string{
		nodefast.DefaultNodeInit,
		nodeheartbeat.DefaultNodeHeartbeatWithLease,
		podfast.DefaultPodReady,
		podfast.DefaultPodComplete,
		podfast.DefaultPodDelete,
		restartOnceStage,
	}
	if s.metricsEnabled() {
		docs = append(docs, metricsKwokConfig()...)
	}
	defaultLog := s.path("logs", "_default.log")
	if err := os.WriteFile(defaultLog, []byte(criLines("stdout", "kwb-cluster: this pod has no log file of its own")), 0o644); err != nil {
		return err
	}
	shared := s.path("exec", "_shared")
	if err := os.MkdirAll(shared, 0o755); err != nil {
		return err
	}
	docs = append(docs, fmt.Sprintf(`apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: kwb-default
spec:
  logs:
  - logsFile: %q
    follow: true
`, defaultLog), fmt.Sprintf(`apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterExec
metadata:
  name: kwb-default
spec:
  execs:
  - local:
      workDir: %q
`, shared), fmt.Sprintf(`apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterPortForward
metadata:
  name: kwb-default
spec:
  forwards:
  - command: [%q, "pf-http", "", "(no sandbox)"]
`, s.self), fmt.Sprintf(`apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterAttach
metadata:
  name: kwb-default
spec:
  attaches:
  - logsFile: %q
`, defaultLog))
	var b strings.Builder
	for _, d := range docs {
		b.WriteString("---\n")
		b.WriteString(strings.TrimSpace(d))
		b.WriteString("\n")
	}
	return os.WriteFile(s.path("components", "kwok.yaml"), []byte(b.String()), 0o644)
}
