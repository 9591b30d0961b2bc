/**
 * Private: reading a device request's body whole, at most `max` bytes, without a middleware. A
 * declared `Content-Length` is checked before reading (400 when malformed, 413 over `max`); a body
 * sent without one (chunked) is counted while it streams, so no more than `max` bytes are ever held.
 */
import { CapStream, declaredLength } from "../../body.ts";
import { HttpError } from "../../http_error.ts";

/** The body of `request` (empty when it has none); 413 `E_TOO_LARGE` beyond `max` bytes. */
export async function readLimitedBody(request: Request, max: number): Promise<Uint8Array> {
  const declared = declaredLength(request.headers.get("content-length") ?? undefined, max);
  if (declared !== undefined && !request.headers.has("transfer-encoding")) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    // HTTP peers cannot send more than they declared; an in-process Request could.
    if (bytes.length > max) throw new HttpError(413, `Cannot read body: larger than ${max} bytes`);
    return bytes;
  }
  const body = request.body;
  if (body === null) return new Uint8Array(0);
  return new Uint8Array(await new Response(body.pipeThrough(new CapStream(max))).arrayBuffer());
}
