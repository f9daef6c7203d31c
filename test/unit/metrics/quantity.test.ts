import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  cpuMillis,
  formatCpu,
  formatMemory,
  memoryBytes,
  parseQuantity,
  percentOf,
  sumContainerResources,
} from '../../../src/core/resources/quantity';
import { toNodeUsage, toPodUsage } from '../../../src/core/metrics/metricsApi';
import { nodeUsageDescription, podUsageDescription, podUsageTooltip } from '../../../src/core/metrics/usageText';

describe('quantities', () => {
  it('parses CPU in every form the API server writes (n, u, m, cores, exponents)', () => {
    assert.equal(cpuMillis('4999703n'), 5); // rounded up, as kubectl's MilliValue()
    assert.equal(cpuMillis('40012345n'), 41);
    assert.equal(cpuMillis('250000u'), 250);
    assert.equal(cpuMillis('100m'), 100);
    assert.equal(cpuMillis('0.1'), 100);
    assert.equal(cpuMillis('2'), 2000);
    assert.equal(cpuMillis('1.5'), 1500);
    assert.equal(cpuMillis('1e3'), 1_000_000);
    assert.equal(cpuMillis('0'), 0);
    assert.equal(cpuMillis(2), 2000);
  });

  it('parses memory in binary and decimal units', () => {
    assert.equal(memoryBytes('64Mi'), 64 * 2 ** 20);
    assert.equal(memoryBytes('16777216'), 16 * 2 ** 20);
    assert.equal(memoryBytes('1Gi'), 2 ** 30);
    assert.equal(memoryBytes('1.5Gi'), 1.5 * 2 ** 30);
    assert.equal(memoryBytes('256Ki'), 256 * 1024);
    assert.equal(memoryBytes('1G'), 1e9);
    assert.equal(memoryBytes('500M'), 5e8);
    assert.equal(memoryBytes('129e6'), 129e6);
    assert.equal(memoryBytes('1k'), 1000);
    assert.equal(memoryBytes('100m'), 1); // 0.1 byte rounds up to a whole byte
  });

  it('refuses what is not a quantity', () => {
    for (const bad of ['', 'abc', '12 Mi', '1Mb', 'Mi', '1.2.3', '--1', undefined, null, {}, NaN, '1e'])
      assert.equal(parseQuantity(bad), undefined, JSON.stringify(bad));
  });

  it('formats like kubectl top: millicores, whole MiB rounded down, whole percentages', () => {
    assert.equal(formatCpu(41), '41m');
    assert.equal(formatCpu(0), '0m');
    assert.equal(formatMemory(48 * 2 ** 20), '48Mi');
    assert.equal(formatMemory(48 * 2 ** 20 + 2 ** 19), '48Mi');
    assert.equal(formatMemory(1000), '0Mi');
    assert.equal(percentOf(41, 100), 41);
    assert.equal(percentOf(76, 32000), 0);
    assert.equal(percentOf(1, 3), 33);
    assert.equal(percentOf(5, undefined), undefined);
    assert.equal(percentOf(5, 0), undefined);
  });

  it('sums container requests only where every container sets them', () => {
    const containers = [
      { resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m' } } },
      { resources: { requests: { cpu: '50m' } } },
    ];
    assert.deepEqual(sumContainerResources(containers, 'requests'), { cpu: 150 });
    assert.equal(sumContainerResources(containers, 'limits'), undefined);
    assert.equal(sumContainerResources([], 'requests'), undefined);
    assert.equal(sumContainerResources([{}], 'requests'), undefined);
  });
});

describe('metrics.k8s.io items', () => {
  const podItem = {
    metadata: { name: 'standalone', namespace: 'demo' },
    timestamp: '2026-12-05T14:31:21Z',
    window: '10.017s',
    containers: [
      { name: 'main', usage: { cpu: '5100000n', memory: '16Mi' } },
      { name: 'sidecar', usage: { cpu: '4999703n', memory: '16384Ki' } },
    ],
  };

  it('sums a pod over its containers', () => {
    const u = toPodUsage(podItem)!;
    assert.equal(u.cpu, 6 + 5);
    assert.equal(u.memory, 32 * 2 ** 20);
    assert.equal(u.containers.length, 2);
    assert.equal(podUsageDescription(u), '11m · 32Mi');
  });

  it('gives shares of requests and limits in the tooltip, per container when there are several', () => {
    const u = toPodUsage(podItem)!;
    const lines = podUsageTooltip(u, { cpu: 100, memory: 64 * 2 ** 20 }, { cpu: 500 });
    assert.equal(lines[0], 'CPU: 11m (11% of request 100m, 2% of limit 500m)');
    assert.equal(lines[1], 'Memory: 32Mi (50% of request 64Mi)');
    assert.ok(lines.some((l) => l.includes('main: 6m, 16Mi')));
    assert.ok(lines.some((l) => l.startsWith('sampled 2026-12-05 14:31:21 UTC over 10.017s')));
  });

  it('reads a node as kubectl top node: percentages of allocatable', () => {
    const n = toNodeUsage({ metadata: { name: 'n1' }, usage: { cpu: '76000000n', memory: '160Mi' } })!;
    assert.equal(nodeUsageDescription(n, { cpu: 32000, memory: 256 * 2 ** 30 }), '76m (0%) · 160Mi (0%)');
    assert.equal(nodeUsageDescription(n, { cpu: 152 }), '76m (50%) · 160Mi');
  });

  it('skips items that are not metrics', () => {
    assert.equal(toPodUsage({ metadata: { name: 'x' } }), undefined);
    assert.equal(toPodUsage(null), undefined);
    assert.equal(toNodeUsage({}), undefined);
    const empty = toPodUsage({ metadata: { name: 'x', namespace: 'y' } })!;
    assert.equal(empty.cpu, 0);
  });
});
