import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileRowFilter, matchesFilter, selects, toRow } from '../../../src/core/resources/rows';
import { catalogEntry } from '../../../src/core/resources/catalog';

const pod = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  metadata: { name, namespace: 'demo', uid: `uid-${name}`, labels: { app: 'web', tier: 'front' }, ...extra },
  spec: { nodeName: 'kwok-node-0', containers: [{ name: 'a' }, { name: 'b' }] },
  status: {
    phase: 'Running',
    containerStatuses: [
      { name: 'a', ready: true, restartCount: 2 },
      { name: 'b', ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } },
    ],
  },
});

describe('toRow', () => {
  it('summarises a pod like kubectl: the waiting reason, ready count and restarts', () => {
    const row = toRow('Pod', pod('web-1', { ownerReferences: [{ uid: 'rs-1' }] }));
    assert.ok(row);
    assert.equal(row.status, 'CrashLoopBackOff 1/2 · 3 restarts');
    assert.equal(row.health, 'error');
    assert.deepEqual(row.ownerUids, ['rs-1']);
    assert.equal(row.nodeName, 'kwok-node-0');
  });

  it('summarises a paused deployment and a NotReady node', () => {
    const deployment = toRow('Deployment', {
      metadata: { name: 'web', uid: 'd1' },
      spec: { replicas: 3, paused: true, selector: { matchLabels: { app: 'web' } } },
      status: { readyReplicas: 1 },
    });
    assert.equal(deployment?.status, '1/3 ready · paused');
    assert.deepEqual(deployment?.selector, { app: 'web' });
    const node = toRow('Node', {
      metadata: { name: 'n', uid: 'n1' },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    });
    assert.equal(node?.status, 'NotReady');
    assert.equal(node?.health, 'error');
  });

  it('skips objects without uid or name', () => {
    assert.equal(toRow('Pod', { metadata: { name: 'x' } }), undefined);
  });
});

describe('filters and selectors', () => {
  const row = toRow('Pod', pod('web-7f9c'))!;
  it('matches names case-insensitively and label selectors', () => {
    assert.ok(matchesFilter(row, 'WEB-7'));
    assert.ok(!matchesFilter(row, 'db'));
    assert.ok(matchesFilter(row, 'app=web'));
    assert.ok(matchesFilter(row, 'app=web,tier=front'));
    assert.ok(!matchesFilter(row, 'app=db'));
    assert.ok(matchesFilter(row, 'tier!=back'));
  });
  it('takes set-based selectors and says why a selector is not valid', () => {
    assert.ok(matchesFilter(row, 'app in (web,db)'));
    assert.ok(!matchesFilter(row, 'app notin (web)'));
    assert.ok(matchesFilter(row, '!canary'));
    assert.ok(!matchesFilter(row, '!app'));
    const bad = compileRowFilter('app=(web');
    assert.match(bad.error ?? '', /not valid/);
    assert.equal(bad.matches(row), false);
    assert.equal(compileRowFilter('  ').matches(row), true);
  });
  it('selects pods the way a Service does; an empty selector selects nothing', () => {
    assert.ok(selects({ app: 'web' }, row.labels));
    assert.ok(!selects({ app: 'web', tier: 'back' }, row.labels));
    assert.ok(!selects({}, row.labels));
  });
});

describe('catalogEntry', () => {
  const r = (group: string, plural: string, kind: string, verbs = ['list', 'watch', 'get']) => ({
    group,
    plural,
    kind,
    verbs,
  });
  it('groups built-in kinds and puts CRDs under Custom Resources, leaves out internals', () => {
    assert.equal(catalogEntry(r('apps', 'deployments', 'Deployment'))?.category, 'Workloads');
    assert.equal(catalogEntry(r('', 'secrets', 'Secret'))?.category, 'Config');
    assert.equal(catalogEntry(r('coordination.k8s.io', 'leases', 'Lease')), undefined);
    assert.equal(catalogEntry(r('example.kwb.dev', 'widgets', 'Widget'))?.category, 'Custom Resources');
    assert.equal(catalogEntry(r('gateway.networking.k8s.io', 'gateways', 'Gateway'))?.category, 'Custom Resources');
    assert.equal(catalogEntry(r('', 'bindings', 'Binding', ['create'])), undefined, 'not listable');
  });
});
