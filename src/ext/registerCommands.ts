import * as vscode from 'vscode';
import type { CommandId } from './ids';
import { reportError } from './errors';
import type { OutputLogger } from './log';

export type CommandHandler = (...args: unknown[]) => unknown;

/** Registers every command once, each wrapped so that a failure reaches the user as a message, not silence. */
export function registerCommands(
  table: Readonly<Record<CommandId, { title: string; run: CommandHandler }>>,
  log: OutputLogger,
): vscode.Disposable {
  const registrations = Object.entries(table).map(([id, { title, run }]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      log.debug('command', `run ${id}`);
      try {
        return await run(...args);
      } catch (err) {
        await reportError(err, title, log);
        return undefined;
      }
    }),
  );
  return vscode.Disposable.from(...registrations);
}
