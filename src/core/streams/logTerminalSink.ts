import type { Logger } from '../common/logger';
import type { LogOptions } from './logFollower';
import { KUBELET_TIMESTAMP_LENGTH } from './logText';
import type { LogSource, MultiLogSink } from './workloadLogs';
import { DIM, RED, RESET, colour } from './ansi';

const COLOURS = [36, 33, 35, 32, 34, 96, 93, 95, 92, 94];

export function colourOf(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return COLOURS[h % COLOURS.length] ?? 36;
}

/** Where a block's first text starts: after the timestamp and its space. */
const TEXT_START = KUBELET_TIMESTAMP_LENGTH + 1;
/** A newline inside a block and the timestamp (captured) and space of the line it starts. */
const NEXT_TIMESTAMP = new RegExp(`\\n([^\\n]{${KUBELET_TIMESTAMP_LENGTH}}) `, 'g');

/** `text` as a replacement string of String.replace (where `$` is special). */
function literal(text: string): string {
  return text.replace(/\$/g, '$$$$');
}

function countLines(block: string): number {
  let count = 0;
  for (let i = block.indexOf('\n'); i >= 0; i = block.indexOf('\n', i + 1)) count++;
  return count;
}

/** `[pod/container] ` as the kubernetes-log grammar expects it. */
export function prefixOf(source: LogSource): string {
  return `[${source.pod}/${source.container}] `;
}

/**
 * The log terminal's text: one merged stream with a coloured `[pod/container]` prefix per line when several
 * containers are shown (`showPrefix`), timestamps dimmed when asked for, notices dimmed, errors red (and logged).
 * Each line goes to `emit` with its CRLF (a terminal needs it; logs are not a TTY).
 */
export function terminalLogSink(
  options: Pick<LogOptions, 'timestamps'>,
  showPrefix: boolean,
  emit: (text: string, lines?: number) => void,
  log: Logger,
): MultiLogSink {
  const prefixOfSource = (source: LogSource): string =>
    showPrefix ? `${colour(colourOf(`${source.pod}/${source.container}`))}${prefixOf(source)}${RESET}` : '';
  // Blocks mostly come from the same source one after the other: its replacement is made once, not per block.
  let replacementFor: { source: LogSource; replacement: string } | undefined;
  const replacementOf = (source: LogSource): string => {
    if (replacementFor?.source !== source) {
      const prefix = literal(prefixOfSource(source));
      const replacement = options.timestamps ? `${RESET}\r\n${prefix}${DIM}$1${RESET} ` : `${RESET}\r\n${prefix}`;
      replacementFor = { source, replacement };
    }
    return replacementFor.replacement;
  };
  return {
    line(source, text, timestamp) {
      const ts = options.timestamps && timestamp ? `${DIM}${timestamp}${RESET} ` : '';
      emit(`${prefixOfSource(source)}${ts}${text}${RESET}\r\n`);
    },
    lines(source, block) {
      // The same text line() makes of each line, by one native replace over the block instead of a call per line:
      // every newline but the last is followed by the next line's timestamp and its space.
      const prefix = prefixOfSource(source);
      const first = options.timestamps ? `${prefix}${DIM}${block.slice(0, KUBELET_TIMESTAMP_LENGTH)}${RESET} ` : prefix;
      const rest = block.slice(TEXT_START, -1).replace(NEXT_TIMESTAMP, replacementOf(source));
      emit(`${first}${rest}${RESET}\r\n`, countLines(block));
    },
    notice(message, source) {
      const where = source ? `${prefixOf(source)}` : '';
      emit(`${DIM}[kube-workbench] ${where}${message}${RESET}\r\n`);
    },
    end(message, error) {
      if (error) {
        log.warn('logs', error.message, error.cause);
        emit(`${RED}[kube-workbench] ${error.message}${RESET}\r\n`);
      } else {
        emit(`${DIM}[kube-workbench] ${message ?? 'The log ended.'}${RESET}\r\n`);
      }
    },
  };
}
