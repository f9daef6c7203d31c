// yaml-language-server asks for a file's schema once per YAML document in the file, and each time loads and
// resolves the whole schema again: for a file of N documents whose schema is a schemaSequence of N entries, that
// is N^2 schema resolutions per validation (a 20 KB manifest took seconds, 100 KB minutes). Our schema URIs
// (kubewb-schema://) are content-addressed (a new schema gets a new URI), so a resolved one can be kept and
// reused; only a resolution without errors is kept, and only the most recently used few.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { YAMLSchemaService } from 'yaml-language-server/out/server/src/languageservice/services/yamlSchemaService';
import { YAMLValidation } from 'yaml-language-server/out/server/src/languageservice/services/yamlValidation';

const SCHEME = 'kubewb-schema:';
const KEEP = 32;

interface Resolved {
  errors?: unknown[];
}

interface ServiceInternals {
  loadSchema(uri: string): Promise<unknown>;
  resolveSchemaContent(schema: unknown, uri: string, dependencies: object): Promise<Resolved>;
  finalizeResolvedSchema(schema: Resolved, uri: string, doc: unknown, includeErrorsForSequence: boolean): unknown;
  resolveCustomSchema(uri: string, doc: TextDocument): Promise<unknown>;
}

const resolved = new Map<string, Promise<Resolved>>();
const service = YAMLSchemaService.prototype as unknown as ServiceInternals;
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the service as `this`
const resolveCustomSchema = service.resolveCustomSchema;

service.resolveCustomSchema = async function (this: ServiceInternals, uri: string, doc: TextDocument) {
  if (!uri.startsWith(SCHEME)) return resolveCustomSchema.call(this, uri, doc);
  let schema = resolved.get(uri);
  if (schema) {
    resolved.delete(uri); // most recently used last
  } else {
    schema = this.loadSchema(uri).then((unresolved) => this.resolveSchemaContent(unresolved, uri, {}));
    schema.then(
      (s) => {
        if (s.errors?.length) resolved.delete(uri);
      },
      () => resolved.delete(uri),
    );
  }
  resolved.set(uri, schema);
  while (resolved.size > KEEP) resolved.delete(resolved.keys().next().value as string);
  return this.finalizeResolvedSchema(await schema, uri, doc, true);
};

// The same validation then asks the client for the file's schema once per YAML document (a round trip each: 386
// documents, 600 ms). While one validation of a file runs, its documents share the first answer; completion,
// hover and the next validation ask again.
type SchemaProvider = (resource: string) => Promise<unknown>;
const validating = new Map<string, Promise<unknown> | undefined>();

const registry = YAMLSchemaService.prototype as unknown as {
  registerCustomSchemaProvider(this: unknown, provider: SchemaProvider): void;
};
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the service as `this`
const registerProvider = registry.registerCustomSchemaProvider;
registry.registerCustomSchemaProvider = function (this: unknown, provider: SchemaProvider) {
  const shared: SchemaProvider = (resource) => {
    if (!validating.has(resource)) return provider(resource);
    let answer = validating.get(resource);
    if (!answer) {
      answer = provider(resource);
      validating.set(resource, answer);
      answer.catch(() => validating.set(resource, undefined));
    }
    return answer;
  };
  registerProvider.call(this, shared);
};

// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the validator as `this`
const doValidation = YAMLValidation.prototype.doValidation;
YAMLValidation.prototype.doValidation = async function (this: YAMLValidation, document: TextDocument, ...rest) {
  // A validation already running for this file keeps its answer; this one asks afresh.
  validating.set(document.uri, undefined);
  try {
    return await doValidation.call(this, document, ...rest);
  } finally {
    validating.delete(document.uri);
  }
};
