#!/usr/bin/env node
// Builds (if needed) and runs the local Kubernetes control plane of
// test/cluster (see test/cluster/README.md).
//
//   node scripts/cluster.mjs [--kubeconfig PATH] [--nodes N] [--pods N] [--seed] [--metrics] [--keep-data] [--verbose]
//   node scripts/cluster.mjs --build-only     builds if needed, prints the binary path
//
// The binary is cached in ${XDG_CACHE_HOME:-~/.cache}/kube-workbench/cluster-<hash>/,
// keyed by a hash of the Go sources, go.mod, go.sum and the embedded files.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { constants as osConstants, homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const clusterDir = join(repoRoot, 'test', 'cluster');

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const p = join(dir, entry.name);
    // A folder with its own go.mod (helm/, the test helm binary) is another module, built by its own script.
    if (entry.isDirectory() && existsSync(join(p, 'go.mod'))) continue;
    if (entry.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(go|yaml|sh)$/.test(entry.name) || entry.name === 'go.mod' || entry.name === 'go.sum') out.push(p);
  }
  return out;
}

/**
 * Linker flags: stripped, and the Kubernetes version stamped in, so /version and `kubectl version` say
 * v1.36.1 rather than v0.0.0-master (the version comes from go.mod's k8s.io/kubernetes requirement).
 */
export function ldflags() {
  const gomod = readFileSync(join(clusterDir, 'go.mod'), 'utf8');
  const version = /^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)\s*$/m.exec(gomod)?.[1];
  const flags = ['-s', '-w'];
  if (version) {
    const [major, minor] = version.slice(1).split('.');
    const pkg = 'k8s.io/component-base/version';
    flags.push(`-X ${pkg}.gitVersion=${version}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`);
    flags.push(`-X ${pkg}.gitTreeState=clean`);
  }
  return flags.join(' ');
}

export function sourceHash() {
  const h = createHash('sha256');
  h.update(ldflags());
  h.update('\0');
  for (const f of sourceFiles(clusterDir).sort()) {
    h.update(relative(clusterDir, f));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

export function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'kube-workbench');
}

export function binaryPath() {
  return join(cacheRoot(), `cluster-${sourceHash()}`, 'kwb-cluster');
}

export function execPluginPath() {
  return join(clusterDir, 'exec-credential.sh');
}

/** Builds the binary if it is not cached yet; resolves to its path. */
export async function build({ quiet = false } = {}) {
  const bin = binaryPath();
  if (existsSync(bin)) return bin;
  const dir = dirname(bin);
  mkdirSync(dir, { recursive: true });
  const tmp = `${bin}.tmp-${process.pid}`;
  const log = (m) => {
    if (!quiet) process.stderr.write(`cluster: ${m}\n`);
  };
  log(`building ${relative(repoRoot, clusterDir)} into ${bin}`);
  log(
    'the first build compiles Kubernetes, etcd and kwok from source and takes many minutes (about 15-25 on 2 cores); later builds reuse the Go build cache',
  );
  const started = Date.now();
  const tick = setInterval(() => log(`still building... ${Math.round((Date.now() - started) / 1000)}s`), 30000);
  try {
    await new Promise((resolveP, reject) => {
      const child = spawn('go', ['build', '-trimpath', '-buildvcs=false', `-ldflags=${ldflags()}`, '-o', tmp, '.'], {
        cwd: clusterDir,
        stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
        env: { ...process.env, GOFLAGS: [process.env.GOFLAGS, '-mod=readonly'].filter(Boolean).join(' ') },
      });
      child.on('error', reject);
      child.on('exit', (code, signal) =>
        code === 0 ? resolveP() : reject(new Error(`go build failed (${signal ?? `exit ${code}`})`)),
      );
    });
  } finally {
    clearInterval(tick);
  }
  renameSync(tmp, bin);
  log(`built in ${Math.round((Date.now() - started) / 1000)}s`);
  // Remove binaries of other source versions that have not been built or used for a week. Recent ones stay:
  // another checkout (or a cluster still running) may be using them.
  const weekAgo = Date.now() - 7 * 24 * 3600 * 1000;
  for (const entry of readdirSync(cacheRoot())) {
    const p = join(cacheRoot(), entry);
    if (!entry.startsWith('cluster-') || p === dir) continue;
    try {
      const st = statSync(join(p, 'kwb-cluster'));
      if (Math.max(st.mtimeMs, st.atimeMs) < weekAgo) rmSync(p, { recursive: true, force: true });
    } catch {
      // not a complete build: leave it
    }
  }
  return bin;
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--build-only')) {
    const bin = await build();
    process.stdout.write(`${bin}\n`);
    return;
  }
  const bin = await build();
  const extra = args.some((a) => a === '--exec-plugin' || a.startsWith('--exec-plugin='))
    ? []
    : ['--exec-plugin', execPluginPath()];
  // --metrics: a real metrics-server (built from Go modules, scripts/metrics-server.mjs) serves metrics.k8s.io.
  const metricsAt = args.indexOf('--metrics');
  if (metricsAt >= 0) {
    args.splice(metricsAt, 1);
    const metrics = await import('./metrics-server.mjs');
    extra.push('--metrics-server', await metrics.build());
  }
  // --exit-with-parent: the cluster stops even if this script is killed without a chance to forward a signal.
  const child = spawn(bin, [...args, ...extra, '--exit-with-parent'], { stdio: 'inherit' });
  const forward = (sig) => () => {
    if (child.exitCode === null) child.kill(sig);
  };
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  process.on('SIGHUP', forward('SIGTERM'));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? 128 + (osConstants.signals[signal] ?? 1);
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`cluster: ${err.message}\n`);
    process.exit(1);
  });
}
