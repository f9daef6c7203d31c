import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as vscode from 'vscode';
import { extension } from './helpers';
import { childrenOf } from './tree';

describe('activation', () => {
  it('activates without any network or cluster I/O', async () => {
    const ext = extension();
    assert.equal(ext.isActive, false, 'the extension must not be active before anything asks for it');
    // Every TCP/TLS connection (http, https, ws, fetch, the exec plugin's own requests) goes through
    // net.Socket#connect in this process; record those made while activate() runs.
    const attempts: string[] = [];
    // eslint-disable-next-line @typescript-eslint/unbound-method -- restored below, called with apply(this)
    const original = net.Socket.prototype.connect;
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      attempts.push(new Error('connect').stack ?? 'connect');
      return (original as (...a: unknown[]) => net.Socket).apply(this, args);
    } as typeof original;
    try {
      await ext.activate();
    } finally {
      net.Socket.prototype.connect = original;
    }
    assert.equal(ext.isActive, true);
    const ours = attempts.filter((stack) => stack.includes(ext.extensionPath));
    assert.deepEqual(ours, [], 'activate() opened connections');
  });

  it('loads only dist/extension.js to activate and list the contexts; the rest loads on first use', async () => {
    const ext = extension();
    const contexts = await childrenOf(undefined);
    assert.ok(contexts.length > 0, 'the tree lists the contexts');
    // Node's module cache is one per process: every file of the extension that has been required is in it.
    const prefix = `${ext.extensionPath}/`;
    const loaded = Object.keys(require.cache)
      .filter((file) => file.startsWith(prefix))
      .map((file) => file.slice(prefix.length));
    assert.deepEqual(loaded, ['dist/extension.js']);
    // What the build moved out of the activation bundle is in the package, next to it.
    for (const part of ['clientNode', 'languageClient', 'ws', 'yaml']) {
      assert.ok(fs.existsSync(`${ext.extensionPath}/dist/lib/${part}.js`), `dist/lib/${part}.js is packaged`);
    }
  });

  it('registers every contributed command', async () => {
    const ext = extension();
    await ext.activate();
    const manifest = JSON.parse(fs.readFileSync(`${ext.extensionPath}/package.json`, 'utf8')) as {
      contributes: { commands: { command: string }[] };
    };
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.ok(contributed.length >= 5, 'the manifest lists the commands');
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], 'contributed but not registered');
  });

  it('runs the installed .vsix, not the sources', () => {
    const ext = extension();
    assert.ok(fs.existsSync(`${ext.extensionPath}/dist/extension.js`));
    assert.ok(!fs.existsSync(`${ext.extensionPath}/src`), 'the package must not ship sources');
  });
});
