import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CST, visit, isScalar } from 'yaml-language-server/node_modules/yaml';
import type { ASTNode } from 'yaml-language-server/out/server/src/languageservice/jsonLanguageTypes';
import {
  yamlDocumentsCache,
  type YAMLDocument,
} from 'yaml-language-server/out/server/src/languageservice/parser/yaml-documents';
import { parse } from 'yaml-language-server/out/server/src/languageservice/parser/yamlParser07';
import { getLanguageService } from 'yaml-language-server/out/server/src/languageservice/yamlLanguageService';
// Installs the incremental parse and the validation reuse into yaml-language-server, as the server bundle does.
import { forgetFile } from '../../../src/server/incrementalParse';
import { validationCounts } from '../../../src/server/validationCache';
import '../../../src/server/symbolLimit';

/** Everything of a parse that the server's features read, with every offset, in a comparable form. */
function describeParse(parsed: YAMLDocument, text: string): unknown {
  const tokens: unknown[] = [];
  for (const token of parsed.tokens) {
    const offsets: [string, number][] = [];
    everyOffset(token, 'token', offsets, text);
    tokens.push({ type: token.type, text: CST.stringify(token), offsets });
  }
  const documents = parsed.documents.map((single) => {
    const doc = single.internalDocument;
    const nodes: unknown[] = [];
    visit(doc, (key, node) => {
      if (!node) return;
      const range = (node as { range?: unknown }).range;
      nodes.push([String(key), isScalar(node) ? node.value : (node as { type?: string }).type, range]);
      if (isScalar(node) && node.srcToken && 'source' in node.srcToken && node.srcToken.type === 'scalar') {
        const src = node.srcToken;
        assert.equal(text.slice(src.offset, src.offset + src.source.length), src.source);
      }
    });
    return {
      range: doc.range,
      errors: doc.errors.map((e) => [e.code, e.message, e.pos]),
      warnings: doc.warnings.map((e) => [e.code, e.message, e.pos]),
      commentBefore: doc.commentBefore,
      comment: doc.comment,
      nodes,
      ast: describeAst(single.root),
      headerComments: single.documentHeaderComments,
      lineComments: single.lineComments,
      diagnostics: [...single.errors, ...single.warnings],
    };
  });
  return { tokens, documents };
}

/** Every `offset` anywhere in a CST token, by path: blind to which fields the code under test knows about. A
 * token's source must be the text at its offset, the strongest check that a moved offset is right. */
function everyOffset(value: unknown, path: string, out: [string, number][], text: string): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => everyOffset(v, `${path}[${i}]`, out, text));
    return;
  }
  if (!value || typeof value !== 'object') return;
  const token = value as { offset?: unknown; source?: unknown; type?: unknown };
  if (typeof token.offset === 'number') {
    out.push([path, token.offset]);
    if (typeof token.source === 'string' && token.type !== 'block-scalar')
      assert.equal(text.slice(token.offset, token.offset + token.source.length), token.source, path);
  }
  for (const [key, v] of Object.entries(value)) if (key !== 'source') everyOffset(v, `${path}.${key}`, out, text);
}

function describeAst(node: ASTNode | undefined): unknown {
  if (!node) return null;
  const children = (node.children ?? []).map(describeAst);
  return [node.type, node.offset, node.length, 'value' in node ? node.value : undefined, children];
}

let uriCounter = 0;

/** Feeds `versions` through the patched cache as one edited file, checking each against a whole parse. */
function checkVersions(versions: string[]): void {
  const uri = `file:///test/incremental-${uriCounter++}.yaml`;
  versions.forEach((text, i) => {
    const document = TextDocument.create(uri, 'yaml', i + 1, text);
    const incremental = yamlDocumentsCache.getYamlDocument(document, { customTags: [], yamlVersion: '1.2' }, true);
    // The server parses a whitespace-only file as `{...}`, so that a schema applies to it.
    const parsedText = /\S/.test(text) ? text : `{${text}}`;
    const whole = parse(parsedText, { customTags: [], yamlVersion: '1.2' }, document);
    assert.deepEqual(
      describeParse(incremental, parsedText),
      describeParse(whole, parsedText),
      `version ${i + 1} of ${JSON.stringify(versions[0]!.slice(0, 60))}`,
    );
  });
  forgetFile(uri);
}

