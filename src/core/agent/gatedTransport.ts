import type { ClusterClient, RawResponse, RequestOptions } from '../kube/clusterClient';
import type { Transport } from '../kube/transport';
import { judgeAgentRequest, type AgentPolicy, type ToolCall } from './agentPolicy';

/**
 * A context's client as one tool call sees it: each request is judged by the agent policy (with what the call
 * announced) and then, inside ClusterClient, by the product's guard. The tool code gets nothing else to send with.
 */
export class GatedTransport implements Transport {
  constructor(
    private readonly client: ClusterClient,
    private readonly policy: AgentPolicy,
    private readonly call: ToolCall,
  ) {}

  get context(): string {
    return this.client.context;
  }

  private judge(path: string, options: RequestOptions): void {
    const refused = judgeAgentRequest(this.policy, this.client.context, this.call, {
      method: options.method ?? 'GET',
      path,
      query: options.query,
    });
    if (refused) throw refused;
  }

  async request(path: string, options: RequestOptions = {}, what?: string): Promise<RawResponse> {
    this.judge(path, options);
    return this.client.request(path, options, what);
  }

  async getJson<T>(path: string, options: RequestOptions = {}, what?: string): Promise<T> {
    this.judge(path, options);
    return this.client.getJson<T>(path, options, what);
  }

  async getList<T>(path: string, options: RequestOptions, onItem: (item: unknown) => void, what?: string): Promise<T> {
    this.judge(path, options);
    return this.client.getList<T>(path, options, onItem, what);
  }

  async stream(
    path: string,
    options: RequestOptions & { idleTimeoutMs?: number },
    onChunk: (chunk: Buffer) => void,
    what?: string,
  ): Promise<void> {
    this.judge(path, options);
    return this.client.stream(path, options, onChunk, what);
  }
}
