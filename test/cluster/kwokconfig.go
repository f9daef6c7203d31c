package main

import (
	"fmt"
	"os"
	"strings"

	nodefast "sigs.k8s.io/kwok/kustomize/stage/node/fast"
	nodeheartbeat "sigs.k8s.io/kwok/kustomize/stage/node/heartbeat-with-lease"
	podfast "sigs.k8s.io/kwok/kustomize/stage/pod/fast"
)

// writeKwokConfig writes kwok's configuration: kwok's own default stages (the
// ones kwokctl feeds to kwok: node initialize, heartbeat with lease, pod
// ready/complete/delete) and cluster-wide fallbacks for logs, exec and
// port-forward. Per-pod Logs/Exec/PortForward objects are created by the
// sandbox controller (sandbox.go).
func (s *supervisor) writeKwokConfig() error {
	docs := []string{
		nodefast.DefaultNodeInit,
		nodeheartbeat.DefaultNodeHeartbeatWithLease,
		podfast.DefaultPodReady,
		podfast.DefaultPodComplete,
		podfast.DefaultPodDelete,
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
`, s.self))
	var b strings.Builder
	for _, d := range docs {
		b.WriteString("---\n")
		b.WriteString(strings.TrimSpace(d))
		b.WriteString("\n")
	}
	return os.WriteFile(s.path("components", "kwok.yaml"), []byte(b.String()), 0o644)
}