const deployment = (name: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  labels: {app: ${name}, tier: "web"}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx\n          args: ['-c', "x"]\n          command:\n            - sh\n`;

const bases: Record<string, string> = {
  plain: [deployment('a'), deployment('b'), deployment('c')].join('---\n'),
  'leading comments and a first marker': `# a file comment\n\n# yaml-language-server: $schema=foo.json\n---\n${deployment('a')}---\n${deployment('b')}`,
  'comments between documents': `${deployment('a')}# after a\n\n# before b\n---\n# inside b\n${deployment('b')}# trailing\n`,
  'no trailing newline': `${deployment('a')}---\nkind: ConfigMap\ndata:\n  a: "1"`,
  crlf: `${deployment('a')}---\n${deployment('b')}`.replace(/\n/g, '\r\n'),
  'anchors and aliases': `base: &b {x: 1}\nuse: *b\n---\nother: &o [1, 2]\nagain: *o\nunused: &u 3\n`,
  'block scalars with marker-like lines': `a: |\n  ---\n  not a marker\n  --- indented\nb: >-\n  folded\n---\nc: |\n  text\n`,
  'markers with content and comments': `--- # first\na: 1\n--- !!map\nb: 2\n---\n---\n--- |\n  literal document\n`,
  'syntax errors and duplicate keys': `a: 1\na: 2\n---\nb: [1, 2\nc: 3\n---\n\tindented: with a tab\n---\n- a list\n- not a mapping\n`,
  'empty documents': `---\n---\n# only a comment\n---\n`,
  'byte order mark': `\uFEFFa: 1\n---\nb: 2\n`,
  'flow and quoted': `{a: 1, b: [x, y]}\n---\n"just a string"\n---\n'single'\n---\nkey: "multi\n  line"\n`,
};

describe('incremental parse (the language server parse cache)', () => {
  for (const [name, base] of Object.entries(bases)) {
    it(`equals the whole parse for ${name}, through edits`, () => {
      const versions = [base];
      const edits: ((t: string) => string)[] = [
        // type a character in the first document (every later document moves by one)
        (t) => t.replace(/a/, 'aa'),
        // delete in the middle
        (t) => t.slice(0, Math.floor(t.length / 2)) + t.slice(Math.floor(t.length / 2) + 3),
        // a new document at the start, then in the middle
        (t) => `kind: Namespace\nmetadata:\n  name: new\n---\n${t}`,
        (t) => {
          const at = t.indexOf('\n', Math.floor(t.length / 2)) + 1;
          return `${t.slice(0, at)}---\nkind: Added\n---\n${t.slice(at)}`;
        },
        // remove a separator (two documents become one)
        (t) => t.replace(/\n---\n/, '\n'),
        // an edit that breaks the syntax, then its undo
        (t) => t.replace(/:/, ': [unclosed'),
        (t) => t.replace(': [unclosed', ':'),
        // append at the end, delete everything after the first line
        (t) => `${t}\nextra: value\n`,
        (t) => t.slice(0, t.indexOf('\n') + 1),
        // back to the start
        () => base,
      ];
      for (const edit of edits) versions.push(edit(versions[versions.length - 1]!));
      checkVersions(versions);
    });
  }

  it('equals the whole parse for files it hands to the whole parse (directives, document ends, whitespace)', () => {
    checkVersions(['%YAML 1.2\n---\na: 1\n---\nb: 2\n', 'a: 1\n...\n---\nb: 2\n', '   \n\n', 'a: 1\n---\nb: 2\n']);
  });

  it('reuses the parse of documents an edit did not touch, and moves them', () => {
    const uri = 'file:///test/reuse.yaml';
    const text = [deployment('a'), deployment('b'), deployment('c')].join('---\n');
    const first = yamlDocumentsCache.getYamlDocument(TextDocument.create(uri, 'yaml', 1, text));
    const [, secondBefore, thirdBefore] = first.documents;
    const edited = text.replace('name: a', 'name: abc');
    const second = yamlDocumentsCache.getYamlDocument(TextDocument.create(uri, 'yaml', 2, edited));
    assert.notEqual(second.documents[0], first.documents[0], 'the edited document is parsed again');
    assert.equal(second.documents[1], secondBefore, 'an untouched document keeps its parse');
    assert.equal(second.documents[2], thirdBefore);
    const range: unknown = second.documents[2]?.internalDocument.range;
    assert.deepEqual((range as number[])[0], edited.lastIndexOf('---\n'), 'a moved document has its new offsets');
    forgetFile(uri);
  });
});

