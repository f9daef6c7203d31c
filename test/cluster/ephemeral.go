package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// kwok runs no ephemeral containers (`kubectl debug`): it never reports them.
// The sandbox plays the kubelet's part for them: a log file, an entry in the
// pod's kwok Logs and Attach objects (so logs and attach reach the new
// container), and a running status.

func needsEphemeralStatus(p *corev1.Pod) bool {
	return len(missingEphemeral(p)) > 0
}

func missingEphemeral(p *corev1.Pod) []corev1.EphemeralContainer {
	have := map[string]bool{}
	for _, s := range p.Status.EphemeralContainerStatuses {
		have[s.Name] = true
	}
	var out []corev1.EphemeralContainer
	for _, c := range p.Spec.EphemeralContainers {
		if !have[c.Name] {
			out = append(out, c)
		}
	}
	return out
}

func (b *sandbox) startEphemeral(ctx context.Context, p *corev1.Pod) {
	for attempt := 0; attempt < 20 && ctx.Err() == nil; attempt++ {
		err := b.tryStartEphemeral(ctx, p.Namespace, p.Name)
		if err == nil || apierrors.IsNotFound(err) {
			return
		}
		if attempt == 19 {
			b.s.logf("ephemeral containers of pod %s/%s: %v", p.Namespace, p.Name, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func (b *sandbox) tryStartEphemeral(ctx context.Context, ns, name string) error {
	p, err := b.s.client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	missing := missingEphemeral(p)
	if len(missing) == 0 {
		return nil
	}
	for _, c := range missing {
		path := b.logPath(ns, name, c.Name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if _, err := os.Stat(path); os.IsNotExist(err) {
			content := criLines("stdout", fmt.Sprintf("debug container %s started in pod %s/%s (image %s, target %s)", c.Name, ns, name, c.Image, c.TargetContainerName))
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				return err
			}
		}
		if err := b.addKwokEntry(ctx, ns, name, "Attach", "attaches", map[string]any{"containers": []any{c.Name}, "logsFile": path}); err != nil {
			return err
		}
		if err := b.addKwokEntry(ctx, ns, name, "Logs", "logs", map[string]any{"containers": []any{c.Name}, "logsFile": path, "follow": true}); err != nil {
			return err
		}
		p.Status.EphemeralContainerStatuses = append(p.Status.EphemeralContainerStatuses, corev1.ContainerStatus{
			Name:        c.Name,
			Image:       c.Image,
			ImageID:     "kwok://" + c.Image,
			ContainerID: "kwok://" + ns + "/" + name + "/" + c.Name,
			State:       corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}},
		})
	}
	_, err = b.s.client.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{})
	return err
}

// addKwokEntry appends an entry to the list `field` of the pod's kwok object of
// `kind` (made by setup), unless one for the same containers is there.
func (b *sandbox) addKwokEntry(ctx context.Context, ns, pod, kind, field string, entry map[string]any) error {
	gvr := gvrAttach
	if kind == "Logs" {
		gvr = gvrLogs
	}
	obj, err := b.s.dyn.Resource(gvr).Namespace(ns).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return err
	}
	list, _, _ := unstructured.NestedSlice(obj.Object, "spec", field)
	want := fmt.Sprint(entry["containers"])
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && fmt.Sprint(m["containers"]) == want {
			return nil
		}
	}
	list = append(list, entry)
	if err := unstructured.SetNestedSlice(obj.Object, list, "spec", field); err != nil {
		return err
	}
	_, err = b.s.dyn.Resource(gvr).Namespace(ns).Update(ctx, obj, metav1.UpdateOptions{})
	return err
}
