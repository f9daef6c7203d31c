// The log follower against a scripted HTTP server: only for faults the real API server does not produce on cue
// (a stream dropped in the middle of a line, a resume that repeats lines of the same second). Following real
// logs is tested against the local control plane in the integration suite.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scriptedClient, scriptedServer } from '../../fakes/scriptedServer';
import type { ClusterClient } from '../../../src/core/kube/clusterClient';
import { silentLogger } from '../../../src/core/common/logger';
import { followContainerLog, type LogOptions } from '../../../src/core/streams/logFollower';
import type { KubeError } from '../../../src/core/kube/errors';

const client = (server: string): ClusterClient => scriptedClient(server);

/** Follows container "main" of pod p in ns, retrying after 1-5 ms. */
function followMain(
  server: string,
  options: LogOptions,
  sink: Parameters<typeof followContainerLog>[3],
): ReturnType<typeof followContainerLog> {
  return followContainerLog(client(server), { namespace: 'ns', pod: 'p', container: 'main' }, options, sink, {
    log: silentLogger,
    backoff: { initialMs: 1, maxMs: 5, factor: 2, jitter: 0 },
  });
}

const POD = {
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'main' }, { name: 'side' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'main', restartCount: 0, state: { running: {} } }] },
};

function collect() {
  const lines: string[] = [];
  const notices: string[] = [];
  let ended: { message?: string; error?: KubeError } | undefined;
  let resolve: () => void = () => undefined;
  const finished = new Promise<void>((r) => (resolve = r));
  return {
    lines,
    notices,
    get ended() {
      return ended;
    },
    finished,
    sink: {
      line: (text: string) => lines.push(text),
      notice: (m: string) => notices.push(m),
      end: (message: string | undefined, error?: KubeError) => {
        ended = { message, error };
        resolve();
      },
    },
  };
}

/** A sink that also takes blocks of lines (the terminal's fast path); `lines` holds the texts either way. */
function collectWithBlocks() {
  const out = collect();
  let blocks = 0;
  return {
    ...out,
    get blocks() {
      return blocks;
    },
    sink: {
      ...out.sink,
      lines: (block: string) => {
        blocks++;
        assert.ok(block.endsWith('\n'));
        for (const line of block.slice(0, -1).split('\n')) out.lines.push(line.slice(31));
      },
    },
  };
}

/** A log server that drops the first stream after `first` and answers the resume with `resumed`. */
async function droppingLogServer(first: string, resumed: string) {
  let logRequests = 0;
  let podReads = 0;
  return scriptedServer((_req, url, res) => {
    if (url.pathname.endsWith('/log')) {
      logRequests++;
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      if (logRequests === 1) res.write(first, () => res.socket?.destroy());
      else res.end(resumed);
      return;
    }
    podReads++;
    const ok = podReads <= 2;
    res.writeHead(ok ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(ok ? POD : { kind: 'Status', code: 404, reason: 'NotFound', message: 'not found' }));
  });
}

