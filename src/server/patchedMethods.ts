// Every method of yaml-language-server (and vscode-languageserver) that our bundle replaces or wraps, with the
// number of parameters it had when the patch was written. test/unit/server/patchedMethods.test.ts loads the pinned
// packages and fails when one is gone or its arity changed (an upgrade moved what we patch), and fails when a file
// here assigns a method that is not listed (a new patch must be declared).

const SERVICES = 'yaml-language-server/out/server/src/languageservice';
const HANDLERS = 'yaml-language-server/out/server/src/languageserver/handlers';

export interface PatchedMethod {
  /** The module, as required. */
  readonly module: string;
  /** The exported class whose prototype holds the method; undefined for a function the module exports. */
  readonly owner?: string;
  readonly method: string;
  /** `Function.length` of the original. */
  readonly arity: number;
  /** Our file that patches it. */
  readonly by: string;
}

export const PATCHED_METHODS: readonly PatchedMethod[] = [
  {
    module: `${SERVICES}/parser/yaml-documents`,
    owner: 'YamlDocuments',
    method: 'ensureCache',
    arity: 3,
    by: 'incrementalParse, reusedUris',
  },
  {
    module: `${HANDLERS}/validationHandlers`,
    owner: 'ValidationHandler',
    method: 'validateTextDocument',
    arity: 1,
    by: 'reusedUris, validationDelay',
  },
  {
    module: `${HANDLERS}/validationHandlers`,
    owner: 'ValidationHandler',
    method: 'validate',
    arity: 1,
    by: 'validationDelay',
  },
  { module: 'vscode-languageserver', owner: 'TextDocuments', method: 'listen', arity: 1, by: 'reusedUris' },
  {
    module: `${SERVICES}/services/yamlSchemaService`,
    owner: 'YAMLSchemaService',
    method: 'resolveCustomSchema',
    arity: 2,
    by: 'schemaCache',
  },
  {
    module: `${SERVICES}/services/yamlSchemaService`,
    owner: 'YAMLSchemaService',
    method: 'registerCustomSchemaProvider',
    arity: 1,
    by: 'schemaCache',
  },
  {
    module: `${SERVICES}/services/yamlSchemaService`,
    owner: 'YAMLSchemaService',
    method: 'resolveModelineSchema',
    arity: 2,
    by: 'workspaceTrust',
  },
  {
    module: `${SERVICES}/services/yamlSchemaService`,
    owner: 'YAMLSchemaService',
    method: 'resolveDollarSchema',
    arity: 2,
    by: 'workspaceTrust',
  },
  {
    module: `${SERVICES}/services/yamlValidation`,
    owner: 'YAMLValidation',
    method: 'doValidation',
    arity: 1,
    by: 'schemaCache, validationCache',
  },
  {
    module: `${SERVICES}/services/documentSymbols`,
    owner: 'YAMLDocumentSymbols',
    method: 'findHierarchicalDocumentSymbols',
    arity: 1,
    by: 'symbolLimit',
  },
  {
    module: `${SERVICES}/services/documentSymbols`,
    owner: 'YAMLDocumentSymbols',
    method: 'findDocumentSymbols',
    arity: 1,
    by: 'symbolLimit',
  },
  {
    module: `${SERVICES}/parser/yaml-documents`,
    owner: 'SingleYAMLDocument',
    method: 'validate',
    arity: 2,
    by: 'validationCache',
  },
  {
    module: `${SERVICES}/services/validation/unused-anchors`,
    owner: 'UnusedAnchorsValidator',
    method: 'validate',
    arity: 2,
    by: 'validationCache',
  },
  {
    module: `${SERVICES}/services/schemaRequestHandler`,
    method: 'schemaRequestHandler',
    arity: 8,
    by: 'workspaceTrust',
  },
];
