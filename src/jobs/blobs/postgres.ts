/**
 * Upload bytes in PostgreSQL (UPLOAD_STORAGE=database, the default with DATABASE_URL):
 * chunked `bytea` rows, so API replicas and workers on other machines share only the
 * database.
 *
 *   upload_chunks(upload_id, part, seq, bytes)   chunks of CHUNK_BYTES (4 MiB) or fewer
 *
 * `part` is the part number n ≥ 1 (a multipart job's file is part 1); a part being received
 * is written under a negative staging number and renamed to n in one transaction once it
 * arrived whole (renaming keeps the stored values: no copy), so a part is replaced
 * atomically and an interrupted one leaves no trace but staging rows (removed after
 * completion and by the retention sweep). The data of a completed upload are its chunks in
 * (part, seq) order: completing joins nothing, it checks the stored parts against the
 * recorded sizes. Bytes stream in and out one chunk at a time, never a whole file.
 *
 * Completion takes a session advisory lock on the upload (pg_try_advisory_lock), so a
 * second `complete` on any replica while one runs is a 409; the rename of a received part
 * takes the same lock shared, so no part changes under a completion. A crashed process's
 * locks go with its connection.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { InputError } from '../../core/errors.js';
import { NotFoundError, UploadCompleteError, UploadCompletingError, withHeaders } from '../../service/problem.js';
import type { UploadPart } from '../store/types.js';
import { mapDiskError, meter, type BlobStore, type LocalFile, type WriteLimits, type Written } from './types.js';

/**
 * Migration of the job store (src/jobs/store/postgres.ts): the chunk table, and settings
 * shared by the replicas (the id of the DATA_DIR volume with UPLOAD_STORAGE=files, see
 * checkSharedDataDir in index.ts).
 */
export const UPLOAD_STORAGE_MIGRATION = `CREATE TABLE upload_chunks (
     upload_id TEXT NOT NULL, part INTEGER NOT NULL, seq INTEGER NOT NULL, bytes BYTEA NOT NULL,
     PRIMARY KEY (upload_id, part, seq)
   );
   ALTER TABLE upload_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
   CREATE TABLE labelcheck_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at BIGINT NOT NULL);`;

export const CHUNK_BYTES = 4 * 1024 * 1024;

/** First key of the advisory locks on uploads (the second is hashtext(upload id)). */
export const LOCK_CLASS = 0x4c43_5550; // "LCUP"

export interface PgBlobStoreOptions {
  connectionString: string;
  schema: string;
  /** Local directory for materialised copies (its tmp/ subdirectory). */
  dataDir: string;
  chunkBytes?: number;
  poolSize?: number;
}

/** Buffers a stream into chunks of `size` bytes and hands each to `flush` (awaited: backpressure). */
class Chunker extends Writable {
  private buf: Buffer;
  private fill = 0;
  private seq = 0;
  constructor(
    private size: number,
    private flush: (bytes: Buffer, seq: number) => Promise<void>,
  ) {
    super();
    this.buf = Buffer.allocUnsafe(size);
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    void (async () => {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(this.size - this.fill, chunk.length - off);
        chunk.copy(this.buf, this.fill, off, off + n);
        this.fill += n;
        off += n;
        if (this.fill === this.size) {
          const full = this.buf;
          this.buf = Buffer.allocUnsafe(this.size);
          this.fill = 0;
          await this.flush(full, this.seq++);
        }
      }
    })().then(() => cb(), cb);
  }
  override _final(cb: (e?: Error | null) => void): void {
    if (this.fill === 0) {
      cb();
      return;
    }
    this.flush(this.buf.subarray(0, this.fill), this.seq++).then(() => cb(), cb);
  }
}

export class PgBlobStore implements BlobStore {
  readonly kind = 'database' as const;
  private pool: pg.Pool;
  private chunkBytes: number;