describe('followContainerLog', () => {
  it('resumes a dropped stream from the last timestamp without repeating lines, and ends when the pod is deleted', async () => {
    let logRequests = 0;
    let podReads = 0;
    const server = await scriptedServer((_req, url, res) => {
      if (url.pathname.endsWith('/log')) {
        logRequests++;
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        if (logRequests === 1) {
          res.write('2026-01-01T00:00:01.100Z one\n2026-01-01T00:00:02.200Z two\n2026-01-01T00:00:02.200Z two-b\n');
          // Dropped in the middle of a line that was never completed.
          res.write('2026-01-01T00:00:02.300Z hal', () => res.socket?.destroy());
        } else {
          // The server's sinceTime has second precision: it repeats the lines of second 2.
          res.end(
            '2026-01-01T00:00:02.200Z two\n2026-01-01T00:00:02.200Z two-b\n2026-01-01T00:00:02.300Z half done\n2026-01-01T00:00:03Z three\n',
          );
        }
        return;
      }
      podReads++;
      if (podReads <= 2) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(POD));
      } else {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', code: 404, reason: 'NotFound', message: 'pods "p" not found' }));
      }
    });
    const out = collect();
    const handle = followMain(server.url, { follow: true, timestamps: true, tailLines: 10 }, out.sink);
    await out.finished;
    await handle.done;
    await server.close();
    assert.deepEqual(out.lines, ['one', 'two', 'two-b', 'half done', 'three']);
    assert.match(out.ended?.message ?? '', /Pod "p" was deleted/);
    const logUrls = server.requests.filter((u) => u.pathname.endsWith('/log'));
    assert.equal(logUrls[0]?.searchParams.get('tailLines'), '10');
    assert.equal(logUrls[0]?.searchParams.get('follow'), 'true');
    assert.equal(logUrls[1]?.searchParams.get('sinceTime'), '2026-01-01T00:00:02.200Z');
    assert.equal(logUrls[1]?.searchParams.get('tailLines'), null);
  });

  it('takes whole blocks of lines when the sink can, and still resumes without repeating lines', async () => {
    const t = (s: string): string => `2026-01-01T00:00:0${s}Z`;
    // The kubelet's fixed-width timestamps: the first stream arrives as one write, so as one block.
    const server = await droppingLogServer(
      `${t('1.100000000')} one\n${t('2.200000000')} two\n${t('2.200000000')} two-b\n${t('2.300000000')} hal`,
      `${t('2.200000000')} two\n${t('2.200000000')} two-b\n${t('2.300000000')} half done\n${t('3.000000000')} three\n`,
    );
    const out = collectWithBlocks();
    followMain(server.url, { follow: true, timestamps: false }, out.sink);
    await out.finished;
    await server.close();
    assert.deepEqual(out.lines, ['one', 'two', 'two-b', 'half done', 'three']);
    assert.ok(out.blocks >= 1, 'the fast path was taken');
    const logUrls = server.requests.filter((u) => u.pathname.endsWith('/log'));
    assert.equal(logUrls[1]?.searchParams.get('sinceTime'), t('2.200000000'));
  });

  it('resumes without repeats when several lines share the last timestamp, and shows a new one at that instant', async () => {
    const ts = '2026-01-01T00:00:05.000000000Z';
    for (const make of [collect, collectWithBlocks]) {
      const server = await droppingLogServer(
        `2026-01-01T00:00:04.000000000Z a\n${ts} same\n${ts} same\n${ts} other\n`,
        // The same file from the second of 00:00:05 on: the three lines at that instant were shown; a third
        // "same" after them is new, as is "new".
        `2026-01-01T00:00:04.000000000Z a\n${ts} same\n${ts} same\n${ts} other\n${ts} same\n${ts} new\n`,
      );
      const out = make();
      followMain(server.url, { follow: true, timestamps: false }, out.sink);
      await out.finished;
      await server.close();
      assert.deepEqual(out.lines, ['a', 'same', 'same', 'other', 'same', 'new'], make.name);
      const logUrls = server.requests.filter((u) => u.pathname.endsWith('/log'));
      assert.equal(logUrls[1]?.searchParams.get('sinceTime'), ts);
    }
  });

  it('shows lines whose timestamps go back (stdout and stderr interleaved) instead of dropping them', async () => {
    const body =
      '2026-01-01T00:00:02.000000000Z late\n2026-01-01T00:00:01.000000000Z early\n2026-01-01T00:00:03.000000000Z last\n';
    for (const make of [collect, collectWithBlocks]) {
      const server = await scriptedServer((_req, url, res) => {
        res.writeHead(200, { 'Content-Type': url.pathname.endsWith('/log') ? 'text/plain' : 'application/json' });
        res.end(url.pathname.endsWith('/log') ? body : JSON.stringify(POD));
      });
      const out = make();
      followContainerLog(
        client(server.url),
        { namespace: 'ns', pod: 'p', container: 'main' },
        { follow: false, timestamps: false },
        out.sink,
        { log: silentLogger },
      );
      await out.finished;
      await server.close();
      assert.deepEqual(out.lines, ['late', 'early', 'last'], make.name);
    }
  });

  it('announces a container restart and follows the new instance', async () => {
    let logRequests = 0;
    let podReads = 0;
    const restarted = {
      ...POD,
      status: { phase: 'Running', containerStatuses: [{ name: 'main', restartCount: 1, state: { running: {} } }] },
    };
    const server = await scriptedServer((_req, url, res) => {
      if (url.pathname.endsWith('/log')) {
        logRequests++;
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(logRequests === 1 ? '2026-01-01T00:00:01Z before crash\n' : '2026-01-01T00:00:05Z after restart\n');
        return;
      }
      podReads++;
      const body = podReads === 1 ? POD : podReads === 2 ? restarted : undefined;
      res.writeHead(body ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body ?? { kind: 'Status', code: 404, reason: 'NotFound', message: 'not found' }));
    });
    const out = collect();
    followMain(server.url, { follow: true, timestamps: false }, out.sink);
    await out.finished;
    await server.close();
    assert.deepEqual(out.lines, ['before crash', 'after restart']);
    assert.equal(out.notices.length, 1);
    assert.match(out.notices[0] ?? '', /Container "main" of pod "p" restarted \(restart 1\); following it/);
    assert.match(out.ended?.message ?? '', /was deleted/);
  });

  it('resumes a silent connection quietly after the idle timeout', async () => {
    let logRequests = 0;
    let podReads = 0;
    const server = await scriptedServer((_req, url, res) => {
      if (url.pathname.endsWith('/log')) {
        logRequests++;
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        if (logRequests === 1)
          res.write('2026-01-01T00:00:01Z first\n'); // then silence, connection kept open
        else res.end('2026-01-01T00:00:01Z first\n2026-01-01T00:00:09Z later\n');
        return;
      }
      podReads++;
      const ok = podReads <= 2;
      res.writeHead(ok ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(ok ? POD : { kind: 'Status', code: 404, reason: 'NotFound', message: 'not found' }));
    });
    const out = collect();
    followContainerLog(
      client(server.url),
      { namespace: 'ns', pod: 'p', container: 'main' },
      { follow: true, timestamps: false },
      out.sink,
      { log: silentLogger, idleTimeoutMs: 200, backoff: { initialMs: 1, maxMs: 5, factor: 2, jitter: 0 } },
    );
    await out.finished;
    await server.close();
    assert.deepEqual(out.lines, ['first', 'later']);
    assert.deepEqual(out.notices, [], 'a quiet log is not a lost connection');
    assert.equal(
      server.requests.filter((u) => u.pathname.endsWith('/log'))[1]?.searchParams.get('sinceTime'),
      '2026-01-01T00:00:01Z',
    );
  });

  it('names the valid containers when the container does not exist', async () => {
    const server = await scriptedServer((_req, _url, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(POD));
    });
    const out = collect();
    followContainerLog(
      client(server.url),
      { namespace: 'ns', pod: 'p', container: 'nope' },
      { follow: false, timestamps: false },
      out.sink,
      { log: silentLogger },
    );
    await out.finished;
    await server.close();
    assert.match(out.ended?.error?.message ?? '', /no container "nope"; its containers are: main, side/);
  });
});
