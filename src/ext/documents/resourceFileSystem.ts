import * as vscode from 'vscode';
import { KubeError, toKubeError } from '../../core/kube/errors';
import { deleteObject, describeText, getObject, replaceObject, type SaveResult } from '../../core/objects/objectApi';
import {
  baseVersionOf,
  isSecretObject,
  ManifestError,
  maskSecretValues,
  parseEditedText,
  toEditableText,
} from '../../core/resources/editableObject';
import type { KubeObject } from '../../core/resources/kubeObject';
import {
  describeRef,
  formatDocumentPath,
  isSecret,
  parseDocumentPath,
  type DocumentMode,
  type ObjectRef,
} from '../../core/resources/objectRef';
import type { SessionRegistry } from '../../core/watch/clusterSession';
import { DESCRIBE_EXTENSION, DocumentSchemes } from '../ids';
import type { OutputLogger } from '../log';
import { isGuardRefusal, type Guard } from '../guard';
import { Cancelled } from '../errors';

/** The query of a revealed (decoded, editable) Secret; without it a Secret opens masked and read-only. */
const REVEAL_QUERY = 'reveal';
/** How long after a save the document is read again (with the new resourceVersion) if the user did not type. */
const REFRESH_AFTER_SAVE_MS = 300;

interface Entry {
  mtime: number;
  size: number;
  kind?: string;
  /** resourceVersions written in the text → the version our own later save produced from that text. */
  readonly savedFrom: Map<string, string>;
}

export function modeOf(uri: vscode.Uri, ref: ObjectRef): DocumentMode {
  if (!isSecret(ref)) return 'edit';
  return uri.query === REVEAL_QUERY ? 'revealed' : 'masked';
}

/** The document URI of an object; a Secret opens masked unless `reveal` is set. */
export function resourceUri(ref: ObjectRef, reveal = false): vscode.Uri {
  return vscode.Uri.from({
    scheme: DocumentSchemes.resource,
    path: formatDocumentPath(ref),
    query: reveal && isSecret(ref) ? REVEAL_QUERY : '',
  });
}

export function describeUri(ref: ObjectRef): vscode.Uri {
  return vscode.Uri.from({ scheme: DocumentSchemes.describe, path: formatDocumentPath(ref, DESCRIBE_EXTENSION) });
}

/**
 * Opening, saving, describing and deleting cluster objects as documents. The file system provider reads the
 * live object on every read and saves by replacing it with the resourceVersion the text was based on: a
 * change by someone else is shown as a diff and never overwritten, and a failed save keeps the user's text.
 */
