// yaml-language-server parses the whole file again for every version: validation, folding ranges, document
// symbols, links and code lenses all ask its parse cache (`yamlDocumentsCache`) for the current version, and at
// 1 MB that parse took about 700 ms of the server's time per keystroke. Here the cache parses a file document by
// document, cut at its `---` lines (the cuts of the extension host's analysis, src/core/yaml/manifestDetection.ts), and
// keeps each document's parse for the next version: an edit re-parses the documents whose text it changed, and the
// documents after it, which only moved, have their offsets shifted. The result is the same YAMLDocument the
// server's own parse makes (test/unit/server/incrementalParse.test.ts compares them node by node), so every
// feature of the server works on it unchanged.
//
// Files with directives (`%`) or document-end markers (`...`), whose cuts are less simple, and the server's
// whitespace-only special case are parsed whole, by the server's own code.
// The yaml package yaml-language-server itself uses (a copy of its own), so nodes and tokens are of one kind.
import { LineCounter, visit, type CST, type Document } from 'yaml-language-server/node_modules/yaml';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  YAMLDocument,
  YamlDocuments,
  type SingleYAMLDocument,
} from 'yaml-language-server/out/server/src/languageservice/parser/yaml-documents';
import { parse, defaultOptions } from 'yaml-language-server/out/server/src/languageservice/parser/yamlParser07';
import type { ParserOptions } from 'yaml-language-server/out/server/src/languageservice/parser/yamlParser07';
import { NESTING_LIMIT, nestedDeeperThan } from '../core/common/yamlNesting';
import { detached, documentCuts } from '../core/yaml/manifestDetection';

/** One cut of the file, parsed on its own, with offsets already moved to where it sits in the file. */
interface Piece {
  start: number;
  documents: SingleYAMLDocument[];
  tokens: CST.Token[];
}

interface FileState {
  options: ParserOptions;
  /** Pieces of the last version, by their text (equal texts can occur more than once). */
  pieces: Map<string, Piece[]>;
}

interface SingleDocumentInternals {
  lineCounter: LineCounter;
  updateFromInternalDocument(): void;
}

/** Per document of an incremental parse, whether the file's last line was blank when its AST was made. */
const astMadeWith = new WeakMap<SingleYAMLDocument, boolean>();

/**
 * For a document of an incremental parse, what its AST depends on besides its own text and offset; equal shapes
 * mean an AST equal but for offsets moved with the document (validationCache.ts relies on it). Undefined for a
 * document the server's own parse made, or one moved since its AST was made.
 */
export function astShapeOf(document: object): string | undefined {
  const blank = astMadeWith.get(document as SingleYAMLDocument);
  return blank === undefined ? undefined : String(blank);
}

/** Where each document starts: the `---` cuts, with text before the first marker that holds only comments or
 * blank lines kept with the first document (the whole-file parse makes it that document's leading comment, not
 * a document of its own). */
