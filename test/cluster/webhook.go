package main

// A real validating admission webhook, served by the supervisor, so that tests
// meet an admission refusal from the real API server rather than a scripted
// one. It refuses only objects labelled kwb.dev/reject=true (the
// ValidatingWebhookConfiguration's objectSelector), so with failurePolicy Fail
// nothing else in the cluster can be affected by it, even while it is down.

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	rejectLabel       = "kwb.dev/reject"
	rejectWebhookName = "reject.kwb.dev"
	rejectWebhookPath = "/validate/reject"
)

// rejectMessage is what the API server passes on after
// `admission webhook "reject.kwb.dev" denied the request: `.
func rejectMessage(kind, namespace, name string) string {
	obj := kind + " " + name
	// A Namespace's own requests carry its name as their namespace.
	if namespace != "" && kind != "Namespace" {
		obj = kind + " " + namespace + "/" + name
	}
	return fmt.Sprintf("%s carries the label %s=true (metadata.labels); the kwb test cluster refuses such objects (remove the label to apply it)", obj, rejectLabel)
}

// reviewAdmission answers one AdmissionReview.
func reviewAdmission(review *admissionv1.AdmissionReview) *admissionv1.AdmissionResponse {
	req := review.Request
	resp := &admissionv1.AdmissionResponse{UID: req.UID, Allowed: true}
	var obj struct {
		Metadata metav1.ObjectMeta `json:"metadata"`
	}
	if len(req.Object.Raw) > 0 {
		if err := json.Unmarshal(req.Object.Raw, &obj); err != nil {
			resp.Allowed = false
			resp.Result = &metav1.Status{Code: http.StatusBadRequest, Message: "the webhook could not read the object: " + err.Error()}
			return resp
		}
	}
	if obj.Metadata.Labels[rejectLabel] != "true" {
		return resp
	}
	name := obj.Metadata.Name
	if name == "" {
		name = req.Name
	}
	resp.Allowed = false
	resp.Result = &metav1.Status{
		Code:    http.StatusForbidden,
		Reason:  metav1.StatusReasonForbidden,
		Message: rejectMessage(req.Kind.Kind, req.Namespace, name),
	}
	return resp
}

func serveAdmission(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST an AdmissionReview", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var review admissionv1.AdmissionReview
	if err := json.Unmarshal(body, &review); err != nil || review.Request == nil {
		http.Error(w, "not an admission.k8s.io/v1 AdmissionReview", http.StatusBadRequest)
		return
	}
	out := admissionv1.AdmissionReview{TypeMeta: review.TypeMeta, Response: reviewAdmission(&review)}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// startWebhook serves the webhook on 127.0.0.1 with a certificate from the
// cluster's CA, registers it with the API server and waits until the API
// server enforces it, so "cluster ready" implies the webhook is in effect.
func (s *supervisor) startWebhook(ctx context.Context) error {
	certPEM, keyPEM, err := s.pki.issue(certSpec{name: "webhook", cn: "kwb-webhook", server: true, ips: []net.IP{net.ParseIP("127.0.0.1")}})
	if err != nil {
		return err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	s.ports["webhook"] = port
	mux := http.NewServeMux()
	mux.HandleFunc(rejectWebhookPath, serveAdmission)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	go func() {
		if err := srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logf("admission webhook stopped: %v", err)
		}
	}()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()

	url := fmt.Sprintf("https://127.0.0.1:%d%s", port, rejectWebhookPath)
	fail := admissionregistrationv1.Fail
	none := admissionregistrationv1.SideEffectClassNone
	scope := admissionregistrationv1.AllScopes
	timeout := int32(5)
	cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "kwb-reject"},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:         rejectWebhookName,
			ClientConfig: admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: s.pki.caPEM},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{"*"}, APIVersions: []string{"*"}, Resources: []string{"*"}, Scope: &scope},
			}},
			// Only objects that ask to be refused are sent here: everything
			// else never depends on this webhook being up.
			ObjectSelector:          &metav1.LabelSelector{MatchLabels: map[string]string{rejectLabel: "true"}},
			FailurePolicy:           &fail,
			SideEffects:             &none,
			AdmissionReviewVersions: []string{"v1"},
			TimeoutSeconds:          &timeout,
		}},
	}
	api := s.client.AdmissionregistrationV1().ValidatingWebhookConfigurations()
	if _, err := api.Create(ctx, cfg, metav1.CreateOptions{}); err != nil {
		if !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("register the webhook: %w", err)
		}
		old, err := api.Get(ctx, cfg.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		cfg.ResourceVersion = old.ResourceVersion
		if _, err := api.Update(ctx, cfg, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("register the webhook: %w", err)
		}
	}
	fmt.Printf("webhook: %s (refuses objects labelled %s=true)\n", url, rejectLabel)
	return s.waitWebhookEnforced(ctx, 30*time.Second)
}

// waitWebhookEnforced dry-runs a labelled ConfigMap until the API server
// refuses it: the API server picks up webhook configurations asynchronously.
func (s *supervisor) waitWebhookEnforced(ctx context.Context, timeout time.Duration) error {
	probe := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kwb-webhook-probe", Labels: map[string]string{rejectLabel: "true"}}}
	deadline := time.Now().Add(timeout)
	for {
		_, err := s.client.CoreV1().ConfigMaps("default").Create(ctx, probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil && strings.Contains(err.Error(), rejectWebhookName) && strings.Contains(err.Error(), "refuses such objects") {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the admission webhook was not enforced after %s (last answer: %v)", timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
