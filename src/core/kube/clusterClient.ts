import * as http from 'node:http';
import * as https from 'node:https';
import { X509Certificate } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ActingConnection, RequestGate } from './changeGuard';
import { KubeError, toKubeError } from './errors';
import { ListItemReader } from './listItems';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Record<string, string | number | boolean | undefined>;
  body?: string;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  /** Overall time limit for a non-streaming request. */
  timeoutMs?: number;
  /** The largest answer read (bytes); a larger one is cut off with an error. Default MAX_RESPONSE_BYTES. */
  maxBytes?: number;
  /**
   * Receives a successful answer's bytes as they arrive instead of collecting them (the body returned is then
   * empty); what it throws fails the request.
   */
  onData?: (chunk: Buffer) => void;
}

/**
 * The largest answer a request reads. A page of 500 objects is a few MB; the budget only stops a broken or hostile
 * server from filling the extension host's memory.
 */
export const MAX_RESPONSE_BYTES = 256 * 2 ** 20;
/** Of an error answer, only this much is read: enough for the Status message users see. */
const MAX_ERROR_BODY_BYTES = 64 * 2 ** 10;

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Raw HTTP access to one context's API server, with that context's credentials (client certificates, tokens,
 * exec plugins through client-node's authenticators). Used where client-node's typed API costs too much (big
 * lists, watches we own the policy of) or does not exist (discovery, Table format).
 * One keep-alive agent per client, so the TLS handshake is paid once per cluster, not per request.
 */
export class ClusterClient {
  private agent: http.Agent | undefined;
  /** The client certificate and key the agent was made with (see prepare). */
  private agentCertificate: string | undefined;
  private readonly server: URL;

  /**
   * `gate` sees every request and acting connection before credentials are fetched or a byte is sent: the
   * production guard lives there so that no caller can skip it.
   */
  constructor(
    readonly context: string,
    private readonly kc: KubeConfig,
    private readonly gate: RequestGate,
    private readonly defaults: { timeoutMs: number } = { timeoutMs: 15_000 },
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubeError('config', `Context "${context}" names no cluster in the kubeconfig`);
    this.server = new URL(cluster.server);
  }

  get serverUrl(): string {
    return this.server.toString();
  }

  get kubeConfig(): KubeConfig {
    return this.kc;
  }

  private get usesPlugin(): boolean {
    const user = this.kc.getCurrentUser();
    return Boolean(user?.exec || user?.authProvider);
  }

  /**
   * client-node runs a context's exec plugin for every request that finds the cached token expired, so a burst
   * of requests after expiry (a reconnect: version, discovery, every open folder's list) would start one plugin
   * process each. One at a time here: the first runs the plugin, the others then find its fresh token.
   */
  private async applyCredentials(opts: https.RequestOptions): Promise<void> {
    if (!this.usesPlugin) return this.kc.applyToHTTPSOptions(opts);
    const previous = this.credentialQueue;
    let release: () => void = () => {};
    this.credentialQueue = new Promise<void>((r) => (release = r));
    try {
      await previous;
      await this.kc.applyToHTTPSOptions(opts);
    } finally {
      release();
    }
  }

  private credentialQueue: Promise<void> = Promise.resolve();

  /** The last client certificate checked (by identity: client-node hands the same one until it changes). */
  private checkedCertificate: unknown;

  /**
   * A client certificate that has expired (or is not valid yet) is refused by the server with a bare 401: say so
   * before sending, with its dates, so the user knows to renew it or log in again.
   */
  private checkClientCertificate(cert: unknown): void {
    if (!cert || cert === this.checkedCertificate) return;
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(cert as string | Buffer);
    } catch {
      return; // not one we can read: the TLS handshake will say what is wrong
    }
    const now = Date.now();
    const until = new Date(x509.validTo);
    const from = new Date(x509.validFrom);
    if (until.getTime() < now || from.getTime() > now) {
      const when =
        until.getTime() < now
          ? `expired on ${until.toISOString().slice(0, 10)}`
          : `is not valid before ${from.toISOString().slice(0, 10)}`;
      throw new KubeError(
        'unauthorized',
        `The client certificate of context "${this.context}" ${when} (${x509.subject.replace(/\n/g, ', ')}): renew it or log in again to get a new one, then reconnect`,
      );
    }
    this.checkedCertificate = cert;
  }

  /**
   * Asks the production guard before an exec, attach or port-forward connects (they are opened outside
   * request()/stream(), with client-node's or our WebSocket code). Throws when the context is read-only.
   */
  admitConnection(connection: ActingConnection, what: string): void {
    this.gate.admitConnection(this.context, connection, what);
  }

  /** Request options with credentials applied; the exec plugin's token is refreshed by client-node when expired. */
  private async prepare(
    path: string,
    options: RequestOptions,
    what: string,
  ): Promise<{ url: URL; opts: https.RequestOptions }> {
    this.gate.admit(this.context, { method: options.method ?? 'GET', path, query: options.query }, what);
    const url = new URL(this.server.toString().replace(/\/$/, '') + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const opts: https.RequestOptions = { headers: {} };
    try {
      await this.applyCredentials(opts);
    } catch (err) {
      if (err instanceof Error && /HTTP protocol is not allowed/.test(err.message)) {
        throw new KubeError(
          'config',
          `Context ${this.context} uses a plain http:// server; set insecure-skip-tls-verify: true on its cluster to allow that`,
          undefined,
          { cause: err },
        );
      }
      if (this.usesPlugin)
        throw pluginError(
          err,
          this.context,
          this.kc.getCurrentUser()?.exec as { command?: string; installHint?: string },
        );
      throw toKubeError(err, `getting credentials for context ${this.context}`);
    }
    this.checkClientCertificate(opts.cert);
    const fromKc = opts.agent as https.Agent | undefined;
    // An exec plugin may hand out a new client certificate (rotation): the keep-alive agent was made with the old
    // one, so a new agent takes the new requests. Connections already open (watches) finish on the old one.
    const certificate = identityOf(fromKc?.options);
    if (this.agent && certificate !== this.agentCertificate) {
      const old = this.agent;
      this.agent = undefined;
      setTimeout(() => old.destroy(), 5 * 60_000).unref();
    }
    this.agentCertificate = certificate;
    if (!this.agent) {
      // A proxy agent (proxy-url in the kubeconfig) is kept as client-node made it; otherwise our keep-alive one.
      const viaProxy = Boolean(this.kc.getCurrentCluster()?.proxyUrl);
      this.agent = viaProxy
        ? fromKc
        : url.protocol === 'https:'
          ? new https.Agent({ ...(fromKc?.options ?? {}), keepAlive: true, maxSockets: 32 })
          : new http.Agent({ keepAlive: true, maxSockets: 32 });
    }
    if (fromKc !== this.agent) fromKc?.destroy();
    opts.agent = this.agent;
    opts.method = options.method ?? 'GET';
    const headers = opts.headers as Record<string, string>;
    headers.Accept = options.accept ?? 'application/json';
    if (options.contentType) headers['Content-Type'] = options.contentType;
    // Node frames a DELETE body only when told its length (it uses chunked encoding by default for POST, PUT and
    // PATCH only): without it the API server reads no body, and a DELETE's preconditions would be dropped.
    if (options.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(options.body));
    headers['User-Agent'] = 'kube-workbench';
    return { url, opts };
  }

  /** One request, whole body in memory. Throws KubeError-compatible errors for non-2xx statuses. */
  async request(
    path: string,
    options: RequestOptions = {},
    what = `${options.method ?? 'GET'} ${path}`,
  ): Promise<RawResponse> {
    const { url, opts } = await this.prepare(path, options, what);
    const timeoutMs = options.timeoutMs ?? this.defaults.timeoutMs;
    return new Promise<RawResponse>((resolve, reject) => {
      const lib = url.protocol === 'https:' ? https : http;
      const req = lib.request(url, { ...opts, signal: options.signal }, (res) => {
        const chunks: Buffer[] = [];
        const status = res.statusCode ?? 0;
        const budget = status >= 200 && status < 300 ? (options.maxBytes ?? MAX_RESPONSE_BYTES) : MAX_ERROR_BODY_BYTES;
        let received = 0;
        const onData = status >= 200 && status < 300 ? options.onData : undefined;
        res.on('data', (c: Buffer) => {
          received += c.length;
          if (received <= budget) {
            if (!onData) {
              chunks.push(c);
              return;
            }
            try {
              onData(c);
            } catch (err) {
              req.destroy();
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          } else if (status >= 200 && status < 300) {
            req.destroy();
            reject(
              new KubeError(
                'server',
                `${capitalize(what)} failed: the answer of context "${this.context}" is larger than ${Math.round(budget / 2 ** 20)} MiB, so it was not read`,
              ),
            );
          }
        });
        res.on('error', (err) => reject(toKubeError(err, what)));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          if (status >= 200 && status < 300) {
            resolve({ status, headers: res.headers, body });
          } else {
            reject(toKubeError({ code: status, body: body.toString('utf8'), headers: res.headers }, what));
          }
        });
      });
      req.setTimeout(timeoutMs, () =>
        req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })),
      );
      req.on('error', (err) => reject(toKubeError(err, what)));
      if (options.body !== undefined) req.write(options.body);
      req.end();
    });
  }

  async getJson<T>(path: string, options: RequestOptions = {}, what?: string): Promise<T> {
    const res = await this.request(path, options, what);
    return JSON.parse(res.body.toString('utf8')) as T;
  }

  /**
   * A list (one page of it): each element of `items` is parsed on its own and handed to `onItem` as it arrives;
   * the rest of the answer (kind, metadata with `continue` and `resourceVersion`) is returned with `items: []`.
   * Holds at most one item's text at a time, never the page (see ListItemReader).
   */
  async getList<T>(path: string, options: RequestOptions, onItem: (item: unknown) => void, what?: string): Promise<T> {
    const reader = new ListItemReader(onItem);
    await this.request(path, { ...options, onData: (chunk) => reader.write(chunk) }, what);
    return reader.end() as T;
  }

  /**
   * A streaming GET (watch, log follow). `onChunk` receives raw bytes; the promise settles when the stream
   * ends (resolves) or fails (rejects with a KubeError). Abort with `signal`.
   * `idleTimeoutMs` ends a connection that has gone silent (a half-open TCP connection otherwise hangs forever).
   */
  async stream(
    path: string,
    options: RequestOptions & { idleTimeoutMs?: number },
    onChunk: (chunk: Buffer) => void,
    what = `streaming ${path}`,
  ): Promise<void> {
    const { url, opts } = await this.prepare(path, options, what);
    return new Promise<void>((resolve, reject) => {
      const lib = url.protocol === 'https:' ? https : http;
      const req = lib.request(url, { ...opts, signal: options.signal }, (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          const chunks: Buffer[] = [];
          let received = 0;
          res.on('data', (c: Buffer) => {
            received += c.length;
            if (received <= MAX_ERROR_BODY_BYTES) chunks.push(c);
          });
          res.on('end', () =>
            reject(
              toKubeError({ code: status, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }, what),
            ),
          );
          res.on('error', (err) => reject(toKubeError(err, what)));
          return;
        }
        res.on('data', onChunk);
        res.on('end', () => resolve());
        res.on('error', (err) => reject(toKubeError(err, what)));
        res.on('aborted', () => reject(toKubeError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }), what)));
      });
      if (options.idleTimeoutMs) {
        req.setTimeout(options.idleTimeoutMs, () =>
          req.destroy(Object.assign(new Error('stream went silent'), { code: 'ETIMEDOUT' })),
        );
      }
      req.on('error', (err) => reject(toKubeError(err, what)));
      req.end();
    });
  }

  dispose(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }
}

