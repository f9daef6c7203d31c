import * as vscode from 'vscode';
import type { Logger } from '../../core/common/logger';
import { toKubeError } from '../../core/kube/errors';
import { ContainerTerminalSession, type ContainerSession } from '../../core/streams/containerTerminalSession';
import type { ActingConnector } from '../../core/streams/exec';
import type { ContainerRef } from '../../core/streams/logFollower';
import { OutputRecorder } from '../../core/streams/terminalOutput';
import type { Transport } from '../../core/kube/transport';
import type { TerminalSession } from './logTerminal';
import { DIM, RED, RESET } from '../../core/streams/ansi';

export type { ContainerSession };

/**
 * A container session as a VS Code terminal: exec (TTY, the terminal's size sent before the command starts and on
 * every resize, keystrokes to stdin, the exit code to onDidClose) or attach (the container's own process; a TTY
 * only when the container has one; closing the terminal detaches and leaves the process running). Errors are
 * written into the terminal (red, one line) and logged; no notification.
 */
export function openContainerTerminal(
  client: ActingConnector & Transport,
  context: string,
  target: ContainerRef,
  session: ContainerSession,
  name: string,
  log: Logger,
): TerminalSession {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  const recorder = new OutputRecorder();
  const out = (text: string): void => {
    recorder.add(text);
    write.fire(text);
  };
  const running = new ContainerTerminalSession(client, context, target, session, out);
  let closedByUser = false;
  let resolveClosed: (code: number | undefined) => void = () => undefined;
  const closed = new Promise<number | undefined>((r) => (resolveClosed = r));
  const where = `container "${target.container}" of pod "${target.pod}"`;
  const banner = (terminal: { tty: boolean; stdin: boolean }): void =>
    running.write(
      `${DIM}[kube-workbench] Attached to the running process of ${where}${terminal.tty ? '' : ' (no TTY)'}: ` +
        `its output from now on appears here${terminal.stdin ? ', and what you type goes to its stdin' : '; it was started without stdin, so what you type is not read'}. ` +
        `Closing this terminal detaches; the process keeps running.${RESET}\r\n`,
    );

  const ended = (code: number): void => {
    if (session.kind === 'attach') {
      out(`\r\n${DIM}[kube-workbench] The attached process closed its output (the container stopped).${RESET}\r\n`);
      resolveClosed(code);
      return;
    }
    out(`\r\n${DIM}[kube-workbench] The process exited with code ${code}.${RESET}\r\n`);
    resolveClosed(code);
    if (session.closeOnExit) close.fire(code);
  };

  const pty: vscode.Pseudoterminal = {
    onDidWrite: write.event,
    onDidClose: close.event,
    open(initial) {
      if (initial) running.resize(initial.columns, initial.rows);
      void (async () => {
        try {
          const outcome = await running.run(banner);
          if (closedByUser || !outcome) return;
          if ('exitCode' in outcome) {
            ended(outcome.exitCode);
          } else {
            log.warn(session.kind, outcome.error.message);
            out(`\r\n${RED}[kube-workbench] ${outcome.error.message}${RESET}\r\n`);
            resolveClosed(-1);
          }
        } catch (err) {
          const e = toKubeError(err, `${session.kind === 'exec' ? 'exec into' : 'attach to'} ${where}`);
          log.warn(session.kind, e.message, e.cause);
          out(`${RED}[kube-workbench] ${e.message}${RESET}\r\n`);
          resolveClosed(-1);
        }
      })();
    },
    handleInput(data) {
      running.handleInput(data);
    },
    setDimensions(size) {
      running.resize(size.columns, size.rows);
    },
    close() {
      closedByUser = true;
      running.close();
      resolveClosed(undefined);
    },
  };
  const terminal = vscode.window.createTerminal({
    name,
    pty,
    iconPath: new vscode.ThemeIcon(session.kind === 'attach' ? 'plug' : 'terminal'),
  });
  const cut = (reason: string): void => {
    if (closedByUser) return;
    closedByUser = true;
    running.close();
    out(`\r\n${RED}[kube-workbench] ${reason}${RESET}\r\n`);
    resolveClosed(-1);
  };
  return { kind: session.kind, name, terminal, pty, output: () => recorder.value, closed, cut };
}
