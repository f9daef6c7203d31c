/**
 * Port-forwarding through the API server (the pods/portforward subresource over WebSocket, channel protocol
 * v4.channel.k8s.io): a local TCP server on 127.0.0.1, one WebSocket per accepted connection. A forward to a
 * Service or a Deployment resolves a Ready pod through the selector and resolves again when that pod is gone.
 */
import type { Agent } from 'node:http';
import * as net from 'node:net';
import type WebSocket from 'ws';
import type { ActingConnector } from '../kube/changeGuard';
import { webSocketClass } from './webSocket';
import type { JsonTransport } from '../kube/transport';
import { KubeError, toKubeError } from '../kube/errors';
import { hasCapability, kindInfo } from '../resources/kinds';
import type { KubeObject } from '../resources/kubeObject';
import { collectionOf, objectPath, pathOf } from '../resources/objectRef';
import { labelSelectorOf, podReady } from '../rollout/rollout';
import { Emitter, type Event } from '../common/event';
import { asRecord, asRecords } from '../common/json';

export type ForwardTargetKind = 'Pod' | 'Service' | 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet';

export interface ForwardTarget {
  context: string;
  namespace: string;
  kind: ForwardTargetKind;
  name: string;
}

export interface PortChoice {
  /** The port on the target: a Service port for Services, a container port otherwise. */
  port: number;
  /** The port's name, where it has one. */
  name?: string;
  protocol?: string;
  /** Where a Service port goes: a number, or a container port name. */
  targetPort?: number | string;
}

/** The kinds a port can be forwarded from: the kind registry's `portForward` capability. */
export function isForwardKind(kind: string | undefined): kind is ForwardTargetKind {
  return hasCapability(kind, 'portForward');
}

/** The API path of the object a forward starts from. */
export function forwardTargetPath(t: ForwardTarget): string {
  const kind = kindInfo(t.kind);
  if (!kind) throw new KubeError('invalid', `A port cannot be forwarded from a ${t.kind}`);
  return objectPath({ context: t.context, ...kind, namespace: t.namespace, name: t.name });
}

export function describeTarget(t: ForwardTarget): string {
  return `${t.kind} "${t.name}" in namespace "${t.namespace}" on context "${t.context}"`;
}

/** The TCP ports of a pod's containers (or a pod template's). */
export function containerPorts(podSpec: unknown): PortChoice[] {
  const out: PortChoice[] = [];
  for (const c of asRecords(asRecord(podSpec).containers)) {
    for (const p of asRecords(c.ports)) {
      if (typeof p.containerPort !== 'number') continue;
      if (p.protocol !== undefined && p.protocol !== 'TCP') continue;
      out.push({ port: p.containerPort, name: typeof p.name === 'string' ? p.name : undefined, protocol: 'TCP' });
    }
  }
  return out;
}

/** The ports a target offers: a Service's ports, or the containers' ports of the pod (template). */
export function portsOf(target: ForwardTargetKind, obj: KubeObject): PortChoice[] {
  const spec = asRecord(obj.spec);
  if (target === 'Service') {
    return asRecords(spec.ports)
      .filter((p) => typeof p.port === 'number' && (p.protocol === undefined || p.protocol === 'TCP'))
      .map((p) => ({
        port: p.port as number,
        name: typeof p.name === 'string' ? p.name : undefined,
        protocol: 'TCP',
        targetPort:
          typeof p.targetPort === 'number' || typeof p.targetPort === 'string' ? p.targetPort : (p.port as number),
      }));
  }
  if (target === 'Pod') return containerPorts(spec);
  return containerPorts(asRecord(spec.template).spec);
}

