package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

// Pods labelled with this get a new log line every two seconds (for
// `kubectl logs -f`).
const writesLogsLabel = "kwb.dev/writes-logs"

// Pods labelled with this have each container crash and restart once (the
// kwok stage in kwokconfig.go) and keep the previous instance's log, for
// `kubectl logs --previous`.
const restartOnceLabel = "kwb.dev/restart-once"

// ScaleNamespace holds the --pods benchmark pods; they use kwok's
// cluster-wide fallbacks instead of per-pod sandboxes.
const scaleNamespace = "scale"

var (
	gvrLogs        = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "logs"}
	gvrExecs       = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "execs"}
	gvrPortForward = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "portforwards"}
	gvrAttach      = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "attaches"}
)

// criLines formats messages in the kubelet CRI log format kwok reads.
func criLines(stream string, msgs ...string) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "%s %s F %s\n", time.Now().UTC().Format(time.RFC3339Nano), stream, m)
	}
	return b.String()
}

// sandbox gives every pod (outside the scale namespace) a log file per
// container under <state>/logs/<ns>/<pod>/<container>.log (and, for pods that
// restart once, <container>.previous.log), an exec folder
// <state>/exec/<ns>/<pod>, a port-forward target, and attach (which follows
// the log file), by creating kwok Logs, Exec, PortForward and Attach objects
// named after the pod.
type sandbox struct {
	s       *supervisor
	queue   chan *corev1.Pod
	mu      sync.Mutex
	done    map[string]bool
	writers map[string]*corev1.Pod
}

func newSandbox(s *supervisor) *sandbox {
	return &sandbox{s: s, queue: make(chan *corev1.Pod, 4096), done: map[string]bool{}, writers: map[string]*corev1.Pod{}}
}

func (b *sandbox) run(ctx context.Context) {
	factory := informers.NewSharedInformerFactoryWithOptions(b.s.client, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = "metadata.namespace!=" + scaleNamespace
		}))
	inf := factory.Core().V1().Pods().Informer()
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			if p, ok := obj.(*corev1.Pod); ok {
				b.enqueue(p)
			}
		},
		UpdateFunc: func(_, obj any) {
			if p, ok := obj.(*corev1.Pod); ok && needsEphemeralStatus(p) {
				go b.startEphemeral(ctx, p)
			}
		},
		DeleteFunc: func(obj any) {
			if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = t.Obj
			}
			if p, ok := obj.(*corev1.Pod); ok {
				key := p.Namespace + "/" + p.Name
				b.mu.Lock()
				delete(b.done, key)
				delete(b.writers, key)
				b.mu.Unlock()
			}
		},
	})
	factory.Start(ctx.Done())
	for i := 0; i < 4; i++ {
		go b.worker(ctx)
	}
	go b.logTicker(ctx)
	<-ctx.Done()
}

func (b *sandbox) enqueue(p *corev1.Pod) {
	key := p.Namespace + "/" + p.Name
	b.mu.Lock()
	if b.done[key] {
		b.mu.Unlock()
		return
	}
	b.done[key] = true
	b.mu.Unlock()
	b.queue <- p
}

func (b *sandbox) worker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case p := <-b.queue:
			for attempt := 0; attempt < 20; attempt++ {
				err := b.setup(ctx, p)
				if err == nil || ctx.Err() != nil {
					break
				}
				if apierrors.IsNotFound(err) {
					break // pod already gone
				}
				if attempt == 19 {
					b.s.logf("sandbox for pod %s/%s: %v", p.Namespace, p.Name, err)
				}
				time.Sleep(500 * time.Millisecond)
			}
		}
	}
}

func (b *sandbox) logPath(ns, pod, container string) string {
	return b.s.path("logs", ns, pod, container+".log")
}

func (b *sandbox) previousLogPath(ns, pod, container string) string {
	return b.s.path("logs", ns, pod, container+".previous.log")
}

