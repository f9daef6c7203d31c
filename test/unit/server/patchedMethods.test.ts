import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PATCHED_METHODS } from '../../../src/server/patchedMethods';

const require = createRequire(__filename);

describe('our patches of the language server stay honest on upgrade', () => {
  it('every method we replace exists in the pinned packages with the arity the patch was written for', () => {
    for (const p of PATCHED_METHODS) {
      const mod = require(p.module) as Record<string, unknown>;
      const owner = p.owner ? (mod[p.owner] as { prototype?: Record<string, unknown> } | undefined)?.prototype : mod;
      const original = owner?.[p.method];
      const where = `${p.owner ? `${p.owner}.prototype.` : ''}${p.method} in ${p.module} (patched by ${p.by})`;
      assert.equal(typeof original, 'function', `${where} no longer exists`);
      assert.equal((original as (...a: unknown[]) => unknown).length, p.arity, `${where} changed its parameters`);
    }
  });

  it('every method a file of src/server assigns is declared in PATCHED_METHODS', () => {
    const declared = new Set(PATCHED_METHODS.map((p) => p.method));
    const dir = 'src/server';
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const m of text.matchAll(/^\s*[\w.]+\.(\w+) = (?:async )?(?:function\b|\()/gm)) {
        assert.ok(declared.has(m[1]!), `${file} replaces ${m[1]} without declaring it in src/server/patchedMethods.ts`);
      }
    }
  });
});
