import type { ManifestEditor } from '../yaml/manifestEditor';
import { Commands } from '../ids';
import type { CommandHandler } from '../registerCommands';

/** Commands of the manifest editor (schemas for YAML manifests). */
export function manifestCommands(
  editor: ManifestEditor,
): Record<typeof Commands.selectSchemaSource, { title: string; run: CommandHandler }> {
  return {
    [Commands.selectSchemaSource]: {
      title: 'choosing the schema source for manifests',
      run: (arg) => editor.pickSource(arg),
    },
  };
}
