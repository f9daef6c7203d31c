import * as vscode from 'vscode';
import type { CommandId } from './ids';
import { reportError } from './errors';
import type { OutputLogger } from './log';

export type CommandHandler = (...args: unknown[]) => unknown;

/**
 * How every command is written: its id, a title for error messages ("… failed while <title>"), and a handler
 * that takes the command's argument (a tree item, a URI, or a plain object from scripts and tests). Each area
 * hands its commands to the table as one of these; `registerCommands` wraps every handler the same way.
 */
export type CommandTable<Id extends CommandId = CommandId> = Record<Id, { title: string; run: CommandHandler }>;

/** Registers every command once, each wrapped so that a failure reaches the user as a message, not silence. */
export function registerCommands(table: Readonly<CommandTable>, log: OutputLogger): vscode.Disposable {
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
