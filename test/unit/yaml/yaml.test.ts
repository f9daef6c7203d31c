import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  analyzeText,
  IncrementalAnalyzer,
  isHelmTemplate,
  kustomizationPatches,
} from '../../../src/core/yaml/manifestDetection';
import { convertCrd, convertOpenApi, kindSchema, type JsonSchema } from '../../../src/core/yaml/openapi';
import {
  ClusterSchemas,
  resolveKind,
  SchemaDocuments,
  serverVersion,
  type BundledSchemas,
} from '../../../src/core/yaml/schemaSources';

const openApi = {
  components: {
    schemas: {
      'io.k8s.api.apps.v1.Deployment': {
        type: 'object',
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          metadata: { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }] },
          spec: { $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' },
        },
        'x-kubernetes-group-version-kind': [{ group: 'apps', version: 'v1', kind: 'Deployment' }],
      },
      'io.k8s.api.apps.v1.DeploymentSpec': {
        type: 'object',
        properties: {
          replicas: { type: 'integer', format: 'int32' },
          maxSurge: { 'x-kubernetes-int-or-string': true },
          extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          paused: { type: 'boolean', nullable: true },
        },
      },
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': { type: 'object', properties: { name: { type: 'string' } } },
      'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions': {
        type: 'object',
        'x-kubernetes-group-version-kind': [
          { group: '', version: 'v1', kind: 'DeleteOptions' },
          { group: 'apps', version: 'v1', kind: 'DeleteOptions' },
        ],
      },
      'io.k8s.api.core.v1.Unused': { type: 'string' },
    },
  },
};

describe('OpenAPI v3 → JSON Schema', () => {
  const set = convertOpenApi(openApi);

  it('maps apiVersion/kind to definitions and pins them with enums', () => {
    assert.deepEqual(set.kinds, { 'apps/v1|Deployment': 'io.k8s.api.apps.v1.Deployment' });
    const d = set.definitions['io.k8s.api.apps.v1.Deployment'] as {
      properties: Record<string, JsonSchema>;
      required: string[];
    };
    assert.deepEqual(d.properties.apiVersion?.enum, ['apps/v1']);
    assert.deepEqual(d.properties.kind?.enum, ['Deployment']);
    assert.deepEqual(d.required.sort(), ['apiVersion', 'kind']);
    assert.equal(d.properties.spec?.$ref, '#/definitions/io.k8s.api.apps.v1.DeploymentSpec');
  });

  it('handles int-or-string, preserve-unknown-fields, nullable, and closes objects', () => {
    const spec = set.definitions['io.k8s.api.apps.v1.DeploymentSpec'] as {
      properties: Record<string, JsonSchema>;
      additionalProperties: unknown;
    };
    assert.deepEqual(spec.properties.maxSurge, { anyOf: [{ type: 'integer' }, { type: 'string' }] });
    assert.equal(spec.properties.extra?.type, undefined);
    assert.deepEqual(spec.properties.paused?.type, ['boolean', 'null']);
    assert.equal(spec.properties.replicas?.format, undefined);
    assert.equal(spec.additionalProperties, false);
  });

  it('builds a self-contained kind schema with only the reachable definitions', () => {
    const k = kindSchema(set, 'io.k8s.api.apps.v1.Deployment') as { definitions: Record<string, unknown> };
    assert.deepEqual(Object.keys(k.definitions).sort(), [
      'io.k8s.api.apps.v1.Deployment',
      'io.k8s.api.apps.v1.DeploymentSpec',
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    ]);
  });

  it('rejects a document without schemas', () => {
    assert.throws(() => convertOpenApi({ paths: {} }), /components\.schemas/);
  });

  it('converts workspace CRDs, and survives one without a schema', () => {
    const { set: crd, problems } = convertCrd({
      spec: {
        group: 'x.dev',
        names: { kind: 'Thing' },
        versions: [
          { name: 'v1', schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } } } },
          { name: 'v2' },
        ],
      },
    });
    assert.deepEqual(Object.keys(crd.kinds).sort(), ['x.dev/v1|Thing', 'x.dev/v2|Thing']);
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /v2 of Thing has no schema/);
    assert.deepEqual(convertCrd({ kind: 'CustomResourceDefinition' }).set.kinds, {});
  });
});

