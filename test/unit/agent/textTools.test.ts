import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { unifiedDiff } from '../../../src/core/common/lineDiff';
import { parseLabelSelector } from '../../../src/core/resources/labelSelector';
import { fitAnswer } from '../../../src/core/agent/tools';

describe('unifiedDiff', () => {
  it('is empty for equal texts and shows removed lines before added ones, with context', () => {
    assert.equal(unifiedDiff('a\nb\n', 'a\nb\n'), '');
    const left = ['1', '2', '3', '4', '5', '6', '7', '8', 'old', '10'].join('\n');
    const right = ['1', '2', '3', '4', '5', '6', '7', '8', 'new', '10', '11'].join('\n');
    assert.equal(
      unifiedDiff(left, right),
      ['--- live', '+++ after', '@@ -6,5 +6,6 @@', ' 6', ' 7', ' 8', '-old', '+new', ' 10', '+11'].join('\n'),
    );
  });

  it('shows a new object as all added', () => {
    assert.equal(unifiedDiff('', 'a\nb\n'), ['--- live', '+++ after', '@@ -0,0 +1,2 @@', '+a', '+b'].join('\n'));
  });

  it('does not block on texts too large to compare line by line', () => {
    const a = Array.from({ length: 5000 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 5000 }, (_, i) => `b${i}`).join('\n');
    assert.match(unifiedDiff(a, b).split('\n')[2]!, /too large/);
  });
});

describe('parseLabelSelector', () => {
  const labels = { app: 'web', tier: 'front', env: 'prod' };
  it('matches equality, inequality, sets and existence like kubectl -l', () => {
    const yes = [
      'app=web',
      'app==web',
      'tier!=db',
      'env in (prod,staging)',
      'env notin (dev)',
      'app',
      '!canary',
      'app=web,tier=front',
    ];
    for (const s of yes) assert.equal(parseLabelSelector(s)(labels), true, s);
    const no = ['app=api', 'tier!=front', 'env in (dev)', 'canary', '!app', 'app=web,tier=back'];
    for (const s of no) assert.equal(parseLabelSelector(s)(labels), false, s);
  });

  it('refuses what is not a selector, saying why', () => {
    assert.throws(() => parseLabelSelector('app=web,,x'), /empty term/);
    assert.throws(() => parseLabelSelector('a b=c'), /not a label key|not valid/);
  });
});

describe('fitAnswer', () => {
  it('keeps answers within the budget, cut at a line end, and says so', () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n');
    const fitted = fitAnswer(text, 2000);
    assert.ok(fitted.length <= 2000, String(fitted.length));
    assert.match(fitted, /\n… answer cut at \d+ of \d+ characters by the answer budget/);
    assert.equal(fitAnswer('short', 2000), 'short');
  });
});