export class ResourceDocuments implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  /** Revealed Secret documents the user agreed to see decoded in this window. */
  private readonly revealed = new Set<string>();
  private readonly entries = new Map<string, Entry>();
  private readonly conflicts = new Map<string, string>();
  private readonly describeChanged = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables: vscode.Disposable[] = [];
  private conflictCounter = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly log: OutputLogger,
    private readonly guard: Guard,
  ) {
    this.disposables.push(
      vscode.workspace.registerFileSystemProvider(DocumentSchemes.resource, this, { isCaseSensitive: true }),
      vscode.workspace.registerTextDocumentContentProvider(DocumentSchemes.describe, {
        onDidChange: this.describeChanged.event,
        provideTextDocumentContent: (uri) => this.describeContent(uri),
      }),
      vscode.workspace.registerTextDocumentContentProvider(DocumentSchemes.conflict, {
        provideTextDocumentContent: (uri) => this.conflicts.get(uri.toString()) ?? '',
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc.uri.scheme === DocumentSchemes.conflict) this.conflicts.delete(doc.uri.toString());
      }),
    );
  }

  // ── commands ──────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Opens the object's document. Revealing a Secret asks first, once per document in this window (`confirmReveal`
   * is the modal unless a caller, a test, brings its own): decoded values then sit in an editor.
   * Declining rejects with Cancelled (the command ends quietly).
   */
  async open(
    ref: ObjectRef,
    options: {
      reveal?: boolean;
      preview?: boolean;
      confirmReveal?: (question: string, detail: string) => Thenable<boolean>;
    } = {},
  ): Promise<vscode.TextEditor> {
    const uri = resourceUri(ref, options.reveal);
    if (options.reveal && !this.revealed.has(uri.toString())) {
      const question = `Show the values of Secret "${ref.name}"${ref.namespace ? ` in namespace "${ref.namespace}"` : ''} on context "${ref.context}" decoded?`;
      const detail =
        'Decoded values will be in an editor: VS Code may keep them in its backups of unsaved editors (hot exit), ' +
        'other extensions can read open documents, and copying puts them on the clipboard. Close the editor when done.';
      const confirm =
        options.confirmReveal ??
        ((q: string, d: string) =>
          vscode.window.showWarningMessage(q, { modal: true, detail: d }, 'Reveal').then((c) => c === 'Reveal'));
      if (!(await confirm(question, detail))) throw new Cancelled();
      this.revealed.add(uri.toString());
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { preview: options.preview ?? true });
  }

  async describe(ref: ObjectRef): Promise<vscode.TextEditor> {
    const uri = describeUri(ref);
    // Already open: read it again, the object and its events have moved on.
    if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) this.describeChanged.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  /**
   * Deletes after a confirmation that names the context, namespace and object. `confirm` is the modal dialog
   * unless a caller (a test) brings its own; it receives the exact question shown.
   * @returns whether the object was deleted.
   */
  async confirmAndDelete(
    ref: ObjectRef,
    options: { uid?: string; confirm?: (question: string, detail: string) => Thenable<boolean> } = {},
  ): Promise<boolean> {
    const kind = ref.kind ?? ref.plural;
    const where = ref.namespace !== undefined ? ` in namespace "${ref.namespace}"` : ' (cluster-scoped)';
    const question = `Delete ${kind} "${ref.name}"${where} on context "${ref.context}"?`;
    const detail =
      'Objects it owns are deleted by the cluster in the background. This cannot be undone from Kube Workbench.';
    const confirm =
      options.confirm ??
      ((q: string, d: string) =>
        vscode.window.showWarningMessage(q, { modal: true, detail: d }, 'Delete').then((c) => c === 'Delete'));
    if (this.guard.policy(ref.context) === 'readOnly')
      await this.guard.confirmChange(ref.context, `deleting ${kind} "${ref.name}"`);
    if (!(await confirm(question, detail))) return false;
    await deleteObject(this.sessions.get(ref.context).client, ref, options.uid);
    this.log.info('documents', `deleted ${describeRef(ref)}`);
    vscode.window.setStatusBarMessage(`Deleted ${kind} "${ref.name}"`, 5000);
    return true;
  }

  // ── FileSystemProvider ────────────────────────────────────────────────────────────────────────────────

  watch(): vscode.Disposable {
    // Nothing to watch on our side: documents are read live; changes we make ourselves are announced.
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const ref = this.refOf(uri);
    const entry = this.entry(uri);
    return {
      type: vscode.FileType.File,
      ctime: 0,
      mtime: entry.mtime,
      size: entry.size,
      permissions:
        modeOf(uri, ref) === 'masked' || this.guard.policy(ref.context) === 'readOnly'
          ? vscode.FilePermission.Readonly
          : undefined,
    };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const ref = this.refOf(uri);
    const mode = modeOf(uri, ref);
    // A revealed document VS Code opens by itself (restoring editors after a reload) asks again through the command.
    if (mode === 'revealed' && !this.revealed.has(uri.toString())) {
      throw vscode.FileSystemError.NoPermissions(
        `The values of ${describeRef(ref, 'Secret')} are shown decoded only after "Reveal Secret" asks you.`,
      );
    }
    try {
      const obj = await getObject(this.sessions.get(ref.context).client, ref);
      const bytes = Buffer.from(toEditableText(obj, { mode }), 'utf8');
      const entry = this.entry(uri);
      entry.kind = obj.kind;
      entry.size = bytes.length;
      return bytes;
    } catch (err) {
      throw this.fsError(toKubeError(err, `reading ${describeRef(ref)}`));
    }
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const ref = this.refOf(uri);
    const mode = modeOf(uri, ref);
    const entry = this.entries.get(uri.toString());
    const name = describeRef(ref, entry?.kind);
    if (mode === 'masked') {
      throw vscode.FileSystemError.NoPermissions(
        `${name} is shown with its values masked and cannot be saved. Use "Reveal Secret" to edit its values.`,
      );
    }
    try {
      await this.guard.confirmChange(ref.context, `saving ${name}`);
    } catch (err) {
      if (isGuardRefusal(err)) throw vscode.FileSystemError.NoPermissions(`${err.message} Your text is kept.`);
      throw vscode.FileSystemError.Unavailable(`${name} was not saved: you chose not to. Your text is kept.`);
    }
    let fromText: string;
    let result: SaveResult;
    let edited: KubeObject | undefined;
    try {
      edited = parseEditedText(Buffer.from(content).toString('utf8'), mode, { ref, kind: entry?.kind });
      fromText = baseVersionOf(edited);
      // After our own save the text may still carry the version it was based on (if it was not read again).
      const base = entry?.savedFrom.get(fromText) ?? fromText;
      result = await replaceObject(this.sessions.get(ref.context).client, ref, edited, base);
    } catch (err) {
      throw this.saveError(err, name, edited);
    }
    switch (result.kind) {
      case 'saved': {
        const saved = result.object.metadata?.resourceVersion ?? '';
        const e = this.entry(uri);
        e.savedFrom.set(fromText, saved);
        e.kind = result.object.kind;
        e.mtime = this.nextMtime(e);
        e.size = content.byteLength;
        this.log.info('documents', `saved ${name} (resourceVersion ${saved})`);
        vscode.window.setStatusBarMessage(`Saved ${result.object.kind ?? ''} "${ref.name}" to ${ref.context}`, 5000);
        // The other view of the same Secret (masked or revealed), if open, is read again too.
        this.refreshSoon([uri, resourceUri(ref)]);
        return;
      }
      case 'conflict': {
        const theirs = result.current.metadata?.resourceVersion ?? '?';
        this.log.warn('documents', `save of ${name} refused: changed on the server (${result.base} → ${theirs})`);
        void this.showConflict(uri, ref, toEditableText(result.current, { mode }), name);
        throw new vscode.FileSystemError(
          `${name} was changed by someone else since your version (resourceVersion ${result.base}; the server now ` +
            `has ${theirs}). Nothing was saved and your text is kept. Compare the two in the diff that opened; ` +
            `to save yours over theirs, set metadata.resourceVersion to "${theirs}" and save again, or Revert to ` +
            'take theirs.',
        );
      }
      case 'deleted':
        this.log.warn('documents', `save of ${name} refused: deleted on the server`);
        throw vscode.FileSystemError.FileNotFound(
          `${name} was deleted since you opened it. Nothing was saved and your text is kept: to create the object ` +
            'again, save your text to a file (Save As) and apply it.',
        );
    }
  }

  readDirectory(): [string, vscode.FileType][] {
    throw vscode.FileSystemError.NoPermissions('Kube Workbench documents are single objects, not folders.');
  }
  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions('Kube Workbench documents are single objects, not folders.');
  }
  delete(): void {
    throw vscode.FileSystemError.NoPermissions('Use "Delete" on the object in the Clusters view.');
  }
  rename(): void {
    throw vscode.FileSystemError.NoPermissions('Objects cannot be renamed; create a new one and delete the old one.');
  }

  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
    this.describeChanged.dispose();
    this.conflicts.clear();
    this.entries.clear();
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────────

  private refOf(uri: vscode.Uri): ObjectRef {
    const ref = parseDocumentPath(uri.path);
    if (!ref) throw vscode.FileSystemError.FileNotFound(uri);
    return ref;
  }

  private entry(uri: vscode.Uri): Entry {
    const key = uri.toString();
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { mtime: Date.now(), size: 0, savedFrom: new Map() };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private nextMtime(entry: Entry): number {
    return Math.max(Date.now(), entry.mtime + 1);
  }

  /**
   * Reads the document again after a save, so it shows the new resourceVersion (and what the server made of
   * the text). VS Code reloads only documents without unsaved changes, and only when the modification time
   * moved past the one it noted after the save, so the time is moved again first.
   */
  private refreshSoon(uris: vscode.Uri[]): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const events: vscode.FileChangeEvent[] = [];
      for (const uri of new Map(uris.map((u) => [u.toString(), u])).values()) {
        const entry = this.entries.get(uri.toString());
        if (!entry) continue;
        entry.mtime = this.nextMtime(entry);
        events.push({ type: vscode.FileChangeType.Changed, uri });
      }
      if (events.length > 0) this.changed.fire(events);
    }, REFRESH_AFTER_SAVE_MS);
    this.timers.add(timer);
  }

  private async showConflict(uri: vscode.Uri, ref: ObjectRef, theirs: string, name: string): Promise<void> {
    const left = vscode.Uri.from({
      scheme: DocumentSchemes.conflict,
      path: formatDocumentPath(ref),
      query: String(++this.conflictCounter),
    });
    this.conflicts.set(left.toString(), theirs);
    try {
      await vscode.commands.executeCommand(
        'vscode.diff',
        left,
        uri,
        `${ref.name}: on the server ↔ yours (not saved)`,
        { preview: false } satisfies vscode.TextDocumentShowOptions,
      );
    } catch (err) {
      this.log.error('documents', `could not show the conflict of ${name}`, err);
    }
  }

  private async describeContent(uri: vscode.Uri): Promise<string> {
    const ref = parseDocumentPath(uri.path, DESCRIBE_EXTENSION);
    if (!ref) throw new Error(`Not a Kube Workbench describe document: ${uri.toString()}`);
    try {
      return await describeText(this.sessions.get(ref.context).client, ref);
    } catch (err) {
      const error = toKubeError(err, `describing ${describeRef(ref)}`);
      this.log.error('documents', error.message, error.cause ?? error);
      throw error;
    }
  }

  /** A failed save: the message says what failed, where, and what to do; the editor keeps the text. */
  private saveError(err: unknown, name: string, edited: KubeObject | undefined): vscode.FileSystemError {
    if (err instanceof ManifestError) return new vscode.FileSystemError(`Cannot save ${name}: ${err.message}`);
    const raw = toKubeError(err, `saving ${name}`);
    // The server (or a webhook) may quote the object it refused: a Secret's values never reach the log or a
    // notification, and its raw answer is not logged at all.
    const secret = edited && isSecretObject(edited) ? edited : undefined;
    const error = secret ? new KubeError(raw.kind, maskSecretValues(raw.message, secret), raw.status) : raw;
    this.log.error('documents', error.message, secret ? undefined : (raw.cause ?? raw));
    const advice: Partial<Record<KubeError['kind'], string>> = {
      invalid: ' Fix what the server names and save again; your text is kept.',
      forbidden: ' Your user may not change it: ask for access or use another context. Your text is kept.',
      unauthorized: ' Log in again, then save again; your text is kept.',
    };
    return this.fsError(
      new KubeError(error.kind, `${error.message}.${advice[error.kind] ?? ' Your text is kept.'}`, error.status),
    );
  }

  private fsError(error: KubeError): vscode.FileSystemError {
    switch (error.kind) {
      case 'notFound':
        return vscode.FileSystemError.FileNotFound(error.message);
      case 'forbidden':
      case 'unauthorized':
        return vscode.FileSystemError.NoPermissions(error.message);
      case 'unreachable':
      case 'timeout':
        return vscode.FileSystemError.Unavailable(error.message);
      default:
        return new vscode.FileSystemError(error.message);
    }
  }
}
