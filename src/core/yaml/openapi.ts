// OpenAPI v3 (as served by kube-apiserver at /openapi/v3/<group-version>) → JSON Schema for yaml-language-server.
// Pure: no I/O. The same code builds the bundled schema (scripts/generate-schemas.ts) and the per-cluster cache.

/** A JSON Schema (draft-07 subset) object as we produce it. */
export type JsonSchema = Record<string, unknown>;

/** apiVersion ("apps/v1", "v1") and kind. */
export interface Gvk {
  apiVersion: string;
  kind: string;
}

/** Definitions of one or more group-versions, plus which definition describes each apiVersion/kind. */
export interface SchemaSet {
  /** Definition name (e.g. io.k8s.api.apps.v1.Deployment) → converted schema; `$ref`s are `#/definitions/<name>`. */
  definitions: Record<string, JsonSchema>;
  /** `apiVersion|kind` → definition name. */
  kinds: Record<string, string>;
}

export function gvkKey(gvk: Gvk): string {
  return `${gvk.apiVersion}|${gvk.kind}`;
}

/** "apps/v1" → "apis/apps/v1", "v1" → "api/v1": the path below /openapi/v3 of a group-version. */
export function openApiPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `apis/${apiVersion}` : `api/${apiVersion}`;
}

interface OpenApiDocument {
  components?: { schemas?: Record<string, unknown> };
}

const REF_PREFIX = '#/components/schemas/';

/** Converts one /openapi/v3/<gv> document. Throws a plain Error when the document has no schemas. */
export function convertOpenApi(doc: unknown): SchemaSet {
  const schemas = (doc as OpenApiDocument | undefined)?.components?.schemas;
  if (!schemas || typeof schemas !== 'object') throw new Error('the OpenAPI document has no components.schemas');
  const set: SchemaSet = { definitions: {}, kinds: {} };
  for (const [name, raw] of Object.entries(schemas)) {
    if (!raw || typeof raw !== 'object') continue;
    const schema = convertNode(raw as Record<string, unknown>, 0);
    const gvks = (raw as Record<string, unknown>)['x-kubernetes-group-version-kind'];
    if (Array.isArray(gvks) && gvks.length > 0) {
      const list = gvks
        .filter((g): g is { group?: string; version: string; kind: string } => !!g && typeof g === 'object')
        .map((g) => ({ apiVersion: g.group ? `${g.group}/${g.version}` : g.version, kind: g.kind }));
      // Definitions shared by many kinds (DeleteOptions, WatchEvent) are not top-level manifests.
      const only = list.length === 1 ? list[0] : undefined;
      if (only && !isListOrOption(only.kind)) {
        pinApiVersionAndKind(schema, only);
        set.kinds[gvkKey(only)] = name;
      }
    }
    set.definitions[name] = schema;
  }
  return set;
}

function isListOrOption(kind: string): boolean {
  return kind.endsWith('List') || kind.endsWith('Options') || kind === 'WatchEvent' || kind === 'Status';
}

/** apiVersion and kind must be exactly these; both are required (what the API server needs to route). */
function pinApiVersionAndKind(schema: JsonSchema, gvk: Gvk): void {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  properties.apiVersion = { ...(properties.apiVersion ?? {}), type: 'string', enum: [gvk.apiVersion] };
  properties.kind = { ...(properties.kind ?? {}), type: 'string', enum: [gvk.kind] };
  schema.properties = properties;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  required.add('apiVersion');
  required.add('kind');
  schema.required = [...required];
}

/** Deep enough for any real schema; a self-referencing CRD schema cannot make us recurse forever. */
const MAX_DEPTH = 64;

function convertNode(node: Record<string, unknown>, depth: number): JsonSchema {
  if (depth > MAX_DEPTH) return {};
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case '$ref':
        if (typeof value === 'string')
          out.$ref = value.startsWith(REF_PREFIX) ? `#/definitions/${value.slice(REF_PREFIX.length)}` : value;
        break;
      case 'properties':
      case 'patternProperties':
        if (value && typeof value === 'object') {
          const props: Record<string, JsonSchema> = {};
          for (const [p, s] of Object.entries(value as Record<string, unknown>))
            if (s && typeof s === 'object') props[p] = convertNode(s as Record<string, unknown>, depth + 1);
          out[key] = props;
        }
        break;
      case 'items':
      case 'additionalProperties':
      case 'not':
        if (value && typeof value === 'object') out[key] = convertNode(value as Record<string, unknown>, depth + 1);
        else if (typeof value === 'boolean') out[key] = value;
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        if (Array.isArray(value))
          out[key] = value
            .filter((s): s is Record<string, unknown> => !!s && typeof s === 'object')
            .map((s) => convertNode(s, depth + 1));
        break;
      case 'description':
        if (typeof value === 'string') out.description = safeDescription(value);
        break;
      case 'type':
      case 'enum':
      case 'required':
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
      case 'minLength':
      case 'maxLength':
      case 'pattern':
      case 'minItems':
      case 'maxItems':
      case 'uniqueItems':
      case 'minProperties':
      case 'maxProperties':
      case 'multipleOf':
      case 'default':
        out[key] = value;
        break;
      default:
        // format (int32, int-or-string, byte...), x-kubernetes-* and OpenAPI-only keys are dropped or handled below.
        break;
    }
  }
  // In OpenAPI v3 a `$ref` with a description is written allOf: [{$ref}]; keep it as is (valid JSON Schema).
  if (node['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (preserve) {
    if (!out.properties && !out.additionalProperties) delete out.type; // any value (an embedded object or scalar)
    if (out.properties && out.additionalProperties === undefined) out.additionalProperties = true;
  } else if (out.properties && out.additionalProperties === undefined) {
    // The API server rejects unknown fields (strict field validation): say so while editing.
    out.additionalProperties = false;
  }
  if (node['x-kubernetes-embedded-resource'] === true && out.properties) out.additionalProperties = true;
  return out;
}

