/**
 * Copy files from and to a container as `kubectl cp` does: `tar` runs in the container over exec (an argument
 * list, never a shell string), the archive is read or written here. What arrives is checked before anything is
 * written: no absolute paths, no `..`, no links, and a size budget.
 */
import { Readable, Writable } from 'node:stream';
import { posix } from 'node:path';
import { KubeError } from '../kube/errors';
import type { ContainerRef } from './logFollower';
import { startExec, type ActingConnector } from './exec';
import { readTar, tarOfFile, type TarEntry } from './tarArchive';

/** The most a copy moves (bytes of the archive). */
export const MAX_COPY_BYTES = 256 * 2 ** 20;

class Collector extends Writable {
  readonly chunks: Buffer[] = [];
  size = 0;
  overflow = false;
  constructor(
    private readonly limit: number,
    private readonly onBytes?: (total: number) => void,
  ) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.size += chunk.length;
    if (this.size > this.limit) this.overflow = true;
    else this.chunks.push(chunk);
    this.onBytes?.(this.size);
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8').trim();
  }
}

function where(ref: ContainerRef): string {
  return `container "${ref.container}" of pod "${ref.pod}" in namespace "${ref.namespace}"`;
}

/** An absolute path in the container, without `..`; returns its normal form. */
export function containerPath(path: string): string {
  if (!path.startsWith('/')) throw new KubeError('invalid', `"${path}" is not an absolute path in the container`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f]/.test(path))
    throw new KubeError('invalid', 'A path in the container may not hold control characters');
  if (path.split('/').includes('..')) throw new KubeError('invalid', `"${path}" may not contain ".."`);
  return posix.normalize(path);
}

async function runTar(
  connector: ActingConnector,
  context: string,
  ref: ContainerRef,
  command: string[],
  stdin: Readable | null,
  limit: number,
  onBytes?: (total: number) => void,
): Promise<Buffer> {
  const stdout = new Collector(limit, onBytes);
  const stderr = new Collector(64 * 1024);
  const handle = await startExec(connector, context, ref, command, { stdin, stdout, stderr, tty: false });
  const outcome = await handle.outcome;
  handle.dispose();
  if ('error' in outcome) throw outcome.error;
  if (stdout.overflow) {
    throw new KubeError(
      'invalid',
      `The copy from ${where(ref)} is larger than ${Math.round(limit / 2 ** 20)} MiB: nothing was written`,
    );
  }
  if (outcome.exitCode !== 0) {
    const why = stderr.text() || `tar exited with code ${outcome.exitCode}`;
    throw new KubeError(
      'invalid',
      `Copying ${command.includes('xf') ? 'to' : 'from'} ${where(ref)} failed: ${why}${/not found|No such file or directory.*tar|executable file not found/.test(why) ? ' (the container needs tar for copies)' : ''}`,
    );
  }
  return Buffer.concat(stdout.chunks);
}

export interface CopiedFile {
  /** Relative to the copied path's parent: `file.txt`, `dir/sub/file.txt`. */
  readonly path: string;
  readonly data: Buffer;
  readonly mode: number;
}

export interface CopyFromResult {
  readonly files: readonly CopiedFile[];
  readonly directories: readonly string[];
  /** Entries that were not taken (links, devices, unsafe paths), with why. */
  readonly skipped: readonly string[];
}

/** Reads a file or folder of the container (`tar cf - -C <parent> ./<name>`). Nothing is written locally here. */
export async function copyFromContainer(
  connector: ActingConnector,
  context: string,
  ref: ContainerRef,
  remotePath: string,
  options: { maxBytes?: number; onBytes?: (total: number) => void } = {},
): Promise<CopyFromResult> {
  const path = containerPath(remotePath);
  if (path === '/') throw new KubeError('invalid', 'Copying the whole file system of a container is not offered');
  const archive = await runTar(
    connector,
    context,
    ref,
    ['tar', 'cf', '-', '-C', posix.dirname(path), `./${posix.basename(path)}`],
    null,
    options.maxBytes ?? MAX_COPY_BYTES,
    options.onBytes,
  );
  let entries: TarEntry[];
  try {
    entries = readTar(archive);
  } catch (err) {
    throw new KubeError(
      'invalid',
      `The archive from ${where(ref)} cannot be read: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const files: CopiedFile[] = [];
  const directories: string[] = [];
  const skipped: string[] = [];
  for (const entry of entries) {
    const relative = posix.normalize(entry.path).replace(/^(\.\/)+/, '');
    if (relative === '.' || relative === '') continue;
    if (relative.startsWith('/') || relative.split('/').includes('..')) {
      skipped.push(`${entry.path}: a path outside the copy`);
      continue;
    }
    if (entry.type === 'file') files.push({ path: relative, data: entry.data, mode: entry.mode });
    else if (entry.type === 'directory') directories.push(relative.replace(/\/$/, ''));
    else skipped.push(`${relative}: a ${entry.type === 'symlink' ? 'symbolic link' : 'special file'}, not copied`);
  }
  return { files, directories, skipped };
}

/** Writes one local file into a folder of the container (`tar xf - -C <folder>`). */
export async function copyToContainer(
  connector: ActingConnector,
  context: string,
  ref: ContainerRef,
  file: { name: string; data: Buffer; mode?: number },
  remoteFolder: string,
): Promise<void> {
  const folder = containerPath(remoteFolder);
  if (file.name.includes('/') || file.name === '.' || file.name === '..' || file.name.length === 0) {
    throw new KubeError('invalid', `"${file.name}" is not a file name`);
  }
  if (file.data.length > MAX_COPY_BYTES) {
    throw new KubeError('invalid', `The file is larger than ${MAX_COPY_BYTES / 2 ** 20} MiB: nothing was sent`);
  }
  const archive = tarOfFile(file.name, file.data, file.mode ?? 0o644);
  await runTar(connector, context, ref, ['tar', 'xf', '-', '-C', folder], Readable.from([archive]), 64 * 1024);
}
