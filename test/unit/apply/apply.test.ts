import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fieldPathsIn, parseFieldPath, splitManifests } from '../../../src/core/apply/manifestFiles';
import { planApply } from '../../../src/core/apply/applyPlan';
import {
  conflictsOf,
  previewTexts,
  reportLines,
  summaryOf,
  type ApplyReport,
} from '../../../src/core/apply/serverSideApply';
import type { ApiResource } from '../../../src/core/kube/discovery';
import { KubeError } from '../../../src/core/kube/errors';
import { maskSecretValues } from '../../../src/core/resources/editableObject';

const MULTI = `# a comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: main
          image: nginx
        - name: side
          image: busybox
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
# only a comment
---
- just
- a list
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  namespace: shop
data:
  a: b
---
apiVersion: demo.example/v1
kind: Gadget
metadata:
  name: g1
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.demo.example
spec:
  group: demo.example
  scope: Namespaced
  names: {kind: Gadget, plural: gadgets}
  versions: [{name: v1}]
---
apiVersion: v1
kind: Mystery
metadata:
  name: m
`;

const resource = (group: string, kind: string, plural: string, namespaced: boolean): ApiResource => ({
  group,
  version: 'v1',
  kind,
  plural,
  namespaced,
  verbs: [],
  shortNames: [],
});
const RESOURCES = [
  resource('apps', 'Deployment', 'deployments', true),
  resource('', 'Namespace', 'namespaces', false),
  resource('', 'ConfigMap', 'configmaps', true),
  resource('apiextensions.k8s.io', 'CustomResourceDefinition', 'customresourcedefinitions', false),
];

describe('splitManifests', () => {
  const docs = splitManifests(MULTI, 'm.yaml');
  it('keeps every document with content, with its lines', () => {
    assert.equal(docs.length, 8);
    assert.deepEqual(
      docs.map((d) => d.startLine),
      [2, 15, 22, 25, 29, 37, 42, 52],
    );
    assert.equal(docs[0]!.endLine, 13);
  });
  it('reports a list and a syntax error per document, others parse', () => {
    assert.match(docs[2]!.error!.message, /not a mapping/);
    assert.match(docs[3]!.error!.message, /YAML syntax error/);
    assert.ok(docs[3]!.error!.line >= 26 && docs[3]!.error!.line <= 29, String(docs[3]!.error!.line));
    assert.equal(docs[4]!.object?.kind, 'ConfigMap');
  });
  it('maps field paths to lines', () => {
    assert.equal(docs[0]!.lineOf('spec.template.spec.containers[1].image'), 13);
    assert.equal(docs[0]!.lineOf('spec.template.spec.containers[0].image'), 11);
    assert.equal(docs[0]!.lineOf('spec.template.spec.containers[0].nope'), 10);
    assert.equal(docs[4]!.lineOf('.data.a'), 35);
    assert.equal(docs[0]!.lineOf('zzz'), 2);
  });
  it('parses field paths and finds them in messages', () => {
    assert.deepEqual(parseFieldPath('metadata.annotations[example.com/x]'), [
      'metadata',
      'annotations',
      'example.com/x',
    ]);
    assert.deepEqual(parseFieldPath('.spec.c[2].image'), ['spec', 'c', 2, 'image']);
    assert.deepEqual(fieldPathsIn('failed: .spec.replicas: expected numeric, got string'), ['spec.replicas']);
  });
});

describe('names that are not path segments', () => {
  const text = [
    'apiVersion: v1\nkind: Secret\nmetadata:\n  name: "."\n  namespace: prod',
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: ".."\n  namespace: prod',
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n  namespace: "../kube-system"',
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "a%2Fb"',
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n  namespace: prod',
  ].join('\n---\n');
  const docs = splitManifests(text, 'bad.yaml');
  it('fail their document with the line of the field, and never reach a plan with an address', () => {
    assert.match(docs[0]!.error!.message, /metadata\.name "\." is not a valid name: it may not be "\."/);
    assert.equal(docs[0]!.error!.line, 4);
    assert.match(docs[1]!.error!.message, /metadata\.name "\.\." is not a valid name/);
    assert.match(docs[2]!.error!.message, /metadata\.namespace "\.\.\/kube-system" is not a valid namespace/);
    assert.equal(docs[2]!.error!.line, 17);
    assert.match(docs[3]!.error!.message, /may not contain "%"/);
    assert.equal(docs[4]!.error, undefined);
    const plan = planApply(docs, RESOURCES, { context: 'c', namespace: 'dflt' });
    assert.deepEqual(
      plan.filter((p) => p.ref).map((p) => p.ref!.name),
      ['fine'],
    );
  });
});

