import * as vscode from 'vscode';
import type { ResourceDocuments } from '../documents/resourceFileSystem';
import { activeEditorTarget, objectTargetOf, type ObjectTarget } from '../views/targets';
import { Commands } from '../ids';
import type { CommandTable } from '../registerCommands';

type DocumentCommand =
  | typeof Commands.openResource
  | typeof Commands.describeResource
  | typeof Commands.deleteResource
  | typeof Commands.revealSecret;

/** The object a command is about: a tree item, a document URI of ours, or the active editor's object. */
export function targetOf(arg: unknown): ObjectTarget | undefined {
  return arg instanceof vscode.Uri ? objectTargetOf(arg) : (objectTargetOf(arg) ?? activeEditorTarget());
}

function required(arg: unknown): ObjectTarget {
  const target = targetOf(arg);
  if (!target) throw new Error('Choose an object in the Clusters view (or open one) first');
  return target;
}

/** The handlers of the document commands, spread into the command table. */
export function documentCommands(documents: ResourceDocuments): CommandTable<DocumentCommand> {
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