export function pieceCuts(text: string): number[] | undefined {
  const cuts = documentCuts(text);
  if (!cuts) return undefined;
  if (cuts.length > 2 && /^(?:[ \t]*(?:#.*)?(?:\r?\n|$))*$/.test(text.slice(0, cuts[1]))) cuts.splice(1, 1);
  return cuts;
}

/**
 * The parse of `text`, reusing what `state` kept from the previous version; `state` then holds this version's.
 * Pieces taken from the previous version are moved, not copied: that version's YAMLDocument is stale afterwards
 * (the server drops anything still computed from it, see reusedUris.ts).
 */
export function parseIncrementally(
  text: string,
  options: ParserOptions,
  state: FileState,
  lastLineEmpty: boolean,
): YAMLDocument | undefined {
  const cuts = pieceCuts(text);
  if (!cuts) return undefined;
  const next = new Map<string, Piece[]>();
  const documents: SingleYAMLDocument[] = [];
  const tokens: CST.Token[] = [];
  // The AST (what validation, completion and hover walk) is made from the composed document with a line counter
  // of the whole file, or none at all when its last line is blank (the server's parse does so). With a counter, a
  // node's length depends on where the file ends only when the node ends inside the file's last line, which is in
  // the last piece. A piece becomes or stops being the last one with its text unchanged only when the file ends
  // with a line break (every other piece does), and then there is no counter. So a piece's AST is made again when
  // the piece is new or moved, or when the last line changed from or to blank.
  const lines = lineCounter(lastLineEmpty ? '' : text);
  for (let i = 0; i < cuts.length - 1; i++) {
    const start = cuts[i]!;
    const segment = text.slice(start, cuts[i + 1]);
    const piece = state.pieces.get(segment)?.pop() ?? parsePiece(detached(segment), options);
    if (piece.start !== start) movePiece(piece, start - piece.start);
    for (const document of piece.documents) {
      const internals = document as unknown as SingleDocumentInternals;
      internals.lineCounter = lines;
      if (astMadeWith.get(document) === lastLineEmpty) continue;
      internals.updateFromInternalDocument();
      astMadeWith.set(document, lastLineEmpty);
    }
    let same = next.get(segment);
    if (!same) next.set(segment, (same = []));
    same.push(piece);
    documents.push(...piece.documents);
    tokens.push(...piece.tokens);
  }
  state.pieces = next;
  return new YAMLDocument(documents, tokens);
}

function parsePiece(text: string, options: ParserOptions): Piece {
  const parsed = parse(withinNestingLimit(text), options);
  return { start: 0, documents: parsed.documents, tokens: parsed.tokens };
}

/**
 * The parser, and every walk of its tree (validation, hover, symbols, moving offsets), recurse once per level: a
 * document nested thousands of levels deep would overflow the stack and take the server down with every file it
 * serves. Such text is parsed blanked (the same lines and offsets, no content), so it yields no diagnostics here;
 * the extension host tells the user it is too complex (src/ext/yaml/manifestEditor.ts) and does not send it at all.
 */
export function withinNestingLimit(text: string): string {
  return nestedDeeperThan(text, NESTING_LIMIT) === undefined ? text : text.replace(/[^\r\n]/g, ' ');
}

function lineCounter(text: string): LineCounter {
  const counter = new LineCounter();
  if (text === '') return counter;
  counter.addNewLine(0);
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', nl + 1)) counter.addNewLine(nl + 1);
  return counter;
}

function movePiece(piece: Piece, delta: number): void {
  piece.start += delta;
  for (const document of piece.documents) astMadeWith.delete(document);
  for (const token of piece.tokens) moveToken(token, delta);
  for (const document of piece.documents) moveDocument(document.internalDocument, delta);
}

type TokenLike = {
  offset?: number;
  start?: TokenLike | TokenLike[];
  end?: TokenLike[];
  props?: TokenLike[];
  sep?: TokenLike[];
  key?: TokenLike | null;
  value?: TokenLike;
  items?: TokenLike[];
};

/** CST tokens: every token has an offset, nested tokens sit in these fields (collection items have none). */
function moveToken(token: TokenLike, delta: number): void {
  if (typeof token.offset === 'number') token.offset += delta;
  const start = token.start;
  if (Array.isArray(start)) for (const t of start) moveToken(t, delta);
  else if (start) moveToken(start, delta);
  if (token.end) for (const t of token.end) moveToken(t, delta);
  if (token.props) for (const t of token.props) moveToken(t, delta);
  if (token.sep) for (const t of token.sep) moveToken(t, delta);
  if (token.key) moveToken(token.key, delta);
  if (token.value) moveToken(token.value, delta);
  if (token.items) for (const t of token.items) moveToken(t, delta);
}

/** The composed document: its range, its nodes' ranges and its errors' positions (the CST is moved apart). */
function moveDocument(document: Document, delta: number): void {
  const range = document.range as number[];
  for (let i = 0; i < range.length; i++) range[i]! += delta;
  for (const problem of [...document.errors, ...document.warnings]) {
    problem.pos[0] += delta;
    problem.pos[1] += delta;
  }
  visit(document, (_key, node) => {
    const r = (node as { range?: number[] | null } | null)?.range;
    if (r) for (let i = 0; i < r.length; i++) r[i]! += delta;
  });
}

interface CacheEntry {
  version: number;
  document: YAMLDocument;
  parserOptions: ParserOptions;
}

interface CacheInternals {
  cache: Map<string, CacheEntry>;
  ensureCache(document: TextDocument, parserOptions: ParserOptions, addRootObject: boolean): void;
}

const states = new Map<string, FileState>();

/** Forgets what was kept for a file (closed, or its URI now names another document). */
export function forgetFile(uri: string): void {
  states.delete(uri);
}

const cachePrototype = YamlDocuments.prototype as unknown as CacheInternals;
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the cache as `this`
const ensureWhole = cachePrototype.ensureCache;
cachePrototype.ensureCache = function (
  this: CacheInternals,
  document: TextDocument,
  parserOptions: ParserOptions,
  addRootObject: boolean,
) {
  const options = parserOptions ?? defaultOptions;
  const entry = this.cache.get(document.uri);
  const sameOptions = (a: ParserOptions, b: ParserOptions) =>
    a.yamlVersion === b.yamlVersion && JSON.stringify(a.customTags ?? []) === JSON.stringify(b.customTags ?? []);
  if (entry && entry.version === document.version && sameOptions(entry.parserOptions, options)) return;
  const text = document.getText();
  let state = states.get(document.uri);
  if (!state || !sameOptions(state.options, options))
    states.set(document.uri, (state = { options, pieces: new Map() }));
  const parsed =
    addRootObject && !/\S/.test(text) ? undefined : parseIncrementally(text, options, state, lastLineEmpty(text));
  if (!parsed) {
    states.delete(document.uri);
    const safe = withinNestingLimit(text);
    // The server's own parse of the whole file, of a text it can walk without overflowing its stack.
    const readable =
      safe === text ? document : (Object.create(document, { getText: { value: () => safe } }) as TextDocument);
    ensureWhole.call(this, readable, options, addRootObject);
    return;
  }
  this.cache.set(document.uri, { version: document.version, document: parsed, parserOptions: options });
};

/** The server's test for its parse's line counter: the text's last line is blank (TextBuffer's notion of lines). */
function lastLineEmpty(text: string): boolean {
  const lastBreak = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
  return text.slice(lastBreak + 1).trim().length === 0;
}
