import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { topNodesText, topPodsText } from '../../../src/core/metrics/topTable';
import type { PodUsage } from '../../../src/core/metrics/metricsApi';

const MI = 2 ** 20;
const pod = (namespace: string, name: string, cpu: number, memMi: number): PodUsage => ({
  namespace,
  name,
  cpu,
  memory: memMi * MI,
  containers: [],
});
const pods = [pod('demo', 'small', 5, 64), pod('demo', 'busy', 120, 16), pod('team-a', 'api', 40, 48)];
const header = (sort: 'cpu' | 'memory') => ({ title: 'Top', sort, readAt: '2026-12-05T14:31:21.123Z' });

function names(text: string): string[] {
  return text
    .split('\n')
    .slice(5)
    .filter(Boolean)
    .map((l) => l.split(/\s+/)[1]!);
}

describe('the Top table', () => {
  it('sorts pods by CPU or by memory, highest first', () => {
    assert.deepEqual(names(topPodsText(header('cpu'), pods, () => undefined, true)), ['busy', 'api', 'small']);
    assert.deepEqual(names(topPodsText(header('memory'), pods, () => undefined, true)), ['small', 'api', 'busy']);
  });

  it('has kubectl top columns and the share of requests where there are requests', () => {
    const text = topPodsText(header('cpu'), [pod('demo', 'web', 41, 48)], () => ({ cpu: 100, memory: 64 * MI }), false);
    assert.match(text, /^NAME\s+CPU\(cores\)\s+CPU%REQ\s+MEMORY\(bytes\)\s+MEMORY%REQ$/m);
    assert.match(text, /^web\s+41m\s+41%\s+48Mi\s+75%$/m);
    assert.match(text, /1 pod, sorted by CPU \(highest first\); read 2026-12-05 14:31:21 UTC/);
    assert.match(
      topPodsText(header('cpu'), [pod('demo', 'x', 1, 1)], () => undefined, false),
      /^x\s+1m\s+—\s+1Mi\s+—$/m,
    );
  });

  it('says when there is nothing yet, and lists nodes with percentages of allocatable', () => {
    assert.match(
      topPodsText(header('cpu'), [], () => undefined, true),
      /No pod has metrics \(yet\)/,
    );
    const text = topNodesText(
      header('memory'),
      [
        { name: 'a', cpu: 76, memory: 160 * MI },
        { name: 'b', cpu: 50, memory: 320 * MI },
      ],
      () => ({ cpu: 1000, memory: 1024 * MI }),
    );
    assert.match(text, /^b\s+50m\s+5%\s+320Mi\s+31%\na\s+76m\s+7%\s+160Mi\s+15%$/m);
  });
});
