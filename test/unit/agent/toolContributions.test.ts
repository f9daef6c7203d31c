import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AGENT_TOOLS } from '../../../src/core/agent/tools';
import { parseOptions } from '../../../src/mcp/options';

interface Contribution {
  name: string;
  modelDescription: string;
  inputSchema: unknown;
}

describe('agent tools are declared once', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
    contributes: {
      languageModelTools: Contribution[];
      configuration: { properties: Record<string, { items?: { enum?: string[] } }> };
    };
  };

  it("package.json's languageModelTools are the core table: names, descriptions, schemas", () => {
    const contributed = pkg.contributes.languageModelTools;
    assert.deepEqual(
      contributed.map((c) => c.name),
      AGENT_TOOLS.map((t) => t.name),
    );
    for (const tool of AGENT_TOOLS) {
      const c = contributed.find((x) => x.name === tool.name)!;
      assert.equal(c.modelDescription, tool.description, tool.name);
      assert.deepEqual(c.inputSchema, tool.inputSchema, tool.name);
    }
  });

  it('the changeTools setting offers exactly the change tools', () => {
    const offered = pkg.contributes.configuration.properties['kubeWorkbench.agent.changeTools']?.items?.enum;
    assert.deepEqual(
      offered,
      AGENT_TOOLS.filter((t) => t.changes).map((t) => t.name),
    );
  });

  it('every change tool has a confirmation plan; read tools have none', () => {
    for (const tool of AGENT_TOOLS) assert.equal(typeof tool.plan === 'function', tool.changes, tool.name);
  });
});

describe('kube-workbench-mcp options', () => {
  it('is read-only on every context by default', () => {
    const { policy } = parseOptions([]);
    assert.equal(policy.allowChanges, false);
    assert.deepEqual(policy.allowedContexts, ['*']);
    assert.equal(policy.allowClusterScopedChanges, false);
  });

  it('takes flags and a policy file, and refuses what it does not know', () => {
    const file = JSON.stringify({ contexts: ['dev-*'], readOnlyContexts: ['dev-shared'], answerChars: 5000 });
    const options = parseOptions(['--policy', 'p.json', '--tool', 'kwb_scale', '--context', 'kind-*'], () => file);
    assert.deepEqual(options.policy.allowedContexts, ['dev-*', 'kind-*']);
    assert.equal(options.policy.allowChanges, true);
    assert.deepEqual(options.policy.changeTools, ['kwb_scale']);
    assert.deepEqual(options.readOnlyContexts, ['dev-shared']);
    assert.equal(options.policy.answerChars, 5000);
    assert.throws(() => parseOptions(['--tool', 'kwb_list_objects']), /not change tools/);
    assert.throws(() => parseOptions(['--delete-everything']), /unknown option/);
    assert.throws(() => parseOptions(['--context']), /needs a value/);
  });
});