/** The pod port a forward to `port` of the target reaches on `pod` (a Service's targetPort, names resolved). */
export function podPortFor(target: ForwardTargetKind, obj: KubeObject, port: number, pod: KubeObject): number {
  if (target !== 'Service') return port;
  const choice = portsOf('Service', obj).find((p) => p.port === port);
  const targetPort = choice?.targetPort ?? port;
  if (typeof targetPort === 'number') return targetPort;
  const named = containerPorts(asRecord(pod.spec)).find((p) => p.name === targetPort);
  if (!named) throw new KubeError('invalid', `Pod ${podName(pod)} has no container port named "${targetPort}"`);
  return named.port;
}

function podName(pod: KubeObject): string {
  const name = asRecord(pod.metadata).name;
  return typeof name === 'string' ? name : '';
}

/** The label selector that picks the target's pods (a Service's selector, a workload's spec.selector). */
export function selectorOf(kind: ForwardTargetKind, obj: KubeObject): string {
  const spec = asRecord(obj.spec);
  if (kind === 'Service') {
    return Object.entries(asRecord(spec.selector))
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(',');
  }
  return labelSelectorOf(spec.selector);
}

/**
 * Opens a port-forward WebSocket to one pod's port. `onMessage` is attached before the connection opens (the
 * server sends the port frames right away). Injectable so that tests can replace the transport.
 */
export type StreamOpener = (
  namespace: string,
  pod: string,
  port: number,
  onMessage: (data: Buffer) => void,
) => Promise<WebSocket>;

/** The real opener: the API server's pods/portforward over WebSocket, with the context's credentials. */
export function websocketOpener(client: ActingConnector & { readonly serverUrl: string }): StreamOpener {
  const kc = client.kubeConfig;
  const server = client.serverUrl;
  return async (namespace, pod, port, onMessage) => {
    client.admitConnection('portforward', `forwarding to port ${port} of pod "${pod}" in namespace "${namespace}"`);
    const opts: {
      ca?: unknown;
      cert?: unknown;
      key?: unknown;
      headers?: Record<string, string>;
      rejectUnauthorized?: boolean;
      servername?: string;
      auth?: string;
      agent?: Agent;
    } = {};
    await kc.applyToHTTPSOptions(opts as never);
    // What the kubeconfig says about reaching the server applies here as to every request: the name to expect on
    // its certificate (tls-server-name), basic auth, and a proxy (proxy-url, whose agent client-node made).
    const viaProxy = Boolean(kc.getCurrentCluster()?.proxyUrl);
    const base = server.replace(/\/$/, '').replace(/^http/, 'ws');
    const url = `${base}${pathOf('Pod', namespace, pod)}/portforward?ports=${port}`;
    const what = `forwarding to port ${port} of pod "${pod}" in namespace "${namespace}"`;
    return new Promise<WebSocket>((resolve, reject) => {
      const ws = new (webSocketClass())(url, ['v4.channel.k8s.io'], {
        ca: opts.ca as string | undefined,
        cert: opts.cert as string | undefined,
        key: opts.key as string | undefined,
        headers: opts.headers,
        rejectUnauthorized: opts.rejectUnauthorized,
        // ws hands its options to tls.connect, which takes servername; its type does not list it.
        ...({ servername: opts.servername } as object),
        auth: opts.auth,
        agent: viaProxy ? opts.agent : undefined,
        handshakeTimeout: 15_000,
        // The API server sends frames of a few KB; a bound keeps a broken one from filling memory with one frame.
        maxPayload: 16 * 2 ** 20,
      });
      ws.on('message', onMessage);
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        let received = 0;
        res.on('data', (c: Buffer) => {
          received += c.length;
          if (received <= 64 * 1024) chunks.push(c); // enough for the Status message
        });
        res.on('end', () =>
          reject(toKubeError({ code: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }, what)),
        );
      });
      ws.once('error', (err) => reject(toKubeError(err, what)));
    });
  };
}

export interface ForwardState {
  id: string;
  target: ForwardTarget;
  /** The port on the target (a Service port for Services). */
  remotePort: number;
  localPort: number;
  /** The pod connections currently go to. */
  pod: string | undefined;
  connections: number;
  error: string | undefined;
}

