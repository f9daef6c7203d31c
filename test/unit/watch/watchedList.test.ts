// WatchedList against a scripted HTTP server: only for the protocol faults a real API server will not produce
// on cue (410 in the middle of a watch, a dropped or silent connection, 429, 403). The normal list/watch path
// is tested against the real local control plane in the integration suite.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { scriptedClient, scriptedServer } from '../../fakes/scriptedServer';
import { until } from '../../fakes/until';
import type { ClusterClient } from '../../../src/core/kube/clusterClient';
import { WatchedList } from '../../../src/core/watch/watchedList';
import { type KubeObject } from '../../../src/core/resources/kubeObject';
import { type Transport } from '../../../src/core/kube/transport';
import { toRow, type ResourceRow } from '../../../src/core/resources/rows';
import { silentLogger } from '../../../src/core/common/logger';

const client = (server: string): ClusterClient => scriptedClient(server);

const pod = (name: string, rv: string): KubeObject => ({
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: rv },
});
const event = (type: string, object: unknown): string => `${JSON.stringify({ type, object })}\n`;

function watched(
  server: string,
  options: Partial<ConstructorParameters<typeof WatchedList>[4]> = {},
): WatchedList<ResourceRow> {
  return new WatchedList<ResourceRow>(
    client(server),
    '/api/v1/namespaces/ns/pods',
    (o) => toRow('Pod', o),
    'pods in ns',
    {
      log: silentLogger,
      pageSize: 2,
      backoff: { initialMs: 20, maxMs: 100, factor: 2, jitter: 0 },
      ...options,
    },
  );
}

