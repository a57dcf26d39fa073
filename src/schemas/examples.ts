import { z } from 'zod';

/** Per-example content shown to reviewers (review.md §1). Every array has length N. */
export const examplesSchema = z
  .strictObject({
    ids: z.array(z.string()).optional().describe("The user's own id of each row (file name, database key)."),
    texts: z.array(z.string()).optional().describe('Text shown for each row (long texts are truncated on screen, never in storage).'),
    urls: z
      .array(z.string())
      .optional()
      .describe("An image/page for each row: an http(s) URL, or a path relative to the server's MEDIA_ROOT (served at /media/<path>)."),
  })
  .describe(
    'Optional content of each example, for the report and the review app. In multipart requests: a JSON Lines part `examples` ' +
      '(one object per row with any of `id`, `text`, `url`) instead of this field; jobs also take `{"upload": id}` of a completed .jsonl upload.',
  );
export type Examples = z.output<typeof examplesSchema>;

/** The content of one row, as the report and the review queue show it. */
export const exampleContentSchema = z.object({
  id: z.string().optional(),
  text: z.string().optional(),
  url: z.string().optional().describe('http(s) URL, or /media/<path> when the server has MEDIA_ROOT.'),
  path: z.string().optional().describe('A relative path shown as text (the server has no MEDIA_ROOT).'),
});
export type ExampleContent = z.output<typeof exampleContentSchema>;
