import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { age, describeObject } from '../../../src/core/resources/describe';

const now = Date.parse('2026-01-01T12:00:00Z');

describe('describe', () => {
  it('prints key fields, conditions and events', () => {
    const text = describeObject(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: 'web',
          namespace: 'demo',
          creationTimestamp: '2026-01-01T11:00:00Z',
          labels: { app: 'web' },
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{…}' },
        },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } },
        },
        status: {
          readyReplicas: 2,
          conditions: [
            {
              type: 'Available',
              status: 'True',
              reason: 'MinimumReplicasAvailable',
              lastTransitionTime: '2026-01-01T11:58:00Z',
              message: 'ok',
            },
          ],
        },
      },
      [
        {
          type: 'Normal',
          reason: 'ScalingReplicaSet',
          message: 'Scaled up to 2',
          count: 3,
          firstTimestamp: '2026-01-01T11:00:00Z',
          lastTimestamp: '2026-01-01T11:59:00Z',
          source: { component: 'deployment-controller' },
        },
      ],
      { context: 'kwb-admin', now },
    );
    assert.match(text, /^Name: +web$/m);
    assert.match(text, /^Kind: +Deployment \(apps\/v1\)$/m);
    assert.match(text, /^Created: +2026-01-01T11:00:00Z \(60m ago\)$/m);
    assert.match(text, /^Replicas: +2 desired \| 0 updated \| 2 ready \| 0 available$/m);
    assert.match(text, /^Images: +nginx: nginx:1$/m);
    assert.ok(!text.includes('last-applied'));
    assert.match(
      text,
      /^Conditions:\n {2}TYPE +STATUS +REASON +AGE +MESSAGE\n {2}Available +True +MinimumReplicasAvailable +2m +ok$/m,
    );
    assert.match(
      text,
      /^Events:\n {2}TYPE +REASON +AGE +FROM +MESSAGE\n {2}Normal +ScalingReplicaSet +60s \(x3 over 60m\) +deployment-controller +Scaled up to 2$/m,
    );
  });

  it('never prints Secret values, and says why events are missing', () => {
    const text = describeObject(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's' },
        type: 'Opaque',
        data: { password: Buffer.from('s3cr3t').toString('base64') },
      },
      { error: 'forbidden' },
      { context: 'c', now },
    );
    assert.ok(!text.includes('s3cr3t') && !text.includes(Buffer.from('s3cr3t').toString('base64')));
    assert.match(text, /password +6 bytes/);
    assert.match(text, /Events:\n {2}could not be read: forbidden/);
  });

  it('prints ages like kubectl', () => {
    assert.equal(age('2026-01-01T11:59:30Z', now), '30s');
    assert.equal(age('2026-01-01T09:00:00Z', now), '3h');
    assert.equal(age('2025-12-30T13:00:00Z', now), '47h');
    assert.equal(age('2025-12-01T12:00:00Z', now), '31d');
    assert.equal(age(undefined, now), '-');
  });
});
