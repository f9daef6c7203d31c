package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	metricsresource "sigs.k8s.io/kwok/kustomize/metrics/resource"
)

// The metrics pipeline (--metrics-server PATH): kwok serves kubelet-style
// resource metrics (/metrics/resource, Prometheus text) for its fake nodes,
// computed from a ClusterResourceUsage; a real metrics-server (built from
// sigs.k8s.io/metrics-server in its own module, test/cluster/metrics) scrapes
// them through the port the nodes advertise and is registered with the API
// server's aggregation layer as v1beta1.metrics.k8s.io, so `kubectl top` and
// /apis/metrics.k8s.io work as on a real cluster.

// resourceMetricsPathAnnotation tells metrics-server where a node's resource
// metrics are (metrics-server's pkg/scraper/client/resource); kwok serves them
// per node under this path (its Metric "metrics-resource").
const resourceMetricsPathAnnotation = "metrics.k8s.io/resource-metrics-path"

// usageCPUAnnotation and usageMemoryAnnotation set a pod's usage per
// container (kwok's own annotation names, from its usage-from-annotation
// example); pods without them use the defaults below.
const (
	usageCPUAnnotation    = "kwok.x-k8s.io/usage-cpu"
	usageMemoryAnnotation = "kwok.x-k8s.io/usage-memory"
	defaultUsageCPU       = "5m"
	defaultUsageMemory    = "16Mi"
)

// clusterResourceUsage is the kwok object that says what each container
// uses: constant values, so numbers are deterministic (CPU is a rate of a
// counter, so metrics-server reports it within rounding of the value).
var clusterResourceUsage = fmt.Sprintf(`apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterResourceUsage
metadata:
  name: kwb-usage
spec:
  usages:
  - usage:
      cpu:
        expression: |
          %[1]q in pod.metadata.annotations
          ? Quantity(pod.metadata.annotations[%[1]q])
          : Quantity(%[3]q)
      memory:
        expression: |
          %[2]q in pod.metadata.annotations
          ? Quantity(pod.metadata.annotations[%[2]q])
          : Quantity(%[4]q)
`, usageCPUAnnotation, usageMemoryAnnotation, defaultUsageCPU, defaultUsageMemory)

func (s *supervisor) metricsEnabled() bool { return s.opts.metricsServer != "" }

// metricsKwokConfig is what kwok's configuration gains with metrics: kwok's
// own Metric for the kubelet resource metrics endpoint, and our usage.
func metricsKwokConfig() []string {
	return []string{metricsresource.DefaultMetricsResource, clusterResourceUsage}
}

// metricsCerts are the certificates of the aggregation layer: the API
// server's front-proxy client (it calls metrics-server with the user in
// X-Remote-* headers), metrics-server's serving certificate (checked by the
// API server against the APIService's caBundle, for the name
// metrics-server.kube-system.svc) and metrics-server's client certificate.
func metricsCerts() []certSpec {
	return []certSpec{
		{name: "front-proxy-client", cn: "front-proxy-client", client: true},
		{name: "metrics-server-serving", cn: "metrics-server", server: true, ips: []net.IP{net.ParseIP("127.0.0.1")},
			dns: []string{"localhost", "metrics-server.kube-system.svc", "metrics-server.kube-system.svc.cluster.local"}},
		{name: "metrics-server", cn: "system:metrics-server", orgs: []string{"system:masters"}, client: true},
	}
}

// apiserverAggregationArgs make the API server an aggregator that trusts
// front-proxy-client's headers (request header authentication).
func (s *supervisor) apiserverAggregationArgs() []string {
	p := s.pki.path
	return []string{
		"--requestheader-client-ca-file=" + p("ca.crt"),
		"--requestheader-allowed-names=front-proxy-client",
		"--requestheader-username-headers=X-Remote-User",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--proxy-client-cert-file=" + p("front-proxy-client.crt"),
		"--proxy-client-key-file=" + p("front-proxy-client.key"),
	}
}

