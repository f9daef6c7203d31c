/**
 * The little of tar that copying files to and from a container needs (what `kubectl cp` does: `tar` runs in the
 * container, we read or write the archive). Reading accepts ustar, GNU long names (`L`) and pax paths (`x`);
 * nothing here touches the disk.
 */
const BLOCK = 512;

export interface TarEntry {
  /** The path inside the archive, `/`-separated, as written by tar (`./dir/file`). */
  readonly path: string;
  readonly type: 'file' | 'directory' | 'symlink' | 'other';
  readonly mode: number;
  readonly data: Buffer;
}

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('utf8');
}

function octal(header: Buffer, offset: number, length: number): number {
  // GNU base-256 for sizes above 8 GiB: far beyond what we accept; refused as malformed.
  if ((header[offset]! & 0x80) !== 0) throw new Error('an entry is larger than this copy accepts');
  const text = field(header, offset, length).trim();
  const value = text.length === 0 ? 0 : parseInt(text, 8);
  if (!Number.isFinite(value) || value < 0) throw new Error('a tar header has a malformed number');
  return value;
}

function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  return sum === octal(header, 148, 8);
}

function paxPath(data: Buffer): string | undefined {
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const length = parseInt(data.subarray(at, space).toString('ascii'), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') return record.slice(eq + 1);
    at += length;
  }
  return undefined;
}

/** Every entry of an archive. Throws on a malformed archive (bad checksum, truncated data). */
export function readTar(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let at = 0;
  let longName: string | undefined;
  while (at + BLOCK <= archive.length) {
    const header = archive.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break; // end of archive
    if (!checksumOk(header)) throw new Error(`the archive is damaged (bad header at byte ${at})`);
    const size = octal(header, 124, 12);
    const start = at + BLOCK;
    if (start + size > archive.length) throw new Error('the archive is truncated');
    const data = archive.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    const flag = String.fromCharCode(header[156]!);
    if (flag === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (flag === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (flag === 'g') continue;
    const prefix = field(header, 345, 155);
    const name = field(header, 0, 100);
    const path = longName ?? (prefix ? `${prefix}/${name}` : name);
    longName = undefined;
    const type =
      flag === '0' || flag === '\0' || flag === '7'
        ? 'file'
        : flag === '5'
          ? 'directory'
          : flag === '2'
            ? 'symlink'
            : 'other';
    entries.push({
      path,
      type,
      mode: octal(header, 100, 8) & 0o7777,
      data: type === 'file' ? Buffer.from(data) : Buffer.alloc(0),
    });
  }
  return entries;
}

function header(name: string, size: number, mode: number, type: '0' | '5', mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length > 100) throw new Error(`the name "${name}" is too long for this copy (100 bytes)`);
  bytes.copy(h, 0);
  const put = (value: number, offset: number, length: number): void => {
    h.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'ascii');
  };
  put(mode, 100, 8);
  put(0, 108, 8);
  put(0, 116, 8);
  put(size, 124, 12);
  put(Math.floor(mtime / 1000), 136, 12);
  h.write('        ', 148, 8, 'ascii');
  h.write(type, 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

/** tar reads whole records of 20 blocks: an archive padded to one ends where the reader expects it. */
const RECORD = 20 * BLOCK;

/**
 * An archive of one file, named `name` (a plain file name: no `/`), padded to a whole record: `tar xf -` then
 * exits at the end-of-archive blocks without waiting for the end of its stdin (which an exec server that ignores
 * the WebSocket close of stdin never delivers).
 */
export function tarOfFile(name: string, data: Buffer, mode = 0o644, mtime = Date.now()): Buffer {
  const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
  const body = Buffer.concat([
    header(name, data.length, mode, '0', mtime),
    data,
    Buffer.alloc(pad),
    Buffer.alloc(BLOCK * 2),
  ]);
  return Buffer.concat([body, Buffer.alloc((RECORD - (body.length % RECORD)) % RECORD)]);
}
