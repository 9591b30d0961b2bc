import assert from "node:assert/strict";
import { NotFoundError, TransientError } from "../core/errors.ts";
import { ForbiddenError, RateLimitError, ReplayError, SignatureError } from "../core/fleet/errors.ts";
import { HttpError, toErrorReply } from "./http_error.ts";

Deno.test("toErrorReply: the fleet's errors are 401, 409, 403 and 429 (with Retry-After), never internal", () => {
  const cases: [Error, number, string][] = [
    [new SignatureError("Cannot verify request: unknown key"), 401, "E_SIGNATURE"],
    [new ReplayError("Cannot accept request: counter 3 is not above 7"), 409, "E_REPLAY"],
    [new ForbiddenError("Cannot check in: device d_x is rejected"), 403, "E_FORBIDDEN"],
    [new RateLimitError("Cannot check in: too many", { retryAfterSeconds: 1.2 }), 429, "E_RATE_LIMITED"],
  ];
  for (const [error, status, code] of cases) {
    const reply = toErrorReply(error);
    assert.deepEqual({ status: reply.status, code: reply.code, internal: reply.internal }, {
      status,
      code,
      internal: false,
    });
    assert.equal(reply.message, error.message);
  }
  assert.deepEqual(toErrorReply(cases[3]![0]).headers, { "retry-after": "2" }, "whole seconds, rounded up");
  assert.deepEqual(toErrorReply(cases[0]![0]).headers, {});
});

Deno.test("toErrorReply: other errors keep their mapping; E_NO_FLEET is a 404 HttpError code", () => {
  assert.equal(toErrorReply(new NotFoundError("Cannot find device d_x")).status, 404);
  const busy = toErrorReply(new TransientError("Cannot write fleet database: busy"));
  assert.deepEqual([busy.status, busy.code, busy.headers], [503, "E_TRANSIENT", { "retry-after": "1" }]);
  assert.equal(toErrorReply(new TypeError("Cannot read check-in: $.apps must be an array")).status, 400);
  assert.equal(toErrorReply(new TypeError("x is not a function")).status, 500);
  const noFleet = toErrorReply(
    new HttpError(404, "Cannot serve fleet API: no fleet", { code: "E_NO_FLEET" }),
  );
  assert.deepEqual([noFleet.status, noFleet.code], [404, "E_NO_FLEET"]);
});
