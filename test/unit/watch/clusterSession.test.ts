// Which lists a session keeps watching as tree nodes come and go. The lists point at a closed port: what is tested
// is who holds them and when they stop, not what they hold.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeconfig } from '../../../src/core/kube/kubeconfig';
import { ClusterSession } from '../../../src/core/watch/clusterSession';
import { type ResourceKey } from '../../../src/core/resources/objectRef';
import { ADMIT_EVERYTHING } from '../../../src/core/kube/changeGuard';
import type { Clock, TimerHandle } from '../../../src/core/common/clock';
import { silentLogger } from '../../../src/core/common/logger';

class ManualClock implements Clock {
  private time = 0;
  private timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.time + ms, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }
  advance(ms: number): void {
    this.time += ms;
    const due = this.timers.filter((t) => t.at <= this.time && !t.cancelled);
    this.timers = this.timers.filter((t) => !due.includes(t));
    for (const t of due) t.fn();
  }
}

const pods: ResourceKey = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true, namespace: 'a' };

function session(clock: Clock): ClusterSession {
  const dir = mkdtempSync(join(tmpdir(), 'kwb-session-'));
  const file = join(dir, 'config');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: closed',
      'clusters: [{name: closed, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: closed, context: {cluster: closed, user: u}}]',
    ].join('\n'),
  );
  return new ClusterSession('closed', loadKubeconfig([file]), { log: silentLogger, gate: ADMIT_EVERYTHING, clock });
}

describe('ClusterSession holders', () => {
  let current: ClusterSession | undefined;
  afterEach(() => current?.dispose());

  it('keeps a list watched while any node that shows it is expanded', () => {
    const clock = new ManualClock();
    current = session(clock);
    current.list(pods, 'folder:pods');
    current.list(pods, 'res:deployment-web');
    current.release(pods, 'res:deployment-web');
    clock.advance(120_000);
    assert.equal(current.isWatching(pods), true, 'the Pods folder still shows them');
    current.release(pods, 'folder:pods');
    clock.advance(59_000);
    assert.equal(current.isWatching(pods), true, 'within the grace period');
    clock.advance(2_000);
    assert.equal(current.isWatching(pods), false, 'nobody shows them any more');
  });

  it('does not stop a list that was held again during the grace period, nor for an unknown holder', () => {
    const clock = new ManualClock();
    current = session(clock);
    current.list(pods, 'folder:pods');
    current.release(pods, 'folder:pods');
    current.release(pods, 'a node of a tree built before a kubeconfig change');
    clock.advance(30_000);
    current.list(pods, 'folder:pods');
    clock.advance(120_000);
    assert.equal(current.isWatching(pods), true);
  });
});
