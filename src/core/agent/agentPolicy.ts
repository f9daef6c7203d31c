import { globToRegExp } from '../kube/contextPolicy';
import { isChange, type OutgoingRequest } from '../kube/changeGuard';
import { KubeError } from '../kube/errors';

/**
 * What an agent may do, set by the user (VS Code settings, or the MCP server's policy file and flags), never by a
 * tool argument. Enforced on the requests the tools actually send (see AgentGate), so that no argument can widen it.
 */
export interface AgentPolicy {
  /** Globs on context names (`*`, `?`, case-insensitive). A context outside them is not listed and gets no request. */
  readonly allowedContexts: readonly string[];
  /** False: the change tools refuse, whatever the context (the MCP server's default). */
  readonly allowChanges: boolean;
  /** The change tools that are enabled (names as in AGENT_TOOLS), or 'all'. */
  readonly changeTools: readonly string[] | 'all';
  /** The largest answer of a tool, in characters; lists say how many rows they left out. */
  readonly answerChars: number;
  /**
   * Whether changes may address cluster-scoped objects (Namespaces, Nodes, CRDs, ClusterRoles, …). Off by default:
   * deleting or rewriting one of those can take a whole cluster down, so it stays a human's act.
   */
  readonly allowClusterScopedChanges: boolean;
}

export const DEFAULT_ANSWER_CHARS = 12_000;

export const READ_ONLY_AGENT_POLICY: AgentPolicy = {
  allowedContexts: ['*'],
  allowChanges: false,
  changeTools: [],
  answerChars: DEFAULT_ANSWER_CHARS,
  allowClusterScopedChanges: false,
};

export function contextAllowed(policy: AgentPolicy, context: string): boolean {
  return policy.allowedContexts.some((p) => p.trim().length > 0 && globToRegExp(p.trim()).test(context));
}

/** What a request path addresses, read from the path alone (`/api/v1/namespaces/ns/pods/web/log`). */
export interface AddressedResource {
  /** Undefined for cluster-scoped resources and for Namespace objects themselves. */
  readonly namespace?: string;
  readonly plural?: string;
  readonly name?: string;
  readonly subresource?: string;
}

/** Undefined when the path is not a resource path of the API (discovery, /version, …). */
export function addressedBy(path: string): AddressedResource | undefined {
  const segments = path.split('/').filter((s) => s.length > 0);
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 2) rest = segments.slice(2);
  else if (segments[0] === 'apis' && segments.length >= 3) rest = segments.slice(3);
  else return undefined;
  const decoded = rest.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  if (decoded[0] === 'namespaces' && decoded.length >= 3) {
    return { namespace: decoded[1], plural: decoded[2], name: decoded[3], subresource: decoded[4] };
  }
  // `/api/v1/namespaces/x` is the Namespace object itself: cluster-scoped.
  return { plural: decoded[0], name: decoded[1], subresource: decoded[2] };
}

/** A change request a tool announced before sending it: the method and the exact path (query aside). */
export interface Permit {
  readonly method: string;
  readonly path: string;
}

/** One tool call as the gate sees it: which tool, whether it changes things, what it said it would send. */
export interface ToolCall {
  readonly tool: string;
  readonly changes: boolean;
  readonly permits: readonly Permit[];
}

function refusal(context: string, message: string): KubeError {
  return new KubeError('readOnly', `Agent tools on context "${context}": ${message}`);
}

/**
 * Why `request` may not be sent for `call` on `context`, or undefined when it may. Every request of a tool call is
 * judged here (reads too: a context outside the policy gets none); the product's own guard (read-only contexts)
 * judges it again inside ClusterClient.
 */
export function judgeAgentRequest(
  policy: AgentPolicy,
  context: string,
  call: ToolCall,
  request: OutgoingRequest,
): KubeError | undefined {
  if (!contextAllowed(policy, context)) {
    return refusal(
      context,
      `the context is not allowed for agents (allowed: ${policy.allowedContexts.join(', ') || 'none'}); nothing was sent`,
    );
  }
  if (!isChange(request)) return undefined;
  const what = `${request.method.toUpperCase()} ${request.path}`;
  if (!call.changes) return refusal(context, `${call.tool} reads only, and was about to send ${what}; it was not sent`);
  if (!policy.allowChanges)
    return refusal(context, `changes are off for agents (read-only policy): ${what} was not sent`);
  if (policy.changeTools !== 'all' && !policy.changeTools.includes(call.tool)) {
    return refusal(context, `the tool ${call.tool} is not enabled for agents: ${what} was not sent`);
  }
  const target = addressedBy(request.path);
  if (!target) return refusal(context, `${what} is not an object of the API; it was not sent`);
  if (request.method.toUpperCase() === 'DELETE' && !target.name) {
    return refusal(context, `${what} would delete a whole collection; agents delete one object at a time`);
  }
  if (target.namespace === undefined && !policy.allowClusterScopedChanges) {
    return refusal(
      context,
      `${what} changes a cluster-scoped object (${target.plural ?? 'unknown'}${target.name ? `/${target.name}` : ''}); agents change namespaced objects only unless the policy allows cluster-scoped changes`,
    );
  }
  const permitted = call.permits.some(
    (p) => p.method.toUpperCase() === request.method.toUpperCase() && p.path === request.path,
  );
  if (!permitted) {
    return refusal(context, `${call.tool} did not announce ${what} in its confirmation, so it was not sent`);
  }
  return undefined;
}
