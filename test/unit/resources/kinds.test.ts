import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ACTIONS,
  CAPABILITIES,
  ITEM_CAPABILITIES,
  KINDS,
  WRITE_CAPABILITIES,
  capabilityTag,
  kindInfo,
  kindsWith,
} from '../../../src/core/resources/kinds';
import { isRolloutKind } from '../../../src/core/rollout/rollout';
import { isForwardKind } from '../../../src/core/portforward/portForward';

interface MenuItem {
  command: string;
  when?: string;
}
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
  contributes: { commands: { command: string }[]; menus: Record<string, MenuItem[]> };
};
const menus = Object.entries(manifest.contributes.menus).flatMap(([menu, items]) =>
  items.map((item) => ({ menu, ...item })),
);

describe('the kind registry', () => {
  it('is consistent: unique kinds and resources, children that exist, capabilities that are declared', () => {
    assert.equal(new Set(KINDS.map((k) => k.kind)).size, KINDS.length);
    assert.equal(new Set(KINDS.map((k) => `${k.group}/${k.plural}`)).size, KINDS.length);
    for (const k of KINDS) {
      if (k.children) assert.ok(kindInfo(k.children.kind), `${k.kind}'s children kind ${k.children.kind} is listed`);
      for (const c of k.capabilities) assert.ok((CAPABILITIES as readonly string[]).includes(c), `${k.kind}: ${c}`);
    }
    // Every capability is given to some kind and offered by some action: none is dead.
    const actions = new Set(Object.values(ACTIONS));
    const itemCapabilities = new Set(Object.values(ITEM_CAPABILITIES).flat());
    for (const c of CAPABILITIES) {
      assert.ok(kindsWith(c).length > 0 || itemCapabilities.has(c), `a kind (or a Helm release) has ${c}`);
      assert.ok(actions.has(c), `an action offers ${c}`);
    }
  });

  it('is what the code that acts per kind reads (rollouts, port-forward)', () => {
    // rollout.ts has kind-specific logic for exactly these three; a kind given `restart` without it would fail.
    assert.deepEqual(kindsWith('restart'), ['Deployment', 'StatefulSet', 'DaemonSet']);
    assert.deepEqual(kindsWith('undo'), kindsWith('restart'));
    for (const k of KINDS) {
      assert.equal(isRolloutKind(k.kind), k.capabilities.includes('restart'), k.kind);
      assert.equal(isForwardKind(k.kind), k.capabilities.includes('portForward'), k.kind);
    }
  });

  it('package.json menus name only registry kinds and capabilities, and each action shows on its capability tag', () => {
    const kinds = new Set(KINDS.map((k) => k.kind));
    const commands = new Set(manifest.contributes.commands.map((c) => c.command));
    for (const item of menus) {
      const when = item.when ?? '';
      for (const m of when.matchAll(/kind:\(?([A-Za-z|]+)\)?/g))
        for (const kind of m[1]!.split('|'))
          assert.ok(kinds.has(kind), `${item.menu} ${item.command}: kind "${kind}" is not in the kind registry`);
      for (const m of when.matchAll(/kwb:can-([A-Za-z]+)/g))
        assert.ok(
          (CAPABILITIES as readonly string[]).includes(m[1]!),
          `${item.menu} ${item.command}: capability "${m[1]}" is not in the kind registry`,
        );
      if (item.menu === 'view/item/context' && when.includes('view == kubeWorkbench.clusters'))
        assert.doesNotMatch(when, /\bkind:/, `${item.command}: a tree menu matches capability tags, not kind lists`);
    }
    for (const [action, capability] of Object.entries(ACTIONS)) {
      const command = `kubeWorkbench.${action}`;
      assert.ok(commands.has(command), `${command} is a contributed command`);
      const entries = menus.filter(
        (m) => m.menu === 'view/item/context' && m.command === command && m.when?.includes('kubeWorkbench.clusters'),
      );
      assert.ok(entries.length > 0, `${command} is in the Clusters view's item menu`);
      for (const entry of entries) {
        assert.ok(entry.when?.includes(`\\b${capabilityTag(capability)}\\b`), `${command} shows on ${capability}`);
        if (WRITE_CAPABILITIES.has(capability))
          assert.ok(entry.when?.includes('\\bcan:edit\\b'), `${command} changes objects: it needs can:edit`);
      }
    }
  });
});
