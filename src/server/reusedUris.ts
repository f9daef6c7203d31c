// yaml-language-server keys what it knows about a document by URI, but a URI can name two documents one after
// the other: VS Code gives the next new untitled document the name of a closed one (`Untitled-1`), at version 1
// again. Two places then served the closed document's state for the new one:
// - its parse cache (`yamlDocumentsCache`) is keyed by URI and version and never forgets a closed document, so
//   the new `Untitled-1` v1 was validated, completed and hovered as the old text;
// - a validation still running when its document closed (it waits for settings and the schema) published its
//   result afterwards, over the close's "no diagnostics".
// Both are tied to the document object here: the server keeps one object per open document across edits and
// makes a new one on open. A validation also publishes only for the version it validated: the incremental parse
// (incrementalParse.ts) moves the parse of an older version into the newer one, and a validation that was still
// waiting when the next version arrived would place its diagnostics by offsets that have moved since; the next
// version's own validation follows anyway.
//
// A closed document's parse is also dropped: the parse cache kept every file ever opened, whole.
import { TextDocuments, type Connection } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { ValidationHandler } from 'yaml-language-server/out/server/src/languageserver/handlers/validationHandlers';
import {
  YamlDocuments,
  yamlDocumentsCache,
} from 'yaml-language-server/out/server/src/languageservice/parser/yaml-documents';
import type { SettingsState } from 'yaml-language-server/out/server/src/yamlSettings';
import { forgetFile } from './incrementalParse';

interface CacheInternals {
  cache: Map<string, unknown>;
  ensureCache(document: TextDocument, ...rest: unknown[]): void;
}

const parsedFor = new Map<string, TextDocument>();
const cachePrototype = YamlDocuments.prototype as unknown as CacheInternals;
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the cache as `this`
const ensureCache = cachePrototype.ensureCache;
cachePrototype.ensureCache = function (this: CacheInternals, document: TextDocument, ...rest: unknown[]) {
  if (parsedFor.get(document.uri) !== document) {
    this.cache.delete(document.uri);
    parsedFor.set(document.uri, document);
  }
  ensureCache.call(this, document, ...rest);
};

interface HandlerInternals {
  connection: Connection;
  yamlSettings: SettingsState;
}

// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with its own handler as `this`
const validateTextDocument = ValidationHandler.prototype.validateTextDocument;
ValidationHandler.prototype.validateTextDocument = function (this: ValidationHandler, document: TextDocument) {
  const self = this as unknown as HandlerInternals;
  const connection = self.connection;
  const version = document.version;
  const guarded = Object.create(connection, {
    sendDiagnostics: {
      value: (params: Parameters<Connection['sendDiagnostics']>[0]) =>
        self.yamlSettings.documents.get(params.uri) === document && document.version === version
          ? connection.sendDiagnostics(params)
          : Promise.resolve(),
    },
  }) as Connection;
  return validateTextDocument.call(Object.create(this, { connection: { value: guarded } }), document);
};

// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the documents as `this`
const listen = TextDocuments.prototype.listen;
TextDocuments.prototype.listen = function (this: TextDocuments<TextDocument>, connection) {
  this.onDidClose(({ document }) => {
    if (parsedFor.get(document.uri) === document) parsedFor.delete(document.uri);
    forgetFile(document.uri);
    (yamlDocumentsCache as unknown as CacheInternals).cache.delete(document.uri);
  });
  return listen.call(this, connection);
};
