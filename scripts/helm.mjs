#!/usr/bin/env node
// A helm binary for the tests, built from Go modules (helm.sh/helm/v3, pinned in test/cluster/helm/go.mod as a
// `tool`), like the local control plane; and the seeded release of the local cluster.
//
//   node scripts/helm.mjs --build-only                       builds if needed, prints the binary path
//   node scripts/helm.mjs --seed --kubeconfig PATH           installs the demo release with two revisions
//
// The binary is cached in ${XDG_CACHE_HOME:-~/.cache}/kube-workbench/helm-<hash>/helm, keyed by a hash of
// test/cluster/helm/go.mod and go.sum. Seeding runs helm with HELM_CACHE_HOME, HELM_CONFIG_HOME and HELM_DATA_HOME
// in a temp folder (no repositories, no plugins, no internet): `helm install` of test/fixtures/helm/kwb-demo as
// release `kwb-demo` in namespace `helm-demo`, then `helm upgrade` with other values (revision 2).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goBinary } from './lib/goBinary.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const helmModuleDir = join(repoRoot, 'test', 'cluster', 'helm');
export const demoChart = join(repoRoot, 'test', 'fixtures', 'helm', 'kwb-demo');
export const demoUpgradeValues = join(repoRoot, 'test', 'fixtures', 'helm', 'kwb-demo-upgrade.yaml');
export const DEMO_RELEASE = { name: 'kwb-demo', namespace: 'helm-demo' };

function helmVersion() {
  const gomod = readFileSync(join(helmModuleDir, 'go.mod'), 'utf8');
  return /^\s*helm\.sh\/helm\/v3 (v\d+\.\d+\.\d+)/m.exec(gomod)?.[1] ?? 'v3';
}

function ldflags() {
  return `-s -w -X helm.sh/helm/v3/internal/version.version=${helmVersion()}`;
}

const binary = goBinary({
  name: 'helm',
  moduleDir: helmModuleDir,
  pkg: 'helm.sh/helm/v3/cmd/helm',
  ldflags,
  version: helmVersion,
});

export const { sourceHash, binaryPath, build } = binary;

/** An environment in which helm touches nothing of the user's (temp cache, config and data homes). */
export function isolatedEnv(baseEnv = process.env) {
  const home = mkdtempSync(join(tmpdir(), 'kwb-helm-'));
  return {
    home,
    env: {
      ...baseEnv,
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
      HELM_NO_PLUGINS: '1',
    },
  };
}

function run(bin, args, env) {
  return new Promise((resolveP, reject) => {
    execFile(bin, args, { env, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`helm ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolveP(stdout);
    });
  });
}

/** Installs the demo release and upgrades it once: two revisions, the second with other values. */
export async function seed({ bin, kubeconfig, context = 'kwb-admin' }) {
  const { home, env } = isolatedEnv();
  try {
    const common = [`--kubeconfig=${kubeconfig}`, `--kube-context=${context}`, `--namespace=${DEMO_RELEASE.namespace}`];
    await run(bin, ['install', DEMO_RELEASE.name, demoChart, '--create-namespace', ...common], env);
    await run(bin, ['upgrade', DEMO_RELEASE.name, demoChart, '-f', demoUpgradeValues, ...common], env);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

async function main() {
  const args = process.argv.slice(2);
  const bin = await build();
  if (args.includes('--build-only')) {
    process.stdout.write(`${bin}\n`);
    return;
  }
  if (args.includes('--seed')) {
    const at = args.indexOf('--kubeconfig');
    const kubeconfig = at >= 0 ? args[at + 1] : process.env.KUBECONFIG;
    if (!kubeconfig) throw new Error('--seed needs --kubeconfig PATH (or KUBECONFIG)');
    await seed({ bin, kubeconfig });
    process.stdout.write(`seeded release ${DEMO_RELEASE.namespace}/${DEMO_RELEASE.name} (2 revisions)\n`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`helm: ${err.message}\n`);
    process.exit(1);
  });
}
