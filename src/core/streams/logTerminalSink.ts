import type { Logger } from '../common/logger';
import type { LogOptions } from './logFollower';
import type { LogSource, MultiLogSink } from './workloadLogs';

const COLOURS = [36, 33, 35, 32, 34, 96, 93, 95, 92, 94];
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

export function colourOf(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return COLOURS[h % COLOURS.length] ?? 36;
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
  emit: (text: string) => void,
  log: Logger,
): MultiLogSink {
  return {
    line(source, text, timestamp) {
      const prefix = showPrefix
        ? `\x1b[${colourOf(`${source.pod}/${source.container}`)}m${prefixOf(source)}${RESET}`
        : '';
      const ts = options.timestamps && timestamp ? `${DIM}${timestamp}${RESET} ` : '';
      emit(`${prefix}${ts}${text}${RESET}\r\n`);
    },
    notice(message, source) {
      const where = source ? `${prefixOf(source)}` : '';
      emit(`${DIM}[kube-workbench] ${where}${message}${RESET}\r\n`);
    },
    end(message, error) {
      if (error) {
        log.warn('logs', error.message, error.cause);
        emit(`\x1b[31m[kube-workbench] ${error.message}${RESET}\r\n`);
      } else {
        emit(`${DIM}[kube-workbench] ${message ?? 'The log ended.'}${RESET}\r\n`);
      }
    },
  };
}
