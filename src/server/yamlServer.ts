// The YAML language server process: yaml-language-server's own entry, bundled so the .vsix ships no
// node_modules. The VS Code side starts it over IPC when the first manifest is opened. The imports before it
// adjust the server for how we use it (see each file). Their order matters where two wrap the same method (the
// later one wraps the earlier): reusedUris after incrementalParse (a document's parse cache), and validationCache
// after schemaCache (a file's validations take turns around each one's shared schema answer; the other way round,
// a waiting validation would clear the answer of the one running). workspaceTrust limits what schemas may be
// loaded (see the file).
import './incrementalParse';
import './reusedUris';
import './schemaCache';
import './symbolLimit';
import './validationCache';
import './validationDelay';
import './workspaceTrust';
import 'yaml-language-server/out/server/src/server';