func (b *sandbox) setup(ctx context.Context, p *corev1.Pod) error {
	execDir := b.s.path("exec", p.Namespace, p.Name)
	if err := os.MkdirAll(execDir, 0o755); err != nil {
		return err
	}
	var containers []corev1.Container
	containers = append(containers, p.Spec.InitContainers...)
	containers = append(containers, p.Spec.Containers...)
	restarts := p.Labels[restartOnceLabel] == "true"
	var logs, attaches []any
	for _, c := range containers {
		path := b.logPath(p.Namespace, p.Name, c.Name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		entry := map[string]any{"containers": []any{c.Name}, "logsFile": path, "follow": true}
		// The previous instance's log is written first, so its timestamps
		// come before the current instance's.
		if restarts {
			previous := b.previousLogPath(p.Namespace, p.Name, c.Name)
			if _, err := os.Stat(previous); os.IsNotExist(err) {
				content := criLines("stdout",
					fmt.Sprintf("starting %s in pod %s/%s (image %s), first instance", c.Name, p.Namespace, p.Name, c.Image),
					fmt.Sprintf("%s: listening on :%d", c.Name, firstPort(c)),
				)
				content += criLines("stderr", fmt.Sprintf("%s: fatal: simulated crash (%s), exiting with code 1", c.Name, restartOnceLabel))
				if err := os.WriteFile(previous, []byte(content), 0o644); err != nil {
					return err
				}
			}
			entry["previousLogsFile"] = previous
		}
		if _, err := os.Stat(path); os.IsNotExist(err) {
			instance := ""
			if restarts {
				instance = ", restarted after the first instance exited with code 1"
			}
			content := criLines("stdout",
				fmt.Sprintf("starting %s in pod %s/%s (image %s)%s", c.Name, p.Namespace, p.Name, c.Image, instance),
				fmt.Sprintf("%s: listening on :%d", c.Name, firstPort(c)),
				fmt.Sprintf("%s: ready", c.Name),
			)
			content += criLines("stderr", fmt.Sprintf("%s: warning: this is a simulated container (kwok)", c.Name))
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				return err
			}
		}
		logs = append(logs, entry)
		// kwok's attach streams what is appended to the log file from then on.
		attaches = append(attaches, map[string]any{"containers": []any{c.Name}, "logsFile": path})
	}
	owner := []any{map[string]any{
		"apiVersion": "v1", "kind": "Pod", "name": p.Name, "uid": string(p.UID),
	}}
	mk := func(kind string, spec map[string]any) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "kwok.x-k8s.io/v1alpha1",
			"kind":       kind,
			"metadata": map[string]any{
				"name": p.Name, "namespace": p.Namespace,
				"labels":          map[string]any{"app.kubernetes.io/managed-by": "kwb-cluster"},
				"ownerReferences": owner,
			},
			"spec": spec,
		}}
	}
	objs := []struct {
		gvr schema.GroupVersionResource
		obj *unstructured.Unstructured
	}{
		{gvrLogs, mk("Logs", map[string]any{"logs": logs})},
		{gvrExecs, mk("Exec", map[string]any{"execs": []any{map[string]any{"local": map[string]any{
			"workDir": execDir,
			"envs": []any{
				map[string]any{"name": "POD_NAME", "value": p.Name},
				map[string]any{"name": "POD_NAMESPACE", "value": p.Namespace},
				map[string]any{"name": "HOME", "value": execDir},
				map[string]any{"name": "PS1", "value": p.Name + ":\\w\\$ "},
			},
		}}}})},
		{gvrAttach, mk("Attach", map[string]any{"attaches": attaches})},
		{gvrPortForward, mk("PortForward", map[string]any{"forwards": []any{map[string]any{
			"command": []any{b.s.self, "pf-http", p.Namespace, p.Name},
		}}})},
	}
	for _, o := range objs {
		_, err := b.s.dyn.Resource(o.gvr).Namespace(p.Namespace).Create(ctx, o.obj, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			// NotFound here means the namespace is gone: nothing to do.
			return err
		}
	}
	if p.Labels[writesLogsLabel] == "true" {
		b.mu.Lock()
		b.writers[p.Namespace+"/"+p.Name] = p
		b.mu.Unlock()
	}
	return nil
}

func firstPort(c corev1.Container) int32 {
	if len(c.Ports) > 0 {
		return c.Ports[0].ContainerPort
	}
	return 8080
}

func (b *sandbox) logTicker(ctx context.Context) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	n := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n++
		b.mu.Lock()
		pods := make([]*corev1.Pod, 0, len(b.writers))
		for _, p := range b.writers {
			pods = append(pods, p)
		}
		b.mu.Unlock()
		for _, p := range pods {
			for _, c := range p.Spec.Containers {
				f, err := os.OpenFile(b.logPath(p.Namespace, p.Name, c.Name), os.O_APPEND|os.O_WRONLY, 0o644)
				if err != nil {
					continue
				}
				_, _ = f.WriteString(criLines("stdout", fmt.Sprintf("GET /healthz 200 tick=%d pod=%s", n, p.Name)))
				f.Close()
			}
		}
	}
}