func (s *supervisor) metricsServerArgs() []string {
	kc := s.path("components", "metrics-server.kubeconfig")
	return []string{
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(s.ports["metrics-server"]),
		"--tls-cert-file=" + s.pki.path("metrics-server-serving.crt"),
		"--tls-private-key-file=" + s.pki.path("metrics-server-serving.key"),
		"--kubeconfig=" + kc,
		"--authentication-kubeconfig=" + kc,
		"--authorization-kubeconfig=" + kc,
		"--kubelet-preferred-address-types=InternalIP",
		"--kubelet-use-node-status-port",
		"--kubelet-certificate-authority=" + s.pki.path("ca.crt"),
		// The smallest resolution metrics-server accepts: first numbers about 10-20 s after a pod runs.
		"--metric-resolution=10s",
		"--kubelet-request-timeout=5s",
		"--v=1",
	}
}

// registerMetricsAPI creates the Service (ExternalName: the aggregator
// resolves it to 127.0.0.1 and the APIService's port) and the APIService.
func (s *supervisor) registerMetricsAPI(ctx context.Context) error {
	port := s.ports["metrics-server"]
	svc := map[string]any{
		"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{"name": "metrics-server", "namespace": "kube-system", "labels": map[string]any{"k8s-app": "metrics-server"}},
		"spec": map[string]any{
			"type": "ExternalName", "externalName": "localhost",
			"ports": []any{map[string]any{"name": "https", "port": port, "targetPort": port}},
		},
	}
	apisvc := map[string]any{
		"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
		"metadata": map[string]any{"name": "v1beta1.metrics.k8s.io", "labels": map[string]any{"k8s-app": "metrics-server"}},
		"spec": map[string]any{
			"group": "metrics.k8s.io", "version": "v1beta1",
			"groupPriorityMinimum": 100, "versionPriority": 100,
			"caBundle": base64.StdEncoding.EncodeToString(s.pki.caPEM),
			"service":  map[string]any{"name": "metrics-server", "namespace": "kube-system", "port": port},
		},
	}
	var docs string
	for _, o := range []map[string]any{svc, apisvc} {
		b, err := json.Marshal(o)
		if err != nil {
			return err
		}
		docs += "---\n" + string(b) + "\n"
	}
	objs, err := decodeYAML(docs)
	if err != nil {
		return err
	}
	return s.newApplier().create(ctx, objs, 30*time.Second)
}

// waitMetricsReady waits until metrics.k8s.io answers with every node and, if
// pods run, with every pod Running when it starts waiting: what `kubectl top nodes` and
// `kubectl top pods -A` show. (metrics-server reports a pod after two scrapes,
// one resolution apart, since CPU is a rate.)
func (s *supervisor) waitMetricsReady(ctx context.Context, wantPods bool, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	gv := schema.GroupVersion{Group: "metrics.k8s.io", Version: "v1beta1"}
	var last string
	var expected map[string]bool
	for {
		nodes, err := s.dyn.Resource(gv.WithResource("nodes")).List(ctx, metav1.ListOptions{})
		if err == nil && len(nodes.Items) >= s.opts.nodes {
			if !wantPods {
				return nil
			}
			pods, perr := s.dyn.Resource(gv.WithResource("pods")).List(ctx, metav1.ListOptions{})
			running, rerr := s.client.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "status.phase=Running"})
			if perr == nil && rerr == nil {
				now := map[string]bool{}
				for _, p := range running.Items {
					now[p.Namespace+"/"+p.Name] = true
				}
				if expected == nil {
					// The pods Running now (after the seed); pods started later (a CronJob's) are not waited
					// for, and one that stopped running meanwhile (a finished Job's) is not either.
					expected = map[string]bool{}
					for name := range now {
						expected[name] = true
					}
				}
				have := map[string]bool{}
				for _, p := range pods.Items {
					have[p.GetNamespace()+"/"+p.GetName()] = true
				}
				var missing []string
				for name := range expected {
					if now[name] && !have[name] {
						missing = append(missing, name)
					}
				}
				if len(missing) == 0 && len(pods.Items) > 0 {
					return nil
				}
				last = fmt.Sprintf("%d running pods have no metrics yet (%s)", len(missing), strings.Join(first(missing, 5), ", "))
			}
			err = perr
			if err == nil {
				err = rerr
			}
		}
		if err != nil {
			last = err.Error()
		} else if len(nodes.Items) < s.opts.nodes {
			last = fmt.Sprintf("%d of %d nodes have metrics", len(nodes.Items), s.opts.nodes)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("metrics.k8s.io not serving after %s: %s", timeout, last)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func first(items []string, n int) []string {
	if len(items) > n {
		return append(items[:n:n], "...")
	}
	return items
}
