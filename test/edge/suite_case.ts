/**
 * One case of the edge's HTTP suite, the server it runs against, and the assertions cases share.
 * @module
 */
import assert from "node:assert/strict";
import type { FixtureKeys } from "./fixture.ts";

/** `fetch` on a path of the server under test; never follows redirects. */
export type FetchLike = (path: string, init?: RequestInit) => Promise<Response>;

/** The server under test. */
export interface SuiteTarget {
  fetch: FetchLike;
  keys: FixtureKeys;
  /** True when uploads must carry a Content-Length (R2). */
  needsLength?: boolean;
}

/** One behaviour. */
export interface SuiteCase {
  name: string;
  run(target: SuiteTarget): Promise<void>;
}

/** Body as bytes (always consumes the response). */
export async function bytesOf(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

/** Asserts a JSON error body with `status` and returns its code. */
export async function expectError(
  res: Response,
  status: number,
  options: { code?: string } = {},
): Promise<string> {
  const code = options.code;
  const text = await res.text();
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${text}`);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const body = JSON.parse(text);
  assert.equal(typeof body.error?.code, "string");
  assert.match(body.error.message, /^Cannot /);
  assert.doesNotMatch(text, /at .*\.ts:\d+|Error:/, "no stack trace");
  if (code) assert.equal(body.error.code, code);
  return body.error.code;
}
