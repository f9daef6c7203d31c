// Workload benchmarks (issue 6, "Speed"): log throughput, exec keystroke echo, exec output flood. Each figure
// next to a floor measured in the same run on the same pod: `kubectl logs -f`, a raw `ws` WebSocket exec, the
// heap before the flood. Ours is the product's core path without VS Code: WorkloadLogs + the log terminal's
// text + TerminalOutput (the batched terminal writes), and ContainerTerminalSession (what the exec terminal runs).
// Called from bench/run.ts; `KWB_BENCH_ONLY=workloads npm run bench` runs only this part.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { KubeConfig } from '@kubernetes/client-node';
import type { LocalCluster } from '../test/cluster/index';
import { ClusterClient } from '../src/core/kube/clusterClient';
import { ADMIT_EVERYTHING } from '../src/core/kube/changeGuard';
import { loadKubeconfig } from '../src/core/kube/kubeconfig';
import { silentLogger } from '../src/core/common/logger';
import { WorkloadLogs } from '../src/core/streams/workloadLogs';
import { terminalLogSink } from '../src/core/streams/logTerminalSink';
import { OutputRecorder, TerminalOutput } from '../src/core/streams/terminalOutput';
import { KUBELET_TIMESTAMP_LENGTH } from '../src/core/streams/logText';
import { ContainerTerminalSession } from '../src/core/streams/containerTerminalSession';
import type { ExecOutcome } from '../src/core/streams/exec';
import { median, percentile, type BenchRecord } from './lib';

type RecordFn = (r: BenchRecord) => void;

