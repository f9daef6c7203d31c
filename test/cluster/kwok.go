package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/cri-streaming/pkg/streaming/remotecommand"
	utilexec "k8s.io/utils/exec"
	"sigs.k8s.io/kwok/pkg/apis/internalversion"
	"sigs.k8s.io/kwok/pkg/apis/v1alpha1"
	kwokclient "sigs.k8s.io/kwok/pkg/client/clientset/versioned"
	"sigs.k8s.io/kwok/pkg/config"
	kwokcmd "sigs.k8s.io/kwok/pkg/kwok/cmd"
	"sigs.k8s.io/kwok/pkg/kwok/server"
	"sigs.k8s.io/kwok/pkg/log"
	"sigs.k8s.io/kwok/pkg/utils/signals"
)

// runKwok runs kwok's own controller command, the way kwok's main does, plus
// the exec front (see startExecFront). Arguments starting with --kwb- are
// ours; the rest go to kwok.
func runKwok(args []string) int {
	front := map[string]string{}
	var kwokArgs []string
	for _, a := range args {
		if k, v, ok := strings.Cut(strings.TrimPrefix(a, "--kwb-"), "="); ok && strings.HasPrefix(a, "--kwb-") {
			front[k] = v
			continue
		}
		kwokArgs = append(kwokArgs, a)
	}
	// kwok's flag helpers read os.Args directly.
	os.Args = append([]string{os.Args[0]}, kwokArgs...)
	// Kubernetes packages linked into this binary register flags (such as
	// --version) on the global pflag set, which cobra merges into kwok's
	// command; kwok's own main does not link them, so start from a clean set.
	pflag.CommandLine = pflag.NewFlagSet(os.Args[0], pflag.ExitOnError)

	flagset := pflag.NewFlagSet("global", pflag.ContinueOnError)
	flagset.ParseErrorsAllowlist.UnknownFlags = true
	flagset.Usage = func() {}

	ctx := signals.SetupSignalContext()
	ctx, logger := log.InitFlags(ctx, flagset)
	ctx, err := config.InitFlags(ctx, flagset)
	if err != nil {
		logger.Error("Init config flags", "err", err)
		return 1
	}
	if front["listen"] != "" {
		if err := startExecFront(ctx, front); err != nil {
			logger.Error("exec front", "err", err)
			return 1
		}
	}
	command := kwokcmd.NewCommand(ctx)
	command.PersistentFlags().AddFlagSet(flagset)
	command.SetArgs(kwokArgs)
	if err := command.ExecuteContext(ctx); err != nil {
		logger.Error("Execute exit", "err", err)
		return 1
	}
	return 0
}

// startExecFront serves the kubelet port that the nodes advertise. Exec
// requests are served with kwok's own exec implementation (kwok's server
// package, configured from the same ClusterExec config and Exec objects),
// through an adapter that reports the command's exit code: kwok v0.8.0 wraps
// the *exec.ExitError, so the kubelet streaming library
// (k8s.io/cri-streaming, which only recognises k8s.io/utils/exec.ExitError)
// turns every non-zero exit into an "Internal error" and kubectl exits 1.
// Everything else (logs, port-forward, healthz, ...) is proxied unchanged to
// kwok's server on an internal port.
func startExecFront(ctx context.Context, o map[string]string) error {
	restConfig, err := clientcmd.BuildConfigFromFlags("", o["kubeconfig"])
	if err != nil {
		return err
	}
	kwokClient, err := kwokclient.NewForConfig(restConfig)
	if err != nil {
		return err
	}
	svc, err := server.NewServer(server.Config{
		TypedKwokClient: kwokClient,
		EnableCRDs:      []string{v1alpha1.ExecKind},
		ClusterExecs:    config.FilterWithTypeFromContext[*internalversion.ClusterExec](ctx),
	})
	if err != nil {
		return err
	}
	// Wait until the Exec objects can be watched (the supervisor installs
	// the CRD before starting kwok).
	if err := svc.InstallCRD(ctx); err != nil {
		return err
	}
	backend, err := url.Parse("http://" + o["backend"])
	if err != nil {
		return err
	}
	proxy := httputil.NewSingleHostReverseProxy(backend)
	proxy.FlushInterval = -1
	self, err := os.Executable()
	if err != nil {
		return err
	}
	executor := exitCodeExecutor{s: svc, self: self}

	mux := http.NewServeMux()
	mux.HandleFunc("/exec/", func(w http.ResponseWriter, r *http.Request) {
		// /exec/{namespace}/{pod}/{container} or /exec/{namespace}/{pod}/{uid}/{container}
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/exec/"), "/")
		var ns, pod, uid, container string
		switch len(parts) {
		case 3:
			ns, pod, container = parts[0], parts[1], parts[2]
		case 4:
			ns, pod, uid, container = parts[0], parts[1], parts[2], parts[3]
		default:
			http.Error(w, "bad exec path", http.StatusNotFound)
			return
		}
		opts, err := remotecommand.NewOptions(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		// kwok names pods "<name>/<namespace>" in its executor.
		remotecommand.ServeExec(w, r, executor, pod+"/"+ns, uid, container, r.URL.Query()["command"], opts,
			time.Hour, remotecommand.DefaultStreamCreationTimeout, remotecommand.SupportedStreamingProtocols)
	})
	mux.Handle("/", proxy)

	cert, err := tls.LoadX509KeyPair(o["cert"], o["key"])
	if err != nil {
		return err
	}
	srv := &http.Server{
		Addr:              o["listen"],
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		// Streaming upgrades (SPDY) need HTTP/1.1.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
	}
	ln, err := tls.Listen("tcp", o["listen"], srv.TLSConfig)
	if err != nil {
		return err
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(os.Stderr, "exec front: %v\n", err)
			os.Exit(1)
		}
	}()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return nil
}

// exitCodeExecutor also gives a TTY exec's command the pty as its
// controlling terminal (see runWithControllingTTY), so Ctrl-C interrupts it.
type exitCodeExecutor struct {
	s    *server.Server
	self string
}

func (e exitCodeExecutor) ExecInContainer(ctx context.Context, name string, uid string, container string, cmd []string, in io.Reader, out, errOut io.WriteCloser, tty bool, resize <-chan remotecommand.TerminalSize, timeout time.Duration) error {
	if tty && len(cmd) > 0 {
		cmd = append([]string{e.self, "ctty", "--"}, cmd...)
	}
	err := e.s.ExecInContainer(ctx, name, uid, container, cmd, in, out, errOut, tty, resize, timeout)
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if exitErr.Exited() {
			return utilexec.CodeExitError{Err: err, Code: exitErr.ExitCode()}
		}
		// Killed by a signal (Ctrl-C's SIGINT): a container runtime reports 128 + the signal number.
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return utilexec.CodeExitError{Err: err, Code: 128 + int(ws.Signal())}
		}
	}
	return err
}
