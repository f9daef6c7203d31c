// Apply against a scripted HTTP server: only for the faults a real API server will not produce on cue (an
// admission webhook refusing, the server going away in the middle of an apply). The normal paths are tested
// against the real local control plane in the integration suite (test/integration/apply.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { scriptedClient, scriptedServer } from '../../fakes/scriptedServer';
import type { ClusterClient } from '../../../src/core/kube/clusterClient';
import { splitManifests } from '../../../src/core/apply/manifestFiles';
import { planApply } from '../../../src/core/apply/applyPlan';
import { applyPlanned, deletePlanned, reportLines } from '../../../src/core/apply/serverSideApply';
import type { ApiResource } from '../../../src/core/kube/discovery';

const client = (server: string): ClusterClient => scriptedClient(server, { timeoutMs: 2_000 });

const RESOURCES: ApiResource[] = [
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, verbs: [], shortNames: [] },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, verbs: [], shortNames: [] },
];

const configMaps = (n: number): string =>
  Array.from({ length: n }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n`).join('---\n');

function status(res: ServerResponse, code: number, message: string, reason = 'BadRequest'): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message }));
}

describe('apply faults (scripted server)', () => {
  it('reports an admission webhook refusal on its document, with Secret values masked, and applies the rest', async () => {
    const server = await scriptedServer((req, url, res, body) => {
      if (req.method === 'GET') return status(res, 404, 'not found', 'NotFound');
      const obj = JSON.parse(body) as { kind: string; metadata: { name: string }; stringData?: { token: string } };
      if (obj.kind === 'Secret') {
        return status(
          res,
          400,
          `admission webhook "policy.example.com" denied the request: token "${obj.stringData?.token}" is too weak`,
        );
      }
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ...obj, metadata: { ...obj.metadata, resourceVersion: '5' } }));
    });
    try {
      const text = `${configMaps(1)}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  token: hunter2-weak\n`;
      const plan = planApply(splitManifests(text, 'x.yaml'), RESOURCES, { context: 'test', namespace: 'ns' });
      const report = await applyPlanned(client(server.url), plan, 'test');
      assert.deepEqual(
        report.results.map((r) => r.status),
        ['failed', 'created'],
      );
      const secret = report.results[0]!;
      assert.match(secret.message ?? '', /admission webhook "policy.example.com" denied the request/);
      assert.doesNotMatch(secret.message ?? '', /hunter2-weak/);
      assert.equal(secret.line, 6);
      assert.doesNotMatch(reportLines(report).join('\n'), /hunter2-weak/);
    } finally {
      await server.close();
    }
  });

  it('reports nothing as applied that the server did not answer, when it goes away mid-apply', async () => {
    let patches = 0;
    const server = await scriptedServer((req, url, res, body) => {
      if (req.method === 'GET') return status(res, 404, 'not found', 'NotFound');
      patches++;
      if (patches > 3) {
        req.socket.destroy(); // the server is gone: no answer
        return;
      }
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ...JSON.parse(body), metadata: { name: 'x', resourceVersion: '1' } }));
    });
    try {
      const plan = planApply(splitManifests(configMaps(20), 'x.yaml'), RESOURCES, { context: 'test', namespace: 'ns' });
      const report = await applyPlanned(client(server.url), plan, 'test', { concurrency: 1 });
      const counts = new Map<string, number>();
      for (const r of report.results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
      assert.equal(counts.get('created'), 3, JSON.stringify([...counts]));
      assert.equal(counts.get('failed'), 1);
      assert.equal(counts.get('skipped'), 16);
      assert.match(report.results[3]?.message ?? '', /not applied/i);
      assert.match(report.results[4]?.message ?? '', /not applied: context "test" stopped answering/);
    } finally {
      await server.close();
    }
  });
  it('deletes only the object it read: the uid of a GET is the precondition, a replaced object is refused', async () => {
    // The race a real server will not produce on cue: the object is deleted and created again between our read
    // and our delete. The server then has a different uid and refuses the precondition with 409.
    const deletes: { path: string; body: string }[] = [];
    const server = await scriptedServer((req, url, res, body) => {
      const name = url.pathname.split('/').pop() ?? '';
      if (req.method === 'GET') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ kind: 'ConfigMap', metadata: { name, uid: `uid-of-${name}-as-read` } }));
      }
      deletes.push({ path: url.pathname, body });
      const sent = (JSON.parse(body) as { preconditions?: { uid?: string } }).preconditions?.uid;
      if (name === 'cm-1') {
        return status(
          res,
          409,
          `Precondition failed: UID in precondition: ${sent}, UID in object meta: uid-of-a-new-cm-1`,
          'Conflict',
        );
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', status: 'Success' }));
    });
    try {
      const plan = planApply(splitManifests(configMaps(2), 'x.yaml'), RESOURCES, { context: 'test', namespace: 'ns' });
      const report = await deletePlanned(client(server.url), plan, 'test');
      assert.deepEqual(
        report.results.map((r) => r.status),
        ['deleted', 'failed'],
      );
      assert.match(report.results[1]!.message ?? '', /replaced \(deleted and created again\) after it was read/);
      assert.deepEqual(
        deletes.map((d) => [d.path, (JSON.parse(d.body) as { preconditions: { uid: string } }).preconditions.uid]),
        [
          ['/api/v1/namespaces/ns/configmaps/cm-1', 'uid-of-cm-1-as-read'],
          ['/api/v1/namespaces/ns/configmaps/cm-0', 'uid-of-cm-0-as-read'],
        ],
      );
    } finally {
      await server.close();
    }
  });
});