  constructor(private opts: PgBlobStoreOptions) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(opts.schema)) throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(opts.schema)}`);
    this.chunkBytes = opts.chunkBytes ?? CHUNK_BYTES;
    this.pool = new pg.Pool({
      connectionString: opts.connectionString,
      max: opts.poolSize ?? 4,
      options: `-c search_path=${opts.schema}`,
      idleTimeoutMillis: 2_000,
      allowExitOnIdle: true,
    });
    this.pool.on('error', () => {});
  }

  async create(): Promise<void> {}

  /** Stream `body` into chunk rows (upload, part); returns size and sha256. */
  private async writeChunks(id: string, part: number, body: Readable, limits: WriteLimits): Promise<Written> {
    const m = meter(limits);
    const sink = new Chunker(this.chunkBytes, async (bytes, seq) => {
      await this.pool.query('INSERT INTO upload_chunks (upload_id, part, seq, bytes) VALUES ($1, $2, $3, $4)', [id, part, seq, bytes]);
    });
    try {
      await pipeline(body, m.stream, sink);
    } catch (e) {
      body.resume();
      await this.pool.query('DELETE FROM upload_chunks WHERE upload_id = $1 AND part = $2', [id, part]).catch(() => {});
      throw mapDiskError(e);
    }
    return m.result();
  }

  async writePart(id: string, n: number, body: Readable, limits: WriteLimits): Promise<Written> {
    const staging = -randomInt(1, 2 ** 31 - 1);
    const written = await this.writeChunks(id, staging, body, limits);
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const locked = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock_shared($1, hashtext($2)) AS ok', [LOCK_CLASS, id]);
      if (!locked.rows[0]!.ok) throw withHeaders(new UploadCompletingError(id), { 'retry-after': '1' });
      const u = await c.query<{ status: string }>('SELECT status FROM uploads WHERE id = $1', [id]);
      if (!u.rows[0]) throw new NotFoundError(`No upload with id ${id}`);
      if (u.rows[0].status !== 'open') throw new UploadCompleteError(id);
      await c.query('DELETE FROM upload_chunks WHERE upload_id = $1 AND part = $2', [id, n]);
      await c.query('UPDATE upload_chunks SET part = $3 WHERE upload_id = $1 AND part = $2', [id, staging, n]);
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      await this.pool.query('DELETE FROM upload_chunks WHERE upload_id = $1 AND part = $2', [id, staging]).catch(() => {});
      throw mapDiskError(e);
    } finally {
      c.release();
    }
    return written;
  }

  writeData(id: string, body: Readable, limits: WriteLimits): Promise<Written> {
    return this.writeChunks(id, 1, body, limits);
  }

  /** The chunks of parts ≥ 1 in order, one query (one chunk) at a time. */
  private async *chunks(id: string, onChunk?: () => Promise<void>): AsyncGenerator<Buffer> {
    let part = 0;
    let seq = -1;
    for (;;) {
      // base64 text decodes about 3× faster in node-postgres than bytea's hex output
      const r = await this.pool.query<{ part: number; seq: number; b64: string }>(
        `SELECT part, seq, encode(bytes, 'base64') AS b64 FROM upload_chunks
         WHERE upload_id = $1 AND part >= 1 AND (part, seq) > ($2, $3) ORDER BY part, seq LIMIT 1`,
        [id, part, seq],
      );
      const row = r.rows[0];
      if (!row) return;
      part = row.part;
      seq = row.seq;
      yield Buffer.from(row.b64, 'base64');
      if (onChunk) await onChunk();
    }
  }

  private stream(id: string, onChunk?: () => Promise<void>): Readable {
    // one chunk buffered at a time
    return Readable.from(this.chunks(id, onChunk), { objectMode: false, highWaterMark: 1 });
  }

  /** The first `want` bytes, reading no more of each chunk than needed. */
  private async prefix(id: string, want: number): Promise<Buffer> {
    const got: Buffer[] = [];
    let have = 0;
    let part = 0;
    let seq = -1;
    while (have < want) {
      const r = await this.pool.query<{ part: number; seq: number; bytes: Buffer }>(
        `SELECT part, seq, substring(bytes FROM 1 FOR $4) AS bytes FROM upload_chunks
         WHERE upload_id = $1 AND part >= 1 AND (part, seq) > ($2, $3) ORDER BY part, seq LIMIT 1`,
        [id, part, seq, want - have],
      );
      const row = r.rows[0];
      if (!row) break;
      part = row.part;
      seq = row.seq;
      got.push(row.bytes);
      have += row.bytes.length;
    }
    return Buffer.concat(got);
  }

  readPartsPrefix(id: string, _parts: readonly UploadPart[], want: number): Promise<Buffer> {
    return this.prefix(id, want);
  }

  partsStream(id: string): Readable {
    return this.stream(id);
  }

  /** Check the stored parts are exactly the recorded ones (nothing to copy). */
  async join(id: string, parts: readonly UploadPart[], size: number): Promise<void> {
    const r = await this.pool.query<{ part: number; s: string }>(
      'SELECT part, SUM(octet_length(bytes))::bigint AS s FROM upload_chunks WHERE upload_id = $1 AND part >= 1 GROUP BY part ORDER BY part',
      [id],
    );
    const stored = new Map(r.rows.map((x) => [x.part, Number(x.s)]));
    let total = 0;
    for (const p of parts) {
      const have = stored.get(p.n) ?? 0;
      if (have !== p.size) {
        throw new InputError('parts', `Part ${p.n} of upload ${id} has ${have} bytes stored but ${p.size} were received (interrupted?); send part ${p.n} again`);
      }
      total += have;
      stored.delete(p.n);
    }
    if (stored.size > 0) {
      const extra = [...stored.keys()];
      throw new InputError('parts', `Upload ${id} has bytes of part ${extra.join(', ')} that was never recorded (interrupted?); send it again`);
    }
    if (total !== size) throw new Error(`upload ${id} has ${total} bytes stored, expected ${size}`);
  }

  async afterComplete(id: string): Promise<void> {
    await this.pool.query('DELETE FROM upload_chunks WHERE upload_id = $1 AND part < 1', [id]);
  }

  /** Held on a connection of its own (not the pool's: waiting completions must not starve it). */
  async lockCompletion(id: string): Promise<(() => Promise<void>) | null> {
    const c = new pg.Client({ connectionString: this.opts.connectionString });
    c.on('error', () => {});
    await c.connect();
    try {
      const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [LOCK_CLASS, id]);
      if (!r.rows[0]!.ok) {
        await c.end();
        return null;
      }
    } catch (e) {
      await c.end().catch(() => {});
      throw e;
    }
    // Ending the session releases the lock.
    return () => c.end().catch(() => {});
  }

  async size(id: string): Promise<number | null> {
    const r = await this.pool.query<{ c: string; s: string }>(
      'SELECT COUNT(*) AS c, COALESCE(SUM(octet_length(bytes)), 0)::bigint AS s FROM upload_chunks WHERE upload_id = $1 AND part >= 1',
      [id],
    );
    return Number(r.rows[0]!.c) === 0 ? null : Number(r.rows[0]!.s);
  }

  readDataPrefix(id: string, want: number): Promise<Buffer> {
    return this.prefix(id, want);
  }

  async readData(id: string): Promise<Buffer> {
    const got: Buffer[] = [];
    for await (const b of this.chunks(id)) got.push(b);
    if (got.length === 0) throw Object.assign(new Error(`upload ${id} has no stored data`), { code: 'ENOENT' });
    return Buffer.concat(got);
  }

  dataStream(id: string): Readable {
    return this.stream(id);
  }

  /** Copy the data to DATA_DIR/tmp/<tag>.<random>.npy, streamed; release() deletes it. */
  async localFile(id: string, tag: string, onProgress?: () => Promise<void>): Promise<LocalFile> {
    const dir = join(this.opts.dataDir, 'tmp');
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${tag}.${randomUUID().slice(0, 8)}.npy`);
    try {
      await pipeline(this.stream(id, onProgress), createWriteStream(path));
    } catch (e) {
      await rm(path, { force: true });
      throw mapDiskError(e);
    }
    return { path, release: () => rm(path, { force: true }) };
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query('DELETE FROM upload_chunks WHERE upload_id = ANY($1)', [ids]);
  }

  async ids(): Promise<string[]> {
    const r = await this.pool.query<{ upload_id: string }>('SELECT DISTINCT upload_id FROM upload_chunks ORDER BY upload_id');
    return r.rows.map((x) => x.upload_id);
  }

  async sweep(): Promise<number> {
    const r = await this.pool.query('DELETE FROM upload_chunks c WHERE NOT EXISTS (SELECT 1 FROM uploads u WHERE u.id = c.upload_id)');
    return r.rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
