import { Document, parseAllDocuments } from 'yaml';
import { NESTING_LIMIT, nestedDeeperThan } from '../common/yamlNesting';
import type { KubeObject } from './kubeObject';
import { apiVersionOf, type DocumentMode, type ObjectRef } from './objectRef';

/**
 * Live objects as YAML documents for editing, and the edited text back to an object to save.
 *
 * What the text shows:
 * - `metadata.managedFields`, `selfLink`, `uid` and `generation` are hidden: they are noise for people, and an
 *   update that omits them keeps the server's values (the API server copies uid, creationTimestamp and
 *   generation from the stored object; omitted managedFields are left as they are).
 * - `status` is hidden by default: it is written by controllers, and an update through the main resource
 *   ignores it for every kind with a status subresource. For kinds without one, the save puts the server's
 *   status back (see restoreHidden), so hiding it never deletes it.
 * - `metadata.resourceVersion` stays in the text, as `kubectl edit` does. The text alone then says which
 *   version it was based on: a save is a replace with that version as precondition, also after VS Code
 *   restored a dirty editor from a backup or read the file again for "Compare with Saved". Keeping it outside
 *   the text (in editor state) would silently move the base forward in those cases and overwrite other
 *   people's changes. To overwrite a conflicting change on purpose, users set it to the server's value.
 *
 * Secrets:
 * - `masked` (read-only): every value of `data` replaced with `••••••` and its size; the
 *   last-applied-configuration annotation (which holds the values too) masked as well.
 * - `revealed` (editable): values that are valid UTF-8 move from `data` (base64) to `stringData` as plain text;
 *   binary values stay in `data` as base64. Saving encodes `stringData` back into `data`.
 */

export const MASK = '••••••';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const HIDDEN_METADATA = ['managedFields', 'selfLink', 'uid', 'generation'] as const;
const REVEALED_COMMENT =
  ' Secret values are shown decoded under stringData and encoded again when you save.\n' +
  ' Values that are not text stay base64-encoded under data.';

export interface TextOptions {
  mode: DocumentMode;
  /** Show `status` (hidden by default). */
  showStatus?: boolean;
}

/** A user's edit that cannot be saved; `message` says what to change. */
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

export function isSecretObject(obj: KubeObject): boolean {
  return obj.kind === 'Secret' && obj.apiVersion === 'v1';
}

/** The object as YAML text for the editor. */
export function toEditableText(obj: KubeObject, options: TextOptions): string {
  const shown = forDisplay(obj, options);
  const doc = new Document(shown, { aliasDuplicateObjects: false });
  if (options.mode === 'revealed' && isSecretObject(obj)) doc.commentBefore = REVEALED_COMMENT;
  return doc.toString({ lineWidth: 0 });
}

/** The object with hidden fields removed and Secret values masked or decoded; a copy, the input is untouched. */
export function forDisplay(obj: KubeObject, options: TextOptions): KubeObject {
  const copy = structuredClone(obj);
  const metadata = copy.metadata;
  if (metadata) {
    for (const key of HIDDEN_METADATA) delete metadata[key];
  }
  if (!options.showStatus) delete copy.status;
  if (isSecretObject(copy)) {
    if (options.mode === 'revealed') return revealSecret(copy);
    return maskSecret(copy);
  }
  return copy;
}

/** Fails closed: whatever `data` and `stringData` hold (not only maps of strings), no value is left readable. */
function maskSecret(secret: KubeObject): KubeObject {
  const size = (value: unknown): string =>
    typeof value === 'string' ? ` (${Buffer.from(value, 'base64').length} bytes)` : '';
  for (const field of ['data', 'stringData'] as const) {
    const value = secret[field];
    if (value === undefined) continue;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      secret[field] = MASK;
      continue;
    }
    secret[field] = Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, v]) => [
        key,
        field === 'data' ? `${MASK}${size(v)}` : MASK,
      ]),
    );
  }
  const annotations = secret.metadata?.annotations;
  if (annotations?.[LAST_APPLIED] !== undefined) annotations[LAST_APPLIED] = MASK;
  return secret;
}

