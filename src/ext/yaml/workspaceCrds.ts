import * as vscode from 'vscode';
import { parseAllDocuments } from 'yaml';
import { NESTING_LIMIT, nestedDeeperThan } from '../../core/common/yamlNesting';
import { convertCrd, mergeSets, type SchemaSet } from '../../core/yaml/openapi';
import type { OutputLogger } from '../log';

const MAX_FILES = 2000;
const MAX_FILE_BYTES = 2_000_000;

/**
 * CustomResourceDefinition manifests in the workspace, converted to schemas. Read the first time a kind is
 * looked up that the cluster does not know (or with no cluster), and again after a YAML file changes.
 */
export class WorkspaceCrds implements vscode.Disposable {
  private set: Promise<SchemaSet> | undefined;
  private watcher: vscode.FileSystemWatcher | undefined;

  constructor(private readonly log: OutputLogger) {}

  get(): Promise<SchemaSet> {
    if (!this.watcher) {
      this.watcher = vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}');
      const reset = (): void => {
        this.set = undefined;
      };
      this.watcher.onDidChange(reset);
      this.watcher.onDidCreate(reset);
      this.watcher.onDidDelete(reset);
    }
    this.set ??= this.load();
    return this.set;
  }

  private async load(): Promise<SchemaSet> {
    const files = await vscode.workspace.findFiles('**/*.{yaml,yml}', '**/{node_modules,.git}/**', MAX_FILES);
    const sets: SchemaSet[] = [];
    for (const file of files) {
      try {
        const stat = await vscode.workspace.fs.stat(file);
        if (stat.size > MAX_FILE_BYTES) continue;
        const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
        if (!/^kind:[ \t]*CustomResourceDefinition[ \t\r]*$/m.test(text)) continue;
        if (nestedDeeperThan(text, NESTING_LIMIT) !== undefined) {
          this.log.warn('yaml', `${vscode.workspace.asRelativePath(file)} is nested too deeply to read its CRDs`);
          continue;
        }
        for (const doc of parseAllDocuments(text)) {
          if (!('toJS' in doc)) continue;
          const value = doc.toJS({ maxAliasCount: 100 }) as { kind?: unknown } | null;
          if (value?.kind !== 'CustomResourceDefinition') continue;
          const { set, problems } = convertCrd(value);
          for (const p of problems) this.log.warn('yaml', `${vscode.workspace.asRelativePath(file)}: ${p}`);
          sets.push(set);
        }
      } catch (err) {
        this.log.warn('yaml', `could not read CRDs from ${vscode.workspace.asRelativePath(file)}`, err);
      }
    }
    return mergeSets(sets);
  }

  dispose(): void {
    this.watcher?.dispose();
  }
}
