package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

var seedNamespaces = []string{"demo", "team-a", "team-b"}

func (s *supervisor) runSeed(ctx context.Context) error {
	objs, err := decodeYAML(seedYAML)
	if err != nil {
		return err
	}
	a := s.newApplier()
	if err := a.create(ctx, objs, 90*time.Second); err != nil {
		return err
	}
	// Give demo/web a second revision: wait until the deployment controller
	// has rolled out revision 1, then change the image.
	deadline := time.Now().Add(60 * time.Second)
	for {
		d, err := s.client.AppsV1().Deployments("demo").Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if d.Annotations["deployment.kubernetes.io/revision"] == "1" && d.Status.ObservedGeneration >= d.Generation {
			break
		}
		if d.Annotations["deployment.kubernetes.io/revision"] == "2" {
			return nil // already done (a kept state dir)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("deployment demo/web has no revision 1 after 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	patch := `{"metadata":{"annotations":{"kubernetes.io/change-cause":"upgrade to nginx:1.28"}},"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.28"}]}}}}`
	_, err = s.client.AppsV1().Deployments("demo").Patch(ctx, "web", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{})
	return err
}

func deploymentAvailable(d *appsv1.Deployment) bool {
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	if d.Status.ObservedGeneration < d.Generation || d.Status.UpdatedReplicas != want || d.Status.AvailableReplicas != want || d.Status.Replicas != want {
		return false
	}
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentAvailable && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

func (s *supervisor) waitSeedReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		var notReady []string
		for _, ns := range seedNamespaces {
			list, err := s.client.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				notReady = append(notReady, ns+": "+err.Error())
				continue
			}
			for i := range list.Items {
				if !deploymentAvailable(&list.Items[i]) {
					notReady = append(notReady, ns+"/"+list.Items[i].Name)
				}
			}
		}
		if len(notReady) == 0 {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("seeded deployments not available after %s: %v", timeout, notReady)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// createScalePods creates n pods in the scale namespace, bound round-robin to
// the kwok nodes, and waits until kwok reports them Running.
func (s *supervisor) createScalePods(ctx context.Context, n int) error {
	start := time.Now()
	_, err := s.client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: scaleNamespace}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	// Pods need the namespace's default service account.
	for {
		_, err := s.client.CoreV1().ServiceAccounts(scaleNamespace).Get(ctx, "default", metav1.GetOptions{})
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Since(start) > 60*time.Second {
			return fmt.Errorf("no default service account in namespace %s: %v", scaleNamespace, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var next, created, failed atomic.Int64
	var errMu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	workers := 48
	automount := false
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				pod := &corev1.Pod{
					ObjectMeta: metav1.ObjectMeta{
						Name:   fmt.Sprintf("pod-%05d", i),
						Labels: map[string]string{"app": "scale", "group": fmt.Sprintf("g%02d", i%50)},
					},
					Spec: corev1.PodSpec{
						NodeName:                     nodeName(i % s.opts.nodes),
						AutomountServiceAccountToken: &automount,
						Containers: []corev1.Container{{
							Name:  "app",
							Image: "registry.k8s.io/pause:3.10",
							Ports: []corev1.ContainerPort{{ContainerPort: 8080}},
						}},
					},
				}
				var err error
				for attempt := 0; attempt < 5; attempt++ {
					_, err = s.client.CoreV1().Pods(scaleNamespace).Create(ctx, pod, metav1.CreateOptions{})
					if err == nil || apierrors.IsAlreadyExists(err) {
						err = nil
						break
					}
					time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
				}
				if err != nil {
					failed.Add(1)
					errMu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					errMu.Unlock()
					continue
				}
				if c := created.Add(1); c%2000 == 0 {
					s.logf("scale: %d/%d pods created (%.0fs)", c, n, time.Since(start).Seconds())
				}
			}
		}()
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		return fmt.Errorf("%d pods could not be created, first error: %v", f, firstErr)
	}
	s.logf("scale: %d pods created in %.1fs, waiting for Running", n, time.Since(start).Seconds())
	deadline := time.Now().Add(time.Duration(60+n/20) * time.Second)
	for {
		// Served from the API server's watch cache (resourceVersion 0).
		list, err := s.client.CoreV1().Pods(scaleNamespace).List(ctx, metav1.ListOptions{
			FieldSelector:   "status.phase!=Running",
			ResourceVersion: "0",
		})
		if err != nil {
			return err
		}
		notRunning := len(list.Items)
		if notRunning == 0 {
			s.logf("scale: %d pods Running after %.1fs", n, time.Since(start).Seconds())
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d scale pods not Running", notRunning, n)
		}
		s.logf("scale: %d/%d pods Running", n-notRunning, n)
		time.Sleep(2 * time.Second)
	}
}
