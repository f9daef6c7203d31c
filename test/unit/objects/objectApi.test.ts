import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestOptions } from '../../../src/core/kube/clusterClient';
import { toKubeError } from '../../../src/core/kube/errors';
import { replaceObject } from '../../../src/core/objects/objectApi';
import { type JsonTransport } from '../../../src/core/kube/transport';
import type { KubeObject } from '../../../src/core/resources/kubeObject';
import type { ObjectRef } from '../../../src/core/resources/objectRef';

const ref: ObjectRef = {
  context: 'kwb-admin',
  group: '',
  version: 'v1',
  plural: 'configmaps',
  namespace: 'demo',
  name: 'web',
};

/**
 * An in-process stand-in for the API server, only for the race a real server will not produce on cue: another
 * writer changing the object between our read and our write. Saving, conflicts seen on read, delete and describe
 * run against the real local control plane in test/integration/documents.test.ts.
 */
class FakeServer implements JsonTransport {
  calls: { path: string; options: RequestOptions }[] = [];
  beforePut?: () => void;
  constructor(public object: KubeObject | undefined) {}

  getJson<T>(path: string, options: RequestOptions = {}, what = 'request'): Promise<T> {
    this.calls.push({ path, options });
    const fail = (code: number, message: string): Promise<T> =>
      Promise.reject(toKubeError({ code, body: JSON.stringify({ kind: 'Status', message }) }, what));
    if (path.includes('/events')) return Promise.resolve({ items: [] } as T);
    if (!this.object) return fail(404, 'not found');
    switch (options.method ?? 'GET') {
      case 'GET':
        return Promise.resolve(structuredClone(this.object) as T);
      case 'PUT': {
        this.beforePut?.();
        const body = JSON.parse(options.body ?? '{}') as KubeObject;
        if (body.metadata?.resourceVersion !== this.object.metadata?.resourceVersion) {
          return fail(409, 'the object has been modified');
        }
        const next = Number(this.object.metadata?.resourceVersion) + 1;
        this.object = { ...body, metadata: { ...body.metadata, resourceVersion: String(next) } };
        return Promise.resolve(structuredClone(this.object) as T);
      }
      case 'DELETE':
        this.object = undefined;
        return Promise.resolve({} as T);
      default:
        return fail(405, 'no');
    }
  }

  bump(data: Record<string, string>): void {
    const rv = Number(this.object?.metadata?.resourceVersion) + 1;
    this.object = { ...this.object, data, metadata: { ...this.object?.metadata, resourceVersion: String(rv) } };
  }
}

function stored(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'web', namespace: 'demo', resourceVersion: '10', uid: 'u1' },
    data: { a: '1' },
    status: { kept: true },
  };
}

describe('saving an edited object', () => {
  it('turns a 409 from a change between the read and the write into a conflict', async () => {
    const server = new FakeServer(stored());
    server.beforePut = () => {
      server.beforePut = undefined;
      server.bump({ a: 'raced' });
    };
    const edited = { ...stored(), data: { a: 'mine' } };
    const result = await replaceObject(server, ref, edited);
    assert.equal(result.kind, 'conflict');
    assert.deepEqual(server.object?.data, { a: 'raced' });
  });
});
