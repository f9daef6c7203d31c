import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HELM_NOT_INSTALLED,
  HelmCliError,
  findHelm,
  releaseNameProblem,
  rollbackArgs,
  runHelm,
  uninstallArgs,
  type HelmTarget,
} from '../../../src/core/helm/helmCli';

const target: HelmTarget = { context: 'kwb-admin', kubeconfigFiles: ['/tmp/kc'], namespace: 'apps', release: 'web' };

describe('the helm command line', () => {
  it('builds argument arrays, one value per argument, context and namespace as --flag=value', () => {
    assert.deepEqual(rollbackArgs(target, 1), [
      'rollback',
      'web',
      '1',
      '--kube-context=kwb-admin',
      '--namespace=apps',
      '--kubeconfig=/tmp/kc',
    ]);
    assert.deepEqual(uninstallArgs({ ...target, kubeconfigFiles: ['/a', '/b'] }), [
      'uninstall',
      'web',
      '--kube-context=kwb-admin',
      '--namespace=apps',
    ]);
    // A context name that looks like a flag stays the value of --kube-context.
    assert.equal(uninstallArgs({ ...target, context: '--debug' })[2], '--kube-context=--debug');
  });

  it('refuses names that are not Helm release or namespace names before running anything', () => {
    for (const release of ['--all', 'Web', 'web;rm -rf /', '', 'a'.repeat(54), 'web\nx'])
      assert.throws(() => uninstallArgs({ ...target, release }), HelmCliError, release);
    for (const namespace of ['-n', 'A', 'a/b', ''])
      assert.throws(() => uninstallArgs({ ...target, namespace }), HelmCliError, namespace);
    assert.throws(() => rollbackArgs(target, 0), HelmCliError);
    assert.throws(() => rollbackArgs(target, 1.5), HelmCliError);
    assert.throws(() => uninstallArgs({ ...target, context: 'a\nb' }), HelmCliError);
    assert.equal(releaseNameProblem('my-app.v2'), undefined);
  });

  it('finds helm on PATH, and says clearly when it is not there (nothing run)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kwb-helm-test-'));
    try {
      assert.equal(findHelm(dir, 'linux'), undefined);
      await assert.rejects(
        runHelm(['version'], target, { env: { PATH: dir } }),
        (err: unknown) =>
          err instanceof HelmCliError && err.kind === 'notInstalled' && err.message === HELM_NOT_INSTALLED,
      );
      const fake = join(dir, 'helm');
      // A stand-in helm that prints its arguments, one per line: what it gets is exactly the array.
      writeFileSync(fake, '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n');
      chmodSync(fake, 0o755);
      assert.equal(findHelm(`/nonexistent:${dir}`, 'linux'), fake);
      const args = rollbackArgs({ ...target, context: 'ctx with spaces; $(x)' }, 2);
      const out = await runHelm(args, target, { env: { PATH: dir } });
      assert.deepEqual(out.stdout.trim().split('\n'), args);
      // helm is told which storage holds the release (HELM_DRIVER), and runs without plugins.
      writeFileSync(fake, '#!/bin/sh\necho "$HELM_DRIVER $HELM_NO_PLUGINS"\n');
      const env = { PATH: dir, HELM_DRIVER: 'sql' };
      assert.equal((await runHelm(args, { ...target, storage: 'configmap' }, { env })).stdout, 'configmap 1\n');
      assert.equal((await runHelm(args, target, { env })).stdout, 'secret 1\n');
      writeFileSync(fake, '#!/bin/sh\necho "Error: release: not found" >&2\nexit 1\n');
      await assert.rejects(
        runHelm(args, target, { env: { PATH: dir } }),
        (err: unknown) =>
          err instanceof HelmCliError && /helm rollback failed: Error: release: not found/.test(err.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
