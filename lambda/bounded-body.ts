/**
 * Reading an HTTP answer's body (fetch's Response) with a size bound, for the clients of outside APIs
 * (voximplant/management-api.ts, chat/telegram.ts). No AWS.
 */

/**
 * The body's bytes, or `too-large` once more than `maxBytes` arrived (the stream is then cancelled, so a huge
 * or endless body costs at most `maxBytes`). A stalled body ends when the request's signal aborts (it throws).
 */
export async function readBoundedBytes(response: Response, maxBytes: number): Promise<Buffer | 'too-large'> {
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return 'too-large';
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
