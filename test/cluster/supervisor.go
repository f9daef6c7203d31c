package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

const (
	ctxAdmin   = "kwb-admin"
	ctxViewer  = "kwb-viewer"
	ctxExec    = "kwb-exec"
	ctxOffline = "kwb-offline"
)

type options struct {
	kubeconfig string
	nodes      int
	pods       int
	seed       bool
	keepData   bool
	verbose    bool
	execPlugin string
	stateDir   string
	withParent bool
	// metricsServer is the metrics-server binary (scripts/cluster.mjs --metrics builds it); empty: no metrics.
	metricsServer string
}

// child is one supervised component process.
type child struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	err     error
}

type supervisor struct {
	opts     options
	self     string
	state    string
	pki      *pki
	ports    map[string]int
	tokens   map[string]string
	etcd     *etcdServer
	mu       sync.Mutex
	children []*child
	exitCh   chan *child
	stopping bool

	restConfig *rest.Config
	client     kubernetes.Interface
	dyn        dynamic.Interface
}

func runSupervisor(args []string) int {
	var o options
	fs := flag.NewFlagSet("kwb-cluster", flag.ContinueOnError)
	fs.StringVar(&o.kubeconfig, "kubeconfig", "", "where to write the kubeconfig (default: <state dir>/kubeconfig)")
	fs.IntVar(&o.nodes, "nodes", 3, "number of fake (kwok) nodes")
	fs.IntVar(&o.pods, "pods", 0, "number of pods to create in namespace 'scale' (benchmarks)")
	fs.BoolVar(&o.seed, "seed", false, "create the demo namespaces and workloads")
	fs.BoolVar(&o.keepData, "keep-data", false, "keep the state directory (etcd data, logs, certificates) on stop")
	fs.BoolVar(&o.verbose, "verbose", false, "copy component logs to stderr")
	fs.StringVar(&o.execPlugin, "exec-plugin", "", "path of the exec credential plugin script for the kwb-exec context (default: a copy in the state dir)")
	fs.StringVar(&o.stateDir, "state-dir", "", "state directory (default: a new temp dir)")
	fs.StringVar(&o.metricsServer, "metrics-server", "", "path of a metrics-server binary: serve metrics.k8s.io (kwok usage, aggregated API) and wait for it before 'cluster ready'")
	fs.BoolVar(&o.withParent, "exit-with-parent", false, "stop when the parent process exits (used by scripts/cluster.mjs and index.ts)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.nodes < 1 {
		fmt.Fprintln(os.Stderr, "--nodes must be >= 1")
		return 2
	}
	s := &supervisor{opts: o, ports: map[string]int{}, tokens: map[string]string{}, exitCh: make(chan *child, 8)}
	return s.run()
}

func (s *supervisor) logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "kwb-cluster: "+format+"\n", a...)
}

func (s *supervisor) run() int {
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	sigCh := make(chan os.Signal, 2)
	signal.Notify(sigCh, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)

	// Start up in the background so that a signal or a crashing component
	// interrupts start-up too.
	readyCh := make(chan error, 1)
	go func() { readyCh <- s.start(ctx) }()

	parentGone := make(chan struct{})
	if s.opts.withParent {
		ppid := os.Getppid()
		go func() {
			for os.Getppid() == ppid {
				time.Sleep(500 * time.Millisecond)
			}
			close(parentGone)
		}()
	}

	code := 0
	ready := false
loop:
	for {
		select {
		case err := <-readyCh:
			if err != nil {
				s.logf("start failed: %v", err)
				code = 1
				break loop
			}
			ready = true
			s.logf("started in %.1fs", time.Since(start).Seconds())
			fmt.Println("cluster ready")
		case sig := <-sigCh:
			s.logf("received %v, stopping", sig)
			break loop
		case <-parentGone:
			s.logf("parent process exited, stopping")
			break loop
		case c := <-s.exitCh:
			fmt.Fprintf(os.Stderr, "component %s exited: %s\n", c.name, exitStatus(c.err))
			s.printTail(c)
			code = 1
			break loop
		}
	}
	_ = ready
	cancel()
	s.shutdown()
	return code
}

