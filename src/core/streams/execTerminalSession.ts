import { PassThrough } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ListWatchTransport } from '../watch/watchedList';
import { checkExecTarget, startExec, TerminalSink, type ExecHandle, type ExecOutcome } from './exec';
import type { ContainerRef } from './logFollower';
import { TerminalOutput, type TerminalOutputOptions } from './terminalOutput';

/**
 * The part of an exec terminal that is not VS Code: keystrokes to the command's stdin, its TTY output coalesced
 * into terminal writes (TerminalOutput), and the terminal's size sent before the command starts and on every resize.
 */
export class ExecTerminalSession {
  readonly output: TerminalOutput;
  private readonly input = new PassThrough();
  private readonly sink: TerminalSink;
  private handle: ExecHandle | undefined;
  private closed = false;

  constructor(
    private readonly kc: KubeConfig,
    private readonly transport: ListWatchTransport,
    private readonly context: string,
    private readonly target: ContainerRef,
    private readonly command: readonly string[],
    write: (text: string) => void,
    options: TerminalOutputOptions = {},
  ) {
    this.output = new TerminalOutput(write, options);
    this.output.open();
    // A TTY already writes CRLF.
    this.sink = new TerminalSink((text) => this.output.push(text), false);
  }

  /** Checks the container, starts the command and resolves when it ends (undefined when closed first). */
  async run(): Promise<ExecOutcome | undefined> {
    await checkExecTarget(this.transport, this.target);
    const handle = await startExec(this.kc, this.context, this.target, this.command, {
      stdin: this.input,
      stdout: this.sink,
      stderr: null,
      tty: true,
    });
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
    this.input.end();
    this.output.dispose();
  }
}
