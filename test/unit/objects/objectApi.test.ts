import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestOptions } from '../../../src/core/kube/clusterClient';
import { toKubeError } from '../../../src/core/kube/errors';
import {
  deleteObject,
  describeText,
  replaceObject,
  saveEditedText,
  type ObjectTransport,
} from '../../../src/core/objects/objectApi';
import { toEditableText, type KubeObject } from '../../../src/core/resources/manifestDocument';
import type { ObjectRef } from '../../../src/core/resources/objectRef';

const ref: ObjectRef = {
  context: 'kwb-admin',
  group: '',
  version: 'v1',
  plural: 'configmaps',
  namespace: 'demo',
  name: 'web',
};

/** A fake API server holding one object, with the optimistic concurrency of the real one. */
class FakeServer implements ObjectTransport {
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
  it('replaces with the resourceVersion it read, keeping hidden fields', async () => {
    const server = new FakeServer(stored());
    const text = toEditableText(stored(), { mode: 'edit' }).replace(/a: ["']1["']/, "a: '2'");
    const result = await saveEditedText(server, ref, text, 'edit', { kind: 'ConfigMap' });
    assert.equal(result.kind, 'saved');
    assert.deepEqual(server.object?.data, { a: '2' });
    assert.deepEqual(server.object?.status, { kept: true });
    assert.equal(server.object?.metadata?.resourceVersion, '11');
    const put = server.calls.find((c) => c.options.method === 'PUT');
    assert.equal(put?.path, '/api/v1/namespaces/demo/configmaps/web');
    assert.equal(put?.options.contentType, 'application/json');
  });

  it('reports a change made by someone else as a conflict and writes nothing', async () => {
    const server = new FakeServer(stored());
    const text = toEditableText(stored(), { mode: 'edit' }).replace(/a: ["']1["']/, "a: 'mine'");
    server.bump({ a: 'theirs' });
    const result = await saveEditedText(server, ref, text, 'edit');
    assert.equal(result.kind, 'conflict');
    assert.ok(result.kind === 'conflict' && result.current.metadata?.resourceVersion === '11' && result.base === '10');
    assert.deepEqual(server.object?.data, { a: 'theirs' });
    assert.ok(!server.calls.some((c) => c.options.method === 'PUT'));
  });

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

  it('reports an object deleted meanwhile', async () => {
    const server = new FakeServer(undefined);
    const result = await replaceObject(server, ref, stored());
    assert.equal(result.kind, 'deleted');
  });

  it('lets the caller map the base version (after its own earlier save)', async () => {
    const server = new FakeServer(stored());
    server.bump({ a: 'saved by us' });
    const text = toEditableText(stored(), { mode: 'edit' });
    const result = await saveEditedText(server, ref, text, 'edit', { baseVersion: (v) => (v === '10' ? '11' : v) });
    assert.equal(result.kind, 'saved');
  });
});

describe('delete and describe', () => {
  it('deletes in the background, only the object seen', async () => {
    const server = new FakeServer(stored());
    await deleteObject(server, ref, 'u1');
    const call = server.calls[0]!;
    assert.equal(call.options.method, 'DELETE');
    assert.deepEqual(JSON.parse(call.options.body ?? ''), {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Background',
      preconditions: { uid: 'u1' },
    });
  });

  it('describes with the events of the object by uid', async () => {
    const server = new FakeServer(stored());
    const text = await describeText(server, ref, Date.parse('2026-01-01T00:00:00Z'));
    assert.match(text, /^Name: +web$/m);
    assert.match(text, /^Events:\n {2}<none>$/m);
    const events = server.calls.find((c) => c.path.includes('/events'));
    assert.equal(events?.path, '/api/v1/namespaces/demo/events');
    assert.equal(events?.options.query?.fieldSelector, 'involvedObject.uid=u1');
  });
});
