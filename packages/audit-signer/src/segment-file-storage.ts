import { type FileHandle, mkdir, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { AuditStorage } from './audit-storage.js';

/** Options of {@link SegmentFileStorage}. */
export interface SegmentFileStorageOptions {
  readonly directory: string;
  /** Start a new segment file once the current one reaches this many bytes (default 64 MiB). */
  readonly segmentBytes?: number;
  /** fdatasync after every append (default true); off only for throwaway logs. */
  readonly sync?: boolean;
}

const HEADER = 8;

/**
 * The embedded default storage: leaves in append-only segment files `leaves-<first index>.seg`, checkpoints in
 * `checkpoints.log`. Each record is `u32 length ‖ u32 crc32 ‖ bytes`; on open a torn record at the tail (a crash
 * mid-write) is cut off, while a bad record followed by good ones is corruption and refuses to open.
 */
export class SegmentFileStorage implements AuditStorage {
  private constructor(
    private readonly directory: string,
    private readonly segmentBytes: number,
    private readonly sync: boolean,
    private segment: { handle: FileHandle; bytes: number } | undefined,
    private readonly checkpoints: FileHandle,
  ) {}

  /** Opens (creating if needed) the storage in `directory`, repairing a torn tail. */
  static async open(options: SegmentFileStorageOptions): Promise<SegmentFileStorage> {
    await mkdir(options.directory, { recursive: true });
    const segments = await listSegments(options.directory);
    let segment: { handle: FileHandle; bytes: number } | undefined;
    const last = segments[segments.length - 1];
    if (last !== undefined) {
      const path = join(options.directory, last.name);
      const valid = scanRecords(await readFile(path), path).validBytes;
      const repair = await open(path, 'r+');
      await repair.truncate(valid);
      await repair.close();
      // Reopen in append mode: writes through an 'r+' handle would start at offset 0 and overwrite leaves.
      segment = { handle: await open(path, 'a'), bytes: valid };
    }
    const cpPath = join(options.directory, 'checkpoints.log');
    const cpHandle = await open(cpPath, 'a+');
    const cpValid = scanRecords(await readFile(cpPath), cpPath).validBytes;
    await cpHandle.truncate(cpValid);
    return new SegmentFileStorage(
      options.directory,
      options.segmentBytes ?? 64 * 1024 * 1024,
      options.sync ?? true,
      segment,
      cpHandle,
    );
  }

  async scanLeaves(visit: (index: number, leaf: Uint8Array) => void): Promise<void> {
    let expected = 0;
    for (const seg of await listSegments(this.directory)) {
      if (seg.first !== expected)
        throw new Error(`audit segment ${seg.name} starts at leaf ${seg.first}, expected ${expected}`);
      const path = join(this.directory, seg.name);
      for (const record of scanRecords(await readFile(path), path).records) visit(expected++, record);
    }
  }

  async readCheckpoints(): Promise<string[]> {
    const path = join(this.directory, 'checkpoints.log');
    return scanRecords(await readFile(path), path).records.map((r) => Buffer.from(r).toString('utf8'));
  }

  async appendLeaves(firstIndex: number, leaves: readonly Uint8Array[]): Promise<void> {
    if (leaves.length === 0) return;
    if (this.segment === undefined || this.segment.bytes >= this.segmentBytes) {
      await this.segment?.handle.close();
      const name = `leaves-${String(firstIndex).padStart(16, '0')}.seg`;
      this.segment = { handle: await open(join(this.directory, name), 'a'), bytes: 0 };
    }
    const data = frame(leaves);
    await this.segment.handle.write(data, 0, data.length);
    this.segment.bytes += data.length;
    if (this.sync) await this.segment.handle.datasync();
  }

  async appendCheckpoint(note: string): Promise<void> {
    const data = frame([Buffer.from(note, 'utf8')]);
    await this.checkpoints.write(data, 0, data.length);
    if (this.sync) await this.checkpoints.datasync();
  }

  async close(): Promise<void> {
    await this.segment?.handle.close();
    await this.checkpoints.close();
  }
}

function frame(records: readonly Uint8Array[]): Buffer {
  const total = records.reduce((n, r) => n + HEADER + r.length, 0);
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const r of records) {
    out.writeUInt32BE(r.length, at);
    out.writeUInt32BE(crc32(r), at + 4);
    out.set(r, at + HEADER);
    at += HEADER + r.length;
  }
  return out;
}

function scanRecords(data: Buffer, path: string): { records: Uint8Array[]; validBytes: number } {
  const records: Uint8Array[] = [];
  let at = 0;
  while (at < data.length) {
    if (at + HEADER > data.length) break;
    const length = data.readUInt32BE(at);
    const end = at + HEADER + length;
    if (end > data.length) break;
    const body = data.subarray(at + HEADER, end);
    if (crc32(body) !== data.readUInt32BE(at + 4)) {
      // Only the last record can be torn by a crash; a bad record with more data after it is corruption.
      if (end < data.length) throw new Error(`audit file ${path} is corrupt at byte ${at}`);
      break;
    }
    records.push(body);
    at = end;
  }
  return { records, validBytes: at };
}

async function listSegments(directory: string): Promise<{ name: string; first: number }[]> {
  return (await readdir(directory))
    .map((name) => ({ name, m: /^leaves-(\d{16})\.seg$/.exec(name) }))
    .filter((s): s is { name: string; m: RegExpExecArray } => s.m !== null)
    .map((s) => ({ name: s.name, first: Number(s.m[1]) }))
    .sort((a, b) => a.first - b.first);
}