describe('manifest detection', () => {
  it('finds apiVersion/kind per document, not-a-mapping and empty documents', () => {
    const info = analyzeText('apiVersion: v1\nkind: ConfigMap\n---\n- a list\n---\n# only a comment\n---\nfoo: bar\n');
    assert.equal(info.manifest, true);
    assert.deepEqual(info.documents[0]?.gvk, { apiVersion: 'v1', kind: 'ConfigMap' });
    assert.equal(info.documents[1]?.mapping, false);
    assert.equal(info.documents[1]?.empty, false);
    assert.equal(info.documents[2]?.empty, true);
    assert.equal(info.documents[3]?.gvk, undefined);
    assert.equal(info.documents[3]?.mapping, true);
  });

  it('leaves non-manifests, Helm templates and kustomize configuration alone', () => {
    assert.equal(analyzeText('name: ci\non: push\n').manifest, false);
    const helm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n';
    assert.equal(isHelmTemplate(helm), true);
    assert.equal(analyzeText(helm).skipped, 'helm-template');
    assert.equal(analyzeText('apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n').manifest, false);
    assert.equal(analyzeText('apiVersion: apps/v1\nkind: Deployment\n$patch: delete\n').documents[0]?.gvk, undefined);
    assert.equal(kustomizationPatches('patches:\n  - path: patch.yaml\n', 'patch.yaml'), true);
    assert.equal(kustomizationPatches('resources:\n  - patch.yaml\n', 'patch.yaml'), false);
    assert.equal(kustomizationPatches('patchesStrategicMerge:\n- other.yaml\n', 'patch.yaml'), false);
  });

  it('flags alias bombs and deep nesting as too complex without expanding them', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const bomb = analyzeText(`apiVersion: v1\nkind: ConfigMap\n${levels.join('\n')}\n`);
    assert.match(bomb.documents[0]?.tooComplex ?? '', /aliases expand/);
    const deep = analyzeText(`apiVersion: v1\nkind: ConfigMap\ndata: ${'['.repeat(150)}${']'.repeat(150)}\n`);
    assert.match(deep.documents[0]?.tooComplex ?? '', /nested/);
    const fine = analyzeText('apiVersion: v1\nkind: ConfigMap\na: &a {x: 1}\nb: *a\n');
    assert.equal(fine.documents[0]?.tooComplex, undefined);
    assert.equal(analyzeText(`apiVersion: v1\nkind: ConfigMap\n#${'x'.repeat(2_000_001)}`).skipped, 'too-large');
  });

  it('analyses a file being edited, document by document, exactly as a whole parse does', () => {
    // Each step is an edit of the same file: leading comments, markers with comments, empty documents, a block
    // scalar holding an indented "---", markers added and removed, a directive and an end marker (parsed whole).
    const edits = [
      '# leading comment\napiVersion: v1\nkind: ConfigMap\n---\n---\napiVersion: v1\nkind: Pod\n---\n',
      '# leading comment\napiVersion: v1\nkind: Secret\n---\n---\napiVersion: v1\nkind: Pod\n---\n',
      '---\napiVersion: v1\nkind: Secret\ndata:\n  a: |\n    ---\n    x\n--- # next\napiVersion: v1\nkind: Pod\n',
      '---\napiVersion: v1\nkind: Secret\n---\n- a list\n---\n# only a comment\n---\napiVersion: apps/v1\nkind: Deployment\n',
      'apiVersion: v1\nkind: Secret\n---apiVersion: x\nkind: Pod\n---\n\n',
      '%YAML 1.2\n---\napiVersion: v1\nkind: Secret\n...\n---\napiVersion: v1\nkind: Pod\n',
      'apiVersion: v1\nkind: ConfigMap\na: &a {x: 1}\nb: *a\n---\napiVersion: v1\nkind: ConfigMap\n',
    ];
    const analyzer = new IncrementalAnalyzer();
    for (const text of edits) assert.deepEqual(analyzer.analyze(text), analyzeText(text), text);
    // Going back to an earlier text gives the same answer again.
    assert.deepEqual(analyzer.analyze(edits[0]!), analyzeText(edits[0]!));
  });
});

