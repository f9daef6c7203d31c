// The parts of vscode-languageclient the manifest editor uses. Bundled on their own as
// dist/lib/languageClient.js and loaded when the first manifest starts the YAML server, through
// languageClientModule(): never import this module directly (scripts/esbuild.mjs fails the build if something
// does).
export {
  DidChangeConfigurationNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  LanguageClient,
  TransportKind,
} from 'vscode-languageclient/node';
