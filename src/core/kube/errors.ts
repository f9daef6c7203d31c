/**
 * One mapping from everything that can go wrong when talking to a cluster to a message written for users.
 * Raw client-node exception text is never shown: it can embed request headers (and so tokens).
 */
export type KubeErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'conflict'
  | 'invalid'
  | 'gone'
  | 'tooManyRequests'
  | 'unreachable'
  | 'timeout'
  | 'tls'
  | 'authPlugin'
  | 'server'
  | 'cancelled'
  /** Refused by the production guard (kubeWorkbench.readOnlyContexts): nothing was sent. */
  | 'readOnly'
  | 'config'
  | 'other';

export class KubeError extends Error {
  constructor(
    readonly kind: KubeErrorKind,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KubeError';
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
  readonly retryAfterSeconds: number | undefined;

  /** Whether a watch or request that failed this way is worth retrying without the user doing anything. */
  get retryable(): boolean {
    return ['unreachable', 'timeout', 'server', 'tooManyRequests', 'gone'].includes(this.kind);
  }
}

/** The part of a Kubernetes `Status` object we use. */
interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { field?: string; message?: string }[] };
}

const NETWORK_CODES: Record<string, { kind: KubeErrorKind; text: string }> = {
  ECONNREFUSED: { kind: 'unreachable', text: 'connection refused' },
  ECONNRESET: { kind: 'unreachable', text: 'connection reset' },
  EHOSTUNREACH: { kind: 'unreachable', text: 'host unreachable' },
  ENETUNREACH: { kind: 'unreachable', text: 'network unreachable' },
  ENOTFOUND: { kind: 'unreachable', text: 'server name not found (DNS)' },
  EAI_AGAIN: { kind: 'unreachable', text: 'server name lookup failed (DNS)' },
  EPIPE: { kind: 'unreachable', text: 'connection closed' },
  ETIMEDOUT: { kind: 'timeout', text: 'connection timed out' },
  ESOCKETTIMEDOUT: { kind: 'timeout', text: 'connection timed out' },
  UND_ERR_CONNECT_TIMEOUT: { kind: 'timeout', text: 'connection timed out' },
  DEPTH_ZERO_SELF_SIGNED_CERT: { kind: 'tls', text: "the server's certificate is self-signed and not trusted" },
  SELF_SIGNED_CERT_IN_CHAIN: { kind: 'tls', text: "the server's certificate chain is not trusted" },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { kind: 'tls', text: "the server's certificate could not be verified" },
  CERT_HAS_EXPIRED: { kind: 'tls', text: "the server's certificate has expired" },
  ERR_TLS_CERT_ALTNAME_INVALID: { kind: 'tls', text: "the server's certificate does not match its address" },
};

const STATUS_KINDS: Record<number, KubeErrorKind> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'notFound',
  409: 'conflict',
  410: 'gone',
  422: 'invalid',
  429: 'tooManyRequests',
};

const STATUS_ADVICE: Partial<Record<KubeErrorKind, string>> = {
  unauthorized: 'your credentials were rejected; log in again or check the user of this context',
  forbidden: 'your user is not allowed to do this',
  notFound: 'it does not exist (any more)',
  conflict: 'it was changed by someone else; reload and try again',
  gone: 'the data was too old; it will be read again',
  tooManyRequests: 'the server is busy; retrying shortly',
};

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function parseStatus(body: unknown): StatusBody | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const record = asRecord(value);
  if (!record) return undefined;
  return record as StatusBody;
}

function headerValue(headers: unknown, name: string): string | undefined {
  const record = asRecord(headers);
  if (!record) return undefined;
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() === name && typeof value === 'string') return value;
  }
  return undefined;
}

/** The HTTP status carried by a client-node ApiException, a watch error or a watch ERROR event's Status. */
export function statusOf(err: unknown): number | undefined {
  const record = asRecord(err);
  if (!record) return undefined;
  for (const key of ['code', 'statusCode', 'status']) {
    const value = record[key];
    if (typeof value === 'number' && value >= 100 && value < 600) return value;
  }
  return undefined;
}

/**
 * @param what what the user was doing, written as a phrase: "listing pods in default on kwb-admin".
 */
export function toKubeError(err: unknown, what: string): KubeError {
  if (err instanceof KubeError) return err;
  const msg = (detail: string): string => `${capitalise(what)} failed: ${detail}`;
  const record = asRecord(err);

  if (record?.name === 'AbortError') return new KubeError('cancelled', msg('cancelled'), undefined, { cause: err });

  const status = statusOf(err);
  if (status !== undefined) {
    const body = parseStatus(record?.body) ?? (record?.kind === 'Status' ? (record as StatusBody) : undefined);
    const kind = STATUS_KINDS[status] ?? (status >= 500 ? 'server' : 'other');
    const serverMessage = body?.message?.trim();
    const causes = (body?.details?.causes ?? [])
      .map((c) => [c.field, c.message].filter(Boolean).join(': '))
      .filter((s) => s.length > 0);
    const detail = serverMessage || STATUS_ADVICE[kind] || `HTTP ${status}`;
    const text = causes.length > 0 && !serverMessage ? `${detail} (${causes.join('; ')})` : detail;
    const retryAfter = Number(headerValue(record?.headers, 'retry-after'));
    return new KubeError(kind, msg(`${text} (HTTP ${status})`), status, {
      cause: err,
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    });
  }

  const code = typeof record?.code === 'string' ? record.code : findCode(record);
  if (code && NETWORK_CODES[code]) {
    const known = NETWORK_CODES[code];
    const advice =
      known.kind === 'tls' ? 'check certificate-authority in the kubeconfig' : 'is the cluster running and reachable?';
    return new KubeError(known.kind, msg(`${known.text}; ${advice}`), undefined, { cause: err });
  }

  const message = typeof record?.message === 'string' ? record.message : '';
  if (/exec: |exec plugin|getCredentials|ENOENT.*spawn|spawn .* ENOENT/i.test(message) || code === 'ENOENT') {
    return new KubeError(
      'authPlugin',
      msg('the credential plugin of this context could not be run; check that its command is installed and on PATH'),
      undefined,
      { cause: err },
    );
  }
  if (/timed? ?out/i.test(message)) return new KubeError('timeout', msg('timed out'), undefined, { cause: err });
  return new KubeError('other', msg('unexpected error (see the Kube Workbench log)'), undefined, { cause: err });
}

/** node-fetch wraps system errors; the code sits on the error or on its cause. */
function findCode(record: Record<string, unknown> | undefined): string | undefined {
  let current: unknown = record;
  for (let depth = 0; depth < 4 && current; depth++) {
    const r = asRecord(current);
    if (!r) return undefined;
    if (typeof r.code === 'string') return r.code;
    if (typeof r.errno === 'string') return r.errno;
    current = r.cause;
  }
  return undefined;
}

function capitalise(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}