describe('WatchedList', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('lists in pages, applies watch events, and relists once after 410 Gone mid-watch', async () => {
    let watchCount = 0;
    const server = await scriptedServer((_req, url, res) => {
      if (url.searchParams.get('watch')) {
        watchCount++;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        if (watchCount === 1) {
          res.write(event('ADDED', pod('c', '11')));
          res.write(event('MODIFIED', pod('a', '12')));
          res.write(event('DELETED', pod('b', '13')));
          setTimeout(
            () =>
              res.end(
                event('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' }),
              ),
            50,
          );
        }
        return; // the second watch stays open
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (url.searchParams.get('continue') === 'page2') {
        res.end(JSON.stringify({ metadata: { resourceVersion: '10' }, items: [pod('b', '9')] }));
      } else {
        res.end(JSON.stringify({ metadata: { resourceVersion: '10', continue: 'page2' }, items: [pod('a', '8')] }));
      }
    });
    cleanups.push(() => server.close());
    const list = watched(server.url);
    cleanups.push(() => list.dispose());
    list.start();
    await until(
      'the relist after 410 and a new watch',
      () => list.stats.lists === 2 && server.requests.filter((u) => u.searchParams.get('watch')).length === 2,
    );
    const listRequests = server.requests.filter((u) => !u.searchParams.get('watch'));
    assert.equal(listRequests[0]?.searchParams.get('limit'), '2');
    assert.equal(listRequests[1]?.searchParams.get('continue'), 'page2');
    const firstWatch = server.requests.find((u) => u.searchParams.get('watch'));
    assert.equal(firstWatch?.searchParams.get('resourceVersion'), '10', 'watch starts from the list resourceVersion');
    assert.equal(firstWatch?.searchParams.get('allowWatchBookmarks'), 'true');
    await until('ready', () => list.snapshot().state === 'ready');
    assert.deepEqual(
      list.snapshot().items.map((r) => r.name),
      ['a', 'b'],
      'after the relist the cache holds exactly what the list returned',
    );
  });

  it('resumes from the last resourceVersion after a dropped connection, without relisting', async () => {
    let watchCount = 0;
    const server = await scriptedServer((_req, url, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (!url.searchParams.get('watch')) {
        res.end(JSON.stringify({ metadata: { resourceVersion: '5' }, items: [pod('a', '5')] }));
        return;
      }
      watchCount++;
      if (watchCount === 1) {
        res.write(event('ADDED', pod('b', '6')));
        res.write(event('BOOKMARK', { metadata: { resourceVersion: '7' } }));
        setTimeout(() => res.socket?.destroy(), 30); // the connection drops
      }
    });
    cleanups.push(() => server.close());
    const list = watched(server.url);
    cleanups.push(() => list.dispose());
    list.start();
    const watches = (): URL[] => server.requests.filter((u) => u.searchParams.get('watch'));
    await until('a second watch request', () => watches().length === 2);
    assert.equal(watches()[1]?.searchParams.get('resourceVersion'), '7', 'resumes from the bookmark');
    assert.equal(list.stats.lists, 1, 'no relist');
    assert.deepEqual(
      list.snapshot().items.map((r) => r.name),
      ['a', 'b'],
    );
  });

  it('treats a silent watch as dead and resumes it', async () => {
    const server = await scriptedServer((_req, url, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (!url.searchParams.get('watch')) res.end(JSON.stringify({ metadata: { resourceVersion: '1' }, items: [] }));
      else res.flushHeaders(); // then nothing, ever
    });
    cleanups.push(() => server.close());
    const list = watched(server.url, { idleTimeoutMs: 150 });
    cleanups.push(() => list.dispose());
    list.start();
    await until('the watch to be reopened', () => list.stats.watches >= 2);
    assert.equal(list.stats.lists, 1);
  });

  it('waits for Retry-After on 429, then succeeds', async () => {
    let calls = 0;
    const server = await scriptedServer((_req, url, res) => {
      if (!url.searchParams.get('watch')) {
        calls++;
        if (calls === 1) {
          res.writeHead(429, { 'Retry-After': '1', 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ kind: 'Status', code: 429, message: 'too many requests' }));
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ metadata: { resourceVersion: '1' }, items: [pod('a', '1')] }));
        return;
      }
      res.writeHead(200).flushHeaders();
    });
    cleanups.push(() => server.close());
    const list = watched(server.url);
    cleanups.push(() => list.dispose());
    const started = Date.now();
    list.start();
    await until('retrying', () => list.snapshot().state === 'retrying');
    assert.equal(list.snapshot().error?.kind, 'tooManyRequests');
    await until('ready', () => list.snapshot().state === 'ready', 5_000);
    assert.ok(Date.now() - started >= 900, 'honoured Retry-After: 1');
  });

  it('does not retry 403: the folder shows why', async () => {
    const server = await scriptedServer((_req, _url, res) => {
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          code: 403,
          message: 'pods is forbidden: User "viewer" cannot list resource "pods"',
        }),
      );
    });
    cleanups.push(() => server.close());
    const list = watched(server.url);
    cleanups.push(() => list.dispose());
    list.start();
    await until('failed', () => list.snapshot().state === 'failed');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(server.requests.length, 1, 'one request, no retries');
    assert.match(list.snapshot().error?.message ?? '', /pods is forbidden.*\(HTTP 403\)/);
  });

  it('keeps snapshots in order through in-place changes, moves, and characters split across chunks', async () => {
    // Chunk boundaries are the transport's business: an in-memory transport cuts them where the test wants.
    let push: (chunk: Buffer) => void = () => undefined;
    const transport: Transport = {
      getJson: () => Promise.reject(new Error('not used')),
      getList: <T>(_path: string, _options: unknown, onItem: (item: unknown) => void) => {
        for (const item of [pod('b', '1'), pod('d', '1'), pod('a', '1')]) onItem(item);
        return Promise.resolve({ metadata: { resourceVersion: '1' }, items: [] } as T);
      },
      stream: (_path, options, onChunk) => {
        push = onChunk;
        return new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve()));
      },
    };
    const list = new WatchedList<ResourceRow>(transport, '/api/v1/pods', (o) => toRow('Pod', o), 'pods', {
      log: silentLogger,
    });
    cleanups.push(() => list.dispose());
    list.start();
    await until('ready', () => list.snapshot().state === 'ready');
    const before = list.snapshot().items;
    assert.deepEqual(
      before.map((r) => r.name),
      ['a', 'b', 'd'],
    );

    const labelled = { ...pod('b', '2'), metadata: { ...pod('b', '2').metadata, labels: { team: 'équipe' } } };
    const bytes = Buffer.from(event('MODIFIED', labelled));
    const cut = bytes.indexOf(Buffer.from('é')) + 1; // inside the two bytes of é
    push(bytes.subarray(0, cut));
    push(bytes.subarray(cut));
    const after = list.snapshot().items;
    assert.deepEqual(
      after.map((r) => r.name),
      ['a', 'b', 'd'],
    );
    assert.equal(after[1]?.labels?.team, 'équipe', 'the label decoded whole across the chunk boundary');
    assert.equal(before[1]?.labels, undefined, 'a snapshot already handed out is not changed');

    push(
      Buffer.from(event('ADDED', pod('c', '3')) + event('DELETED', pod('a', '4')) + event('MODIFIED', pod('d', '5'))),
    );
    assert.deepEqual(
      list.snapshot().items.map((r) => r.name),
      ['b', 'c', 'd'],
    );
    assert.equal(list.stats.lists, 1);
  });
});
