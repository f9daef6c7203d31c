import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeconfigPaths, loadKubeconfig } from '../../../src/core/kube/kubeconfig';

function kubeconfig(opts: {
  contexts: string[];
  cluster?: string;
  server?: string;
  current?: string;
  ca?: string;
}): string {
  const cluster = opts.cluster ?? 'c1';
  return [
    'apiVersion: v1',
    'kind: Config',
    `current-context: ${opts.current ?? opts.contexts[0] ?? '""'}`,
    'clusters:',
    `- name: ${cluster}`,
    '  cluster:',
    `    server: ${opts.server ?? 'https://127.0.0.1:6443'}`,
    ...(opts.ca ? [`    certificate-authority: ${opts.ca}`] : []),
    'users:',
    '- name: u1',
    '  user:',
    '    token: abc',
    'contexts:',
    ...opts.contexts.flatMap((name) => [
      `- name: ${name}`,
      '  context:',
      `    cluster: ${cluster}`,
      '    user: u1',
      '    namespace: team-a',
    ]),
  ].join('\n');
}

describe('kubeconfigPaths', () => {
  it('splits KUBECONFIG like kubectl and drops empty entries and repeats', () => {
    const paths = kubeconfigPaths({ env: '/a/one::/b/two:/a/one', home: '/home/u', delimiter: ':' });
    assert.deepEqual(paths, ['/a/one', '/b/two']);
  });

  it('falls back to ~/.kube/config, and appends files from the settings', () => {
    const paths = kubeconfigPaths({ env: '', home: '/home/u', extraFiles: ['~/extra.yaml'], delimiter: ':' });
    assert.deepEqual(paths, ['/home/u/.kube/config', '/home/u/extra.yaml']);
  });
});

describe('loadKubeconfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kwb-kubeconfig-'));
  const first = join(dir, 'first.yaml');
  const second = join(dir, 'second.yaml');
  writeFileSync(first, kubeconfig({ contexts: ['dev', 'shared'], server: 'https://first:6443', ca: 'ca.crt' }));
  writeFileSync(
    second,
    kubeconfig({ contexts: ['shared', 'prod'], cluster: 'c2', server: 'https://second:6443', current: 'prod' }),
  );

  it('merges files, first file wins per name, and says so', () => {
    const merged = loadKubeconfig([first, second]);
    assert.deepEqual(
      merged.contexts.map((c) => c.name),
      ['dev', 'shared', 'prod'],
    );
    assert.equal(merged.contexts.find((c) => c.name === 'shared')?.server, 'https://first:6443');
    assert.equal(merged.contexts.find((c) => c.name === 'prod')?.server, 'https://second:6443');
    assert.equal(merged.currentContext, 'dev', 'the first file that sets current-context decides');
    assert.ok(merged.warnings.some((w) => w.includes('"shared"') && w.includes(second)));
  });

  it('reports a missing file as a warning and still loads the rest', () => {
    const merged = loadKubeconfig([join(dir, 'nope.yaml'), second]);
    assert.deepEqual(merged.files, [second]);
    assert.equal(merged.contexts.length, 2);
    assert.match(merged.warnings.join('\n'), /nope\.yaml does not exist/);
  });

  it('reports a broken file and keeps going', () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'clusters: [ this is : not yaml');
    const merged = loadKubeconfig([broken, first]);
    assert.equal(merged.contexts.length, 2);
    // The parser's position (line:column) is part of the warning, so the user can find the mistake.
    assert.match(merged.warnings.join('\n'), /broken\.yaml is not a valid kubeconfig: .* at line \d+, column \d+$/m);
  });

  it('reports a file without a mapping (only comments) and keeps going', () => {
    const comments = join(dir, 'comments.yaml');
    writeFileSync(comments, '# nothing here yet\n');
    const merged = loadKubeconfig([comments, first]);
    assert.equal(merged.contexts.length, 2);
    assert.match(merged.warnings.join('\n'), /comments\.yaml is not a valid kubeconfig: it is not a YAML mapping$/m);
  });

  it('warns about a current-context that no file defines, and falls back to none', () => {
    const orphan = join(dir, 'orphan.yaml');
    writeFileSync(orphan, kubeconfig({ contexts: ['only'], current: 'ghost' }));
    const merged = loadKubeconfig([orphan]);
    assert.equal(merged.currentContext, undefined);
    assert.match(merged.warnings.join('\n'), /current-context "ghost" is not defined/);
  });

  it('resolves relative certificate paths against the file that names them', () => {
    const merged = loadKubeconfig([first]);
    const kc = merged.kubeConfigFor('dev');
    assert.equal(kc.getCurrentCluster()?.caFile, join(dir, 'ca.crt'));
  });

  it('gives each context its own KubeConfig, so several can be used at once', () => {
    const merged = loadKubeconfig([first, second]);
    const dev = merged.kubeConfigFor('dev');
    const prod = merged.kubeConfigFor('prod');
    assert.equal(dev.getCurrentContext(), 'dev');
    assert.equal(prod.getCurrentContext(), 'prod');
    assert.equal(prod.getCurrentCluster()?.server, 'https://second:6443');
    assert.throws(() => merged.kubeConfigFor('missing'), /not in the kubeconfig/);
  });

  it('never writes: the files are unchanged after loading', async () => {
    const { readFileSync } = await import('node:fs');
    const before = readFileSync(first, 'utf8');
    loadKubeconfig([first, second]).kubeConfigFor('prod');
    assert.equal(readFileSync(first, 'utf8'), before);
  });
});
