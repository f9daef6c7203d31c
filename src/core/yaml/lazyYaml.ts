import type * as Yaml from 'yaml';
import type * as YamlParts from './yamlParts';

/*
 * Stands in for the `yaml` package inside dist/extension.js (scripts/esbuild.mjs resolves the extension's
 * `import … from 'yaml'` here): the package is a quarter of the activation bundle and showing the contexts never
 * parses YAML with it (the kubeconfig is read with js-yaml). Each export forwards to the real package, which is
 * loaded the first time one is called; esbuild fails the build if a file imports a name that is not here.
 * The language server, the MCP server and the tests use the package directly.
 */

let loaded: typeof YamlParts | undefined;

function yaml(): typeof YamlParts {
  // Resolved by scripts/esbuild.mjs to dist/lib/yaml.js, next to the extension's bundle.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous load on first use, on purpose
  return (loaded ??= require('./yamlParts') as typeof YamlParts);
}

type AnyFunction = (...args: unknown[]) => unknown;

function forward<K extends keyof typeof YamlParts>(name: K): (typeof YamlParts)[K] {
  return ((...args: unknown[]) => (yaml()[name] as AnyFunction)(...args)) as (typeof YamlParts)[K];
}

export const parseAllDocuments = forward('parseAllDocuments');
export const parse = forward('parse');
export const parseDocument = forward('parseDocument');
export const stringify = forward('stringify');
export const isAlias = forward('isAlias');
export const isCollection = forward('isCollection');
export const isMap = forward('isMap');
export const isScalar = forward('isScalar');
export const isSeq = forward('isSeq');

/** visit() with its control symbols (visit.BREAK, …), which must be the package's own. */
export const visit = Object.defineProperties(forward('visit'), {
  BREAK: { get: () => yaml().visit.BREAK },
  SKIP: { get: () => yaml().visit.SKIP },
  REMOVE: { get: () => yaml().visit.REMOVE },
});

// Classes: `new X()` on these returns an instance of the package's own class (a constructor may return an object).
export const Document = function (...args: unknown[]) {
  return new (yaml().Document as unknown as new (...a: unknown[]) => object)(...args);
} as unknown as typeof Yaml.Document;

export const LineCounter = function () {
  return new (yaml().LineCounter)();
} as unknown as typeof Yaml.LineCounter;