describe('validation reuse (the language server validates only the documents an edit touched)', () => {
  const schema = {
    type: 'object',
    properties: {
      kind: { type: 'string', enum: ['Good', 'Other'] },
      spec: {
        type: 'object',
        additionalProperties: false,
        properties: { replicas: { type: 'integer' }, name: { type: 'string' } },
      },
    },
  };
  const service = getLanguageService({
    schemaRequestService: () => Promise.reject(new Error('no schema requests here')),
    workspaceContext: { resolveRelativePath: (relativePath: string) => relativePath },
  });
  service.configure({
    validate: true,
    schemas: [{ uri: 'file:///schema.json', fileMatch: ['*.yaml'], schema }],
  });
  const doc = (i: number, extra = '') =>
    `kind: ${i % 4 === 0 ? 'Bad' : 'Good'}\nspec:\n  replicas: ${i % 5 === 0 ? '"two"' : i}\n  name: &n${i} x\n${extra}`;
  const base = Array.from({ length: 12 }, (_, i) => doc(i, i % 3 === 0 ? '  bogus: 1\n' : '')).join('---\n');

  it('gives the diagnostics of a fresh validation, version after version', async () => {
    const versions = [
      base,
      `# a comment line moves everything\n${base}`,
      base.replace('replicas: 1\n', 'replicas: 1\n  extra: moved by one line\n'),
      base.replace('bogus', 'bogusToo'),
      `${base}---\nkind: Last\nspec: {}`,
      `${base}---\nkind: Last\nspec: {}\n`,
      base.replace('name: &n2 x', 'name: *n1'),
      // A problem on a node over several lines: where it ends depends on whether the file's last line is blank.
      `kind: Good\nspec:\n  - a\n  - b\n---\n${base}`,
      `kind: Good\nspec:\n  - a\n  - b\n---\n${base.trimEnd()}`,
    ];
    const before = { ...validationCounts };
    for (const [i, text] of versions.entries()) {
      const edited = TextDocument.create('file:///edited.yaml', 'yaml', i + 1, text);
      const fresh = TextDocument.create(`file:///fresh-${i}.yaml`, 'yaml', 1, text);
      const got = await service.doValidation(edited, false);
      const expected = await service.doValidation(fresh, false);
      assert.ok(expected.length > 5, 'the fixture has problems to report');
      assert.deepEqual(got, expected, `version ${i + 1}`);
      forgetFile(fresh.uri);
    }
    forgetFile('file:///edited.yaml');
    // Each fresh validation makes all 12+ document validations; the edited file reuses most of its own.
    assert.ok(validationCounts.reused - before.reused >= 40, `reused ${validationCounts.reused - before.reused}`);
  });
});

describe('validations of one file (they share its documents, so they take turns)', () => {
  it('runs them one after the other and skips one whose version was replaced while it waited', async () => {
    const service = getLanguageService({
      schemaRequestService: () => Promise.reject(new Error('no schema requests here')),
      workspaceContext: { resolveRelativePath: (relativePath: string) => relativePath },
    });
    service.configure({
      validate: true,
      schemas: [
        {
          uri: 'file:///turns-schema.json',
          fileMatch: ['turns.yaml'],
          schema: { type: 'object', additionalProperties: false, properties: { a: { type: 'integer' } } },
        },
      ],
    });
    const uri = 'file:///turns.yaml';
    // One object through its versions, as the server's document manager keeps it.
    const doc = TextDocument.create(uri, 'yaml', 1, 'a: 1\nb: 1\n');
    const first = service.doValidation(doc, false);
    TextDocument.update(doc, [{ text: 'a: 2\nc: 2\n' }], 2);
    const second = service.doValidation(doc, false);
    TextDocument.update(doc, [{ text: 'a: 3\nd: 3\n' }], 3);
    const third = service.doValidation(doc, false);
    const messages = async (p: Promise<{ message: string }[]>) => (await p).map((d) => d.message).join(' | ');
    assert.match(await messages(first), /Property b is not allowed/);
    assert.equal(await messages(second), '', 'version 2 was replaced while it waited');
    assert.match(await messages(third), /Property d is not allowed/);
    forgetFile(uri);
  });
});

describe('outline of a multi-document file (document symbols)', () => {
  const service = getLanguageService({
    schemaRequestService: () => Promise.reject(new Error('no schema requests here')),
    workspaceContext: { resolveRelativePath: (relativePath: string) => relativePath },
  });
  // Each document: kind, metadata, metadata.name = 3 symbols.
  const text = Array.from({ length: 10 }, (_, i) => `kind: K${i}\nmetadata:\n  name: n${i}\n`).join('---\n');
  const count = (symbols: { children?: unknown[] }[]): number =>
    symbols.reduce((n, s) => n + 1 + count((s.children ?? []) as { children?: unknown[] }[]), 0);

  it('lists every document in order when under the limit', () => {
    const symbols = service.findDocumentSymbols2(TextDocument.create('file:///outline.yaml', 'yaml', 1, text), {
      resultLimit: 1000,
    });
    assert.equal(count(symbols), 30);
    assert.deepEqual(
      symbols.filter((s) => s.name === 'kind').map((s) => s.range.start.line),
      Array.from({ length: 10 }, (_, i) => i * 4),
    );
  });

  it('holds the limit for the whole file, not for each document, and says it was reached', () => {
    const exceeded: string[] = [];
    const uri = 'file:///outline-limited.yaml';
    const symbols = service.findDocumentSymbols2(TextDocument.create(uri, 'yaml', 1, text), {
      resultLimit: 7,
      onResultLimitExceeded: (u) => exceeded.push(u),
    });
    assert.equal(count(symbols), 7);
    assert.ok(exceeded.includes(uri));
    forgetFile(uri);
  });
});
