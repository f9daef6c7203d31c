import { PassThrough } from 'node:stream';
import type { Transport } from '../kube/transport';
import {
  checkExecTarget,
  type ActingConnector,
  startAttach,
  startExec,
  TerminalSink,
  type ContainerTerminal,
  type ExecHandle,
  type ExecOutcome,
} from './exec';
import type { ContainerRef } from './logFollower';
import { TerminalOutput, type TerminalOutputOptions } from './terminalOutput';

/** What a container terminal connects to: a new process (exec), or the process the container already runs (attach). */
export type ContainerSession =
  | {
      readonly kind: 'exec';
      readonly command: readonly string[];
      /** A shell's terminal closes when it exits; a one-off command's stays to be read. */
      readonly closeOnExit: boolean;
    }
  | { readonly kind: 'attach' };

/**
 * The part of an exec or attach terminal that is not VS Code: keystrokes to the process's stdin, its output
 * coalesced into terminal writes (TerminalOutput), and the terminal's size sent before the command starts and on
 * every resize. Closing an exec ends its stdin; closing an attach only detaches (see close()).
 */
export class ContainerTerminalSession {
  readonly output: TerminalOutput;
  private readonly input = new PassThrough();
  private readonly sink: TerminalSink;
  private handle: ExecHandle | undefined;
  private closed = false;

  constructor(
    private readonly client: ActingConnector & Transport,
    private readonly context: string,
    private readonly target: ContainerRef,
    readonly session: ContainerSession,
    write: (text: string) => void,
    options: TerminalOutputOptions = {},
  ) {
    this.output = new TerminalOutput(write, options);
    this.output.open();
    // A TTY already writes CRLF. Attach may be without a TTY (and kwok's fake containers write bare LF even with
    // one); CRLF stays CRLF when converted, so attach always converts.
    this.sink = new TerminalSink((text) => this.output.push(text), session.kind === 'attach');
  }

  /** Writes text of ours (a banner, an error) in order with the process's output. */
  write(text: string): void {
    this.output.push(text);
  }

  /**
   * Checks the container, starts the command (or attaches) and resolves when it ends (undefined when closed
   * first). `attaching` is told what the container offers just before an attach, for the terminal's banner.
   */
  async run(attaching?: (terminal: ContainerTerminal) => void): Promise<ExecOutcome | undefined> {
    const terminal = await checkExecTarget(this.client, this.target, this.session.kind);
    let handle: ExecHandle;
    if (this.session.kind === 'exec') {
      handle = await startExec(this.client, this.context, this.target, this.session.command, {
        stdin: this.input,
        stdout: this.sink,
        stderr: null,
        tty: true,
      });
    } else {
      attaching?.(terminal);
      handle = await startAttach(this.client, this.context, this.target, {
        stdin: this.input,
        stdout: this.sink,
        // With a TTY there is one output stream (as kubectl attach -t).
        stderr: terminal.tty ? null : new TerminalSink((text) => this.output.push(text), true),
        tty: terminal.tty,
      });
      if (terminal.tty) {
        // As kubectl does: a size change makes full-screen programs redraw what is on the screen now.
        const { columns, rows } = this.sink;
        this.sink.resize(columns + 1, rows + 1);
        this.sink.resize(columns, rows);
      }
    }
    if (this.closed) {
      handle.dispose();
      return undefined;
    }
    this.handle = handle;
    const outcome = await handle.outcome;
    this.output.flush();
    return this.closed ? undefined : outcome;
  }

  handleInput(data: string): void {
    this.input.write(data);
  }

  resize(columns: number, rows: number): void {
    this.sink.resize(columns, rows);
  }

  close(): void {
    this.closed = true;
    this.handle?.dispose();
    if (this.session.kind === 'attach') {
      // Detach without closing the process's stdin (ending the input would send a stdin close on v5, and a
      // container with stdinOnce would see end-of-file): only the connection goes.
      this.input.destroy();
    } else {
      this.input.end();
    }
    this.output.dispose();
  }
}
