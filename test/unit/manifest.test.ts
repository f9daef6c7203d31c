import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { Commands, Views } from '../../src/ext/ids';

interface Manifest {
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
    menus: Record<string, { command: string; when?: string }[]>;
    grammars: { path: string }[];
    languages: { configuration?: string }[];
    viewsContainers: { activitybar: { icon: string }[] };
  };
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;

describe('package.json', () => {
  it('contributes exactly the commands the code registers', () => {
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, Object.values(Commands).sort());
  });

  it('menus name only known commands and views', () => {
    const known = new Set<string>(Object.values(Commands));
    const views = new Set(
      Object.values(manifest.contributes.views)
        .flat()
        .map((v) => v.id),
    );
    assert.ok(views.has(Views.clusters));
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const entry of entries) {
        assert.ok(known.has(entry.command), `${menu}: unknown command ${entry.command}`);
        for (const match of entry.when?.matchAll(/view == ([\w.]+)/g) ?? []) {
          assert.ok(views.has(match[1]!), `${menu}: unknown view ${match[1]}`);
        }
      }
    }
  });

  it('ships the files it points at', () => {
    for (const g of manifest.contributes.grammars) assert.ok(existsSync(g.path), g.path);
    for (const l of manifest.contributes.languages)
      if (l.configuration) assert.ok(existsSync(l.configuration), l.configuration);
    for (const c of manifest.contributes.viewsContainers.activitybar) assert.ok(existsSync(c.icon), c.icon);
  });
});