interface Logger {
  info(component: string, message: string): void;
  warn(component: string, message: string): void;
}

/**
 * One active forward: a listening local server; each accepted connection gets its own stream to the current pod.
 * For anything but a Pod, the pod is checked before each connection and resolved again when it is gone.
 */
export class PortForwardSession {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly streams = new Set<WebSocket>();
  private pod: KubeObject | undefined;
  private readonly changed = new Emitter<void>();
  readonly onDidChange: Event<void> = this.changed.event;
  private lastError: string | undefined;
  private disposed = false;

  constructor(
    readonly id: string,
    readonly target: ForwardTarget,
    readonly remotePort: number,
    private readonly client: JsonTransport,
    private readonly open: StreamOpener,
    private readonly log: Logger,
    /** How often the pod is checked between connections, so that the view shows the one in use (0: never). */
    private readonly checkEveryMs = 5_000,
  ) {}
  private checkTimer: NodeJS.Timeout | undefined;
  private checking = false;

  private localPortValue = 0;
  get localPort(): number {
    return this.localPortValue;
  }

  get state(): ForwardState {
    return {
      id: this.id,
      target: this.target,
      remotePort: this.remotePort,
      localPort: this.localPortValue,
      pod: this.pod ? podName(this.pod) : undefined,
      connections: this.sockets.size,
      error: this.lastError,
    };
  }

