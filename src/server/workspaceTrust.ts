// What schemas the server may load. yaml-language-server loads whatever a file names: a modeline
// (`# yaml-language-server: $schema=…`), a `$schema` key, or a `$ref` inside a schema, from a file path or over
// HTTP(S). In an untrusted workspace that is the workspace choosing what we read and fetch, so there the server
// loads only the extension's own schemas (kubewb-schema://, answered by the extension host) and ignores modelines
// and `$schema` keys. The extension host starts the server with KWB_WORKSPACE_TRUSTED=1 in a trusted workspace, and
// restarts it when the user grants trust. In a trusted workspace a schema from the network gets a time limit, so a
// closed network cannot hold validation up.
import type * as HandlerModule from 'yaml-language-server/out/server/src/languageservice/services/schemaRequestHandler';
import { YAMLSchemaService } from 'yaml-language-server/out/server/src/languageservice/services/yamlSchemaService';
import { SCHEME } from '../core/yaml/schemaSources';

/** How long a schema named by a file may take to arrive over the network (trusted workspaces only). */
const FETCH_LIMIT_MS = 5_000;

export function workspaceTrusted(): boolean {
  return process.env.KWB_WORKSPACE_TRUSTED === '1';
}

/** Whether the server may load `uri`: our own schemas always, anything else only in a trusted workspace. */
export function mayLoadSchema(uri: string, trusted = workspaceTrusted()): boolean {
  return trusted || uri.toLowerCase().startsWith(`${SCHEME}:`);
}

type Handler = typeof HandlerModule.schemaRequestHandler;
// The module's own exports object (an `import *` is a read-only view of it): server.js reads
// `schemaRequestHandler` from it at every call, so replacing it here is seen there.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the mutable CommonJS exports, on purpose
const handlers = require('yaml-language-server/out/server/src/languageservice/services/schemaRequestHandler') as {
  schemaRequestHandler: Handler;
};
const original = handlers.schemaRequestHandler;
handlers.schemaRequestHandler = (connection, uri, ...rest) => {
  if (!mayLoadSchema(uri)) {
    return Promise.reject(
      new Error(
        `Kube Workbench loads no schema named by a file in an untrusted workspace (${uri.slice(0, 200)}); trust the workspace to allow it`,
      ),
    );
  }
  const loading = original(connection, uri, ...rest);
  if (!/^https?:/i.test(uri)) return loading;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the schema ${uri} did not arrive within ${FETCH_LIMIT_MS / 1000} s`)),
      FETCH_LIMIT_MS,
    );
  });
  return Promise.race([loading, limit]).finally(() => clearTimeout(timer));
};

interface SchemaChoosers {
  resolveModelineSchema(resource: string, doc: unknown): string | undefined;
  resolveDollarSchema(resource: string, doc: unknown): string | undefined;
}
const service = YAMLSchemaService.prototype as unknown as SchemaChoosers;
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the service as `this`
const modeline = service.resolveModelineSchema;
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the service as `this`
const dollar = service.resolveDollarSchema;
service.resolveModelineSchema = function (this: SchemaChoosers, resource, doc) {
  return workspaceTrusted() ? modeline.call(this, resource, doc) : undefined;
};
service.resolveDollarSchema = function (this: SchemaChoosers, resource, doc) {
  return workspaceTrusted() ? dollar.call(this, resource, doc) : undefined;
};
