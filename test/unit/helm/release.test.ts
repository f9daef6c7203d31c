import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import {
  HelmStorageError,
  chartLabel,
  decodeRecord,
  decodeReleasePayload,
  latestReleases,
  manifestObjects,
  recordNameOf,
  toRecordRow,
  type HelmRecordRow,
} from '../../../src/core/helm/release';
import type { KubeObject } from '../../../src/core/resources/kubeObject';

const MANIFEST = `---
# Source: web/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  greeting: "hello"
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: other
spec:
  replicas: 2
`;

function releaseJson(revision: number, status = 'deployed'): Record<string, unknown> {
  return {
    name: 'web',
    namespace: 'apps',
    version: revision,
    info: {
      first_deployed: '2026-01-01T00:00:00Z',
      last_deployed: `2026-01-0${revision}T00:00:00Z`,
      deleted: '',
      description: revision === 1 ? 'Install complete' : 'Upgrade complete',
      status,
      notes: 'web is up',
    },
    chart: { metadata: { name: 'web', version: '1.2.0', appVersion: '3.4' }, values: { replicas: 1 } },
    config: { replicas: revision },
    manifest: MANIFEST,
  };
}

/** helm's encodeRelease: JSON, gzip, base64 (pkg/storage/driver/util.go). */
function encode(json: unknown, gzip = true): string {
  const bytes = Buffer.from(JSON.stringify(json), 'utf8');
  return (gzip ? gzipSync(bytes, { level: 9 }) : bytes).toString('base64');
}

function secret(name: string, release: string, labels: Record<string, string>, uid = name): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: { name, namespace: 'apps', uid, labels: { owner: 'helm', ...labels } },
    // The API base64-encodes Secret data: helm's string, encoded once more.
    data: { release: Buffer.from(release, 'latin1').toString('base64') },
  } as KubeObject;
}

function configMap(name: string, release: string, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'apps', uid: name, labels: { owner: 'helm', ...labels } },
    data: { release },
  } as KubeObject;
}

describe('Helm release storage', () => {
  it('decodes a Secret record (base64 of helm base64 of gzip JSON) into the model', () => {
    const obj = secret(recordNameOf('web', 2), encode(releaseJson(2)), {
      name: 'web',
      version: '2',
      status: 'deployed',
    });
    const rls = decodeRecord(obj, 'secret');
    assert.equal(rls.name, 'web');
    assert.equal(rls.namespace, 'apps');
    assert.equal(rls.revision, 2);
    assert.equal(rls.status, 'deployed');
    assert.equal(rls.chartName, 'web');
    assert.equal(rls.chartVersion, '1.2.0');
    assert.equal(rls.appVersion, '3.4');
    assert.equal(rls.updated, '2026-01-02T00:00:00Z');
    assert.deepEqual(rls.values, { replicas: 2 });
    assert.deepEqual(rls.chartValues, { replicas: 1 });
    assert.equal(rls.manifest, MANIFEST);
    assert.equal(rls.notes, 'web is up');
    assert.equal(chartLabel(rls), 'web-1.2.0');
  });

  it('decodes a ConfigMap record (no second base64) and an uncompressed legacy record', () => {
    const cm = configMap(recordNameOf('web', 1), encode(releaseJson(1)), { name: 'web', version: '1' });
    assert.equal(decodeRecord(cm, 'configmap').revision, 1);
    const legacy = configMap(recordNameOf('web', 1), encode(releaseJson(1), false), { name: 'web', version: '1' });
    assert.equal(decodeRecord(legacy, 'configmap').description, 'Install complete');
  });

  it('refuses a release that decompresses beyond the limit (a gzip bomb), naming the record', () => {
    const bomb = gzipSync(Buffer.alloc(8 * 2 ** 20, 0x20)).toString('base64');
    assert.ok(bomb.length < 64 * 2 ** 10, 'the bomb is small on the wire');
    assert.throws(
      () => decodeReleasePayload(bomb, 'Secret apps/bomb', 2 ** 20),
      (err: unknown) =>
        err instanceof HelmStorageError && err.record === 'Secret apps/bomb' && /more than 1 MiB/.test(err.message),
    );
  });

  it('never crashes on garbage: each problem is a HelmStorageError that names the record', () => {
    const cases: [string, KubeObject][] = [
      ['not base64', secret('a', '%%%not base64%%%', { name: 'a', version: '1' })],
      ['broken gzip', secret('b', Buffer.from([0x1f, 0x8b, 0x08, 1, 2, 3, 4]).toString('base64'), { name: 'b' })],
      ['not JSON', secret('c', Buffer.from('{nope').toString('base64'), { name: 'c' })],
      ['JSON not an object', secret('d', encode([1, 2, 3]), { name: 'd' })],
      ['no revision', secret('e', encode({ name: 'e', info: {} }), { name: 'e' })],
      ['no data', { kind: 'Secret', type: 'helm.sh/release.v1', metadata: { name: 'f', namespace: 'apps', uid: 'f' } }],
    ];
    for (const [what, obj] of cases) {
      assert.throws(
        () => decodeRecord(obj, 'secret'),
        (err: unknown) => err instanceof HelmStorageError && err.message.includes(`Secret apps/${obj.metadata!.name!}`),
        what,
      );
    }
  });

  it('projects records to rows: a broken record is a row with its error and its labels, not a failure', () => {
    const good = toRecordRow(secret('sh.helm.release.v1.web.v1', encode(releaseJson(1)), { name: 'web' }), 'secret');
    assert.equal(good?.release, 'web');
    assert.equal(good?.error, undefined);
    assert.deepEqual(
      good?.objects.map((o) => `${o.kind}/${o.namespace ?? ''}/${o.name}`),
      ['ConfigMap//web-config', 'Deployment/other/web'],
    );
    const bad = toRecordRow(
      secret('sh.helm.release.v1.broken.v3', 'garbage!', { name: 'broken', version: '3', status: 'deployed' }),
      'secret',
    );
    assert.equal(bad?.release, 'broken');
    assert.equal(bad?.revision, 3);
    assert.equal(bad?.status, 'deployed');
    assert.match(bad?.error ?? '', /Secret apps\/sh\.helm\.release\.v1\.broken\.v3 cannot be read: .*not base64/);
    // A Secret of another type is not a release record.
    const other = { ...secret('x', encode(releaseJson(1)), { name: 'x' }), type: 'Opaque' } as KubeObject;
    assert.equal(toRecordRow(other, 'secret'), undefined);
  });

  it('lists the latest revision of each release, by namespace and name', () => {
    const row = (release: string, namespace: string, revision: number): HelmRecordRow => ({
      uid: `${namespace}/${release}/${revision}`,
      name: recordNameOf(release, revision),
      namespace,
      release,
      revision,
      storage: 'secret',
      status: 'deployed',
      chartName: release,
      chartVersion: '1.0.0',
      appVersion: '',
      updated: '',
      description: '',
      objects: [],
    });
    const summaries = latestReleases([row('web', 'b', 1), row('web', 'b', 10), row('web', 'b', 9), row('db', 'a', 2)]);
    assert.deepEqual(
      summaries.map((s) => `${s.latest.namespace}/${s.latest.release}@${s.latest.revision} (${s.revisions})`),
      ['a/db@2 (1)', 'b/web@10 (3)'],
    );
  });

  it('reads the objects a manifest names, skipping documents that are not objects', () => {
    assert.deepEqual(manifestObjects(''), []);
    assert.deepEqual(manifestObjects('---\n# only a comment\n---\nkind: X\n---\n: [broken\n'), []);
    assert.equal(manifestObjects(MANIFEST).length, 2);
  });
});

