package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"
	kwokcrd "sigs.k8s.io/kwok/kustomize/crd"
)

const bootstrapYAML = `
apiVersion: v1
kind: Namespace
metadata:
  name: team-a
  labels: {kwb.dev/team: a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: team-a-read-only
  namespace: team-a
# Namespaced resources only, listed explicitly: a wildcard would also answer
# "yes" to "kubectl auth can-i list nodes -n team-a" (RBAC does not know
# which resources are cluster-scoped), though listing nodes is forbidden.
rules:
- apiGroups: [""]
  resources: [pods, pods/log, pods/status, services, endpoints, configmaps, secrets, persistentvolumeclaims,
    serviceaccounts, events, replicationcontrollers, resourcequotas, limitranges, podtemplates]
  verbs: ["get", "list", "watch"]
- apiGroups: [apps, batch, autoscaling, policy, discovery.k8s.io, events.k8s.io, coordination.k8s.io, demo.kwb.dev]
  resources: ["*"]
  verbs: ["get", "list", "watch"]
- apiGroups: [networking.k8s.io]
  resources: [ingresses, networkpolicies]
  verbs: ["get", "list", "watch"]
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles, rolebindings]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: kwb-viewer
  namespace: team-a
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: team-a-read-only
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: kwb-viewer
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kwb-exec-cluster-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: kwb-exec
`

func (s *supervisor) waitAPIServer(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		body, err := s.client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err == nil && strings.TrimSpace(string(body)) == "ok" {
			return nil
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("kube-apiserver not ready after %s: %v", timeout, last)
}

// applier creates objects from YAML documents with the dynamic client.
type applier struct {
	s      *supervisor
	mapper *restmapper.DeferredDiscoveryRESTMapper
}

func (s *supervisor) newApplier() *applier {
	return &applier{s: s, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(s.client.Discovery()))}
}

func decodeYAML(data string) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	r := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(data)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		u := &unstructured.Unstructured{}
		if err := utilyaml.Unmarshal(doc, &u.Object); err != nil {
			return nil, err
		}
		if len(u.Object) == 0 {
			continue
		}
		out = append(out, u)
	}
}

func (a *applier) resource(u *unstructured.Unstructured) (schema.GroupVersionResource, bool, error) {
	gvk := u.GroupVersionKind()
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		a.mapper.Reset()
		m, err = a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			return schema.GroupVersionResource{}, false, err
		}
	}
	return m.Resource, m.Scope.Name() == meta.RESTScopeNameNamespace, nil
}

