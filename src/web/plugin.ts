/**
 * The browser pages outside /v1 (no API key on navigation; the pages carry no data):
 *
 *   GET /review/{job_id}      the review app's page (data comes from the /v1 JSON routes)
 *   GET /assets/{file}        the bundled front end (content-hashed name, cached for a year)
 *   GET /media/{path}         example content under MEDIA_ROOT (media.ts)
 *
 * The report itself is a /v1 route (src/jobs/reviews.ts): it carries the job's data.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { readMedia } from './media.js';
import { renderReviewPage } from './review-page.js';

export interface WebPluginOptions {
  /** Folder served at /media (default: the app config's MEDIA_ROOT; unset: /media is 404). */
  mediaRoot?: string | undefined;
  /** The bundled front end (default: dist/web/review.js of this package). */
  bundlePath?: string;
}

/** The package root: the nearest folder above this module with a package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return dir;
}

export interface Bundle {
  name: string;
  bytes: Buffer;
}

/** The built review front end, under a content-hashed name; null when not built. */
export function loadBundle(path = join(packageRoot(), 'dist', 'web', 'review.js')): Bundle | null {
  if (!existsSync(path)) return null;
  const bytes = readFileSync(path);
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  return { name: `review-${hash}.js`, bytes };
}

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function notFound(reply: FastifyReply, detail: string) {
  return reply
    .code(404)
    .type('application/problem+json')
    .send({ type: 'urn:labelcheck:problem:not-found', title: 'Not Found', status: 404, detail });
}

async function webRoutes(app: FastifyInstance, opts: WebPluginOptions): Promise<void> {
  const mediaRoot = opts.mediaRoot ?? (app as FastifyInstance & { config?: { mediaRoot?: string } }).config?.mediaRoot;
  const bundle = loadBundle(opts.bundlePath);
  const tags = ['pages'];

  app.get(
    '/review/:id',
    {
      schema: {
        operationId: 'reviewPage',
        summary: 'The review app (HTML) for a label-issues job',
        description:
          'A keyboard-first blind review of the job’s flagged examples. Query: `controls` (fraction of unflagged rows mixed in), `seed`. ' +
          'The page holds no data; it calls the /v1 review routes, sending the API key the reviewer types once (kept in this browser tab).',
        tags,
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        querystring: {
          type: 'object',
          properties: { controls: { type: 'number', minimum: 0, maximum: 1 }, seed: { type: 'integer', minimum: 0 } },
        },
        response: { 200: { description: 'The page.', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!JOB_ID.test(id)) return notFound(reply, `No job with id ${id}`);
      const q = request.query as { controls?: number; seed?: number };
      const html = renderReviewPage({ jobId: id, controls: q.controls ?? 0, seed: q.seed ?? 0, script: bundle ? `/assets/${bundle.name}` : null });
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
    },
  );

  app.get(
    '/assets/:file',
    {
      schema: {
        operationId: 'asset',
        summary: 'The bundled front end (content-hashed, immutable)',
        tags,
        params: { type: 'object', properties: { file: { type: 'string' } }, required: ['file'] },
        response: { 200: { description: 'JavaScript.', content: { 'text/javascript': { schema: { type: 'string' } } } } },
      },
    },
    async (request, reply) => {
      const { file } = request.params as { file: string };
      if (!bundle || file !== bundle.name) return notFound(reply, `No asset ${file}`);
      return reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .send(bundle.bytes);
    },
  );

  app.get(
    '/media/*',
    {
      schema: {
        operationId: 'media',
        summary: 'A file under MEDIA_ROOT (example content)',
        description:
          'Only regular files inside MEDIA_ROOT after resolving every `..` and symlink, at most 20 MiB, sniffed as PNG, JPEG, GIF, WebP or ' +
          'UTF-8 text (served as text/plain); anything else, or no MEDIA_ROOT, is 404. Not behind the API key (images load by URL).',
        tags,
        response: { 200: { description: 'The file.', content: { 'image/*': { schema: { type: 'string' } }, 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
    async (request, reply) => {
      // The raw path, still percent-encoded: decoded exactly once in readMedia.
      const raw = request.raw.url ?? '';
      const path = raw.slice(raw.indexOf('/media/') + '/media/'.length).split('?')[0]!;
      const file = mediaRoot ? await readMedia(mediaRoot, path) : null;
      if (!file) return notFound(reply, 'No such media file');
      return reply
        .type(file.type)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'public, max-age=3600')
        .send(file.bytes);
    },
  );
}

/** For `buildApp(config, { rootPlugins: [createWebPlugin()] })`. */
export function createWebPlugin(opts: WebPluginOptions = {}): FastifyPluginAsync {
  return async (app) => webRoutes(app, opts);
}
