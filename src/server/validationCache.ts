// With the incremental parse (incrementalParse.ts) an edit re-parses one document, but yaml-language-server still
// validated every document of the file against its schema on every version: about 200 ms per keystroke at 1 MB.
// A document whose parse was kept (same text, maybe moved) and whose schema is the same object gives the same
// problems, moved by as many lines as the document moved (documents start at the start of a line, so columns do
// not change). Those are reused here; only documents an edit touched are validated again.
//
// The unused-anchor check walked every node of every document too; a document with neither `&` nor `*` in its
// text has no anchors or aliases to report, and is passed over.
import type { Diagnostic } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Document } from 'yaml-language-server/node_modules/yaml';
import { SingleYAMLDocument } from 'yaml-language-server/out/server/src/languageservice/parser/yaml-documents';
import { UnusedAnchorsValidator } from 'yaml-language-server/out/server/src/languageservice/services/validation/unused-anchors';
import { YAMLValidation } from 'yaml-language-server/out/server/src/languageservice/services/yamlValidation';
import { astShapeOf } from './incrementalParse';

interface Validated {
  schema: unknown;
  settings: string;
  shape: string;
  line: number;
  diagnostics: Diagnostic[];
}

interface ValidatedDocument {
  root: unknown;
  isKubernetes?: boolean;
  disableAdditionalProperties?: boolean;
  uri?: string;
  internalDocument: Document;
  validate(textDocument: TextDocument, schema: unknown): Diagnostic[] | null;
}

const validated = new WeakMap<object, Validated>();
/** How many document validations were reused or made (for tests). */
export const validationCounts = { reused: 0, made: 0 };
const documentPrototype = SingleYAMLDocument.prototype as unknown as ValidatedDocument;
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the document as `this`
const validate = documentPrototype.validate;

documentPrototype.validate = function (this: ValidatedDocument, textDocument: TextDocument, schema: unknown) {
  const shape = astShapeOf(this);
  if (!this.root || !schema || shape === undefined) return validate.call(this, textDocument, schema);
  const settings = `${textDocument.uri} ${this.isKubernetes} ${this.disableAdditionalProperties} ${this.uri}`;
  const line = textDocument.positionAt((this.internalDocument.range as number[])[0]!).line;
  const known = validated.get(this);
  if (known && known.schema === schema && known.settings === settings && known.shape === shape) {
    validationCounts.reused++;
    return known.diagnostics.map((d) => moved(d, line - known.line));
  }
  validationCounts.made++;
  const diagnostics = validate.call(this, textDocument, schema);
  if (diagnostics)
    validated.set(this, { schema, settings, shape, line, diagnostics: diagnostics.map((d) => moved(d, 0)) });
  return diagnostics;
};

/** A copy (the caller changes the diagnostics it gets), `lines` further down. */
function moved(d: Diagnostic, lines: number): Diagnostic {
  return {
    ...d,
    range: {
      start: { line: d.range.start.line + lines, character: d.range.start.character },
      end: { line: d.range.end.line + lines, character: d.range.end.character },
    },
  };
}

interface AnchorsValidator {
  validate(document: TextDocument, yamlDoc: { internalDocument: Document }): Diagnostic[];
}

const mayHaveAnchors = new WeakMap<object, boolean>();
const anchorsPrototype = UnusedAnchorsValidator.prototype as unknown as AnchorsValidator;
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the validator as `this`
const validateAnchors = anchorsPrototype.validate;
anchorsPrototype.validate = function (this: AnchorsValidator, document, yamlDoc) {
  const internal = yamlDoc.internalDocument;
  let may = mayHaveAnchors.get(internal);
  if (may === undefined) {
    const range = internal.range as number[] | undefined;
    may = !range || /[&*]/.test(document.getText().slice(range[0], range[2]));
    mayHaveAnchors.set(internal, may);
  }
  return may ? validateAnchors.call(this, document, yamlDoc) : [];
};

// Two versions of a file now share document objects, and a validation marks each document with its index in the
// file (which picks its schema) before it waits for that schema. Two validations of one file running at once
// (the first still waiting for schemas when the next edit's starts) could then pick each other's index when a
// document was added or removed between them. So a file's validations run one after the other, and one whose
// version was replaced while it waited does not run at all (its result would not be published: reusedUris.ts).
const running = new Map<string, Promise<unknown>>();
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the validator as `this`
const doValidation = YAMLValidation.prototype.doValidation;
YAMLValidation.prototype.doValidation = function (this: YAMLValidation, document: TextDocument, ...rest) {
  const version = document.version;
  const before = running.get(document.uri);
  const run = (async () => {
    if (before) await before.catch(() => undefined);
    if (document.version !== version) return [];
    return doValidation.call(this, document, ...rest);
  })();
  running.set(document.uri, run);
  const forget = () => {
    if (running.get(document.uri) === run) running.delete(document.uri);
  };
  run.then(forget, forget);
  return run;
};
