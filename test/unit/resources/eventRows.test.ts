import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventsTimelineText, toEventRow } from '../../../src/core/resources/eventRows';

const event = (name: string, type: string, at: string, message = 'm') =>
  toEventRow({
    metadata: { uid: `u-${name}`, name, namespace: 'demo' },
    type,
    reason: `R-${name}`,
    message,
    lastTimestamp: at,
    involvedObject: { kind: 'Pod', name: 'web' },
    count: 2,
  })!;

describe('events timeline', () => {
  it('puts warnings first, then every event, newest first', () => {
    const rows = [
      event('a', 'Normal', '2026-12-05T10:00:00Z'),
      event('b', 'Warning', '2026-12-05T10:05:00Z'),
      event('c', 'Normal', '2026-12-05T10:10:00Z'),
      event('d', 'Warning', '2026-12-05T09:00:00Z'),
    ];
    const text = eventsTimelineText('Events in demo', rows, { syncing: false });
    const lines = text.split('\n');
    assert.equal(lines[0], 'Events in demo (live · 4 events, 2 warnings)');
    const order = lines.filter((l) => /R-[a-d]/.test(l)).map((l) => /R-([a-d])/.exec(l)![1]);
    assert.deepEqual(order, ['b', 'd', 'c', 'b', 'a', 'd']);
    assert.match(text, /2026-12-05 10:05:00Z {2}Warning {2}R-b {2}Pod\/web {2}m {2}\(×2\)/);
  });

  it('removes control characters from event text and cuts long sections with a count', () => {
    const row = event('x', 'Warning', '2026-12-05T10:00:00Z', 'bad\u001b]0;title\u0007 text\nmore');
    assert.equal(row.message, 'bad ]0;title  text more');
    const many = Array.from({ length: 5 }, (_, i) => event(`n${i}`, 'Normal', `2026-12-05T10:0${i}:00Z`));
    assert.match(eventsTimelineText('t', many, { syncing: false }, 3), /… 2 older not shown/);
  });

  it('says when it is not live', () => {
    assert.match(
      eventsTimelineText('t', [], { syncing: false, error: 'forbidden' }).split('\n')[0]!,
      /not live: forbidden/,
    );
  });
});
