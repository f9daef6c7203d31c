import type { KubeConfig } from '@kubernetes/client-node';
import { Emitter, type Event } from '../common/event';
import { contextPolicy, type ContextPolicy, type ContextPolicySettings } from './contextPolicy';
import { KubeError } from './errors';

/** A request as it is about to be sent: what the guard judges, whatever command or tool built it. */
export interface OutgoingRequest {
  readonly method: string;
  /** The URL path, without the query. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
}

/**
 * Streams that act inside a cluster although they are opened with a GET: exec and attach send keystrokes to a
 * process, a port-forward carries whatever the local side sends to the pod.
 */
export type ActingConnection = 'exec' | 'attach' | 'portforward';

/**
 * The cluster side of exec, attach and port-forward: the context's credentials, and the production guard asked
 * before the connection opens (ClusterClient is one).
 */
export interface ActingConnector {
  readonly kubeConfig: KubeConfig;
  admitConnection(connection: ActingConnection, what: string): void;
}

/** What every request and connection of a context passes through before a byte is sent (ClusterClient). */
export interface RequestGate {
  /** Throws a KubeError of kind 'readOnly' when `request` would change something on a read-only context. */
  admit(context: string, request: OutgoingRequest, what: string): void;
  admitConnection(context: string, connection: ActingConnection, what: string): void;
}

/** A refused change, for the log and for tests: which context, and what was not done. */
export interface Refusal {
  readonly context: string;
  readonly what: string;
}

/**
 * Questions the API answers with a POST that change nothing: "may I?" reviews. Everything else that is not a
 * GET/HEAD, or a server-side dry run, is a change.
 */
const READ_ONLY_POSTS = new Set([
  '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
  '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
  '/apis/authentication.k8s.io/v1/selfsubjectreviews',
]);

/**
 * Whether a request changes state on the server. Judged on the request itself, never on who built it: a dry run
 * is recognised only by `dryRun=All` in its query, which the API server honours for every write.
 */
export function isChange(request: OutgoingRequest): boolean {
  const method = request.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return false;
  if (request.query?.dryRun === 'All') return false;
  if (method === 'POST' && READ_ONLY_POSTS.has(request.path)) return false;
  return true;
}

/**
 * The production guard's rule, in one place: a read-only context changes nothing, whoever asks (a command, a
 * save, an agent tool). The UI asks it before showing a confirmation; ClusterClient asks it again for every
 * request and connection, so that no caller can skip it.
 */
export class ChangeGuard implements RequestGate {
  private readonly refused = new Emitter<Refusal>();
  readonly onDidRefuse: Event<Refusal> = this.refused.event;

  constructor(private readonly settings: () => ContextPolicySettings) {}

  policy(context: string): ContextPolicy {
    return contextPolicy(context, this.settings());
  }

  /** Throws a KubeError of kind 'readOnly' naming the context and what was not done. */
  assertMayChange(context: string, what: string): void {
    if (this.policy(context) !== 'readOnly') return;
    this.refused.fire({ context, what });
    throw new KubeError(
      'readOnly',
      `Context "${context}" is read-only in Kube Workbench (setting kubeWorkbench.readOnlyContexts): ${what} was not done.`,
    );
  }

  admit(context: string, request: OutgoingRequest, what: string): void {
    if (isChange(request)) this.assertMayChange(context, what);
  }

  admitConnection(context: string, _connection: ActingConnection, what: string): void {
    this.assertMayChange(context, what);
  }

  dispose(): void {
    this.refused.dispose();
  }
}

/** For tools and tests that talk to a cluster outside the product's settings (benchmarks, test fixtures). */
export const ADMIT_EVERYTHING: RequestGate = { admit: () => undefined, admitConnection: () => undefined };
