import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock, TimerHandle } from '../../../src/core/common/clock';
import { silentLogger } from '../../../src/core/common/logger';
import type { ApiResource } from '../../../src/core/kube/discovery';
import { KubeError } from '../../../src/core/kube/errors';
import type { JsonTransport } from '../../../src/core/kube/transport';
import { MetricsService, notInstalledMessage, type MetricsSession } from '../../../src/core/metrics/metricsService';
import type { ConnectionState } from '../../../src/core/watch/clusterSession';

class FakeClock implements Clock {
  time = 0;
  private timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = { at: this.time + ms, fn, cancelled: false };
    this.timers.push(t);
    return { cancel: () => (t.cancelled = true) };
  }
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => !t.cancelled && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.time = next.at;
      next.cancelled = true;
      next.fn();
      await flush();
    }
    this.time = end;
    await flush();
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

const METRICS_PODS: ApiResource = {
  group: 'metrics.k8s.io',
  version: 'v1beta1',
  plural: 'pods',
  kind: 'PodMetrics',
  namespaced: true,
  verbs: ['get', 'list'],
  shortNames: [],
};
const PODS: ApiResource = { ...METRICS_PODS, group: '', version: 'v1', kind: 'Pod', verbs: ['list', 'watch'] };

/** A transport that answers metrics paths from a function and records every path asked. */
class FakeTransport implements JsonTransport {
  readonly paths: string[] = [];
  constructor(public answer: (path: string) => unknown) {}
  getJson<T>(path: string): Promise<T> {
    this.paths.push(path);
    try {
      return Promise.resolve(this.answer(path) as T);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

const podList = (ns: string, names: string[], cpu = '5000000n'): unknown => ({
  items: names.map((name) => ({
    metadata: { name, namespace: ns },
    containers: [{ name: 'c', usage: { cpu, memory: '16Mi' } }],
  })),
});

function setup(resources: ApiResource[], answer: (path: string) => unknown, refreshMs = 15_000) {
  const clock = new FakeClock();
  const transport = new FakeTransport(answer);
  const connection: ConnectionState = { state: 'connected', version: 'v1.36.1', resources };
  const session: MetricsSession = { client: transport, connectionState: connection };
  const service = new MetricsService({
    sessions: { get: () => session },
    log: silentLogger,
    refreshMs: () => refreshMs,
    clock,
  });
  const changes: string[] = [];
  service.onDidChange(({ scope }) => changes.push(scope.kind === 'nodes' ? 'nodes' : (scope.namespace ?? '*')));
  return { clock, transport, service, changes };
}

describe('MetricsService', () => {
  it('without metrics.k8s.io in discovery: absent at once, says so, and sends nothing ever', async () => {
    const { clock, transport, service } = setup([PODS], () => {
      throw new Error('no request expected');
    });
    service.hold('folder', 'ctx', { kind: 'pods', namespace: 'demo' });
    assert.deepEqual(service.availability('ctx'), { state: 'absent', message: notInstalledMessage('ctx') });
    assert.equal(notInstalledMessage('ctx'), 'metrics-server is not installed on ctx: CPU/memory not shown');
    await clock.advance(120_000);
    assert.equal(transport.paths.length, 0);
    await assert.rejects(service.read('ctx', { kind: 'nodes' }), /not installed on ctx/);
    assert.equal(transport.paths.length, 0);
  });

  it('reads held scopes once per interval, one request per namespace (not per pod), and stops when released', async () => {
    const { clock, transport, service, changes } = setup([PODS, METRICS_PODS], () => podList('demo', ['a', 'b', 'c']));
    service.hold('folder', 'ctx', { kind: 'pods', namespace: 'demo' });
    service.hold('deployment', 'ctx', { kind: 'pods', namespace: 'demo' });
    await flush();
    assert.deepEqual(transport.paths, ['/apis/metrics.k8s.io/v1beta1/namespaces/demo/pods']);
    assert.equal(service.availability('ctx').state, 'present');
    assert.equal(service.podUsage('ctx', 'demo', 'b')?.cpu, 5);
    assert.deepEqual(changes, ['demo']);
    await clock.advance(15_000);
    assert.equal(transport.paths.length, 2);
    await clock.advance(30_000);
    assert.equal(transport.paths.length, 4);
    service.release('folder');
    await clock.advance(15_000);
    assert.equal(transport.paths.length, 5); // still held by the deployment
    service.release('deployment');
    await clock.advance(60_000);
    assert.equal(transport.paths.length, 5);
    assert.equal(clock.pending, 0);
  });

  it('an all-namespaces scope covers the namespaces: one request per round', async () => {
    const { clock, transport, service } = setup([METRICS_PODS], () => podList('demo', ['a']));
    service.hold('all', 'ctx', { kind: 'pods' });
    service.hold('ns', 'ctx', { kind: 'pods', namespace: 'demo' });
    await flush();
    assert.deepEqual(transport.paths, ['/apis/metrics.k8s.io/v1beta1/pods']);
    await clock.advance(15_000);
    assert.deepEqual(transport.paths.slice(1), ['/apis/metrics.k8s.io/v1beta1/pods']);
    assert.equal(service.podUsage('ctx', 'demo', 'a')?.memory, 16 * 2 ** 20);
  });

  it('reads nothing while no view is visible, and what went stale when one is again', async () => {
    const { clock, transport, service } = setup([METRICS_PODS], () => ({ items: [] }));
    service.setVisible('tree', true);
    service.hold('nodes', 'ctx', { kind: 'nodes' });
    await flush();
    assert.equal(transport.paths.length, 1);
    service.setVisible('tree', false);
    await clock.advance(120_000);
    assert.equal(transport.paths.length, 1);
    service.setVisible('top', true); // another view shows them
    await flush();
    assert.equal(transport.paths.length, 2);
    assert.equal(transport.paths[1], '/apis/metrics.k8s.io/v1beta1/nodes');
  });

  for (const [status, kind, message] of [
    [404, 'notFound', /metrics-server is not installed on ctx: CPU\/memory not shown/],
    [503, 'server', /metrics-server is not available on ctx .*503/],
    [403, 'forbidden', /CPU\/memory not shown on ctx: .*forbidden/],
  ] as const) {
    it(`a ${status} from the first read: said once, remembered, never polled again`, async () => {
      let served = true;
      const { clock, transport, service } = setup([METRICS_PODS], () => {
        if (served) return podList('demo', ['a']);
        throw new KubeError(kind, `Reading metrics failed: forbidden (HTTP ${status})`, status);
      });
      let said = 0;
      service.onDidChangeAvailability(() => said++);
      service.hold('folder', 'ctx', { kind: 'pods', namespace: 'demo' });
      await flush();
      assert.equal(service.availability('ctx').state, 'present');
      served = false; // the APIService is deleted, or metrics-server stops
      await clock.advance(15_000);
      const availability = service.availability('ctx');
      assert.ok(availability.state === 'absent' || availability.state === 'failed');
      assert.match(availability.message, message);
      assert.equal(service.podUsage('ctx', 'demo', 'a'), undefined); // old numbers are not shown as current
      const after = transport.paths.length;
      await clock.advance(300_000);
      service.hold('other', 'ctx', { kind: 'nodes' });
      await clock.advance(300_000);
      assert.equal(transport.paths.length, after);
      assert.equal(said, 2); // present, then absent: once each
    });
  }

  it('transient failures (unreachable, 500) are retried on the next round', async () => {
    let fail = true;
    const { clock, transport, service } = setup([METRICS_PODS], () => {
      if (fail) throw new KubeError('unreachable', 'connection refused');
      return { items: [] };
    });
    service.hold('nodes', 'ctx', { kind: 'nodes' });
    await flush();
    assert.equal(service.availability('ctx').state, 'unknown');
    fail = false;
    await clock.advance(15_000);
    assert.equal(transport.paths.length, 2);
    assert.equal(service.availability('ctx').state, 'present');
  });

  it('refreshSeconds 0: off, nothing read, nothing said', async () => {
    const { clock, transport, service } = setup([PODS], () => ({ items: [] }), 0);
    service.hold('folder', 'ctx', { kind: 'pods' });
    await clock.advance(60_000);
    assert.equal(transport.paths.length, 0);
    assert.equal(service.availability('ctx').state, 'unknown');
  });
});
