// Byte budgets against a scripted server: a broken or hostile API server that sends an answer too large, or a
// watch event line that never ends, is a fault a real server will not produce on cue.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scriptedClient, scriptedServer } from '../../fakes/scriptedServer';
import { until } from '../../fakes/until';
import { MAX_WATCH_EVENT_CHARS, WatchedList } from '../../../src/core/watch/watchedList';
import { toRow, type ResourceRow } from '../../../src/core/resources/rows';
import { silentLogger } from '../../../src/core/common/logger';

describe('byte budgets', () => {
  it('a request stops reading an answer larger than its budget, and says so naming the context', async () => {
    let sent = 0;
    const server = await scriptedServer((_req, _url, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      // An answer that never ends unless the client hangs up.
      const pump = (): void => {
        while (sent < 64 * 2 ** 20 && res.write(chunk)) sent += chunk.length;
        if (sent < 64 * 2 ** 20) res.once('drain', pump);
        else res.end();
      };
      pump();
    });
    try {
      const client = scriptedClient(server.url, { timeoutMs: 10_000 });
      await assert.rejects(
        client.getJson('/api/v1/pods', { maxBytes: 2 * 2 ** 20 }, 'listing pods'),
        /Listing pods failed: the answer of context "test" is larger than 2 MiB, so it was not read/,
      );
      // The connection was closed early: far less than the 64 MiB the server wanted to send went out.
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(sent < 32 * 2 ** 20, `the server sent ${sent} bytes`);
    } finally {
      await server.close();
    }
  });

  it('a watch event line that never ends closes the watch with a message instead of growing without end', async () => {
    const server = await scriptedServer((_req, url, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (!url.searchParams.get('watch')) {
        res.end(JSON.stringify({ metadata: { resourceVersion: '1' }, items: [] }));
        return;
      }
      const chunk = Buffer.alloc(256 * 1024, 0x61); // "aaaa…", no line break, ever
      let sent = 0;
      const pump = (): void => {
        while (sent <= MAX_WATCH_EVENT_CHARS + chunk.length && res.write(chunk)) sent += chunk.length;
        if (sent <= MAX_WATCH_EVENT_CHARS + chunk.length) res.once('drain', pump);
      };
      pump();
    });
    const list = new WatchedList<ResourceRow>(
      scriptedClient(server.url),
      '/api/v1/namespaces/ns/pods',
      (o) => toRow('Pod', o),
      'pods in ns',
      { log: silentLogger, backoff: { initialMs: 60_000, maxMs: 60_000, factor: 1, jitter: 0 } },
    );
    try {
      list.start();
      await until('the watch to be closed', () => list.snapshot().error !== undefined, 20_000);
      assert.match(list.snapshot().error?.message ?? '', /an event larger than 16 MiB; the watch was closed/);
    } finally {
      list.dispose();
      await server.close();
    }
  });
});