describe('planApply', () => {
  const plan = planApply(splitManifests(MULTI, 'm.yaml'), RESOURCES, { context: 'c', namespace: 'dflt' });
  it('orders Namespaces, then CRDs, then the rest, keeping file order otherwise', () => {
    assert.deepEqual(
      plan.filter((p) => p.ref).map((p) => p.kind),
      ['Namespace', 'CustomResourceDefinition', 'ConfigMap', 'Deployment', 'Gadget'],
    );
  });
  it('defaults the namespace of namespaced kinds only', () => {
    const deployment = plan.find((p) => p.kind === 'Deployment')!;
    assert.equal(deployment.ref!.namespace, 'dflt');
    assert.equal((deployment.body!.metadata as { namespace: string }).namespace, 'dflt');
    assert.equal(plan.find((p) => p.kind === 'Namespace')!.ref!.namespace, undefined);
    assert.equal(plan.find((p) => p.kind === 'ConfigMap')!.ref!.namespace, 'shop');
  });
  it('resolves kinds defined by a CRD of the batch, and fails unknown kinds', () => {
    const gadget = plan.find((p) => p.kind === 'Gadget')!;
    assert.equal(gadget.definedByCrd, 'gadgets.demo.example');
    assert.equal(gadget.ref!.plural, 'gadgets');
    const mystery = plan.find((p) => p.kind === 'Mystery')!;
    assert.match(mystery.error!.message, /unknown kind/);
    assert.equal(mystery.error!.line, 53);
  });
});

describe('conflicts, masking and the report', () => {
  it('reads fields and managers from a 409', () => {
    const body = JSON.stringify({
      kind: 'Status',
      code: 409,
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "other-tool" using v1: .data.color',
      details: {
        causes: [
          { reason: 'FieldManagerConflict', message: 'conflict with "other-tool" using v1', field: '.data.color' },
        ],
      },
    });
    const err = new KubeError('conflict', 'x', 409, { cause: { code: 409, body } });
    assert.deepEqual(conflictsOf(err), [{ field: 'data.color', manager: 'other-tool' }]);
  });
  it('masks Secret values in messages and previews', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'hunter22' } };
    assert.equal(maskSecretValues('bad value "hunter22"', secret), 'bad value "••••••"');
    const live = { ...secret, data: { password: Buffer.from('old-secret').toString('base64') }, stringData: undefined };
    const result = { ...secret, data: { password: Buffer.from('hunter22').toString('base64') }, stringData: undefined };
    const { left, right } = previewTexts(live, result);
    assert.ok(!left.includes('b2xk') && !right.includes('aHVudGVy'), `${left}\n${right}`);
    assert.match(right, /changed/);
  });
  it('summarises and names document, kind, name and line', () => {
    const docs = splitManifests(MULTI, 'm.yaml');
    const plan = planApply(docs, RESOURCES, { context: 'c', namespace: 'dflt' });
    const report: ApplyReport = {
      context: 'c',
      dryRun: false,
      results: plan.map((p) =>
        p.error
          ? { planned: p, status: 'failed', message: p.error.message, line: p.error.line }
          : { planned: p, status: p.kind === 'Namespace' ? 'unchanged' : 'created', line: p.doc.startLine },
      ),
    };
    assert.equal(summaryOf(report), 'Applied 4, unchanged 1, failed 3 on c');
    assert.ok(
      reportLines(report).includes('m.yaml:2 [document 1] Deployment dflt/web: created'),
      reportLines(report).join('\n'),
    );
  });
});
