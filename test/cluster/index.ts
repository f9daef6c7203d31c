/**
 * Programmatic API of the local test cluster (test/cluster, see README.md).
 *
 *   const cluster = await startCluster({ seed: true });
 *   ... kubectl --kubeconfig cluster.kubeconfigPath ...
 *   await cluster.stop();
 *
 * Every call starts a fresh cluster of its own (fresh CA, temp state dir, free
 * ports), so test suites never depend on a cluster someone left running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const clusterScript = join(repoRoot, 'scripts', 'cluster.mjs');

export const CONTEXTS = {
  admin: 'kwb-admin',
  viewer: 'kwb-viewer',
  exec: 'kwb-exec',
  offline: 'kwb-offline',
} as const;

export interface StartClusterOptions {
  /** Number of kwok (fake) nodes; default 3. */
  nodes?: number;
  /** Number of benchmark pods to create in namespace `scale`; default 0. */
  pods?: number;
  /** Create the demo namespaces and workloads; default false. */
  seed?: boolean;
  /** Where to write the kubeconfig; default a file in the cluster's temp state dir. */
  kubeconfig?: string;
  /** Keep the state dir (etcd data, logs, certificates) after stop. */
  keepData?: boolean;
  /** Copy component logs to this process's stderr. */
  verbose?: boolean;
  /**
   * Run a real metrics-server (built from Go modules by scripts/metrics-server.mjs) so that metrics.k8s.io and
   * `kubectl top` work; `cluster ready` then waits for the first numbers. Default false.
   */
  metrics?: boolean;
  /** How long to wait for `cluster ready` (after the binary is built); default 180 s. */
  readyTimeoutMs?: number;
  /** How long a first build may take; default 60 minutes. */
  buildTimeoutMs?: number;
  /**
   * Start it in a session of its own (setsid), hence in a scheduling group of its own where Linux has autogroups: the
   * big-cluster bench lowers that group's priority for one round (bench/priority.ts). It still exits with this
   * process (--exit-with-parent). Default false.
   */
  ownSession?: boolean;
}

export interface LocalCluster {
  kubeconfigPath: string;
  contexts: typeof CONTEXTS;
  /** API server URL, https://127.0.0.1:<port>. */
  server: string;
  /** Temp folder with etcd data, certificates, component logs, pod logs and exec sandboxes. */
  stateDir: string;
  /** Folder with one log file per component (apiserver.log, kwok.log, ...). */
  componentLogsDir: string;
  /** Process ids: supervisor and each component. */
  pids: Record<string, number>;
  /** Ports the cluster listens on (127.0.0.1). */
  ports: Record<string, number>;
  /** Milliseconds from spawn to `cluster ready`. */
  startupMs: number;
  /** Log file of a container, in kubelet CRI format (what `kubectl logs` reads). */
  logPath(namespace: string, pod: string, container: string): string;
  /** Appends lines to a container's log (seen by `kubectl logs` and `logs -f`). */
  appendLog(namespace: string, pod: string, container: string, lines: string | string[]): Promise<void>;
  /** Exec sandbox folder of a pod (the working directory of `kubectl exec`). */
  execDir(namespace: string, pod: string): string;
  /** Last lines of a component's log. */
  componentLogTail(component: string, lines?: number): Promise<string>;
  /** Resolves when the cluster process exits (e.g. because a component crashed). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** SIGTERM, wait, SIGKILL after a timeout; then verifies no process and no port is left. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Builds the cluster binary if needed (cached by source hash) and returns its path. */
export async function buildCluster(timeoutMs = 60 * 60 * 1000): Promise<string> {
  // Build progress (a first build takes many minutes) goes to our stderr.
  return new Promise((resolveP, reject) => {
    const child = spawn(process.execPath, [clusterScript, '--build-only'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      stdout += d;
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`building the cluster failed (${signal ?? `exit ${code}`}); see the output above`));
        return;
      }
      resolveP(stdout.trim().split('\n').pop() ?? '');
    });
  });
}

/** Builds metrics-server if needed (scripts/metrics-server.mjs, cached by the hash of its go.mod/go.sum). */
export async function buildMetricsServer(): Promise<string> {
  const script = pathToFileURL(join(repoRoot, 'scripts', 'metrics-server.mjs')).href;
  const mod = (await import(script)) as { build(o: { quiet?: boolean }): Promise<string> };
  return mod.build({ quiet: false });
}

function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

async function logTails(dir: string, lines: number): Promise<string> {
  let out = '';
  try {
    for (const f of (await readdir(dir)).filter((n) => n.endsWith('.log')).sort()) {
      const text = await readFile(join(dir, f), 'utf8').catch(() => '');
      out += `--- ${f} (last ${lines} lines) ---\n${tail(text.trimEnd(), lines)}\n`;
    }
  } catch {
    // state dir already removed
  }
  return out;
}

function criTimestamp(): string {
  // RFC 3339 with nanoseconds, like the kubelet writes.
  return new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolveP) => {
    const sock = createConnection({ port, host });
    const done = (open: boolean) => {
      sock.destroy();
      resolveP(open);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  // A test runner that exits without stop(): kill the supervisor; its
  // components die with it (Pdeathsig).
  for (const c of running) c.kill('SIGKILL');
});

