import * as vscode from 'vscode';
import { kindInfo } from '../../core/resources/kinds';
import { parseDocumentPath, type ObjectRef } from '../../core/resources/objectRef';
import { DESCRIBE_EXTENSION, DocumentSchemes } from '../ids';
import type { ResourceNode } from './nodes';

/** The object a command is about, and the uid the tree saw (a delete's precondition). */
export interface ObjectTarget {
  readonly ref: ObjectRef;
  readonly uid?: string;
}

function isResourceNode(value: unknown): value is ResourceNode {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'resource';
}

/** The object a document URI of ours (resource, describe or conflict) stands for. */
export function refOfUri(uri: vscode.Uri): ObjectRef | undefined {
  if (uri.scheme === DocumentSchemes.resource || uri.scheme === DocumentSchemes.conflict)
    return parseDocumentPath(uri.path);
  if (uri.scheme === DocumentSchemes.describe) return parseDocumentPath(uri.path, DESCRIBE_EXTENSION);
  return undefined;
}

/**
 * The one way a command learns its object, whatever it was given: a tree item (right-click), a document URI of ours
 * (editor title menus), or a plain `{ context, namespace, kind, name }` (scripts, tests, other commands; the kind
 * registry gives its API path). Undefined when the argument is none of these.
 */
export function objectTargetOf(arg: unknown): ObjectTarget | undefined {
  if (isResourceNode(arg)) {
    const { key, row } = arg;
    return {
      ref: {
        context: arg.context,
        group: key.group,
        version: key.version,
        plural: key.plural,
        kind: row.kind,
        namespace: key.namespaced ? (row.namespace ?? key.namespace) : undefined,
        name: row.name,
      },
      uid: row.uid,
    };
  }
  if (arg instanceof vscode.Uri) {
    const ref = refOfUri(arg);
    return ref ? { ref } : undefined;
  }
  if (typeof arg !== 'object' || arg === null) return undefined;
  const { context, namespace, kind, name } = arg as Record<string, unknown>;
  const info = kindInfo(typeof kind === 'string' ? kind : undefined);
  if (!info || typeof context !== 'string' || typeof name !== 'string') return undefined;
  if (info.namespaced && typeof namespace !== 'string') return undefined;
  return {
    ref: {
      context,
      group: info.group,
      version: info.version,
      plural: info.plural,
      kind: info.kind,
      namespace: info.namespaced ? (namespace as string) : undefined,
      name,
    },
  };
}

/** The object of the document in the active editor, for commands run from the palette. */
export function activeEditorTarget(): ObjectTarget | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri ? objectTargetOf(uri) : undefined;
}
