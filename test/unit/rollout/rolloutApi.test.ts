import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestOptions } from '../../../src/core/kube/clusterClient';
import { toKubeError } from '../../../src/core/kube/errors';
import type { ObjectTransport } from '../../../src/core/objects/objectApi';
import type { KubeObject } from '../../../src/core/resources/manifestDocument';
import type { ObjectRef } from '../../../src/core/resources/objectRef';
import { followRollout, undo } from '../../../src/core/rollout/rolloutApi';

const ref: ObjectRef = {
  context: 'kwb-admin',
  group: 'apps',
  version: 'v1',
  plural: 'deployments',
  kind: 'Deployment',
  namespace: 'demo',
  name: 'web',
};

function deployment(status: Record<string, unknown>, generation = 2): KubeObject {
  return {
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'demo', uid: 'd-1', resourceVersion: '10', generation },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.28' }] },
      },
    },
    status: { observedGeneration: 2, ...status },
  };
}

/** Answers GETs of the deployment from a script of states, pods and events from fixed lists. */
class Scripted implements ObjectTransport {
  calls: { path: string; options: RequestOptions }[] = [];
  constructor(
    private readonly states: KubeObject[],
    private readonly pods: KubeObject[] = [],
  ) {}
  getJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
    this.calls.push({ path, options });
    if (path.endsWith('/deployments/web')) {
      const next = this.states.length > 1 ? this.states.shift() : this.states[0];
      return Promise.resolve(next as T);
    }
    if (path.endsWith('/pods')) return Promise.resolve({ items: this.pods } as T);
    if (path.endsWith('/events')) {
      return Promise.resolve({ items: [{ reason: 'Failed', message: 'pull access denied for nginx:9' }] } as T);
    }
    return Promise.reject(toKubeError({ code: 404, body: '{}' }, 'reading'));
  }
}

const noSleep = (): Promise<void> => Promise.resolve();

describe('following a rollout', () => {
  it('reports each state and ends in success', async () => {
    const server = new Scripted([
      deployment({ updatedReplicas: 1, replicas: 2 }),
      deployment({ updatedReplicas: 2, replicas: 2, availableReplicas: 1 }),
      deployment({ updatedReplicas: 2, replicas: 2, availableReplicas: 2, readyReplicas: 2 }),
    ]);
    const seen: string[] = [];
    const outcome = await followRollout(server, ref, {
      sleep: noSleep,
      onUpdate: (s) => seen.push(s.status.message),
    });
    assert.deepEqual(outcome, { outcome: 'done', message: 'deployment "web" successfully rolled out' });
    assert.deepEqual(seen, [
      'Waiting for deployment "web" rollout to finish: 1 out of 2 new replicas have been updated...',
      'Waiting for deployment "web" rollout to finish: 1 of 2 updated replicas are available...',
      'deployment "web" successfully rolled out',
    ]);
  });

  it('fails on an exceeded progress deadline, naming the failing pods and their events', async () => {
    const failing: KubeObject = {
      metadata: { name: 'web-abc', uid: 'p-1' },
      status: {
        phase: 'Pending',
        containerStatuses: [{ name: 'nginx', state: { waiting: { reason: 'ImagePullBackOff' } } }],
      },
    };
    const server = new Scripted(
      [
        deployment({
          updatedReplicas: 1,
          conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
        }),
      ],
      [failing],
    );
    const outcome = await followRollout(server, ref, { sleep: noSleep });
    assert.equal(outcome.outcome, 'failed');
    assert.equal(outcome.message, 'deployment "web" exceeded its progress deadline');
    assert.deepEqual(outcome.outcome === 'failed' ? outcome.failingPods : [], [
      { name: 'web-abc', problem: 'nginx: ImagePullBackOff', events: ['Failed: pull access denied for nginx:9'] },
    ]);
  });

  it('times out, and can be cancelled', async () => {
    let now = 0;
    const stuck = new Scripted([deployment({ updatedReplicas: 0 })]);
    const timedOut = await followRollout(stuck, ref, {
      timeoutMs: 5_000,
      now: () => now,
      sleep: (ms) => {
        now += ms;
        return Promise.resolve();
      },
    });
    assert.equal(timedOut.outcome, 'timeout');
    assert.match(timedOut.message, /^timed out waiting for the condition \(5 s\): Waiting for deployment "web"/);

    const abort = new AbortController();
    const cancelled = await followRollout(new Scripted([deployment({ updatedReplicas: 0 })]), ref, {
      signal: abort.signal,
      sleep: () => {
        abort.abort();
        return Promise.resolve();
      },
    });
    assert.equal(cancelled.outcome, 'cancelled');
  });
});

describe('undo', () => {
  it('turns a 409 on the patch into a conflict that says nothing was changed', async () => {
    const owner = deployment({});
    const rs = (revision: number, image: string): KubeObject => ({
      metadata: {
        name: `web-${revision}`,
        ownerReferences: [{ uid: 'd-1' }],
        annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      },
      spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image }] } } },
    });
    const server: ObjectTransport = {
      getJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
        if (options.method === 'PATCH') {
          return Promise.reject(toKubeError({ code: 409, body: '{"message":"the object has been modified"}' }, 'x'));
        }
        if (path.endsWith('/replicasets')) {
          return Promise.resolve({ items: [rs(1, 'nginx:1.27'), rs(2, 'nginx:1.28')] } as T);
        }
        return Promise.resolve(owner as T);
      },
    };
    await assert.rejects(undo(server, ref), (err: Error) => {
      assert.match(err.message, /changed by someone else while the rollback was prepared; nothing was changed/);
      return true;
    });
  });
});
