/**
 * kube-workbench-mcp: the agent tools of Kube Workbench as a Model Context Protocol server on stdio, for MCP
 * clients outside VS Code. The same core as the extension (watch cache, guard, masked Secrets), no kubectl, no
 * `vscode`. stdout carries the protocol only; the log goes to stderr with credentials redacted.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { AgentEnv } from '../core/agent/agentEnv';
import { AGENT_TOOLS, runAgentTool, type ToolInput } from '../core/agent/tools';
import type { Logger } from '../core/common/logger';
import { ChangeGuard } from '../core/kube/changeGuard';
import { redactSecrets } from '../core/kube/clusterClient';
import { toKubeError } from '../core/kube/errors';
import { KubeconfigService } from '../core/kube/kubeconfigService';
import { SessionRegistry } from '../core/watch/clusterSession';
import { parseOptions, UsageError, USAGE, type McpOptions } from './options';

const VERSION = '0.1.0';

function stderrLogger(verbose: boolean): Logger {
  const write =
    (level: string) =>
    (area: string, message: string, detail?: unknown): void => {
      const extra = detail instanceof Error ? ` (${detail.message})` : '';
      process.stderr.write(`${level} [${area}] ${redactSecrets(message + extra)}\n`);
    };
  const quiet = (): void => undefined;
  return {
    trace: quiet,
    debug: verbose ? write('debug') : quiet,
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
  };
}

/** Builds the server for `options` (tests connect to it in-process through a pair of linked transports). */
export function createMcpServer(options: McpOptions, log: Logger): { server: Server; dispose(): void } {
  const kubeconfig = new KubeconfigService(
    () => ({ env: process.env.KUBECONFIG, extraFiles: [...options.kubeconfigs] }),
    log,
  );
  const guard = new ChangeGuard(() => ({ readOnly: options.readOnlyContexts, confirm: [] }));
  guard.onDidRefuse(({ context, what }) => log.warn('guard', `refused on read-only context "${context}": ${what}`));
  const sessions = new SessionRegistry(() => kubeconfig.current, { log, gate: guard });
  kubeconfig.onDidChange(() => sessions.reset());
  const env: AgentEnv = {
    policy: options.policy,
    kubeconfig: () => kubeconfig.current,
    sessions,
    productPolicy: (context) => guard.policy(context),
    log,
  };
  const { policy } = options;
  // Change tools the policy has off are not offered at all (calling one anyway is refused).
  const offered = AGENT_TOOLS.filter(
    (t) => !t.changes || (policy.allowChanges && (policy.changeTools === 'all' || policy.changeTools.includes(t.name))),
  );
  const server = new Server({ name: 'kube-workbench-mcp', version: VERSION }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: offered.map((t) => ({
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: t.inputSchema as { type: 'object'; properties?: Record<string, object> },
      annotations: {
        title: t.title,
        readOnlyHint: !t.changes,
        destructiveHint: t.changes && t.name !== 'kwb_apply' && t.name !== 'kwb_scale',
        idempotentHint: !t.changes,
        openWorldHint: false,
      },
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name, arguments: args } = request.params;
    try {
      const text = await runAgentTool(env, name, (args ?? {}) as ToolInput);
      if (AGENT_TOOLS.find((t) => t.name === name)?.changes) log.info('tool', `${name}: ${text.split('\n')[0] ?? ''}`);
      return { content: [{ type: 'text', text }] };
    } catch (err) {
      const error = toKubeError(err, name);
      log.warn('tool', `${name} failed: ${error.message}`);
      return { content: [{ type: 'text', text: error.message }], isError: true };
    }
  });
  return {
    server,
    dispose: () => {
      sessions.dispose();
      kubeconfig.dispose();
      guard.dispose();
    },
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const verbose = args.includes('--verbose');
  let options: McpOptions;
  try {
    options = parseOptions(args.filter((a) => a !== '--verbose'));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`kube-workbench-mcp: ${err.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const log = stderrLogger(verbose);
  const mcp = createMcpServer(options, log);
  const { server } = mcp;
  const { policy } = options;
  log.info(
    'start',
    `kube-workbench-mcp ${VERSION}: contexts ${policy.allowedContexts.join(', ')}; ${policy.allowChanges ? `changes: ${policy.changeTools === 'all' ? 'all change tools' : policy.changeTools.join(', ')}` : 'read-only'}${options.readOnlyContexts.length ? `; read-only contexts ${options.readOnlyContexts.join(', ')}` : ''}`,
  );
  const transport = new StdioServerTransport();
  transport.onclose = () => {
    mcp.dispose();
    process.exit(0);
  };
  process.stdin.on('end', () => {
    mcp.dispose();
    process.exit(0);
  });
  await server.connect(transport);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`kube-workbench-mcp failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