func exitStatus(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

func (s *supervisor) printTail(c *child) {
	data, err := os.ReadFile(c.logPath)
	if err != nil {
		return
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	fmt.Fprintf(os.Stderr, "--- last lines of %s ---\n%s\n---\n", c.logPath, strings.Join(lines, "\n"))
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// freePorts picks n distinct free ports on 127.0.0.1 for the components, below the kernel's ephemeral range. A
// port the kernel hands out for ":0" comes from that range, and the components bind theirs seconds later: meanwhile
// any outgoing connection on the machine (the API server's own to etcd, a browser's, a test's) can be given it as
// its local port, and the component then fails with "address already in use". Every candidate is held open until
// all are picked, so the n are also distinct.
func freePorts(n int) ([]int, error) {
	low := ephemeralLow()
	const first = 10000
	if low-first < 1000 {
		return kernelPorts(n)
	}
	var held []net.Listener
	defer func() {
		for _, l := range held {
			_ = l.Close()
		}
	}()
	ports := make([]int, 0, n)
	start := first + int(randomUint32()%uint32(low-first))
	for i := 0; i < low-first && len(ports) < n; i++ {
		p := first + (start-first+i)%(low-first)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			continue // in use
		}
		held = append(held, l)
		ports = append(ports, p)
	}
	if len(ports) < n {
		return nil, fmt.Errorf("only %d free ports between %d and %d", len(ports), first, low)
	}
	return ports, nil
}

// ephemeralLow is the first port of the kernel's ephemeral range (Linux), or 0 if unknown.
func ephemeralLow() int {
	data, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data))
	if len(fields) < 1 {
		return 0
	}
	low, err := strconv.Atoi(fields[0])
	if err != nil {
		return 0
	}
	return low
}

