/**
 * `labelcheck report`: the label-issues inputs as for `label-issues`, plus --out, --examples,
 * --title; writes the same self-contained HTML page as GET /v1/jobs/{id}/report.
 */
import { isInputError } from '../core/errors.js';
import { inputErrorProblem } from '../service/problem.js';
import { payloadFromFlags, readFileOrFail } from './endpoint.js';
import { parseFlags, UsageError } from './flags.js';
import type { CliIo } from './io.js';

export async function reportCommand(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const flags = parseFlags(args);
    const out = flags.get('out');
    if (typeof out !== 'string') throw new UsageError('report needs --out FILE.html');
    const examplesFile = flags.get('examples');
    const title = flags.get('title');
    for (const f of ['out', 'examples', 'title']) flags.delete(f);
    const { reportFromPayload, withExamples } = await import('../web/report-file.js');
    let payload = payloadFromFlags(flags, io);
    if (examplesFile !== undefined) {
      if (examplesFile === true) throw new UsageError('--examples needs a .jsonl file name');
      const { decodeExamplesBytes, parseExamplesJsonl } = await import('../service/examples.js');
      const text = decodeExamplesBytes(readFileOrFail(io, examplesFile, 'examples'), `--examples ${examplesFile}`);
      payload = withExamples(payload, parseExamplesJsonl(text));
    }
    const { html, numLabelIssues } = reportFromPayload(payload, typeof title === 'string' ? title : undefined);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(out, html);
    io.stdout(JSON.stringify({ out, bytes: Buffer.byteLength(html), num_label_issues: numLabelIssues }) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`labelcheck report: ${e.message}\n`);
      return 2;
    }
    if (isInputError(e)) {
      io.stderr(JSON.stringify(inputErrorProblem(e)) + '\n');
      return 2;
    }
    throw e;
  }
}