/** `data` values that are valid UTF-8 become plain `stringData`; the rest stays base64 in `data`. */
function revealSecret(secret: KubeObject): KubeObject {
  const data = asStringMap(secret.data) ?? {};
  const text: Record<string, string> = {};
  const binary: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    const decoded = decodeText(value);
    if (decoded === undefined) binary[key] = value;
    else text[key] = decoded;
  }
  // Rebuild in a readable order: stringData right where data was.
  const out: KubeObject = {};
  for (const [key, value] of Object.entries(secret)) {
    if (key === 'data' || key === 'stringData') continue;
    out[key] = value;
    if (key === 'metadata') {
      if (Object.keys(text).length > 0) out.stringData = text;
      if (Object.keys(binary).length > 0) out.data = binary;
    }
  }
  if (!('metadata' in secret)) {
    if (Object.keys(text).length > 0) out.stringData = text;
    if (Object.keys(binary).length > 0) out.data = binary;
  }
  return out;
}

/** base64 → text when the bytes are valid UTF-8 that re-encodes to the same bytes; undefined otherwise. */
export function decodeText(base64: string): string | undefined {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.toString('base64') !== base64.replace(/\s/g, '')) return undefined; // not canonical base64
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
  return Buffer.from(text, 'utf8').equals(bytes) ? text : undefined;
}

/** `stringData` encoded into `data` (stringData wins on a shared key, as the API server does). */
export function encodeSecret(secret: KubeObject): KubeObject {
  const stringData = secret.stringData;
  if (stringData === undefined || stringData === null) {
    delete secret.stringData;
    return secret;
  }
  const map = textMap(stringData, 'stringData', 'text; put it in quotes');
  const data = textMap(secret.data ?? {}, 'data', 'base64-encoded text');
  const out: KubeObject = {};
  for (const [key, value] of Object.entries(secret)) {
    if (key === 'stringData' || key === 'data') continue;
    out[key] = value;
    if (key === 'metadata') out.data = { ...data, ...encodeMap(map) };
  }
  if (!('data' in out)) out.data = { ...data, ...encodeMap(map) };
  return out;
}

function encodeMap(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));
}

/** What the edited text must still be: the same object (a save cannot rename or move it). */
export interface Expected {
  ref: ObjectRef;
  /** The kind of the object that was read, when known. */
  kind?: string;
}

/**
 * The edited text back to an object to send: one YAML mapping, the same apiVersion, kind, name and namespace
 * as the object opened; for a revealed Secret, stringData encoded into data. Throws ManifestError with a
 * message that says what to fix.
 */
export function parseEditedText(text: string, mode: DocumentMode, expected: Expected): KubeObject {
  if (mode === 'masked') {
    throw new ManifestError('This Secret is shown with its values masked and cannot be saved. Reveal it to edit.');
  }
  const tooDeepAt = nestedDeeperThan(text, NESTING_LIMIT);
  if (tooDeepAt !== undefined) {
    const line = text.slice(0, tooDeepAt).split('\n').length;
    throw new ManifestError(
      `The text is nested more than ${NESTING_LIMIT} levels deep (line ${line}); no object nests that deep.`,
    );
  }
  const docs = parseAllDocuments(text, { prettyErrors: true });
  if (!Array.isArray(docs)) throw new ManifestError('The document is empty.');
  const nonEmpty = docs.filter((d) => d.contents !== null || d.errors.length > 0);
  if (nonEmpty.length === 0) throw new ManifestError('The document is empty.');
  if (nonEmpty.length > 1) {
    throw new ManifestError(
      'The document holds more than one YAML document (a "---" separator); it must hold only this object.',
    );
  }
  const doc = nonEmpty[0]!;
  const error = doc.errors[0];
  if (error) throw new ManifestError(`The YAML is not valid: ${error.message}`);
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ManifestError('The document must be a YAML mapping (apiVersion, kind, metadata, …).');
  }
  const obj = value as KubeObject;
  checkIdentity(obj, expected);
  return mode === 'revealed' && isSecretObject(obj) ? encodeSecret(obj) : obj;
}