const NAMESPACE = 'bench-workloads';
const POD = 'workload';
const CONTAINER = 'main';
const LOG_MB = Number(process.env.KWB_BENCH_LOG_MB ?? 64);
/** Log throughput moves with the shared machine's load: at least this many interleaved runs (median). */
const LOG_RUNS = Number(process.env.KWB_BENCH_LOG_RUNS ?? 5);
const KEYSTROKES = Number(process.env.KWB_BENCH_KEYSTROKES ?? 300);
const FLOOD_SECONDS = Number(process.env.KWB_BENCH_FLOOD_SECONDS ?? 30);
const MB = 1024 * 1024;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s (${String(last)})`);
    await sleep(250);
  }
}

/** One pod with one container; the cluster's sandbox gives it a log file and an exec folder. */
async function createPod(client: ClusterClient): Promise<void> {
  await client.request('/api/v1/namespaces', {
    method: 'POST',
    contentType: 'application/json',
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }),
  });
  await client.request(`/api/v1/namespaces/${NAMESPACE}/pods`, {
    method: 'POST',
    contentType: 'application/json',
    body: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: POD },
      spec: { containers: [{ name: CONTAINER, image: 'busybox' }] },
    }),
  });
  await until('the bench pod running', 120_000, async () => {
    const pod = await client.getJson<{ status?: { containerStatuses?: { state?: { running?: object } }[] } }>(
      `/api/v1/namespaces/${NAMESPACE}/pods/${POD}`,
    );
    return pod.status?.containerStatuses?.[0]?.state?.running ? true : undefined;
  });
  // The sandbox's own first lines mean kwok serves this pod's file (not the cluster-wide fallback).
  await until('the bench pod log served', 60_000, async () => {
    const res = await client.request(`/api/v1/namespaces/${NAMESPACE}/pods/${POD}/log?container=${CONTAINER}`);
    return res.body.toString('utf8').includes(`starting ${CONTAINER}`) ? true : undefined;
  });
}

/** Appends about `mb` MB of realistic lines (distinct nanosecond timestamps, some coloured); returns their bytes. */
async function writeLog(path: string, mb: number): Promise<{ lines: number; bytes: number }> {
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path, { flags: 'a' });
  const base = Date.now();
  let lines = 0;
  let bytes = 0;
  let chunk: string[] = [];
  const flush = async (): Promise<void> => {
    if (!out.write(chunk.join(''))) await new Promise<void>((r) => out.once('drain', () => r()));
    chunk = [];
  };
  while (bytes < mb * MB) {
    const i = lines;
    const ms = new Date(base + Math.floor(i / 1000)).toISOString().slice(0, 23);
    const ts = `${ms}${String(i % 1000).padStart(3, '0')}000Z`;
    const level = i % 10 === 0 ? '\x1b[32mINFO\x1b[0m' : 'INFO';
    const text = `${level} ${i} GET /api/v1/items/${i % 9973} 200 ${(i * 7) % 1000}ms user=demo-${i % 50} trace=${(i * 2654435761) % 4294967296} bytes=${(i * 31) % 65536} path=/srv/app/handlers/items.go:${i % 400}`;
    chunk.push(`${ts} stdout F ${text}\n`);
    lines++;
    bytes += Buffer.byteLength(text) + 1;
    if (chunk.length === 4096) await flush();
  }
  await flush();
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { lines, bytes };
}

/** The floor: `kubectl logs -f` spawned, its stdout counted until `bytes` arrived. */
function kubectlLogs(kubeconfig: string, bytes: number, timestamps = false): Promise<number> {
  const t0 = performance.now();
  const child = spawn(
    'kubectl',
    [
      ...['--kubeconfig', kubeconfig, '--context', 'kwb-admin', 'logs', '-f', '-n', NAMESPACE, POD, '-c', CONTAINER],
      ...(timestamps ? ['--timestamps'] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let got = 0;
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`kubectl logs -f: ${got} of ${bytes} bytes after 10 minutes; ${stderr}`));
    }, 600_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= bytes) {
        const ms = performance.now() - t0;
        clearTimeout(timer);
        child.kill();
        resolve(ms);
      }
    });
    child.on('exit', (code) => {
      if (got < bytes) {
        clearTimeout(timer);
        reject(new Error(`kubectl logs -f exited (${code}) after ${got} of ${bytes} bytes: ${stderr}`));
      }
    });
  });
}

/**
 * Ours: the log terminal's path (WorkloadLogs → followContainerLog → sanitised lines → the terminal's text →
 * TerminalOutput's batched writes) into a hidden terminal (an OutputRecorder, as the product keeps), timed to the
 * write that carries the last line.
 */
function oursLogs(
  transport: ClusterClient,
  lines: number,
): Promise<{ ms: number; updates: number; bytes: number; cpuMs: number; blockLines: number }> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const recorder = new OutputRecorder();
  let seenLines = 0;
  let blockLines = 0;
  let seenBytes = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      logs.dispose();
      reject(new Error(`our log stream: ${seenLines} of ${lines} lines after 10 minutes`));
    }, 600_000);
    const output = new TerminalOutput((text) => {
      recorder.add(text);
      if (seenLines >= lines && output.pendingLength === 0) {
        const ms = performance.now() - t0;
        clearTimeout(timer);
        logs.dispose();
        output.dispose();
        const cpu = process.cpuUsage(cpu0);
        resolve({
          ms,
          updates: output.updates,
          bytes: seenBytes,
          cpuMs: (cpu.user + cpu.system) / 1000,
          blockLines,
        });
      }
    });
    output.open();
    const inner = terminalLogSink({ timestamps: false }, false, (text, n) => output.push(text, n), silentLogger);
    const logs = new WorkloadLogs(
      transport,
      { namespace: NAMESPACE, fieldSelector: `metadata.name=${POD}`, description: `pod "${POD}"` },
      { container: CONTAINER },
      { follow: true, timestamps: false },
      {
        ...inner,
        line(source, text, timestamp) {
          seenLines++;
          seenBytes += Buffer.byteLength(text) + 1;
          inner.line(source, text, timestamp);
        },
        lines(source, block) {
          // Several lines at once, each `<timestamp> <text>\n`: the same count of lines and text bytes.
          let n = 0;
          for (let i = block.indexOf('\n'); i >= 0; i = block.indexOf('\n', i + 1)) n++;
          seenLines += n;
          blockLines += n;
          seenBytes += Buffer.byteLength(block) - n * (KUBELET_TIMESTAMP_LENGTH + 1);
          inner.lines?.(source, block);
        },
        end(message, error) {
          inner.end(message, error);
          if (error) {
            clearTimeout(timer);
            reject(error);
          }
        },
      },
      { log: silentLogger },
    );
  });
}

async function benchLogs(cluster: LocalCluster, transport: ClusterClient, runs: number, record: RecordFn) {
  const header = (
    await transport.request(`/api/v1/namespaces/${NAMESPACE}/pods/${POD}/log?container=${CONTAINER}`)
  ).body.toString('utf8');
  const headerLines = header.split('\n').length - 1;
  const written = await writeLog(cluster.logPath(NAMESPACE, POD, CONTAINER), LOG_MB);
  const totalBytes = Buffer.byteLength(header) + written.bytes;
  const totalLines = headerLines + written.lines;
  console.log(`  log of ${(totalBytes / MB).toFixed(1)} MB, ${totalLines} lines`);
  const ours: number[] = [];
  const theirs: number[] = [];
  const theirsTimestamped: number[] = [];
  const updates: number[] = [];
  const inBlocks: number[] = [];
  const cpuShare: number[] = [];
  for (let i = 0; i < runs; i++) {
    const o = async (): Promise<void> => {
      const r = await oursLogs(transport, totalLines);
      if (r.bytes !== totalBytes) console.warn(`  warning: our stream gave ${r.bytes} bytes, expected ${totalBytes}`);
      ours.push(totalBytes / MB / (r.ms / 1000));
      updates.push(r.updates);
      inBlocks.push(r.blockLines / totalLines);
      cpuShare.push((r.cpuMs / r.ms) * 100);
    };
    const k = async (): Promise<void> => {
      theirs.push(totalBytes / MB / ((await kubectlLogs(cluster.kubeconfigPath, totalBytes)) / 1000));
      // Ours always asks for timestamps (to resume a dropped stream without repeats): the same bytes on the wire.
      // RFC 3339 with nanoseconds and a space: 31 bytes a line (less a little slack for the header lines).
      const withTimestamps = totalBytes + totalLines * 31 - 256;
      const ms = await kubectlLogs(cluster.kubeconfigPath, withTimestamps, true);
      theirsTimestamped.push(totalBytes / MB / (ms / 1000));
    };
    // Alternate who goes first, so neither always meets a warmer server.
    if (i % 2 === 0) {
      await o();
      await k();
    } else {
      await k();
      await o();
    }
    console.log(
      `    run ${i + 1}: ours ${ours.at(-1)?.toFixed(1)} MB/s, kubectl ${theirs.at(-1)?.toFixed(1)} MB/s, kubectl --timestamps ${theirsTimestamped.at(-1)?.toFixed(1)} MB/s`,
    );
  }
  record({
    name: `logs: throughput of a ${(totalBytes / MB).toFixed(0)} MB log into a hidden log terminal vs kubectl logs -f > /dev/null`,
    value: median(ours),
    unit: 'MB/s',
    floor: median(theirs),
    target: '>= 0.9x',
    note: `median of ${runs}; ${totalLines} lines in ${median(updates)} terminal writes (batched, median), ${(median(inBlocks) * 100).toFixed(1)}% of them through the follower in blocks; this process used ${median(cpuShare).toFixed(0)}% of a core meanwhile`,
  });
  record({
    name: `logs: the same, vs kubectl logs -f --timestamps (the bytes our stream asks for)`,
    value: median(ours),
    unit: 'MB/s',
    floor: median(theirsTimestamped),
    target: 'report',
    note: 'MB/s of the log text without timestamps for both',
  });
}

/** The floor: a raw `ws` WebSocket exec against the same endpoint, with the same TLS credentials. */
async function rawExec(kc: KubeConfig, command: string[]): Promise<WebSocket> {
  const server = kc.getCurrentCluster()?.server ?? '';
  const query = new URLSearchParams({ container: CONTAINER, stdin: 'true', stdout: 'true', tty: 'true' });
  for (const c of command) query.append('command', c);
  const url = `${server.replace(/^http/, 'ws')}/api/v1/namespaces/${NAMESPACE}/pods/${POD}/exec?${query.toString()}`;
  const opts: Record<string, unknown> = {};
  await kc.applyToHTTPSOptions(opts);
  const ws = new WebSocket(url, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], opts);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

/** Resolves when `text` contains the awaited character. */
class EchoWaiter {
  private want: string | undefined;
  private resolve: (() => void) | undefined;
  feed(text: string): void {
    if (this.want !== undefined && text.includes(this.want)) {
      this.want = undefined;
      this.resolve?.();
    }
  }
  wait(key: string, timeoutMs = 5_000): Promise<void> {
    this.want = key;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no echo of ${JSON.stringify(key)} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function ourSession(kc: KubeConfig, transport: ClusterClient, command: string[], write: (text: string) => void) {
  return new ContainerTerminalSession(
    transport,
    'kwb-admin',
    { namespace: NAMESPACE, pod: POD, container: CONTAINER },
    { kind: 'exec', command, closeOnExit: false },
    write,
  );
}

async function benchEcho(kc: KubeConfig, transport: ClusterClient, record: RecordFn): Promise<void> {
  const oursEcho = new EchoWaiter();
  const rawEcho = new EchoWaiter();
  const recorder = new OutputRecorder();
  const session = ourSession(kc, transport, ['cat'], (text) => {
    recorder.add(text);
    oursEcho.feed(text);
  });
  const running = session.run();
  const ws = await rawExec(kc, ['cat']);
  ws.on('message', (data: Buffer) => {
    if (data[0] === 1) rawEcho.feed(data.subarray(1).toString('utf8'));
  });
  // Both connected and echoing before timing (the exec starts asynchronously on the server).
  const warm = async (send: (k: string) => void, echo: EchoWaiter): Promise<void> => {
    await until('an echo from the exec session', 30_000, async () => {
      const p = echo.wait('~', 1_000);
      send('~');
      await p;
      return true;
    });
  };
  const sendOurs = (k: string): void => session.handleInput(k);
  const sendRaw = (k: string): void => ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(k)]));
  await warm(sendOurs, oursEcho);
  await warm(sendRaw, rawEcho);
  const ours: number[] = [];
  const raw: number[] = [];
  const once = async (send: (k: string) => void, echo: EchoWaiter, key: string, into: number[]): Promise<void> => {
    const p = echo.wait(key);
    const t0 = performance.now();
    send(key);
    await p;
    into.push(performance.now() - t0);
  };
  for (let i = 0; i < KEYSTROKES; i++) {
    const key = String.fromCharCode(97 + (i % 26));
    if (i % 2 === 0) {
      await once(sendOurs, oursEcho, key, ours);
      await once(sendRaw, rawEcho, key, raw);
    } else {
      await once(sendRaw, rawEcho, key, raw);
      await once(sendOurs, oursEcho, key, ours);
    }
    // The canonical-mode line holds 4095 characters: end it now and then (not timed).
    if (i % 500 === 499) {
      sendOurs('\r');
      sendRaw('\r');
      await sleep(100);
    }
  }
  session.close();
  ws.close();
  await running.catch(() => undefined);
  record({
    name: `exec: keystroke to echo, p50 over ${KEYSTROKES} keystrokes (TTY, cat) vs a raw ws WebSocket on the same endpoint`,
    value: percentile(ours, 50),
    unit: 'ms',
    floor: percentile(raw, 50),
    target: '<= floor + 5 ms',
    note: `difference ${(percentile(ours, 50) - percentile(raw, 50)).toFixed(2)} ms; p90 ours ${percentile(ours, 90).toFixed(2)} ms, raw ${percentile(raw, 90).toFixed(2)} ms; alternated`,
  });
}

async function benchFlood(kc: KubeConfig, transport: ClusterClient, record: RecordFn): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  let peakRss = before.rss;
  let lastOutputAt = 0;
  const recorder = new OutputRecorder();
  const session = ourSession(kc, transport, ['yes'], (text) => {
    recorder.add(text);
    lastOutputAt = performance.now();
  });
  const running: Promise<ExecOutcome | undefined> = session.run();
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 100);
  const t0 = performance.now();
  await sleep(FLOOD_SECONDS * 1000);
  const floodChars = session.output.chars;
  const floodSeconds = (performance.now() - t0) / 1000;
  // What the flood keeps (garbage collected): the bound, as opposed to the garbage it churns.
  gc?.();
  const retained = process.memoryUsage().heapUsed;
  const ctrlC = performance.now();
  session.handleInput('\x03');
  const outcome = await Promise.race([running, sleep(10_000).then(() => 'timeout' as const)]);
  const stoppedMs = performance.now() - ctrlC;
  const lastOutputMs = Math.max(0, lastOutputAt - ctrlC);
  clearInterval(sampler);
  session.close();
  const ended =
    outcome === 'timeout'
      ? 'still running after 10 s'
      : outcome === undefined
        ? 'closed'
        : 'exitCode' in outcome
          ? `exit code ${outcome.exitCode}`
          : outcome.error.message;
  if (!recorder.value.includes('y\r\ny')) console.warn('  warning: the flood did not look like `yes` output');
  const rate = floodChars / MB / floodSeconds;
  const bound =
    'bound: at most 1 MB pending in TerminalOutput (more is written at once) and the last 1 MB (plus the newest write) in the recorder';
  record({
    name: `exec: heap during ${FLOOD_SECONDS} s of \`yes\` through the exec terminal's path (peak vs before)`,
    value: peakHeap / MB,
    unit: 'MB',
    floor: before.heapUsed / MB,
    target: 'bounded',
    note: `growth ${((peakHeap - before.heapUsed) / MB).toFixed(1)} MB, ${((retained - before.heapUsed) / MB).toFixed(1)} MB retained after a GC at the end; at ${rate.toFixed(1)} MB/s of output (${(floodChars / MB).toFixed(0)} MB in ${session.output.updates} terminal writes); ${bound}`,
  });
  record({
    name: `exec: RSS during ${FLOOD_SECONDS} s of \`yes\` (peak vs before)`,
    value: peakRss / MB,
    unit: 'MB',
    floor: before.rss / MB,
    target: 'bounded',
    note: `growth ${((peakRss - before.rss) / MB).toFixed(1)} MB`,
  });
  record({
    name: 'exec: Ctrl-C (0x03 on the TTY) to the end of the command during the flood',
    value: stoppedMs,
    unit: 'ms',
    floor: null,
    target: '< 1000',
    note: `${ended}; last output ${lastOutputMs.toFixed(0)} ms after Ctrl-C`,
  });
}

export async function benchWorkloads(cluster: LocalCluster, runs: number, record: RecordFn): Promise<void> {
  const kc = loadKubeconfig([cluster.kubeconfigPath]).kubeConfigFor('kwb-admin');
  const transport = new ClusterClient('kwb-admin', kc, ADMIT_EVERYTHING);
  try {
    await createPod(transport);
    await benchLogs(cluster, transport, Math.max(runs, LOG_RUNS), record);
    await benchEcho(kc, transport, record);
    await benchFlood(kc, transport, record);
  } finally {
    transport.dispose();
  }
}
