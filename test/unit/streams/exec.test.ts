import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkExecTarget, exitCodeOf, explainExecError, TerminalSink } from '../../../src/core/streams/exec';
import type { Transport } from '../../../src/core/kube/transport';
import { splitArgs } from '../../../src/core/streams/args';

const ref = { namespace: 'team-a', pod: 'api-1', container: 'api' };

describe('exec', () => {
  it('reads the exit code from the status channel', () => {
    assert.equal(exitCodeOf({ status: 'Success' }), 0);
    assert.equal(
      exitCodeOf({
        status: 'Failure',
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: '7' }] },
      }),
      7,
    );
    assert.equal(exitCodeOf({ status: 'Failure', reason: 'InternalError', message: 'boom' }), undefined);
  });

  it('names the missing RBAC permission when the upgrade is refused with 403', () => {
    const e = explainExecError(new Error('Unexpected server response: 403'), 'kwb-viewer', ref);
    assert.equal(e.kind, 'forbidden');
    assert.match(e.message, /forbidden on context "kwb-viewer": it needs the RBAC permission "create" on "pods\/exec"/);
  });

  it('names pods/attach, not pods/exec, when attach is refused with 403', () => {
    const e = explainExecError(new Error('Unexpected server response: 403'), 'kwb-viewer', ref, 'attach');
    assert.equal(e.kind, 'forbidden');
    assert.match(
      e.message,
      /^Attach to container "api" of pod "api-1" in namespace "team-a" is forbidden on context "kwb-viewer": it needs the RBAC permission "create" on "pods\/attach"/,
    );
  });

  it('checks the container before attaching and reports whether it has a TTY and stdin', async () => {
    let pod: object = {
      spec: { containers: [{ name: 'api', tty: true, stdin: true }, { name: 'log' }] },
      status: {
        phase: 'Running',
        containerStatuses: [
          { name: 'api', state: { running: {} } },
          { name: 'log', state: { running: {} } },
        ],
      },
    };
    const transport: Transport = {
      getJson: <T>() => Promise.resolve(pod as T),
      getList: () => Promise.reject(new Error('not used')),
      stream: () => Promise.reject(new Error('not used')),
    };
    assert.deepEqual(await checkExecTarget(transport, ref, 'attach'), { tty: true, stdin: true });
    assert.deepEqual(await checkExecTarget(transport, { ...ref, container: 'log' }, 'attach'), {
      tty: false,
      stdin: false,
    });
    await assert.rejects(
      checkExecTarget(transport, { ...ref, container: 'nope' }, 'attach'),
      /its containers are: api, log/,
    );
    pod = {
      spec: { containers: [{ name: 'api' }] },
      status: {
        phase: 'Running',
        containerStatuses: [{ name: 'api', state: { waiting: { reason: 'CrashLoopBackOff' } } }],
      },
    };
    await assert.rejects(
      checkExecTarget(transport, ref, 'attach'),
      /is not running: it is waiting \(CrashLoopBackOff\)\. Attach needs a running container\./,
    );
  });

  it('says a lost connection is a lost connection', () => {
    const e = explainExecError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'c', ref);
    assert.equal(e.kind, 'unreachable');
  });

  it('a terminal sink emits resize only when the size changes, and keeps split UTF-8 intact', () => {
    const texts: string[] = [];
    const sink = new TerminalSink((t) => texts.push(t), true);
    let resizes = 0;
    sink.on('resize', () => resizes++);
    sink.resize(100, 30);
    sink.resize(100, 30);
    assert.equal(resizes, 1);
    const bytes = Buffer.from('é\n', 'utf8');
    sink.write(bytes.subarray(0, 1));
    sink.write(bytes.subarray(1));
    assert.equal(texts.join(''), 'é\r\n');
  });

  it('splits a command line into arguments without a shell', () => {
    assert.deepEqual(splitArgs(`sh -c "echo a  b" 'x y' z`), ['sh', '-c', 'echo a  b', 'x y', 'z']);
  });
});
