import * as vscode from 'vscode';
import type { ObjectRef } from '../../core/resources/objectRef';
import type { ResourceDocuments } from '../documents/resourceFileSystem';
import { refOfUri } from '../documents/resourceFileSystem';
import type { ResourceNode } from '../views/nodes';
import { Commands } from '../ids';
import type { CommandHandler } from '../registerCommands';

type DocumentCommand =
  | typeof Commands.openResource
  | typeof Commands.describeResource
  | typeof Commands.deleteResource
  | typeof Commands.revealSecret;

function isResourceNode(value: unknown): value is ResourceNode {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'resource';
}

/** The object a command is about: a tree item, a document URI of ours (editor title menus), or the active editor. */
export function targetOf(arg: unknown): { ref: ObjectRef; uid?: string } | undefined {
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
  const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  const ref = uri ? refOfUri(uri) : undefined;
  return ref ? { ref } : undefined;
}

function required(arg: unknown): { ref: ObjectRef; uid?: string } {
  const target = targetOf(arg);
  if (!target) throw new Error('Choose an object in the Clusters view (or open one) first');
  return target;
}

/** The handlers of the document commands, spread into the command table. */
export function documentCommands(
  documents: ResourceDocuments,
): Record<DocumentCommand, { title: string; run: CommandHandler }> {
  return {
    [Commands.openResource]: {
      title: 'opening the object',
      run: (arg) => documents.open(required(arg).ref),
    },
    [Commands.revealSecret]: {
      title: 'revealing the Secret',
      run: (arg) => documents.open(required(arg).ref, { reveal: true, preview: false }),
    },
    [Commands.describeResource]: {
      title: 'describing the object',
      run: (arg) => documents.describe(required(arg).ref),
    },
    [Commands.deleteResource]: {
      title: 'deleting the object',
      run: (arg) => {
        const { ref, uid } = required(arg);
        return documents.confirmAndDelete(ref, { uid });
      },
    },
  };
}