/**
 * client-node rejects with the plugin's stderr as the message when the plugin exits non-zero, or with a spawn
 * error (ENOENT) when its command is missing. The plugin's own words are what tells the user what to do
 * (log in again, start a VPN, ...), so they are kept, on one line and bounded.
 */
function pluginError(
  err: unknown,
  context: string,
  exec: { command?: string; installHint?: string } | undefined | null,
): KubeError {
  const code = (err as { code?: unknown } | undefined)?.code;
  const message = err instanceof Error ? err.message : '';
  if (code === 'ENOENT' || /ENOENT/.test(message)) {
    // As kubectl: name the command, and show the plugin's own install hint when the kubeconfig gives one.
    const command = exec?.command ?? 'its command';
    const hint = exec?.installHint?.trim();
    return new KubeError(
      'authPlugin',
      `Getting credentials for context ${context} failed: the credential plugin "${command}" was not found. ${
        hint
          ? redactSecrets(hint.replace(/\s+/g, ' ')).slice(0, 500)
          : 'Install it, or fix users[].exec.command in the kubeconfig.'
      }`,
      undefined,
      { cause: err },
    );
  }
  const mapped = toKubeError(err, `getting credentials for context ${context}`);
  if (mapped.kind === 'authPlugin') return mapped;
  const text = redactSecrets(message.replace(/\s+/g, ' ').trim());
  const said = text.length > 300 ? `${text.slice(0, 300)}…` : text;
  return new KubeError(
    'authPlugin',
    `Getting credentials for context ${context} failed: the credential plugin ${said ? `said: ${said}` : 'failed without a message'}`,
    undefined,
    { cause: err },
  );
}

function capitalize(text: string): string {
  return `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`;
}

/**
 * What a credential plugin printed, fit to show: tokens it may have echoed (JWTs, `Bearer …`, `token=…`,
 * `password: …`, long base64 or hex runs) replaced by [redacted].
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, '[redacted]')
    .replace(/\b(bearer|basic)\s+[\w.~+/=-]{6,}/gi, '$1 [redacted]')
    .replace(
      /\b(token|password|passwd|secret|api[-_]?key|access[-_]?key|client[-_]?secret)(\s*[=:]\s*)("?)[^\s"',;]+\3/gi,
      '$1$2[redacted]',
    )
    .replace(/[A-Za-z0-9+/_-]{32,}={0,2}/g, '[redacted]');
}

/** The client certificate and key of agent options, as one comparable string (undefined without them). */
function identityOf(options: https.AgentOptions | undefined): string | undefined {
  if (!options?.cert && !options?.key) return undefined;
  const text = (v: unknown): string =>
    typeof v === 'string'
      ? v
      : Buffer.isBuffer(v)
        ? v.toString('utf8')
        : Array.isArray(v)
          ? v.map(text).join('\n')
          : '';
  return `${text(options.cert)}\u0000${text(options.key)}`;
}
