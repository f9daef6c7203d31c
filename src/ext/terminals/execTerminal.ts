import { PassThrough } from 'node:stream';
import * as vscode from 'vscode';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../core/common/logger';
import { toKubeError } from '../../core/kube/errors';
import { checkExecTarget, startExec, TerminalSink, type ExecHandle } from '../../core/streams/exec';
import type { ContainerRef } from '../../core/streams/logFollower';
import type { ListWatchTransport } from '../../core/watch/watchedList';
import { OutputRecorder, type TerminalSession } from './logTerminal';

/**
 * An interactive command (a shell) in a container as a VS Code terminal: TTY, the terminal's size sent before the
 * command starts and on every resize, keystrokes to stdin, and the process's exit code to onDidClose. Errors
 * are written into the terminal (red, one line) and logged; no notification.
 */
export function openExecTerminal(
  kc: KubeConfig,
  transport: ListWatchTransport,
  context: string,
  target: ContainerRef,
  command: readonly string[],
  name: string,
  log: Logger,
  /** A shell's terminal closes when it exits; a one-off command's stays to be read. */
  closeOnExit = true,
): TerminalSession {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  const recorder = new OutputRecorder();
  const input = new PassThrough();
  const out = (text: string): void => {
    recorder.add(text);
    write.fire(text);
  };
  // A TTY already writes CRLF.
  const sink = new TerminalSink(out, false);
  let handle: ExecHandle | undefined;
  let closedByUser = false;
  let resolveClosed: (code: number | undefined) => void = () => undefined;
  const closed = new Promise<number | undefined>((r) => (resolveClosed = r));
  const finish = (code: number): void => {
    resolveClosed(code);
    if (closeOnExit) close.fire(code);
  };

  const pty: vscode.Pseudoterminal = {
    onDidWrite: write.event,
    onDidClose: close.event,
    open(initial) {
      if (initial) sink.resize(initial.columns, initial.rows);
      void (async () => {
        try {
          await checkExecTarget(transport, target);
          const h = await startExec(kc, context, target, command, {
            stdin: input,
            stdout: sink,
            stderr: null,
            tty: true,
          });
          if (closedByUser) {
            h.dispose();
            return;
          }
          handle = h;
          const outcome = await h.outcome;
          if (closedByUser) return;
          if ('exitCode' in outcome) {
            out(`\r\n\x1b[2m[kube-workbench] The process exited with code ${outcome.exitCode}.\x1b[0m\r\n`);
            finish(outcome.exitCode);
          } else {
            log.warn('exec', outcome.error.message);
            out(`\r\n\x1b[31m[kube-workbench] ${outcome.error.message}\x1b[0m\r\n`);
            resolveClosed(-1);
          }
        } catch (err) {
          const e = toKubeError(err, `exec into container "${target.container}" of pod "${target.pod}"`);
          log.warn('exec', e.message, e.cause);
          out(`\x1b[31m[kube-workbench] ${e.message}\x1b[0m\r\n`);
          resolveClosed(-1);
        }
      })();
    },
    handleInput(data) {
      input.write(data);
    },
    setDimensions(size) {
      sink.resize(size.columns, size.rows);
    },
    close() {
      closedByUser = true;
      handle?.dispose();
      input.end();
      resolveClosed(undefined);
    },
  };
  const terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('terminal') });
  return { kind: 'exec', name, terminal, pty, output: () => recorder.value, closed };
}