// create creates each object, ignoring ones that already exist, retrying
// while kinds are not yet known (CRDs being established) or namespaces are
// still being set up.
func (a *applier) create(ctx context.Context, objs []*unstructured.Unstructured, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for _, u := range objs {
		for {
			err := a.createOne(ctx, u)
			if err == nil || apierrors.IsAlreadyExists(err) {
				break
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) || time.Now().After(deadline) {
				return fmt.Errorf("create %s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	return nil
}

func (a *applier) createOne(ctx context.Context, u *unstructured.Unstructured) error {
	gvr, namespaced, err := a.resource(u)
	if err != nil {
		return err
	}
	if namespaced {
		ns := u.GetNamespace()
		if ns == "" {
			ns = "default"
		}
		_, err = a.s.dyn.Resource(gvr).Namespace(ns).Create(ctx, u, metav1.CreateOptions{})
	} else {
		_, err = a.s.dyn.Resource(gvr).Create(ctx, u, metav1.CreateOptions{})
	}
	return err
}

func (s *supervisor) waitCRDsEstablished(ctx context.Context, names []string, timeout time.Duration) error {
	gvr := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	deadline := time.Now().Add(timeout)
	for _, name := range names {
		for {
			u, err := s.dyn.Resource(gvr).Get(ctx, name, metav1.GetOptions{})
			if err == nil {
				conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
				ok := false
				for _, c := range conds {
					m, _ := c.(map[string]any)
					if m["type"] == "Established" && m["status"] == "True" {
						ok = true
					}
				}
				if ok {
					break
				}
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("CRD %s not established after %s", name, timeout)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

// bootstrap installs what the components and contexts need: kwok's CRDs for
// per-pod logs/exec/port-forward/attach, and RBAC for the kwb-viewer and kwb-exec
// users.
func (s *supervisor) bootstrap(ctx context.Context) error {
	a := s.newApplier()
	var objs []*unstructured.Unstructured
	for _, data := range [][]byte{kwokcrd.Logs, kwokcrd.Exec, kwokcrd.PortForward, kwokcrd.Attach} {
		o, err := decodeYAML(string(data))
		if err != nil {
			return err
		}
		objs = append(objs, o...)
	}
	rbac, err := decodeYAML(bootstrapYAML)
	if err != nil {
		return err
	}
	objs = append(objs, rbac...)
	if err := a.create(ctx, objs, 60*time.Second); err != nil {
		return err
	}
	return s.waitCRDsEstablished(ctx, []string{"logs.kwok.x-k8s.io", "execs.kwok.x-k8s.io", "portforwards.kwok.x-k8s.io", "attaches.kwok.x-k8s.io"}, 30*time.Second)
}

func nodeName(i int) string { return fmt.Sprintf("kwok-node-%d", i) }

func (s *supervisor) createNodes(ctx context.Context) error {
	for i := 0; i < s.opts.nodes; i++ {
		name := nodeName(i)
		n := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{
				Name: name,
				Annotations: map[string]string{
					"kwok.x-k8s.io/node":           "fake",
					"node.alpha.kubernetes.io/ttl": "0",
				},
				Labels: map[string]string{
					"beta.kubernetes.io/arch":       "amd64",
					"beta.kubernetes.io/os":         "linux",
					"kubernetes.io/arch":            "amd64",
					"kubernetes.io/os":              "linux",
					"kubernetes.io/hostname":        name,
					"kubernetes.io/role":            "agent",
					"node-role.kubernetes.io/agent": "",
					"type":                          "kwok",
					"topology.kubernetes.io/zone":   fmt.Sprintf("zone-%c", 'a'+i%3),
				},
			},
			Spec: corev1.NodeSpec{PodCIDR: fmt.Sprintf("10.244.%d.0/24", i%256), PodCIDRs: []string{fmt.Sprintf("10.244.%d.0/24", i%256)}},
			Status: corev1.NodeStatus{
				Capacity: corev1.ResourceList{
					corev1.ResourceCPU:    resource.MustParse("32"),
					corev1.ResourceMemory: resource.MustParse("256Gi"),
					corev1.ResourcePods:   resource.MustParse("10000"),
				},
				Allocatable: corev1.ResourceList{
					corev1.ResourceCPU:    resource.MustParse("32"),
					corev1.ResourceMemory: resource.MustParse("256Gi"),
					corev1.ResourcePods:   resource.MustParse("10000"),
				},
				NodeInfo: corev1.NodeSystemInfo{
					Architecture:            "amd64",
					OperatingSystem:         "linux",
					KubeletVersion:          "v1.36.1-kwok",
					ContainerRuntimeVersion: "kwok",
					OSImage:                 "kwok fake node",
				},
			},
		}
		if s.metricsEnabled() {
			n.Annotations[resourceMetricsPathAnnotation] = "/metrics/nodes/" + name + "/metrics/resource"
		}
		if _, err := s.client.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func (s *supervisor) waitNodesReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		list, err := s.client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		ready := 0
		if err == nil {
			for i := range list.Items {
				if nodeReady(&list.Items[i]) {
					ready++
				}
			}
			if ready >= s.opts.nodes {
				return nil
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d nodes Ready after %s (err: %v)", ready, s.opts.nodes, timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
