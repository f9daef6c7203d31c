// yaml-language-server waits a fixed 200 ms after every change before it validates. That wait alone missed our
// latency target (diagnostics within 200 ms + 1 ms per KB of a change) and made the first diagnostic of an opened
// manifest take over 200 ms. A document just opened is validated at once; after an edit the server waits 50 ms
// (still enough to fold a burst of keystrokes into one validation), and 200 ms for files over 200 KB, whose
// validation is long enough that starting one per short pause would only queue them up.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { ValidationHandler } from 'yaml-language-server/out/server/src/languageserver/handlers/validationHandlers';
import type { SettingsState } from 'yaml-language-server/out/server/src/yamlSettings';

const AFTER_EDIT_MS = 50;
const AFTER_EDIT_LARGE_MS = 200;
const LARGE_CHARS = 200_000;

// Counted from the first validation that runs, not the first one asked for: the server asks again for every open
// document when its settings arrive, which for the manifest that started the server comes right after the open,
// and cancelled the first request in favour of one 50 ms later.
const validatedOnce = new WeakSet<TextDocument>();
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with its own handler as `this`
const validate = ValidationHandler.prototype.validate;
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with its own handler as `this`
const validateTextDocument = ValidationHandler.prototype.validateTextDocument;

ValidationHandler.prototype.validate = function (this: ValidationHandler, document: TextDocument) {
  const settings = (this as unknown as { yamlSettings: SettingsState }).yamlSettings;
  if (!validatedOnce.has(document)) settings.validationDelayMs = 0;
  else settings.validationDelayMs = document.getText().length > LARGE_CHARS ? AFTER_EDIT_LARGE_MS : AFTER_EDIT_MS;
  validate.call(this, document);
};

ValidationHandler.prototype.validateTextDocument = function (this: ValidationHandler, document: TextDocument) {
  if (document) validatedOnce.add(document);
  return validateTextDocument.call(this, document);
};