// kernelPorts asks the kernel for n distinct ports (":0"), for systems whose ephemeral range leaves no room below.
func kernelPorts(n int) ([]int, error) {
	var held []net.Listener
	defer func() {
		for _, l := range held {
			_ = l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		held = append(held, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func randomUint32() uint32 {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func (s *supervisor) path(elem ...string) string {
	return filepath.Join(append([]string{s.state}, elem...)...)
}

func (s *supervisor) start(ctx context.Context) error {
	var err error
	// Components are this binary again. /proc/self/exe keeps working even if
	// the cached binary is replaced or removed while the cluster runs.
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		s.self = "/proc/self/exe"
	} else if s.self, err = os.Executable(); err != nil {
		return err
	}
	if s.opts.stateDir != "" {
		s.state, err = filepath.Abs(s.opts.stateDir)
		if err == nil {
			err = os.MkdirAll(s.state, 0o700)
		}
	} else {
		s.state, err = os.MkdirTemp("", "kwb-cluster-")
	}
	if err != nil {
		return err
	}
	for _, d := range []string{"components", "logs", "exec", "pki"} {
		if err := os.MkdirAll(s.path(d), 0o755); err != nil {
			return err
		}
	}
	fmt.Printf("state dir: %s\n", s.state)
	fmt.Printf("component logs: %s\n", s.path("components"))

	portNames := []string{"etcd-client", "etcd-peer", "apiserver", "kwok", "kwok-internal", "offline"}
	if s.metricsEnabled() {
		portNames = append(portNames, "metrics-server")
	}
	picked, err := freePorts(len(portNames))
	if err != nil {
		return fmt.Errorf("ports: %w", err)
	}
	for i, name := range portNames {
		s.ports[name] = picked[i]
	}

	if err := s.writePKI(); err != nil {
		return fmt.Errorf("certificates: %w", err)
	}

	if s.etcd, err = startEtcd(s.path("etcd"), s.path("components", "etcd.log"), s.ports["etcd-client"], s.ports["etcd-peer"]); err != nil {
		return fmt.Errorf("etcd: %w", err)
	}
	go func() {
		if err, ok := <-s.etcd.errc(); ok && err != nil {
			s.mu.Lock()
			stopping := s.stopping
			s.mu.Unlock()
			if !stopping {
				s.exitCh <- &child{name: "etcd", err: err, logPath: s.path("components", "etcd.log")}
			}
		}
	}()

	if err := s.writeComponentKubeconfigs(); err != nil {
		return err
	}
	if err := s.writeKwokConfig(); err != nil {
		return err
	}

	if err := s.spawn("apiserver", s.apiserverArgs()); err != nil {
		return err
	}
	s.restConfig = &rest.Config{
		Host: fmt.Sprintf("https://127.0.0.1:%d", s.ports["apiserver"]),
		TLSClientConfig: rest.TLSClientConfig{
			CAFile:   s.pki.path("ca.crt"),
			CertFile: s.pki.path("admin.crt"),
			KeyFile:  s.pki.path("admin.key"),
		},
		QPS:       1000,
		Burst:     2000,
		UserAgent: "kwb-cluster",
	}
	typed := rest.CopyConfig(s.restConfig)
	typed.ContentType = "application/vnd.kubernetes.protobuf"
	typed.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	if s.client, err = kubernetes.NewForConfig(typed); err != nil {
		return err
	}
	if s.dyn, err = dynamic.NewForConfig(s.restConfig); err != nil {
		return err
	}
	if err := s.waitAPIServer(ctx, 90*time.Second); err != nil {
		return err
	}
	if err := s.bootstrap(ctx); err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	if err := s.startWebhook(ctx); err != nil {
		return fmt.Errorf("admission webhook: %w", err)
	}
	if err := s.spawn("controller-manager", s.controllerManagerArgs()); err != nil {
		return err
	}
	if err := s.spawn("scheduler", s.schedulerArgs()); err != nil {
		return err
	}
	if err := s.spawn("kwok", s.kwokArgs()); err != nil {
		return err
	}
	sb := newSandbox(s)
	go sb.run(ctx)

	if err := s.createNodes(ctx); err != nil {
		return fmt.Errorf("nodes: %w", err)
	}
	if err := s.waitNodesReady(ctx, 60*time.Second); err != nil {
		return err
	}
	if s.metricsEnabled() {
		// Started before the seed, so that its first scrapes overlap with the seeding.
		if err := s.spawnProgram("metrics-server", s.opts.metricsServer, s.metricsServerArgs()); err != nil {
			return err
		}
		if err := s.registerMetricsAPI(ctx); err != nil {
			return fmt.Errorf("metrics API: %w", err)
		}
	}
	if s.opts.seed {
		if err := s.runSeed(ctx); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	if s.opts.pods > 0 {
		if err := s.createScalePods(ctx, s.opts.pods); err != nil {
			return fmt.Errorf("scale pods: %w", err)
		}
	}
	if s.opts.seed {
		if err := s.waitSeedReady(ctx, 120*time.Second); err != nil {
			return err
		}
	}
	if s.metricsEnabled() {
		if err := s.waitMetricsReady(ctx, s.opts.seed || s.opts.pods > 0, 180*time.Second); err != nil {
			return err
		}
	}
	if err := s.writeUserKubeconfig(); err != nil {
		return err
	}
	fmt.Printf("server: https://127.0.0.1:%d\n", s.ports["apiserver"])
	fmt.Printf("kubeconfig: %s\n", s.userKubeconfigPath())
	fmt.Printf("contexts: %s,%s,%s,%s\n", ctxAdmin, ctxViewer, ctxExec, ctxOffline)
	metricsPort := ""
	if s.metricsEnabled() {
		metricsPort = fmt.Sprintf(" metrics-server=%d", s.ports["metrics-server"])
	}
	fmt.Printf("ports: apiserver=%d etcd-client=%d etcd-peer=%d kwok=%d kwok-internal=%d%s\n", s.ports["apiserver"], s.ports["etcd-client"], s.ports["etcd-peer"], s.ports["kwok"], s.ports["kwok-internal"], metricsPort)
	fmt.Printf("pids: supervisor=%d%s\n", os.Getpid(), s.childPids())
	return nil
}

func (s *supervisor) childPids() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, c := range s.children {
		fmt.Fprintf(&b, " %s=%d", c.name, c.cmd.Process.Pid)
	}
	return b.String()
}

func (s *supervisor) userKubeconfigPath() string {
	if s.opts.kubeconfig != "" {
		p, err := filepath.Abs(s.opts.kubeconfig)
		if err == nil {
			return p
		}
		return s.opts.kubeconfig
	}
	return s.path("kubeconfig")
}

func (s *supervisor) writePKI() error {
	p, err := newPKI(s.path("pki"))
	if err != nil {
		return err
	}
	s.pki = p
	loop := []net.IP{net.ParseIP("127.0.0.1")}
	specs := []certSpec{
		{name: "apiserver", cn: "kube-apiserver", server: true, ips: append(loop, net.ParseIP("10.96.0.1")),
			dns: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"}},
		{name: "admin", cn: "kwb-admin", orgs: []string{"system:masters"}, client: true},
		{name: "controller-manager", cn: "system:kube-controller-manager", client: true},
		{name: "scheduler", cn: "system:kube-scheduler", client: true},
		{name: "kwok", cn: "kwok-controller", orgs: []string{"system:masters"}, client: true},
		{name: "apiserver-kubelet-client", cn: "kube-apiserver-kubelet-client", orgs: []string{"system:masters"}, client: true},
		{name: "kwok-serving", cn: "kwok-kubelet", server: true, ips: loop, dns: []string{"localhost"}},
	}
	if s.metricsEnabled() {
		specs = append(specs, metricsCerts()...)
	}
	for _, spec := range specs {
		if _, _, err := p.issue(spec); err != nil {
			return err
		}
	}
	if err := p.serviceAccountKey(); err != nil {
		return err
	}
	s.tokens["viewer"] = randomToken()
	s.tokens["exec"] = randomToken()
	csv := fmt.Sprintf("%s,kwb-viewer,kwb-viewer\n%s,kwb-exec,kwb-exec\n", s.tokens["viewer"], s.tokens["exec"])
	return os.WriteFile(p.path("tokens.csv"), []byte(csv), 0o600)
}

// spawn starts this binary again as a component; the process is killed if
// the supervisor dies (Pdeathsig) and lives in its own process group so that
// a Ctrl-C on the terminal reaches the supervisor only.
func (s *supervisor) spawn(name string, args []string) error {
	return s.spawnProgram(name, s.self, append([]string{name}, args...))
}

// spawnProgram starts `program` (this binary again, or another one such as
// metrics-server) with `args` as the component `name`, supervised like the
// others.
func (s *supervisor) spawnProgram(name, program string, args []string) error {
	logPath := s.path("components", name+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	var out io.Writer = f
	if s.opts.verbose {
		out = io.MultiWriter(f, &prefixWriter{prefix: "[" + name + "] ", w: os.Stderr})
	}
	cmd := exec.Command(program, args...)
	if exe, err := os.Executable(); err == nil && program == s.self {
		cmd.Args[0] = exe // what ps shows; the program itself is s.self
	}
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.Dir = s.state
	cmd.Env = append(os.Environ(), "KWB_STATE_DIR="+s.state)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	s.mu.Lock()
	s.children = append(s.children, c)
	s.mu.Unlock()
	go func() {
		c.err = cmd.Wait()
		f.Close()
		close(c.done)
		s.mu.Lock()
		stopping := s.stopping
		s.mu.Unlock()
		if !stopping {
			s.exitCh <- c
		}
	}()
	return nil
}

type prefixWriter struct {
	prefix string
	w      io.Writer
	mu     sync.Mutex
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if line == "" {
			continue
		}
		if _, err := io.WriteString(p.w, p.prefix+line); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}

// shutdown stops the components in reverse dependency order, then etcd, and
// removes the state directory unless --keep-data.
func (s *supervisor) shutdown() {
	s.mu.Lock()
	s.stopping = true
	children := append([]*child(nil), s.children...)
	s.mu.Unlock()

	var first, last []*child
	for _, c := range children {
		if c.name == "apiserver" {
			last = append(last, c)
		} else {
			first = append(first, c)
		}
	}
	stopChildren(first, 10*time.Second)
	stopChildren(last, 20*time.Second)
	if s.etcd != nil {
		s.etcd.stop()
	}
	if s.state != "" {
		if s.opts.keepData {
			s.logf("state kept in %s", s.state)
		} else {
			_ = os.RemoveAll(s.state)
		}
	}
	s.logf("stopped")
}

func stopChildren(cs []*child, timeout time.Duration) {
	var wg sync.WaitGroup
	for _, c := range cs {
		wg.Add(1)
		go func(c *child) {
			defer wg.Done()
			select {
			case <-c.done:
			default:
				_ = c.cmd.Process.Signal(syscall.SIGTERM)
				select {
				case <-c.done:
				case <-time.After(timeout):
					_ = c.cmd.Process.Kill()
					<-c.done
				}
			}
			// Kill whatever the component left in its process group
			// (e.g. shells started by kubectl exec through kwok).
			_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		}(c)
	}
	wg.Wait()
}

func (s *supervisor) componentKubeconfig(name, user string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["local"] = &clientcmdapi.Cluster{
		Server:               fmt.Sprintf("https://127.0.0.1:%d", s.ports["apiserver"]),
		CertificateAuthority: s.pki.path("ca.crt"),
	}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{
		ClientCertificate: s.pki.path(name + ".crt"),
		ClientKey:         s.pki.path(name + ".key"),
	}
	cfg.Contexts["local"] = &clientcmdapi.Context{Cluster: "local", AuthInfo: user}
	cfg.CurrentContext = "local"
	return clientcmd.WriteToFile(*cfg, s.path("components", name+".kubeconfig"))
}

func (s *supervisor) writeComponentKubeconfigs() error {
	names := []string{"controller-manager", "scheduler", "kwok", "admin"}
	if s.metricsEnabled() {
		names = append(names, "metrics-server")
	}
	for _, n := range names {
		if err := s.componentKubeconfig(n, n); err != nil {
			return err
		}
	}
	return nil
}

func (s *supervisor) writeUserKubeconfig() error {
	server := fmt.Sprintf("https://127.0.0.1:%d", s.ports["apiserver"])
	adminCert, err := os.ReadFile(s.pki.path("admin.crt"))
	if err != nil {
		return err
	}
	adminKey, err := os.ReadFile(s.pki.path("admin.key"))
	if err != nil {
		return err
	}
	plugin := s.opts.execPlugin
	if plugin == "" {
		plugin = s.path("exec-credential.sh")
		if err := os.WriteFile(plugin, execCredentialScript, 0o755); err != nil {
			return err
		}
	} else if abs, err := filepath.Abs(plugin); err == nil {
		plugin = abs
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["kwb"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: s.pki.caPEM}
	cfg.Clusters["kwb-offline"] = &clientcmdapi.Cluster{
		Server:                   fmt.Sprintf("https://127.0.0.1:%d", s.ports["offline"]),
		CertificateAuthorityData: s.pki.caPEM,
	}
	cfg.AuthInfos["kwb-admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: adminCert, ClientKeyData: adminKey}
	cfg.AuthInfos["kwb-viewer"] = &clientcmdapi.AuthInfo{Token: s.tokens["viewer"]}
	cfg.AuthInfos["kwb-exec"] = &clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{
		APIVersion:      "client.authentication.k8s.io/v1",
		Command:         "/bin/sh",
		Args:            []string{plugin},
		Env:             []clientcmdapi.ExecEnvVar{{Name: "KWB_TOKEN", Value: s.tokens["exec"]}, {Name: "KWB_EXEC_LOG", Value: s.path("exec-credential.log")}},
		InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
		InstallHint:     "the kwb-exec context uses test/cluster/exec-credential.sh from the Kube Workbench repository",
	}}
	cfg.Contexts[ctxAdmin] = &clientcmdapi.Context{Cluster: "kwb", AuthInfo: "kwb-admin"}
	cfg.Contexts[ctxViewer] = &clientcmdapi.Context{Cluster: "kwb", AuthInfo: "kwb-viewer", Namespace: "team-a"}
	cfg.Contexts[ctxExec] = &clientcmdapi.Context{Cluster: "kwb", AuthInfo: "kwb-exec"}
	cfg.Contexts[ctxOffline] = &clientcmdapi.Context{Cluster: "kwb-offline", AuthInfo: "kwb-admin"}
	cfg.CurrentContext = ctxAdmin
	path := s.userKubeconfigPath()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return clientcmd.WriteToFile(*cfg, path)
}

func (s *supervisor) apiserverArgs() []string {
	p := s.pki.path
	args := []string{
		"--bind-address=127.0.0.1",
		// Only written into the endpoints of the "kubernetes" Service, never
		// bound: Endpoints may not hold loopback addresses, so a documentation
		// address (TEST-NET-1) stands in for the node's IP.
		"--advertise-address=192.0.2.10",
		"--secure-port=" + strconv.Itoa(s.ports["apiserver"]),
		"--etcd-servers=" + fmt.Sprintf("http://127.0.0.1:%d", s.ports["etcd-client"]),
		"--tls-cert-file=" + p("apiserver.crt"),
		"--tls-private-key-file=" + p("apiserver.key"),
		"--client-ca-file=" + p("ca.crt"),
		"--token-auth-file=" + p("tokens.csv"),
		"--authorization-mode=Node,RBAC",
		"--enable-admission-plugins=NodeRestriction",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + p("sa.pub"),
		"--service-account-signing-key-file=" + p("sa.key"),
		"--service-cluster-ip-range=10.96.0.0/16",
		"--kubelet-client-certificate=" + p("apiserver-kubelet-client.crt"),
		"--kubelet-client-key=" + p("apiserver-kubelet-client.key"),
		"--kubelet-certificate-authority=" + p("ca.crt"),
		"--kubelet-preferred-address-types=InternalIP",
		"--allow-privileged=true",
		"--max-requests-inflight=2000",
		"--max-mutating-requests-inflight=1000",
		"--profiling=false",
		"--endpoint-reconciler-type=lease",
		"--v=1",
	}
	if s.metricsEnabled() {
		args = append(args, s.apiserverAggregationArgs()...)
	}
	return args
}

func (s *supervisor) controllerManagerArgs() []string {
	p := s.pki.path
	return []string{
		"--kubeconfig=" + s.path("components", "controller-manager.kubeconfig"),
		"--bind-address=127.0.0.1",
		"--secure-port=0",
		"--leader-elect=false",
		"--controllers=*",
		"--use-service-account-credentials=true",
		"--service-account-private-key-file=" + p("sa.key"),
		"--root-ca-file=" + p("ca.crt"),
		"--cluster-signing-cert-file=" + p("ca.crt"),
		"--cluster-signing-key-file=" + p("ca.key"),
		"--service-cluster-ip-range=10.96.0.0/16",
		"--kube-api-qps=500",
		"--kube-api-burst=1000",
		"--concurrent-gc-syncs=50",
		"--node-monitor-grace-period=60s",
		"--v=1",
	}
}

func (s *supervisor) schedulerArgs() []string {
	return []string{
		"--kubeconfig=" + s.path("components", "scheduler.kubeconfig"),
		"--bind-address=127.0.0.1",
		"--secure-port=0",
		"--leader-elect=false",
		"--v=1",
	}
}

func (s *supervisor) kwokArgs() []string {
	return []string{
		"--kubeconfig=" + s.path("components", "kwok.kubeconfig"),
		"--config=" + s.path("components", "kwok.yaml"),
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
		"--node-ip=127.0.0.1",
		"--node-port=" + strconv.Itoa(s.ports["kwok"]),
		"--server-address=127.0.0.1:" + strconv.Itoa(s.ports["kwok-internal"]),
		"--tls-cert-file=" + s.pki.path("kwok-serving.crt"),
		"--tls-private-key-file=" + s.pki.path("kwok-serving.key"),
		"--cidr=10.244.0.0/16",
		"--node-lease-duration-seconds=40",
		"--enable-crds=Logs,Exec,PortForward,Attach",
		// The kubelet port the nodes advertise is served by the exec front
		// (kwok.go), which proxies everything but exec to kwok's server.
		"--kwb-listen=127.0.0.1:" + strconv.Itoa(s.ports["kwok"]),
		"--kwb-backend=127.0.0.1:" + strconv.Itoa(s.ports["kwok-internal"]),
		"--kwb-cert=" + s.pki.path("kwok-serving.crt"),
		"--kwb-key=" + s.pki.path("kwok-serving.key"),
		"--kwb-kubeconfig=" + s.path("components", "kwok.kubeconfig"),
	}
}

var errTimeout = errors.New("timed out")
