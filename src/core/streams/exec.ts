import { Writable, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { V1Status } from '@kubernetes/client-node';
import type WebSocket from 'isomorphic-ws';
import type { ActingConnector } from '../kube/changeGuard';

export type { ActingConnector };
import { clientNode } from '../kube/clientNode';
import { KubeError, toKubeError } from '../kube/errors';
import type { Transport } from '../kube/transport';
import { containerNames, podPath, type ContainerRef } from './logFollower';

/**
 * A Writable that client-node's Exec recognises as resizable (it looks for `rows`, `columns` and 'resize').
 * Set the initial size before calling exec: the first resize message is sent at connect time.
 */
export class TerminalSink extends Writable {
  rows = 24;
  columns = 80;
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly onText: (text: string) => void,
    private readonly crlf: boolean,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    const text = this.decoder.write(chunk);
    if (text) this.onText(this.crlf ? text.replace(/\r?\n/g, '\r\n') : text);
    done();
  }

  resize(columns: number, rows: number): void {
    if (columns === this.columns && rows === this.rows) return;
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

/** Exec starts a new process in the container; attach connects to the process the container runs. */
export type StreamMode = 'exec' | 'attach';

/** How an exec or attach ended: the status the server sent (an exit code), or an error (connection lost, …). */
export type ExecOutcome = { readonly exitCode: number } | { readonly error: KubeError };

export interface ExecIo {
  readonly stdin: Readable | null;
  readonly stdout: Writable;
  readonly stderr: Writable | null;
  readonly tty: boolean;
}

export interface ExecHandle {
  /** Settles once, when the process ended or the connection failed. */
  readonly outcome: Promise<ExecOutcome>;
  /** Closes the connection (the process gets a hangup). */
  dispose(): void;
}

/**
 * Finds a shell: bash, then ash, zsh, sh. Run by /bin/sh, which every image with a shell has.
 * The names are constants of ours, never data from the cluster.
 */
export const AUTO_SHELL = [
  '/bin/sh',
  '-c',
  'for s in bash ash zsh sh; do if command -v "$s" >/dev/null 2>&1; then exec "$s"; fi; done; exec /bin/sh',
];

/** What the container was started with: attach must use a TTY exactly when the container has one. */
export interface ContainerTerminal {
  readonly tty: boolean;
  /** Whether the container's process has a stdin to write to (`stdin: true` in its spec). */
  readonly stdin: boolean;
}

interface ContainerStatus {
  name?: string;
  state?: {
    running?: object;
    waiting?: { reason?: string };
    terminated?: { reason?: string; exitCode?: number };
  };
}

/** Exit code from the status channel's V1Status (`NonZeroExitCode` with a cause `ExitCode`); undefined for failures. */
export function exitCodeOf(status: V1Status): number | undefined {
  if (status.status === 'Success') return 0;
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    return Number.isInteger(code) ? code : undefined;
  }
  return undefined;
}

/**
 * Checks the pod and container before connecting, so that errors name their cause: the pod is missing, the
 * container does not exist (the valid ones are listed) or is not running. Returns how the container was started.
 */
export async function checkExecTarget(
  transport: Transport,
  ref: ContainerRef,
  mode: StreamMode = 'exec',
): Promise<ContainerTerminal> {
  const what =
    mode === 'exec'
      ? `opening a shell in pod "${ref.pod}" in namespace "${ref.namespace}"`
      : `attaching to pod "${ref.pod}" in namespace "${ref.namespace}"`;
  let pod: {
    spec?: {
      containers?: { name: string; tty?: boolean; stdin?: boolean }[];
      initContainers?: { name: string }[];
      ephemeralContainers?: { name: string; tty?: boolean; stdin?: boolean }[];
    };
    status?: { phase?: string; containerStatuses?: ContainerStatus[]; ephemeralContainerStatuses?: ContainerStatus[] };
  };
  try {
    pod = await transport.getJson(podPath(ref.namespace, ref.pod), {}, what);
  } catch (err) {
    const e = toKubeError(err, what);
    if (e.kind === 'notFound') {
      throw new KubeError('notFound', `Pod "${ref.pod}" does not exist in namespace "${ref.namespace}"`, 404, {
        cause: e,
      });
    }
    throw e;
  }
  // Debug (ephemeral) containers are attached to and exec'd into like the others.
  const ephemeral = pod.spec?.ephemeralContainers ?? [];
  const containers = [...containerNames(pod).containers, ...ephemeral.map((c) => c.name)];
  if (!containers.includes(ref.container)) {
    throw new KubeError(
      'notFound',
      `Pod "${ref.pod}" has no container "${ref.container}"; its containers are: ${containers.join(', ') || 'none'}`,
    );
  }
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  const state = statuses.find((s) => s.name === ref.container)?.state;
  if (!state?.running) {
    const why = state?.waiting?.reason
      ? `waiting (${state.waiting.reason})`
      : state?.terminated
        ? `terminated (${state.terminated.reason ?? `exit code ${state.terminated.exitCode ?? '?'}`})`
        : `not started (pod ${pod.status?.phase ?? 'Pending'})`;
    throw new KubeError(
      'invalid',
      `Container "${ref.container}" of pod "${ref.pod}" is not running: it is ${why}. ${mode === 'exec' ? 'Exec' : 'Attach'} needs a running container.`,
    );
  }
  const spec = [...(pod.spec?.containers ?? []), ...ephemeral].find((c) => c.name === ref.container);
  return { tty: spec?.tty === true, stdin: spec?.stdin === true };
}

/**
 * Runs a command in a container over client-node's WebSocket exec (channel protocol v5, falling back to v4):
 * stdout/stderr go to the given streams, a resizable stdout (TerminalSink) sends its size first and then on
 * every resize, and the status channel gives the exit code.
 */
export function startExec(
  connector: ActingConnector,
  context: string,
  ref: ContainerRef,
  command: readonly string[],
  io: ExecIo,
): Promise<ExecHandle> {
  // client-node builds the URL from these names: they are checked as path segments first (throws, sends nothing).
  podPath(ref.namespace, ref.pod);
  connector.admitConnection(
    'exec',
    `running "${command.join(' ')}" in container "${ref.container}" of pod "${ref.pod}" in namespace "${ref.namespace}"`,
  );
  const exec = new (clientNode().Exec)(connector.kubeConfig);
  return connectChannels(context, ref, 'exec', (onStatus) =>
    exec.exec(
      encodeURIComponent(ref.namespace),
      encodeURIComponent(ref.pod),
      ref.container,
      [...command],
      io.stdout,
      io.stderr,
      io.stdin,
      io.tty,
      onStatus,
    ),
  );
}

/** The channel protocol's status stream (a V1Status when the process ends or the server gives up). */
const STATUS_CHANNEL = 3;

/**
 * Attaches to the process a container runs (`pods/<name>/attach`), over the same WebSocket channel protocol as
 * exec (client-node's handler: v5, falling back to v4). `io.tty` must match the container's own TTY, as kubectl
 * does. Closing the handle detaches: the process keeps running.
 */
export function startAttach(
  connector: ActingConnector,
  context: string,
  ref: ContainerRef,
  io: ExecIo,
): Promise<ExecHandle> {
  podPath(ref.namespace, ref.pod); // checked as path segments before client-node builds its URL
  connector.admitConnection(
    'attach',
    `attaching to container "${ref.container}" of pod "${ref.pod}" in namespace "${ref.namespace}"`,
  );
  const attach = new (clientNode().Attach)(connector.kubeConfig);
  return connectChannels(context, ref, 'attach', (onStatus) => {
    // client-node's Attach reads the status channel only to end stdout; keep the status, which says why it ended.
    const handler = attach.handler;
    attach.handler = {
      connect: (path, textHandler, binaryHandler) =>
        handler.connect(path, textHandler, (stream, data) => {
          if (stream === STATUS_CHANNEL && data.length > 0) {
            try {
              onStatus(JSON.parse(data.toString('utf8')) as V1Status);
            } catch {
              onStatus({ status: 'Failure', message: 'unreadable status from the server' });
            }
          }
          return binaryHandler ? binaryHandler(stream, data) : true;
        }),
    };
    return attach.attach(
      encodeURIComponent(ref.namespace),
      encodeURIComponent(ref.pod),
      ref.container,
      io.stdout,
      io.stderr,
      io.stdin,
      io.tty,
    );
  });
}

/** What exec and attach share: the status becomes the outcome, a close without a status is a lost connection. */
async function connectChannels(
  context: string,
  ref: ContainerRef,
  mode: StreamMode,
  connect: (onStatus: (status: V1Status) => void) => Promise<WebSocket.WebSocket>,
): Promise<ExecHandle> {
  let settle: (outcome: ExecOutcome) => void = () => undefined;
  let settled = false;
  const outcome = new Promise<ExecOutcome>((resolve) => {
    settle = (o) => {
      if (settled) return;
      settled = true;
      resolve(o);
    };
  });
  const onStatus = (status: V1Status): void => {
    const code = exitCodeOf(status);
    if (code !== undefined) {
      settle({ exitCode: code });
      return;
    }
    const what =
      mode === 'exec'
        ? `The command in container "${ref.container}" of pod "${ref.pod}" failed`
        : `Attaching to container "${ref.container}" of pod "${ref.pod}" failed`;
    settle({ error: new KubeError('other', `${what}: ${status.message ?? status.reason ?? 'unknown reason'}`) });
  };
  let socket: WebSocket.WebSocket;
  try {
    socket = await connect(onStatus);
  } catch (err) {
    throw explainExecError(err, context, ref, mode);
  }
  socket.on('close', () => {
    // A status message always precedes a normal end; without one the connection was lost.
    setTimeout(
      () =>
        settle({
          error: new KubeError(
            'unreachable',
            `The connection to container "${ref.container}" of pod "${ref.pod}" on context "${context}" was lost`,
          ),
        }),
      50,
    );
  });
  socket.on('error', () => undefined);
  return {
    outcome,
    dispose: () => {
      try {
        socket.close();
      } catch {
        // already closed
      }
    },
  };
}

/** client-node reports a refused upgrade as "Unexpected server response: 403": say what it means. */
export function explainExecError(
  err: unknown,
  context: string,
  ref: ContainerRef,
  mode: StreamMode = 'exec',
): KubeError {
  const message = (err as { message?: unknown } | undefined)?.message;
  const text = typeof message === 'string' ? message : '';
  const status = /Unexpected server response: (\d{3})/.exec(text)?.[1];
  const where = `container "${ref.container}" of pod "${ref.pod}" in namespace "${ref.namespace}"`;
  const action = mode === 'exec' ? 'Exec into' : 'Attach to';
  if (status === '403') {
    return new KubeError(
      'forbidden',
      `${action} ${where} is forbidden on context "${context}": it needs the RBAC permission "create" on "pods/${mode}" in namespace "${ref.namespace}"`,
      403,
      { cause: err },
    );
  }
  if (status === '401') {
    return new KubeError('unauthorized', `${action} ${where} failed: not logged in to context "${context}"`, 401, {
      cause: err,
    });
  }
  if (status === '404') {
    return new KubeError('notFound', `${action} ${where} failed: the pod does not exist`, 404, { cause: err });
  }
  if (status) {
    return new KubeError(
      'server',
      `${action} ${where} failed: the API server answered HTTP ${status}`,
      Number(status),
      {
        cause: err,
      },
    );
  }
  return toKubeError(err, `${action.toLowerCase()} ${where} on context "${context}"`);
}