describe('schema sources', () => {
  const bundled = JSON.parse(
    gunzipSync(readFileSync('media/schemas/kubernetes.json.gz')).toString('utf8'),
  ) as BundledSchemas;

  it('the bundled schema is a real, current Kubernetes with the common kinds', () => {
    assert.match(bundled.version, /^v1\.\d+/);
    for (const k of ['v1|Pod', 'v1|Service', 'apps/v1|Deployment', 'batch/v1|CronJob', 'networking.k8s.io/v1|Ingress'])
      assert.ok(bundled.kinds[k], k);
  });

  it('prefers the cluster, then workspace CRDs, then the bundled schema; says when a kind is unknown', async () => {
    const docs = new SchemaDocuments();
    const calls: string[] = [];
    const cluster = new ClusterSchemas(
      {
        context: 'c1',
        server: 'https://127.0.0.1:1',
        getJson: (path) => {
          calls.push(path);
          if (path === '/openapi/v3')
            return Promise.resolve({
              paths: { 'apis/apps/v1': { serverRelativeURL: '/openapi/v3/apis/apps/v1?hash=A' } },
            });
          if (path === '/version') return Promise.resolve({ gitVersion: 'v1.36.1' });
          return Promise.resolve(openApi);
        },
      },
      undefined,
    );
    const r = await resolveKind({ apiVersion: 'apps/v1', kind: 'Deployment' }, docs, {
      cluster,
      bundled: () => bundled,
    });
    assert.ok(r.found);
    if (r.found) {
      assert.equal(r.source, 'cluster');
      assert.equal(r.label, 'cluster c1 (v1.36.1)');
      assert.match(docs.content(r.uri) ?? '', /DeploymentSpec/);
    }
    const unknown = await resolveKind({ apiVersion: 'apps/v1', kind: 'Nope' }, docs, {
      cluster,
      bundled: () => bundled,
    });
    assert.ok(!unknown.found && /Unknown kind "Nope".*cluster "c1"/.test(unknown.message));
    const noGv = await resolveKind({ apiVersion: 'x.dev/v9', kind: 'Nope' }, docs, { cluster });
    assert.ok(!noGv.found && /Unknown apiVersion "x.dev\/v9"/.test(noGv.message));
    const crd = convertCrd({ spec: { group: 'x.dev', names: { kind: 'Nope' }, versions: [{ name: 'v9' }] } }).set;
    const fromWs = await resolveKind({ apiVersion: 'x.dev/v9', kind: 'Nope' }, docs, {
      cluster,
      workspace: () => Promise.resolve(crd),
    });
    assert.ok(fromWs.found && fromWs.source === 'workspace');
    assert.equal(calls.filter((c) => c === '/openapi/v3').length, 1, 'the index is cached');
  });

  it('falls back to the bundled schema when the cluster is unreachable, without asking it on every lookup', async () => {
    let asked = 0;
    const cluster = new ClusterSchemas(
      {
        context: 'gone',
        server: 'https://127.0.0.1:1',
        getJson: () => {
          asked++;
          return Promise.reject(new Error('connection refused'));
        },
      },
      undefined,
    );
    const docs = new SchemaDocuments();
    for (let i = 0; i < 3; i++) {
      const r = await resolveKind({ apiVersion: 'v1', kind: 'Pod' }, docs, { cluster, bundled: () => bundled });
      assert.ok(r.found && r.source === 'bundled' && /gone unreachable: connection refused/.test(r.label));
    }
    assert.equal(asked, 2, 'index and version once, then the failure is remembered');
  });

  it('refetches a group-version when its hash changes (a CRD changed) and caches converted schemas on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kwb-schemas-'));
    try {
      let now = 0;
      let hash = 'A';
      const fetched: string[] = [];
      const fetcher = {
        context: 'c1',
        server: 'https://127.0.0.1:1',
        getJson: (path: string): Promise<unknown> => {
          if (path === '/openapi/v3')
            return Promise.resolve({
              paths: { 'apis/apps/v1': { serverRelativeURL: `/openapi/v3/apis/apps/v1?hash=${hash}` } },
            });
          if (path === '/version') return Promise.resolve({ gitVersion: 'v1.36.1' });
          fetched.push(path);
          return Promise.resolve(openApi);
        },
      };
      const cluster = new ClusterSchemas(fetcher, dir, () => now);
      const first = await cluster.groupVersion('apps/v1');
      await cluster.groupVersion('apps/v1');
      assert.deepEqual(fetched, ['/openapi/v3/apis/apps/v1?hash=A']);
      hash = 'B';
      now += 10_000;
      assert.equal((await cluster.groupVersion('apps/v1'))?.hash, first?.hash, 'the index is reused for 30 s');
      now += 30_000;
      const second = await cluster.groupVersion('apps/v1');
      assert.notEqual(second?.hash, first?.hash);
      assert.deepEqual(fetched, ['/openapi/v3/apis/apps/v1?hash=A', '/openapi/v3/apis/apps/v1?hash=B']);
      // A new session (e.g. after a restart) reads the converted schemas from disk, not from the cluster.
      const again = new ClusterSchemas(fetcher, dir, () => now);
      assert.ok((await again.groupVersion('apps/v1'))?.set.kinds['apps/v1|Deployment']);
      assert.equal(fetched.length, 2);
      const [serverDir] = readdirSync(dir);
      assert.deepEqual(
        readdirSync(join(dir, serverDir ?? '')),
        ['c2-v1.36.1'],
        'cached per server, converter and version',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says when the cluster serves a broken schema, and falls back', async () => {
    const cluster = new ClusterSchemas(
      {
        context: 'odd',
        server: 'https://127.0.0.1:1',
        getJson: (path) =>
          Promise.resolve(
            path === '/openapi/v3'
              ? { paths: { 'api/v1': { serverRelativeURL: '/openapi/v3/api/v1?hash=X' } } }
              : path === '/version'
                ? { gitVersion: 'v1.36.0' }
                : { openapi: '3.0.0' },
          ),
      },
      undefined,
    );
    const r = await resolveKind({ apiVersion: 'v1', kind: 'Pod' }, new SchemaDocuments(), {
      cluster,
      bundled: () => bundled,
    });
    assert.ok(r.found && r.source === 'bundled');
    assert.match(r.found ? r.label : '', /odd serves a broken schema \(\/openapi\/v3\/api\/v1: .*components\.schemas/);
  });

  it('names a server version without a real gitVersion by major.minor', () => {
    assert.equal(serverVersion({ gitVersion: 'v0.0.0-master+$Format:%H$', major: '1', minor: '36' }), 'v1.36');
    assert.equal(serverVersion({ gitVersion: 'v1.31.2', major: '1', minor: '31' }), 'v1.31.2');
  });
});
