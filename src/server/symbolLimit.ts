// The outline (document symbols) of a file is limited to `maxItemsComputed` symbols, and the server says so ("For
// performance reasons, document symbols have been limited to 5000 items"); but yaml-language-server applied the
// limit to each YAML document of the file on its own, and joined the documents' lists by copying the whole list
// again for each one. A 1 MB manifest of 3,822 documents answered every outline request (VS Code asks after each
// change, for the outline and the breadcrumbs) with 14 MB of symbols, built in quadratic time. Here the limit
// holds for the whole file, as the message says, and lists are appended.
import { YAMLDocumentSymbols } from 'yaml-language-server/out/server/src/languageservice/services/documentSymbols';
import { yamlDocumentsCache } from 'yaml-language-server/out/server/src/languageservice/parser/yaml-documents';
import type { TextDocument } from 'vscode-languageserver-textdocument';

interface SymbolContext {
  resultLimit?: number;
  onResultLimitExceeded?: (uri: string) => void;
}

interface OutlineSymbol {
  children?: OutlineSymbol[];
}

interface SymbolsInternals {
  telemetry?: { sendError(name: string, err: unknown): void };
  findHierarchicalSymbols(document: TextDocument, root: unknown, context: SymbolContext): OutlineSymbol[];
  findFlatDocumentSymbols(document: TextDocument, root: unknown, context: SymbolContext): OutlineSymbol[];
}

const prototype = YAMLDocumentSymbols.prototype as unknown as SymbolsInternals & {
  findHierarchicalDocumentSymbols(document: TextDocument, context?: SymbolContext): OutlineSymbol[] | null;
  findDocumentSymbols(document: TextDocument, context?: SymbolContext): OutlineSymbol[] | null;
};

function count(symbols: OutlineSymbol[]): number {
  let n = 0;
  for (const s of symbols) n += 1 + (s.children ? count(s.children) : 0);
  return n;
}

function limitedForFile(
  self: SymbolsInternals,
  document: TextDocument,
  context: SymbolContext,
  perDocument: (root: unknown, context: SymbolContext) => OutlineSymbol[],
  name: string,
): OutlineSymbol[] | null {
  const results: OutlineSymbol[] = [];
  try {
    const parsed = yamlDocumentsCache.getYamlDocument(document);
    if (!parsed || parsed.documents.length === 0) return null;
    let remaining = context.resultLimit ?? Number.MAX_VALUE;
    for (const single of parsed.documents) {
      if (!single.root) continue;
      if (remaining <= 0) {
        context.onResultLimitExceeded?.(document.uri);
        break;
      }
      const symbols = perDocument(single.root, { ...context, resultLimit: remaining });
      remaining -= count(symbols);
      for (const s of symbols) results.push(s);
    }
  } catch (err) {
    self.telemetry?.sendError(name, err);
  }
  return results;
}

prototype.findHierarchicalDocumentSymbols = function (this: SymbolsInternals, document, context = {}) {
  return limitedForFile(
    this,
    document,
    context,
    (root, ctx) => this.findHierarchicalSymbols(document, root, ctx),
    'yaml.hierarchicalDocumentSymbols.error',
  );
};

prototype.findDocumentSymbols = function (this: SymbolsInternals, document, context = {}) {
  return limitedForFile(
    this,
    document,
    context,
    (root, ctx) => this.findFlatDocumentSymbols(document, root, ctx),
    'yaml.documentSymbols.error',
  );
};
