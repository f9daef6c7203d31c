import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verdictOf } from '../../../src/core/nodes/drain';
import type { KubeObject } from '../../../src/core/resources/kubeObject';

const pod = (extra: { owner?: string; phase?: string; mirror?: boolean; emptyDir?: boolean }): KubeObject => ({
  metadata: {
    name: 'p',
    namespace: 'ns',
    ownerReferences: extra.owner ? [{ kind: extra.owner, name: 'o', controller: true }] : undefined,
    annotations: extra.mirror ? { 'kubernetes.io/config.mirror': 'x' } : undefined,
  },
  spec: { volumes: extra.emptyDir ? [{ name: 'scratch', emptyDir: {} }] : [] },
  status: { phase: extra.phase ?? 'Running' },
});

describe('what a drain does with each pod (kubectl drain filters)', () => {
  it('evicts pods a controller manages', () => {
    assert.equal(verdictOf(pod({ owner: 'ReplicaSet' })).action, 'evict');
  });
  it('leaves DaemonSet and mirror pods alone', () => {
    assert.match(JSON.stringify(verdictOf(pod({ owner: 'DaemonSet' }))), /skip.*DaemonSet/);
    assert.match(JSON.stringify(verdictOf(pod({ mirror: true, owner: 'ReplicaSet' }))), /skip.*mirror/);
  });
  it('asks before evicting unmanaged pods and emptyDir data, unless told', () => {
    assert.deepEqual(verdictOf(pod({})), {
      action: 'needsConsent',
      consent: 'force',
      reason: 'no controller manages it: once evicted it does not come back',
    });
    assert.equal(verdictOf(pod({}), { force: true }).action, 'evict');
    const scratch = pod({ owner: 'ReplicaSet', emptyDir: true });
    assert.match(JSON.stringify(verdictOf(scratch)), /"needsConsent".*"deleteEmptyDirData"/);
    assert.equal(verdictOf(scratch, { deleteEmptyDirData: true }).action, 'evict');
  });
  it('evicts finished pods whatever owns them', () => {
    assert.equal(verdictOf(pod({ phase: 'Succeeded' })).action, 'evict');
  });
});