describe('manifestObjects: the line scan reads what the YAML parser reads', () => {
  // Each document alone, through the parser (the old way) and through manifestObjects (scan, or parser fallback).
  const viaParser = (text: string): unknown[] =>
    parseAllDocuments(text).flatMap((doc) => {
      if (doc.errors.length > 0) return [];
      const v = (doc.toJS({ maxAliasCount: 100 }) ?? {}) as Record<string, unknown>;
      const m = (v.metadata ?? {}) as Record<string, unknown>;
      const s = (x: unknown): string => (typeof x === 'string' ? x : '');
      if (!s(v.kind) || !s(m.name)) return [];
      return [
        {
          apiVersion: s(v.apiVersion),
          kind: s(v.kind),
          name: s(m.name),
          ...(s(m.namespace) ? { namespace: s(m.namespace) } : {}),
        },
      ];
    });
  const cases: Record<string, string> = {
    helm: '---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n  labels:\n    name: not-this\ndata:\n  name: nor-this\n',
    quoted: 'apiVersion: "apps/v1"\nkind: \'Deployment\'\nmetadata:\n  namespace: "team-a" # here\n  name: web\n',
    flowMetadata: 'apiVersion: v1\nkind: Service\nmetadata: {name: flow, namespace: ns}\n',
    anchors: 'apiVersion: v1\nkind: &k Secret\nmetadata:\n  name: *k\n',
    merge: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  <<: {name: merged}\n',
    multiLineName: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n    second\n',
    notText:
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 12345\n---\napiVersion: v1\nkind: true\nmetadata:\n  name: x\n',
    escapes: 'apiVersion: v1\nkind: "Config\\u004dap"\nmetadata:\n  name: "a\\tb"\n',
    quotedOverLines: 'apiVersion: v1\ndata: "a\nkind: Fake\nz: b"\nmetadata:\n  name: n\n',
    deeperIndent: 'apiVersion: v1\nkind: Pod\nmetadata:\n    labels:\n      name: inner\n    name: four-spaces\n',
    duplicate: 'apiVersion: v1\nkind: A\nkind: B\nmetadata:\n  name: dup\n',
    noName: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n',
    list: '- apiVersion: v1\n  kind: ConfigMap\n',
    tagged: '--- !!map\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tagged\n',
    emptyFlows: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e\n  labels: {}\n  finalizers: []\ndata: {}\n',
    blockScalar:
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  annotations:\n    note: |\n      name: not-this\ndata:\n  x: |\n    kind: Nope\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    it(name, () => {
      assert.deepEqual(manifestObjects(text), viaParser(text));
    });
  }
});
