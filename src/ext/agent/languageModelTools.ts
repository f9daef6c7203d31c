import * as vscode from 'vscode';
import type { AgentEnv } from '../../core/agent/agentEnv';
import { AGENT_TOOLS, runAgentTool, type AgentTool, type ChangePlan, type ToolInput } from '../../core/agent/tools';
import type { KubeconfigService } from '../../core/kube/kubeconfigService';
import { toKubeError } from '../../core/kube/errors';
import type { SessionRegistry } from '../../core/watch/clusterSession';
import { config } from '../config';
import type { Guard } from '../guard';
import type { OutputLogger } from '../log';

/**
 * The agent tools as VS Code language model tools (Copilot agent mode and any other chat participant). The tool
 * table is core's; here each gets VS Code's confirmation for changes (naming context, namespace and objects) and
 * the user's settings: the production guard (read-only contexts refuse on the wire) and kubeWorkbench.agent.*.
 */
export class LanguageModelTools implements vscode.Disposable {
  private readonly registrations: vscode.Disposable[] = [];

  constructor(
    private readonly kubeconfig: KubeconfigService,
    private readonly sessions: SessionRegistry,
    private readonly guard: Guard,
    private readonly log: OutputLogger,
  ) {
    // VS Code without the language model API (older hosts, some forks) simply gets no tools.
    if (typeof vscode.lm?.registerTool !== 'function') {
      log.info('agent', 'this VS Code has no language model tool API: agent tools are not registered');
      return;
    }
    for (const tool of AGENT_TOOLS) {
      this.registrations.push(vscode.lm.registerTool<ToolInput>(tool.name, this.adapter(tool)));
    }
  }

  /** The environment of one call, with the settings as they are now. */
  env(): AgentEnv {
    return {
      policy: config.agentPolicy(),
      kubeconfig: () => this.kubeconfig.current,
      sessions: this.sessions,
      productPolicy: (context) => this.guard.policy(context),
      log: this.log,
    };
  }

  /** What the confirmation of a change tool says (tests read it; VS Code shows it before invoke). */
  async confirmation(name: string, input: ToolInput): Promise<ChangePlan | undefined> {
    const tool = AGENT_TOOLS.find((t) => t.name === name);
    if (!tool?.plan) return undefined;
    return tool.plan(this.env(), input);
  }

  private adapter(tool: AgentTool): vscode.LanguageModelTool<ToolInput> {
    return {
      prepareInvocation: async (options) => {
        if (!tool.changes) return { invocationMessage: `${tool.title}…` };
        const env = this.env();
        let change: ChangePlan;
        try {
          change = await tool.plan!(env, options.input ?? {});
        } catch {
          // invoke() reports the same problem as the tool's answer; nothing is confirmed for a change that fails.
          return { invocationMessage: `${tool.title}…` };
        }
        // A read-only context refuses on the wire; asking first would suggest otherwise.
        if (this.guard.policy(change.context) === 'readOnly') return { invocationMessage: `${tool.title}…` };
        return {
          invocationMessage: `${tool.title} on ${change.context}…`,
          confirmationMessages: {
            title: change.title,
            message: new vscode.MarkdownString().appendText(change.message),
          },
        };
      },
      invoke: async (options) => {
        try {
          const answer = await runAgentTool(this.env(), tool.name, options.input ?? {});
          if (tool.changes) this.log.info('agent', `${tool.name}: ${answer.split('\n')[0] ?? ''}`);
          return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(answer)]);
        } catch (err) {
          const error = toKubeError(err, tool.title.toLowerCase());
          this.log.warn('agent', `${tool.name} failed: ${error.message}`);
          // Thrown, so the model (and the test) sees a failure, with the same message the UI would show.
          throw new Error(error.message);
        }
      },
    };
  }

  dispose(): void {
    for (const r of this.registrations) r.dispose();
    this.registrations.length = 0;
  }
}
