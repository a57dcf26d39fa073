/** multipart/form-data request bodies for the API and jobs tests (not a test file itself). */

export interface FormPart {
  name: string;
  /** Present → a file part. */
  filename?: string;
  contentType?: string;
  data: Uint8Array | string;
}

/** Build a multipart/form-data body by hand (what requests/curl send). */
export function multipart(parts: FormPart[], boundary = '----labelcheck-test-boundary-7MA4YWxkTrZu0gW'): { payload: Buffer; headers: Record<string, string> } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
    else if (p.filename !== undefined) head += 'Content-Type: application/octet-stream\r\n';
    head += '\r\n';
    chunks.push(Buffer.from(head, 'utf8'));
    chunks.push(typeof p.data === 'string' ? Buffer.from(p.data, 'utf8') : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
