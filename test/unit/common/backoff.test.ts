import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, ClusterBackoff } from '../../../src/core/common/backoff';
import { DisposableStore, toDisposable } from '../../../src/core/common/disposable';

describe('Backoff', () => {
  it('grows exponentially up to the cap, with jitter around each step', () => {
    const low = new Backoff({ initialMs: 1000, maxMs: 8000, factor: 2, jitter: 0.2, random: () => 0 });
    assert.deepEqual([low.next(), low.next(), low.next(), low.next(), low.next()], [800, 1600, 3200, 6400, 6400]);
    const high = new Backoff({ initialMs: 1000, maxMs: 8000, factor: 2, jitter: 0.2, random: () => 1 });
    assert.equal(high.next(), 1200);
  });

  it('starts over after reset', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0, random: () => 0.5 });
    b.next();
    b.next();
    b.reset();
    assert.equal(b.next(), 100);
  });
});

describe('ClusterBackoff', () => {
  const options = { initialMs: 1000, maxMs: 8000, factor: 2, jitter: 0, random: () => 0 };

  it('makes the lists that fail together wait for the same round, and only a later failure lengthens it', () => {
    let now = 0;
    const cluster = new ClusterBackoff(() => now, options);
    // Twenty folders of an unreachable cluster fail within the same few ms.
    const first = Array.from({ length: 20 }, (_, i) => {
      now = i;
      return now + cluster.failed();
    });
    assert.deepEqual(new Set(first), new Set([1000]), 'all retry at the round of the first failure');
    assert.equal(cluster.rounds, 1);
    // They retry at 1000 and fail again: the next round is twice as long, once.
    const second = Array.from({ length: 20 }, (_, i) => {
      now = 1000 + i;
      return now + cluster.failed();
    });
    assert.deepEqual(new Set(second), new Set([3000]));
    assert.equal(cluster.rounds, 2);
  });

  it('starts over when any request to the cluster succeeds', () => {
    let now = 0;
    const cluster = new ClusterBackoff(() => now, options);
    cluster.failed();
    now = 1000;
    cluster.failed();
    cluster.succeeded();
    now = 5000;
    assert.equal(cluster.failed(), 1000);
  });

  it('spreads the retries of one round a little, never before the round', () => {
    let now = 0;
    const cluster = new ClusterBackoff(() => now, { ...options, jitter: 0.2, random: () => 1 });
    const a = cluster.failed();
    now = 10;
    const b = now + cluster.failed();
    assert.ok(a >= 800 && b >= a, `${a} ${b}`);
    assert.ok(b - a <= 250);
  });
});

describe('DisposableStore', () => {
  it('disposes newest first, once, and disposes items added after it died', () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => order.push('a')));
    store.add(toDisposable(() => order.push('b')));
    store.dispose();
    store.dispose();
    store.add(toDisposable(() => order.push('late')));
    assert.deepEqual(order, ['b', 'a', 'late']);
  });
});