function checkIdentity(obj: KubeObject, { ref, kind }: Expected): void {
  const changed = (field: string, from: string, to: unknown): ManifestError =>
    new ManifestError(
      `${field} was changed from "${from}" to ${to === undefined ? 'nothing' : JSON.stringify(to)}. ` +
        'Saving updates the object that was opened and cannot rename or move it; put it back, ' +
        'or create the new object with Apply (and delete the old one).',
    );
  const apiVersion = apiVersionOf(ref);
  if (obj.apiVersion !== apiVersion) throw changed('apiVersion', apiVersion, obj.apiVersion);
  if (kind !== undefined && obj.kind !== kind) throw changed('kind', kind, obj.kind);
  const metadata = obj.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new ManifestError('metadata is missing: it must name the object.');
  }
  if (metadata.name !== ref.name) throw changed('metadata.name', ref.name, metadata.name);
  // An omitted namespace means the object's own on a namespaced path; another one is a move.
  if (ref.namespace !== undefined && metadata.namespace !== undefined && metadata.namespace !== ref.namespace) {
    throw changed('metadata.namespace', ref.namespace, metadata.namespace);
  }
  if (ref.namespace === undefined && metadata.namespace !== undefined && metadata.namespace !== '') {
    throw new ManifestError(
      `metadata.namespace "${String(metadata.namespace)}" was added, but this object is cluster-scoped; remove it.`,
    );
  }
}

/** The resourceVersion the text was based on; throws when the user removed it. */
export function baseVersionOf(obj: KubeObject): string {
  const rv = obj.metadata?.resourceVersion;
  if (typeof rv === 'string' && rv !== '') return rv;
  if (typeof rv === 'number') return String(rv);
  throw new ManifestError(
    'metadata.resourceVersion was removed. It tells the server which version you edited, so that changes made ' +
      'by someone else are not overwritten: put it back (or reopen the object and edit again).',
  );
}

/**
 * Puts back what the text hides and an update would otherwise clear: `status` for kinds without a status
 * subresource. `current` is the server's object at the same resourceVersion the text was based on.
 */
export function restoreHidden(edited: KubeObject, current: KubeObject): KubeObject {
  if (!('status' in edited) && 'status' in current) return { ...edited, status: current.status };
  return edited;
}

function textMap(value: unknown, field: string, expected: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ManifestError(`${field} must map each key to a value.`);
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new ManifestError(`${field}.${key} must be ${expected}.`);
  }
  return value as Record<string, string>;
}

function asStringMap(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.some(([, v]) => typeof v !== 'string')) return undefined;
  return value as Record<string, string>;
}

/**
 * Every form in which a value of a Secret could appear in a message about it (a server's error, a webhook's
 * denial): as written, base64-encoded or decoded, JSON-escaped, and each long line of a multi-line value.
 * Undefined when the Secret holds values that are not text (a number, a list): then no message about it is shown.
 */
function secretForms(obj: KubeObject | undefined): string[] | undefined {
  if (!obj || obj.kind !== 'Secret') return [];
  const forms = new Set<string>();
  const add = (value: string): void => {
    if (value.length < 3) return;
    forms.add(value);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) forms.add(escaped);
    for (const line of value.split(/\r?\n/)) if (line.length >= 8 && line !== value) forms.add(line);
  };
  for (const field of ['data', 'stringData'] as const) {
    const map = obj[field];
    if (map === undefined || map === null) continue;
    if (typeof map !== 'object' || Array.isArray(map)) return undefined;
    for (const value of Object.values(map as Record<string, unknown>)) {
      if (typeof value !== 'string') return undefined;
      add(value);
      if (field === 'data') add(Buffer.from(value, 'base64').toString('utf8'));
      else add(Buffer.from(value, 'utf8').toString('base64'));
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** A message about `obj` with every value of it masked, if it is a Secret; fails closed (see secretForms). */
export function maskSecretValues(message: string, obj: KubeObject | undefined): string {
  const forms = secretForms(obj);
  if (!forms) return `(the message is not shown: it may hold values of the Secret, which has values that are not text)`;
  let out = message;
  for (const form of forms) out = out.split(form).join(MASK);
  return out;
}
