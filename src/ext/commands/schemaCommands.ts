import type { ManifestEditor } from '../yaml/manifestEditor';
import { Commands } from '../ids';
import type { CommandTable } from '../registerCommands';

/** Commands of the manifest editor (schemas for YAML manifests). */
export function manifestCommands(editor: ManifestEditor): CommandTable<typeof Commands.selectSchemaSource> {
  return {
    [Commands.selectSchemaSource]: {
      title: 'choosing the schema source for manifests',
      run: (arg) => editor.pickSource(arg),
    },
  };
}
