import { PassThrough } from 'node:stream';
import * as vscode from 'vscode';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../core/common/logger';
import { toKubeError } from '../../core/kube/errors';
import { checkExecTarget, startAttach, startExec, TerminalSink, type ExecHandle } from '../../core/streams/exec';
import type { ContainerRef } from '../../core/streams/logFollower';
import type { ListWatchTransport } from '../../core/watch/watchedList';
import { OutputRecorder, type TerminalSession } from './logTerminal';

/** What the terminal connects to: a new process (exec), or the process the container already runs (attach). */
export type ContainerSession =
  | {
      readonly kind: 'exec';
      readonly command: readonly string[];
      /** A shell's terminal closes when it exits; a one-off command's stays to be read. */
      readonly closeOnExit: boolean;
    }
  | { readonly kind: 'attach' };

const DIM = '\x1b[2m';
const RED = '\x1b[31m';
const RESET = '\x1b[0m';

/**
 * A container session as a VS Code terminal: exec (TTY, the terminal's size sent before the command starts and on
 * every resize, keystrokes to stdin, the exit code to onDidClose) or attach (the container's own process; a TTY
 * only when the container has one; closing the terminal detaches and leaves the process running). Errors are
 * written into the terminal (red, one line) and logged; no notification.
 */
export function openContainerTerminal(
  kc: KubeConfig,
  transport: ListWatchTransport,
  context: string,
  target: ContainerRef,
  session: ContainerSession,
  name: string,
  log: Logger,
): TerminalSession {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  const recorder = new OutputRecorder();
  const input = new PassThrough();
  const out = (text: string): void => {
    recorder.add(text);
    write.fire(text);
  };
  // A TTY already writes CRLF. Attach may be without a TTY (and kwok's fake containers write bare LF even with
  // one); CRLF stays CRLF when converted, so attach always converts.
  const sink = new TerminalSink(out, session.kind === 'attach');
  let handle: ExecHandle | undefined;
  let closedByUser = false;
  let resolveClosed: (code: number | undefined) => void = () => undefined;
  const closed = new Promise<number | undefined>((r) => (resolveClosed = r));
  const where = `container "${target.container}" of pod "${target.pod}"`;

  const connect = async (): Promise<ExecHandle> => {
    const terminal = await checkExecTarget(transport, target, session.kind);
    if (session.kind === 'exec') {
      return startExec(kc, context, target, session.command, { stdin: input, stdout: sink, stderr: null, tty: true });
    }
    out(
      `${DIM}[kube-workbench] Attached to the running process of ${where}${terminal.tty ? '' : ' (no TTY)'}: ` +
        `its output from now on appears here${terminal.stdin ? ', and what you type goes to its stdin' : '; it was started without stdin, so what you type is not read'}. ` +
        `Closing this terminal detaches; the process keeps running.${RESET}\r\n`,
    );
    const h = await startAttach(kc, context, target, {
      stdin: input,
      stdout: sink,
      // With a TTY there is one output stream (as kubectl attach -t).
      stderr: terminal.tty ? null : new TerminalSink(out, true),
      tty: terminal.tty,
    });
    if (terminal.tty) {
      // As kubectl does: a size change makes full-screen programs redraw what is on the screen now.
      const { columns, rows } = sink;
      sink.resize(columns + 1, rows + 1);
      sink.resize(columns, rows);
    }
    return h;
  };

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
      if (initial) sink.resize(initial.columns, initial.rows);
      void (async () => {
        try {
          const h = await connect();
          if (closedByUser) {
            h.dispose();
            return;
          }
          handle = h;
          const outcome = await h.outcome;
          if (closedByUser) return;
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
      input.write(data);
    },
    setDimensions(size) {
      sink.resize(size.columns, size.rows);
    },
    close() {
      closedByUser = true;
      handle?.dispose();
      if (session.kind === 'attach') {
        // Detach without closing the process's stdin (ending the input would send a stdin close on v5, and a
        // container with stdinOnce would see end-of-file): only the connection goes.
        input.destroy();
      } else {
        input.end();
      }
      resolveClosed(undefined);
    },
  };
  const terminal = vscode.window.createTerminal({
    name,
    pty,
    iconPath: new vscode.ThemeIcon(session.kind === 'attach' ? 'plug' : 'terminal'),
  });
  return { kind: session.kind, name, terminal, pty, output: () => recorder.value, closed };
}
