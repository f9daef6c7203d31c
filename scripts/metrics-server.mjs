#!/usr/bin/env node
// A metrics-server for the local cluster, built from Go modules (sigs.k8s.io/metrics-server, pinned as a `tool` in
// test/cluster/metrics/go.mod, a module of its own with metrics-server's own Kubernetes versions).
//
//   node scripts/metrics-server.mjs --build-only      builds if needed, prints the binary path
//
// The binary is cached in ${XDG_CACHE_HOME:-~/.cache}/kube-workbench/metrics-server-<hash>/metrics-server, keyed by
// a hash of that go.mod and go.sum. `node scripts/cluster.mjs --metrics` builds it and passes it to the cluster
// (--metrics-server PATH), which runs it as one of its components.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goBinary } from './lib/goBinary.mjs';

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

const binary = goBinary({
  name: 'metrics-server',
  moduleDir: metricsModuleDir,
  pkg: PACKAGE,
  ldflags,
  version: metricsServerVersion,
});

export const { sourceHash, binaryPath, build } = binary;

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