  /** Resolves the pod, then listens on 127.0.0.1:`localPort` (0: a free port). */
  async start(localPort: number): Promise<void> {
    await this.currentPod();
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new KubeError(
            'other',
            err.code === 'EADDRINUSE'
              ? `Local port ${localPort} is already in use; choose another one`
              : `Could not listen on local port ${localPort}: ${err.code ?? 'error'}`,
          ),
        ),
      );
      server.listen(localPort, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.localPortValue = typeof address === 'object' && address ? address.port : localPort;
    if (this.checkEveryMs > 0) {
      this.checkTimer = setInterval(() => void this.check(), this.checkEveryMs);
      this.checkTimer.unref();
    }
    this.log.info(
      'portForward',
      `forwarding 127.0.0.1:${this.localPortValue} to port ${this.remotePort} of ${describeTarget(this.target)}`,
    );
  }

  /** Between connections: resolve the pod again when it is gone, and show a target that has no Ready pod. */
  private async check(): Promise<void> {
    if (this.checking || this.disposed) return;
    this.checking = true;
    try {
      await this.currentPod();
      if (this.lastError) {
        this.lastError = undefined;
        this.changed.fire();
      }
    } catch (err) {
      const message = toKubeError(err, `forwarding to ${describeTarget(this.target)}`).message;
      if (message !== this.lastError && !this.disposed) {
        this.lastError = message;
        this.log.warn('portForward', message);
        this.changed.fire();
      }
    } finally {
      this.checking = false;
    }
  }

  /** The pod to use now: the current one while it exists and is Ready, otherwise a Ready pod of the target. */
  private async currentPod(): Promise<KubeObject> {
    if (this.pod) {
      try {
        const fresh = await this.client.getJson<KubeObject>(pathOf('Pod', this.target.namespace, podName(this.pod)));
        if (this.target.kind === 'Pod' || podReady(fresh)) {
          this.pod = fresh;
          return fresh;
        }
      } catch (err) {
        if (this.target.kind === 'Pod' || !(err instanceof KubeError && err.kind === 'notFound')) throw err;
      }
    }
    const what = `finding a pod for ${describeTarget(this.target)}`;
    if (this.target.kind === 'Pod') {
      this.pod = await this.client.getJson<KubeObject>(forwardTargetPath(this.target), {}, what);
      return this.pod;
    }
    const obj = await this.client.getJson<KubeObject>(forwardTargetPath(this.target), {}, what);
    const selector = selectorOf(this.target.kind, obj);
    if (!selector)
      throw new KubeError('invalid', `${describeTarget(this.target)} selects no pods (it has no selector)`);
    const pods = await this.client.getJson<{ items?: KubeObject[] }>(
      collectionOf('Pod', this.target.namespace),
      { query: { labelSelector: selector } },
      what,
    );
    const ready = (pods.items ?? []).filter(podReady);
    const chosen = ready[0];
    if (!chosen) {
      throw new KubeError('notFound', `${capital(what)} failed: none of its pods is Ready (selector ${selector})`);
    }
    const previous = this.pod ? podName(this.pod) : undefined;
    this.pod = chosen;
    this.targetObject = obj;
    if (previous !== podName(chosen)) {
      if (previous)
        this.log.info(
          'portForward',
          `${describeTarget(this.target)}: pod ${previous} is gone, now using ${podName(chosen)}`,
        );
      this.changed.fire();
    }
    return chosen;
  }
  private targetObject: KubeObject | undefined;

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    this.changed.fire();
    socket.pause();
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.changed.fire();
    });
    void this.connect(socket);
  }

  private async connect(socket: net.Socket): Promise<void> {
    // The first frame on each channel carries the port number (2 bytes); the rest of channel 0 is data, of
    // channel 1 an error text.
    const seenPort = [false, false];
    let stream: WebSocket | undefined;
    const onMessage = (data: Buffer): void => {
      const channel = data[0];
      if (channel !== 0 && channel !== 1) return;
      let payload = data.subarray(1);
      if (!seenPort[channel]) {
        seenPort[channel] = true;
        payload = payload.subarray(2);
      }
      if (payload.length === 0) return;
      if (channel === 0) {
        // A local reader slower than the pod: stop reading the stream until it catches up (memory stays bounded).
        if (!socket.destroyed && !socket.write(payload) && stream) {
          const paused = stream;
          paused.pause();
          socket.once('drain', () => paused.resume());
        }
        return;
      }
      const text = sanitizeForDisplay(payload.subarray(0, 2048).toString('utf8'));
      this.lastError = `Port-forward error from ${describeTarget(this.target)}: ${text}`;
      this.log.warn('portForward', this.lastError);
      this.changed.fire();
    };
    let ws: WebSocket;
    try {
      const pod = await this.currentPod();
      const port = this.targetObject
        ? podPortFor(this.target.kind, this.targetObject, this.remotePort, pod)
        : this.remotePort;
      ws = await this.open(this.target.namespace, podName(pod), port, onMessage);
      stream = ws;
      if (this.lastError) {
        this.lastError = undefined;
        this.changed.fire();
      }
    } catch (err) {
      this.lastError = toKubeError(err, `forwarding to ${describeTarget(this.target)}`).message;
      this.log.warn('portForward', this.lastError);
      this.changed.fire();
      socket.destroy();
      return;
    }
    if (socket.destroyed || this.disposed) {
      ws.close();
      return;
    }
    this.streams.add(ws);
    ws.on('close', () => {
      this.streams.delete(ws);
      socket.end();
    });
    ws.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([0]), chunk]));
    });
    socket.on('end', () => ws.close());
    socket.on('close', () => {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
    });
    socket.resume();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.checkTimer);
    for (const ws of this.streams) ws.terminate();
    for (const s of this.sockets) s.destroy();
    this.server?.close();
    this.changed.dispose();
    this.log.info(
      'portForward',
      `stopped forwarding 127.0.0.1:${this.localPortValue} to ${describeTarget(this.target)}`,
    );
  }
}

function capital(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]+/g;

/** Text from the cluster shown in our UI: control characters (terminal escapes, NUL) out, one line, bounded. */
function sanitizeForDisplay(text: string): string {
  return text.replace(CONTROL_CHARACTERS, ' ').trim().slice(0, 1000);
}
