/**
 * Upload bytes as files under DATA_DIR (UPLOAD_STORAGE=files, the default without a
 * database): parts in uploads/<id>/part-<n>, the completed file in uploads/<id>/data.npy
 * (src/jobs/files.ts). Every write goes to a temp file that is renamed into place; the
 * join appends the parts to a temp file, fsyncs it and renames it to data.npy, so a crash
 * leaves either the parts or the whole file. Completion is locked per process (the
 * caller's lock); replicas sharing DATA_DIR over a network volume share these files.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { uploadDataPath, uploadDir, uploadPartPath } from '../files.js';
import type { UploadPart } from '../store/types.js';
import { mapDiskError, meter, type BlobStore, type LocalFile, type WriteLimits, type Written } from './types.js';

/** Stream `body` into `path` via a temp file, metered (413 / 507); returns size and sha256. */
export async function streamToFile(body: Readable, path: string, limits: WriteLimits): Promise<Written> {
  const tmp = `${path}.${randomUUID().slice(0, 8)}.tmp`;
  const m = meter(limits);
  try {
    await pipeline(body, m.stream, createWriteStream(tmp));
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    body.resume();
    throw mapDiskError(e);
  }
  return m.result();
}

async function readPrefix(paths: readonly string[], want: number): Promise<Buffer> {
  const out = Buffer.alloc(want);
  let have = 0;
  for (const p of paths) {
    if (have >= want) break;
    const fh = await open(p, 'r');
    try {
      const { bytesRead } = await fh.read(out, have, want - have, 0);
      have += bytesRead;
    } finally {
      await fh.close();
    }
  }
  return out.subarray(0, have);
}

/** fsync a directory so a rename in it survives a crash (a no-op where unsupported). */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* not supported on this platform/filesystem */
  }
}

export class FileBlobStore implements BlobStore {
  readonly kind = 'files' as const;
  constructor(readonly dataDir: string) {}

  async create(id: string): Promise<void> {
    await mkdir(uploadDir(this.dataDir, id), { recursive: true });
  }

  writePart(id: string, n: number, body: Readable, limits: WriteLimits): Promise<Written> {
    return streamToFile(body, uploadPartPath(this.dataDir, id, n), limits);
  }

  async writeData(id: string, body: Readable, limits: WriteLimits): Promise<Written> {
    await this.create(id);
    return streamToFile(body, uploadDataPath(this.dataDir, id), limits);
  }

  private partPaths(id: string, parts: readonly UploadPart[]): string[] {
    return parts.map((p) => uploadPartPath(this.dataDir, id, p.n));
  }

  readPartsPrefix(id: string, parts: readonly UploadPart[], want: number): Promise<Buffer> {
    return readPrefix(this.partPaths(id, parts), want);
  }

  partsStream(id: string, parts: readonly UploadPart[]): Readable {
    const paths = this.partPaths(id, parts);
    return Readable.from(
      (async function* () {
        for (const p of paths) for await (const chunk of createReadStream(p)) yield chunk as Buffer;
      })(),
      { objectMode: false },
    );
  }

  async join(id: string, parts: readonly UploadPart[], size: number): Promise<void> {
    const data = uploadDataPath(this.dataDir, id);
    const tmp = `${data}.${randomUUID().slice(0, 8)}.tmp`;
    try {
      for (const p of this.partPaths(id, parts)) await pipeline(createReadStream(p), createWriteStream(tmp, { flags: 'a' }));
      const fh = await open(tmp, 'r+');
      try {
        const st = await fh.stat();
        if (st.size !== size) throw new Error(`joined upload has ${st.size} bytes, expected ${size}`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, data);
      await syncDir(uploadDir(this.dataDir, id));
    } catch (e) {
      await rm(tmp, { force: true });
      throw mapDiskError(e);
    }
  }

  async afterComplete(id: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(uploadDir(this.dataDir, id));
    } catch {
      return;
    }
    for (const f of names) if (f.startsWith('part-')) await rm(join(uploadDir(this.dataDir, id), f), { force: true });
  }

  async lockCompletion(): Promise<() => Promise<void>> {
    return async () => {};
  }

  async size(id: string): Promise<number | null> {
    try {
      return (await stat(uploadDataPath(this.dataDir, id))).size;
    } catch {
      return null;
    }
  }

  readDataPrefix(id: string, want: number): Promise<Buffer> {
    return readPrefix([uploadDataPath(this.dataDir, id)], want);
  }

  readData(id: string): Promise<Buffer> {
    return readFile(uploadDataPath(this.dataDir, id));
  }

  dataStream(id: string): Readable {
    return createReadStream(uploadDataPath(this.dataDir, id));
  }

  async localFile(id: string): Promise<LocalFile> {
    return { path: uploadDataPath(this.dataDir, id), release: async () => {} };
  }

  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) await rm(uploadDir(this.dataDir, id), { recursive: true, force: true });
  }

  async ids(): Promise<string[]> {
    try {
      return await readdir(join(this.dataDir, 'uploads'));
    } catch {
      return [];
    }
  }

  async sweep(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {}
}
