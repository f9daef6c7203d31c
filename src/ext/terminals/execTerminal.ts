import * as vscode from 'vscode';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../core/common/logger';
import { toKubeError } from '../../core/kube/errors';
import { ExecTerminalSession } from '../../core/streams/execTerminalSession';
import type { ContainerRef } from '../../core/streams/logFollower';
import { OutputRecorder } from '../../core/streams/terminalOutput';
import type { ListWatchTransport } from '../../core/watch/watchedList';
import type { TerminalSession } from './logTerminal';

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
  const out = (text: string): void => {
    recorder.add(text);
    write.fire(text);
  };
  const session = new ExecTerminalSession(kc, transport, context, target, command, out);
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
      if (initial) session.resize(initial.columns, initial.rows);
      void (async () => {
        try {
          const outcome = await session.run();
          if (closedByUser || !outcome) return;
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
      session.handleInput(data);
    },
    setDimensions(size) {
      session.resize(size.columns, size.rows);
    },
    close() {
      closedByUser = true;
      session.close();
      resolveClosed(undefined);
    },
  };
  const terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('terminal') });
  return { kind: 'exec', name, terminal, pty, output: () => recorder.value, closed };
}