/**
 * A description as hovers show it, from a schema anyone who can create a CRD wrote: no HTML (`<img>`, autolinks),
 * no markdown link or image (`[text](command:…)`, `![](https://tracker)`); the words stay readable.
 */
export function safeDescription(text: string): string {
  return text
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\]\s*\(/g, '] (');
}

/**
 * A self-contained schema for one definition: the definition itself at the root, plus every definition it
 * reaches through `$ref` under `definitions`.
 */
export function kindSchema(set: SchemaSet, definition: string): JsonSchema | undefined {
  const root = set.definitions[definition];
  if (!root) return undefined;
  const reachable: Record<string, JsonSchema> = {};
  const queue = [definition];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (reachable[name]) continue;
    const def = set.definitions[name];
    if (!def) continue;
    // The document itself is checked against `root`, pinned to its apiVersion and kind. A definition reached
    // through a `$ref` is an object embedded in another (a StatefulSet's volumeClaimTemplates are
    // PersistentVolumeClaims, a CronJob's jobTemplate holds a Job's spec): there apiVersion and kind are optional
    // and free, as the API server treats them, so the pins are taken off.
    reachable[name] = unpinned(def);
    collectRefs(def, queue);
  }
  return { ...root, definitions: reachable };
}

/** A kind's definition without the apiVersion/kind pins of pinApiVersionAndKind (the definition itself if none). */
function unpinned(def: JsonSchema): JsonSchema {
  const properties = def.properties as Record<string, JsonSchema> | undefined;
  const pinned = (p: JsonSchema | undefined): boolean => Array.isArray(p?.enum) && p.enum.length === 1;
  if (!properties || !pinned(properties.apiVersion) || !pinned(properties.kind)) return def;
  const { enum: _apiVersions, ...apiVersion } = properties.apiVersion!;
  const { enum: _kinds, ...kind } = properties.kind!;
  const required = (Array.isArray(def.required) ? (def.required as string[]) : []).filter(
    (r) => r !== 'apiVersion' && r !== 'kind',
  );
  const copy: JsonSchema = { ...def, properties: { ...properties, apiVersion, kind } };
  if (required.length > 0) copy.required = required;
  else delete copy.required;
  return copy;
}

function collectRefs(node: unknown, out: string[]): void {
  if (Array.isArray(node)) {
    for (const n of node) collectRefs(n, out);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/definitions/'))
        out.push(v.slice('#/definitions/'.length));
      else if (k !== 'enum' && k !== 'default') collectRefs(v, out);
    }
  }
}

/** Merges group-version sets (definition names are globally unique in Kubernetes' OpenAPI). */
export function mergeSets(sets: SchemaSet[]): SchemaSet {
  const out: SchemaSet = { definitions: {}, kinds: {} };
  for (const s of sets) {
    Object.assign(out.definitions, s.definitions);
    Object.assign(out.kinds, s.kinds);
  }
  return out;
}

/**
 * A CustomResourceDefinition manifest (from the workspace) → a set with one definition per served version.
 * Returns problems for versions whose schema is missing or not an object.
 */
export function convertCrd(crd: unknown): { set: SchemaSet; problems: string[] } {
  const set: SchemaSet = { definitions: {}, kinds: {} };
  const problems: string[] = [];
  const spec = (crd as { spec?: Record<string, unknown> } | undefined)?.spec;
  const group = typeof spec?.group === 'string' ? spec.group : undefined;
  const kind =
    typeof (spec?.names as { kind?: unknown } | undefined)?.kind === 'string'
      ? (spec?.names as { kind: string }).kind
      : undefined;
  if (!spec || !group || !kind)
    return { set, problems: ['the CustomResourceDefinition has no spec.group or spec.names.kind'] };
  const versions = Array.isArray(spec.versions) ? (spec.versions as Record<string, unknown>[]) : [];
  for (const v of versions) {
    if (!v || typeof v.name !== 'string') continue;
    const apiVersion = `${group}/${v.name}`;
    const raw = (v.schema as { openAPIV3Schema?: unknown } | undefined)?.openAPIV3Schema;
    const name = `crd.${group}.${v.name}.${kind}`;
    if (!raw || typeof raw !== 'object') {
      problems.push(`version ${v.name} of ${kind} has no schema (spec.versions[].schema.openAPIV3Schema)`);
      set.definitions[name] = { type: 'object' };
    } else {
      set.definitions[name] = convertNode(raw as Record<string, unknown>, 0);
    }
    const schema = set.definitions[name];
    const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
    // metadata is an ObjectMeta in every kind; CRD schemas leave it out.
    if (!props.metadata || Object.keys(props.metadata).length <= 1) props.metadata = { type: 'object' };
    schema.properties = props;
    pinApiVersionAndKind(schema, { apiVersion, kind });
    set.kinds[gvkKey({ apiVersion, kind })] = name;
  }
  return { set, problems };
}
