import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  addressedBy,
  judgeAgentRequest,
  READ_ONLY_AGENT_POLICY,
  type AgentPolicy,
  type ToolCall,
} from '../../../src/core/agent/agentPolicy';

const OPEN: AgentPolicy = {
  ...READ_ONLY_AGENT_POLICY,
  allowedContexts: ['dev-*'],
  allowChanges: true,
  changeTools: 'all',
};
const scaleCall: ToolCall = {
  tool: 'kwb_scale',
  changes: true,
  permits: [{ method: 'PATCH', path: '/apis/apps/v1/namespaces/demo/deployments/web/scale' }],
};

function verdict(policy: AgentPolicy, context: string, call: ToolCall, method: string, path: string, query = {}) {
  return judgeAgentRequest(policy, context, call, { method, path, query })?.message;
}

describe('the agent policy judges the request actually sent', () => {
  it('lets an announced change through on an allowed context', () => {
    assert.equal(
      verdict(OPEN, 'dev-1', scaleCall, 'PATCH', '/apis/apps/v1/namespaces/demo/deployments/web/scale'),
      undefined,
    );
  });

  it('refuses every request, reads too, on a context outside the policy', () => {
    assert.match(verdict(OPEN, 'prod-1', scaleCall, 'GET', '/api/v1/pods') ?? '', /not allowed for agents/);
  });

  it('refuses a change that was not announced, whatever the tool', () => {
    assert.match(
      verdict(OPEN, 'dev-1', scaleCall, 'PATCH', '/apis/apps/v1/namespaces/demo/deployments/other/scale') ?? '',
      /did not announce/,
    );
    assert.match(
      verdict(OPEN, 'dev-1', scaleCall, 'DELETE', '/apis/apps/v1/namespaces/demo/deployments/web') ?? '',
      /did not announce/,
    );
  });

  it('refuses changes from a read tool, and every change under a read-only policy', () => {
    const read: ToolCall = { tool: 'kwb_get_object', changes: false, permits: [] };
    assert.match(verdict(OPEN, 'dev-1', read, 'DELETE', '/api/v1/namespaces/demo/pods/x') ?? '', /reads only/);
    const readOnly = { ...OPEN, allowChanges: false };
    assert.match(
      verdict(readOnly, 'dev-1', scaleCall, 'PATCH', '/apis/apps/v1/namespaces/demo/deployments/web/scale') ?? '',
      /changes are off/,
    );
    assert.match(
      verdict({ ...OPEN, changeTools: ['kwb_apply'] }, 'dev-1', scaleCall, 'PATCH', scaleCall.permits[0]!.path) ?? '',
      /not enabled/,
    );
  });

  it('lets dry runs and access reviews through a read tool', () => {
    const read: ToolCall = { tool: 'kwb_dry_run_apply', changes: false, permits: [] };
    assert.equal(
      verdict(OPEN, 'dev-1', read, 'PATCH', '/api/v1/namespaces/demo/configmaps/x', { dryRun: 'All' }),
      undefined,
    );
  });

  it('refuses cluster-scoped objects (a Namespace, encoded or not) and collection deletes, even when announced', () => {
    const call = (method: string, path: string): ToolCall => ({
      tool: 'kwb_delete',
      changes: true,
      permits: [{ method, path }],
    });
    for (const path of [
      '/api/v1/namespaces/prod',
      '/api/v1/namespaces/pr%6Fd',
      '/api/v1/nodes/n1',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/x',
    ]) {
      assert.match(verdict(OPEN, 'dev-1', call('DELETE', path), 'DELETE', path) ?? '', /cluster-scoped/, path);
    }
    const collection = '/api/v1/namespaces/demo/secrets';
    assert.match(verdict(OPEN, 'dev-1', call('DELETE', collection), 'DELETE', collection) ?? '', /whole collection/);
    const allowed = { ...OPEN, allowClusterScopedChanges: true };
    assert.equal(
      verdict(allowed, 'dev-1', call('DELETE', '/api/v1/nodes/n1'), 'DELETE', '/api/v1/nodes/n1'),
      undefined,
    );
  });

  it('reads what a path addresses', () => {
    assert.deepEqual(addressedBy('/api/v1/namespaces/demo/pods/web/log'), {
      namespace: 'demo',
      plural: 'pods',
      name: 'web',
      subresource: 'log',
    });
    assert.deepEqual(addressedBy('/apis/apps/v1/namespaces/demo'), {
      plural: 'namespaces',
      name: 'demo',
      subresource: undefined,
    });
    assert.equal(addressedBy('/version'), undefined);
  });
});
