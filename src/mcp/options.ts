import { readFileSync } from 'node:fs';
import { DEFAULT_ANSWER_CHARS, type AgentPolicy } from '../core/agent/agentPolicy';
import { AGENT_TOOLS } from '../core/agent/tools';

/** How the MCP server was started: its policy, the production guard's read-only contexts, the kubeconfig files. */
export interface McpOptions {
  readonly policy: AgentPolicy;
  /** Contexts that refuse every change on the wire, whatever the policy (like kubeWorkbench.readOnlyContexts). */
  readonly readOnlyContexts: readonly string[];
  /** Extra kubeconfig files, after KUBECONFIG (or ~/.kube/config). */
  readonly kubeconfigs: readonly string[];
}

export const USAGE = `kube-workbench-mcp: Kubernetes tools for MCP clients (stdio), read-only unless told otherwise.

  --context <glob>             a context agents may use (repeatable; default: every context)
  --allow-changes              enable the change tools (apply, scale, rollout restart/undo, delete)
  --tool <name>                enable only this change tool (repeatable; implies --allow-changes)
  --read-only-context <glob>   a context that refuses every change anyway (repeatable)
  --allow-cluster-scoped-changes  let changes address cluster-scoped objects (Namespaces, Nodes, ...)
  --answer-chars <n>           the largest answer, in characters (default ${DEFAULT_ANSWER_CHARS})
  --kubeconfig <file>          another kubeconfig file to merge (repeatable; KUBECONFIG is read first)
  --policy <file.json>         the same as a file: {"contexts": [...], "allowChanges": true, "changeTools": [...],
                               "readOnlyContexts": [...], "allowClusterScopedChanges": false, "answerChars": 12000}
                               (flags add to it)
`;

export class UsageError extends Error {}

interface PolicyFile {
  contexts?: unknown;
  allowChanges?: unknown;
  changeTools?: unknown;
  readOnlyContexts?: unknown;
  allowClusterScopedChanges?: unknown;
  answerChars?: unknown;
}

function strings(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new UsageError(`${what} must be a list of strings`);
  }
  return value as string[];
}

const CHANGE_TOOLS = new Set(AGENT_TOOLS.filter((t) => t.changes).map((t) => t.name));

/** Parses the command line (and the policy file it names). Throws UsageError with what is wrong. */
export function parseOptions(args: readonly string[], readFile = (f: string) => readFileSync(f, 'utf8')): McpOptions {
  let file: PolicyFile = {};
  const contexts: string[] = [];
  const tools: string[] = [];
  const readOnly: string[] = [];
  const kubeconfigs: string[] = [];
  let allowChanges = false;
  let clusterScoped = false;
  let answerChars: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--context':
        contexts.push(value());
        break;
      case '--allow-changes':
        allowChanges = true;
        break;
      case '--tool':
        tools.push(value());
        break;
      case '--read-only-context':
        readOnly.push(value());
        break;
      case '--allow-cluster-scoped-changes':
        clusterScoped = true;
        break;
      case '--answer-chars':
        answerChars = Number(value());
        break;
      case '--kubeconfig':
        kubeconfigs.push(value());
        break;
      case '--policy': {
        const name = value();
        try {
          file = JSON.parse(readFile(name)) as PolicyFile;
        } catch (err) {
          throw new UsageError(
            `cannot read the policy file ${name}: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
        if (typeof file !== 'object' || file === null || Array.isArray(file)) {
          throw new UsageError(`the policy file ${name} must hold a JSON object`);
        }
        break;
      }
      default:
        throw new UsageError(`unknown option ${arg}`);
    }
  }
  const allTools = [...strings(file.changeTools, 'changeTools'), ...tools];
  const unknown = allTools.filter((t) => !CHANGE_TOOLS.has(t));
  if (unknown.length > 0) {
    throw new UsageError(`not change tools: ${unknown.join(', ')} (change tools: ${[...CHANGE_TOOLS].join(', ')})`);
  }
  const chars = answerChars ?? (file.answerChars === undefined ? DEFAULT_ANSWER_CHARS : Number(file.answerChars));
  if (!Number.isInteger(chars) || chars < 1000 || chars > 1_000_000) {
    throw new UsageError('the answer budget must be a whole number of characters from 1000 to 1000000');
  }
  const fileContexts = strings(file.contexts, 'contexts');
  return {
    policy: {
      allowedContexts: [...fileContexts, ...contexts].length > 0 ? [...fileContexts, ...contexts] : ['*'],
      allowChanges: allowChanges || file.allowChanges === true || allTools.length > 0,
      changeTools: allTools.length > 0 ? allTools : 'all',
      answerChars: chars,
      allowClusterScopedChanges: clusterScoped || file.allowClusterScopedChanges === true,
    },
    readOnlyContexts: [...strings(file.readOnlyContexts, 'readOnlyContexts'), ...readOnly],
    kubeconfigs,
  };
}
