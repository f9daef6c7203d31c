import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../../../src/core/common/backoff';
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
