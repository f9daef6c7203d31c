import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestOptions } from '../../../src/core/kube/clusterClient';
import { toKubeError } from '../../../src/core/kube/errors';
import type { JsonTransport } from '../../../src/core/kube/transport';
import type { KubeObject } from '../../../src/core/resources/kubeObject';
import type { ObjectRef } from '../../../src/core/resources/objectRef';
import { undo } from '../../../src/core/rollout/rolloutApi';

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
    const server: JsonTransport = {
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
