/** The terminal styles of our own lines (notices dim, errors red) in log, exec and attach terminals. */
export const DIM = '\x1b[2m';
export const RED = '\x1b[31m';
export const RESET = '\x1b[0m';

/** A foreground colour by its SGR number (31 red … 36 cyan, 91–96 bright). */
export function colour(code: number): string {
  return `\x1b[${code}m`;
}