export async function startCluster(opts: StartClusterOptions = {}): Promise<LocalCluster> {
  const bin = await buildCluster(opts.buildTimeoutMs);
  const args: string[] = ['--exec-plugin', join(here, 'exec-credential.sh'), '--exit-with-parent'];
  if (opts.nodes !== undefined) args.push('--nodes', String(opts.nodes));
  if (opts.pods !== undefined) args.push('--pods', String(opts.pods));
  if (opts.seed) args.push('--seed');
  if (opts.metrics) args.push('--metrics-server', await buildMetricsServer());
  if (opts.kubeconfig) args.push('--kubeconfig', resolve(opts.kubeconfig));
  if (opts.keepData) args.push('--keep-data');
  if (opts.verbose) args.push('--verbose');

  const started = Date.now();
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: opts.ownSession === true });
  running.add(child);
  const info: Record<string, string> = {};
  let stderr = '';
  let stdoutBuf = '';
  let ready = false;
  let readyResolve: () => void = () => {};
  const readyP = new Promise<void>((r) => {
    readyResolve = r;
  });

  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdoutBuf += chunk;
    let i: number;
    while ((i = stdoutBuf.indexOf('\n')) >= 0) {
      const line = stdoutBuf.slice(0, i);
      stdoutBuf = stdoutBuf.slice(i + 1);
      if (line === 'cluster ready') {
        ready = true;
        readyResolve();
        continue;
      }
      const m = /^([a-z ]+): (.*)$/.exec(line);
      if (m?.[1] !== undefined && m[2] !== undefined) info[m[1]] = m[2];
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = tail(stderr + chunk, 200);
    if (opts.verbose) process.stderr.write(chunk);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((r) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      r({ code, signal, stderr });
    });
  });

  const timeoutMs = opts.readyTimeoutMs ?? 180_000;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    readyP.then(() => 'ready' as const),
    exited.then(() => 'exited' as const),
    new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (outcome !== 'ready') {
    // Collect the component logs before the supervisor removes its state dir.
    const logsDir = info['component logs'];
    const logs = logsDir ? await logTails(logsDir, 20) : '';
    if (outcome === 'timeout') {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
    }
    const ex = await Promise.race([exited, Promise.resolve(undefined)]);
    throw new Error(
      `cluster did not become ready (${outcome === 'timeout' ? `timeout after ${timeoutMs} ms` : `exited with ${ex?.code ?? ex?.signal}`})\n` +
        `--- cluster stderr ---\n${tail(stderr, 40)}\n${logs}`,
    );
  }

  const need = (key: string): string => {
    const v = info[key];
    if (v === undefined) throw new Error(`cluster did not print "${key}:"`);
    return v;
  };
  const stateDir = need('state dir');
  const componentLogsDir = need('component logs');
  const kubeconfigPath = need('kubeconfig');
  const server = need('server');
  const pids: Record<string, number> = {};
  for (const kv of (info.pids ?? '').split(' ')) {
    const [k, v] = kv.split('=');
    if (k && v) pids[k] = Number(v);
  }
  const ports: Record<string, number> = {};
  for (const kv of (info.ports ?? '').split(' ')) {
    const [k, v] = kv.split('=');
    if (k && v) ports[k] = Number(v);
  }
  const logPath = (ns: string, pod: string, container: string) => join(stateDir, 'logs', ns, pod, `${container}.log`);

  let stopping: Promise<void> | undefined;
  const cluster: LocalCluster = {
    kubeconfigPath,
    contexts: CONTEXTS,
    server,
    stateDir,
    componentLogsDir,
    pids,
    ports,
    startupMs: Date.now() - started,
    logPath,
    execDir: (ns, pod) => join(stateDir, 'exec', ns, pod),
    async appendLog(ns, pod, container, lines) {
      const list = Array.isArray(lines) ? lines : [lines];
      const p = logPath(ns, pod, container);
      await mkdir(dirname(p), { recursive: true });
      await appendFile(p, list.map((l) => `${criTimestamp()} stdout F ${l}\n`).join(''));
    },
    async componentLogTail(component, lines = 40) {
      return tail((await readFile(join(componentLogsDir, `${component}.log`), 'utf8')).trimEnd(), lines);
    },
    exited,
    stop(timeoutMs = 60_000) {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
          await exited;
          clearTimeout(t);
        }
        // Components die with the supervisor (Pdeathsig); give the kernel a moment.
        const deadline = Date.now() + 10_000;
        for (;;) {
          const alive = Object.entries(pids)
            .filter(([, pid]) => processAlive(pid))
            .map(([n]) => n);
          const open: string[] = [];
          for (const [name, port] of Object.entries(ports)) if (await portOpen(port)) open.push(`${name}:${port}`);
          if (alive.length === 0 && open.length === 0) return;
          if (Date.now() > deadline) {
            throw new Error(
              `cluster stop left processes [${alive.join(', ')}] and listening ports [${open.join(', ')}]`,
            );
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      return stopping;
    },
  };
  if (!ready) throw new Error('unreachable');
  return cluster;
}
