#!/usr/bin/env node
// A metrics-server for the local cluster, built from Go modules (sigs.k8s.io/metrics-server, pinned as a `tool` in
// test/cluster/metrics/go.mod, a module of its own with metrics-server's own Kubernetes versions).
//
//   node scripts/metrics-server.mjs --build-only      builds if needed, prints the binary path
//
// The binary is cached in ${XDG_CACHE_HOME:-~/.cache}/kube-workbench/metrics-server-<hash>/metrics-server, keyed by
// a hash of that go.mod and go.sum. `node scripts/cluster.mjs --metrics` builds it and passes it to the cluster
// (--metrics-server PATH), which runs it as one of its components.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot } from './cluster.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const metricsModuleDir = join(repoRoot, 'test', 'cluster', 'metrics');
const PACKAGE = 'sigs.k8s.io/metrics-server/cmd/metrics-server';

export function metricsServerVersion() {
  const gomod = readFileSync(join(metricsModuleDir, 'go.mod'), 'utf8');
  return /^\s*sigs\.k8s\.io\/metrics-server (v\d+\.\d+\.\d+)/m.exec(gomod)?.[1] ?? 'unknown';
}

function ldflags() {
  return '-s -w';
}

export function sourceHash() {
  const h = createHash('sha256');
  h.update(ldflags());
  for (const f of ['go.mod', 'go.sum']) {
    h.update('\0');
    h.update(readFileSync(join(metricsModuleDir, f)));
  }
  return h.digest('hex').slice(0, 16);
}

export function binaryPath() {
  return join(cacheRoot(), `metrics-server-${sourceHash()}`, 'metrics-server');
}

/** Builds metrics-server if it is not cached yet; resolves to its path. */
export async function build({ quiet = false } = {}) {
  const bin = binaryPath();
  if (existsSync(bin)) return bin;
  mkdirSync(dirname(bin), { recursive: true });
  const tmp = `${bin}.tmp-${process.pid}`;
  const log = (m) => {
    if (!quiet) process.stderr.write(`metrics-server: ${m}\n`);
  };
  log(`building metrics-server ${metricsServerVersion()} from ${relative(repoRoot, metricsModuleDir)} into ${bin}`);
  const started = Date.now();
  await new Promise((resolveP, reject) => {
    const child = spawn('go', ['build', '-trimpath', '-buildvcs=false', `-ldflags=${ldflags()}`, '-o', tmp, PACKAGE], {
      cwd: metricsModuleDir,
      stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
      env: { ...process.env, GOFLAGS: [process.env.GOFLAGS, '-mod=readonly'].filter(Boolean).join(' ') },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolveP() : reject(new Error(`go build of metrics-server failed (${signal ?? `exit ${code}`})`)),
    );
  });
  renameSync(tmp, bin);
  log(`built in ${Math.round((Date.now() - started) / 1000)}s`);
  return bin;
}

async function main() {
  const bin = await build();
  process.stdout.write(`${bin}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`metrics-server: ${err.message}\n`);
    process.exit(1);
  });
}
