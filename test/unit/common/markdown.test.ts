import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeMarkdown, inlineCode } from '../../../src/core/common/markdown';
import { safeDescription } from '../../../src/core/yaml/openapi';

describe('text from clusters and kubeconfigs in markdown', () => {
  it('a value with backticks cannot leave its code span', () => {
    assert.equal(inlineCode('https://10.0.0.1:6443'), '`https://10.0.0.1:6443`');
    const hostile = 'x` [click](command:workbench.action.terminal.new) ![t](https://evil.example/p.png) `';
    const shown = inlineCode(hostile);
    assert.doesNotMatch(shown, /[^\\]\[click\]/);
    assert.doesNotMatch(shown, /[^\\]!\[t\]/);
    assert.equal(inlineCode('a\nb'), '`a b`');
    assert.equal(escapeMarkdown('[a](b)'), '\\[a\\]\\(b\\)');
  });

  it('CRD descriptions lose links, images and HTML, and keep their words', () => {
    const description =
      'Size of the widget. ![x](http://evil.example/img.png) [click](command:kubeWorkbench.deleteResource) <img src="http://evil.example/i.png"> See <https://example.com>.';
    const safe = safeDescription(description);
    assert.doesNotMatch(safe, /\]\(/);
    assert.doesNotMatch(safe, /<img|<https/);
    assert.match(safe, /^Size of the widget\./);
  });
});
