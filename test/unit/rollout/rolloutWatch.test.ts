// Following a rollout against a scripted HTTP server: only for the protocol faults a real API server will not
// produce on cue (410 Gone in the middle of the object's watch, a dropped connection). The normal path (restart,
// undo, set image to completion, the progress deadline, cancel) runs against the real local control plane in
// test/integration/rollouts.test.ts.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { scriptedClient, scriptedServer } from '../../fakes/scriptedServer';
import { silentLogger } from '../../../src/core/common/logger';
import type { KubeObject } from '../../../src/core/resources/kubeObject';
import type { ObjectRef } from '../../../src/core/resources/objectRef';
import { followRollout } from '../../../src/core/rollout/rolloutWatch';

const ref: ObjectRef = {
  context: 'test',
  group: 'apps',
  version: 'v1',
  plural: 'deployments',
  kind: 'Deployment',
  namespace: 'demo',
  name: 'web',
};

const OBJECT = '/apis/apps/v1/namespaces/demo/deployments/web';
const COLLECTION = '/apis/apps/v1/namespaces/demo/deployments';
const PODS = '/api/v1/namespaces/demo/pods';

function deployment(rv: string, status: Record<string, unknown>): KubeObject {
  return {
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'demo', uid: 'd-1', resourceVersion: rv, generation: 2 },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: {} },
    status: { observedGeneration: 2, replicas: 2, ...status },
  };
}
const rolling = (rv: string): KubeObject => deployment(rv, { updatedReplicas: 1 });
const halfway = (rv: string): KubeObject => deployment(rv, { updatedReplicas: 2, availableReplicas: 1 });
const complete = (rv: string): KubeObject =>
  deployment(rv, { updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 });

const event = (type: string, object: unknown): string => `${JSON.stringify({ type, object })}\n`;

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The pods of the workload: none, and a watch that stays open (the rollout status is what these tests script). */
function answerPods(url: URL, res: ServerResponse): boolean {
  if (url.pathname !== PODS) return false;
  if (url.searchParams.get('watch')) res.writeHead(200, { 'Content-Type': 'application/json' });
  else json(res, { metadata: { resourceVersion: '1' }, items: [] });
  return true;
}

const fast = { log: silentLogger, backoff: { initialMs: 20, maxMs: 100, factor: 2, jitter: 0 } };

describe('following a rollout by watching (protocol faults)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('watches from the read resourceVersion, relists once after 410 Gone mid-watch, and ends in success', async () => {
    let watches = 0;
    const server = await scriptedServer((_req, url, res) => {
      if (answerPods(url, res)) return;
      if (url.pathname === OBJECT) return json(res, rolling('10'));
      if (url.pathname !== COLLECTION) return void res.writeHead(404).end();
      if (!url.searchParams.get('watch')) {
        return json(res, { metadata: { resourceVersion: '20' }, items: [halfway('20')] });
      }
      watches++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (watches === 1) {
        res.write(event('MODIFIED', rolling('11')));
        setTimeout(
          () => res.end(event('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' })),
          30,
        );
      } else {
        setTimeout(() => res.write(event('MODIFIED', complete('21'))), 30);
      }
    });
    cleanups.push(() => server.close());
    const client = scriptedClient(server.url);
    cleanups.push(() => Promise.resolve(client.dispose()));
    const seen: string[] = [];
    const outcome = await followRollout(client, ref, { ...fast, onUpdate: (s) => seen.push(s.status.message) });
    assert.deepEqual(outcome, { outcome: 'done', message: 'deployment "web" successfully rolled out' });
    assert.deepEqual(seen, [
      'Waiting for deployment "web" rollout to finish: 1 out of 2 new replicas have been updated...',
      'Waiting for deployment "web" rollout to finish: 1 of 2 updated replicas are available...',
      'deployment "web" successfully rolled out',
    ]);
    const objectRequests = server.requests.filter((u) => u.pathname === OBJECT || u.pathname === COLLECTION);
    assert.deepEqual(
      objectRequests.map((u) =>
        [
          u.pathname === OBJECT ? 'get' : u.searchParams.get('watch') ? 'watch' : 'list',
          u.searchParams.get('fieldSelector'),
          u.searchParams.get('resourceVersion'),
        ].join(' '),
      ),
      [
        'get  ', // one read, then never again: no polling
        'watch metadata.name=web 10', // from the read's resourceVersion
        'list metadata.name=web ', // 410: one relist
        'watch metadata.name=web 20', // from the relist's resourceVersion
      ],
    );
  });

  it('resumes a dropped watch from the last resourceVersion without reading the object again', async () => {
    let watches = 0;
    const server = await scriptedServer((_req, url, res) => {
      if (answerPods(url, res)) return;
      if (url.pathname === OBJECT) return json(res, rolling('10'));
      if (url.pathname !== COLLECTION || !url.searchParams.get('watch')) return void res.writeHead(500).end();
      watches++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (watches === 1) {
        res.write(event('MODIFIED', halfway('12')));
        setTimeout(() => res.socket?.destroy(), 30); // the connection drops
      } else {
        setTimeout(() => res.write(event('MODIFIED', complete('13'))), 30);
      }
    });
    cleanups.push(() => server.close());
    const client = scriptedClient(server.url);
    cleanups.push(() => Promise.resolve(client.dispose()));
    const outcome = await followRollout(client, ref, fast);
    assert.equal(outcome.outcome, 'done', JSON.stringify(outcome));
    const watchVersions = server.requests
      .filter((u) => u.pathname === COLLECTION && u.searchParams.get('watch'))
      .map((u) => u.searchParams.get('resourceVersion'));
    assert.deepEqual(watchVersions, ['10', '12'], 'resumed from the last event seen');
    assert.equal(server.requests.filter((u) => u.pathname === OBJECT).length, 1, 'read once');
    assert.equal(
      server.requests.filter((u) => u.pathname === COLLECTION && !u.searchParams.get('watch')).length,
      0,
      'no relist',
    );
  });
});
