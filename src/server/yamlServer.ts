// The YAML language server process: yaml-language-server's own entry, bundled so the .vsix ships no
// node_modules. The VS Code side starts it over IPC when the first manifest is opened. The imports before it
// adjust the server for how we use it (see each file).
import './incrementalParse';
import './reusedUris';
import './schemaCache';
import './symbolLimit';
import './validationCache';
import './validationDelay';
import 'yaml-language-server/out/server/src/server';
