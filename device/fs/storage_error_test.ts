import assert from "node:assert/strict";
import { NoSpaceError, ReadOnlyError } from "../../core/errors.ts";
import { storageErrorOf } from "./storage_error.ts";

const errno = (code: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { code, ...extra });

Deno.test("storageErrorOf() names a full or read-only file system, Node's codes and Deno's texts alike", () => {
  const full = storageErrorOf(errno("ENOSPC", "ENOSPC: no space left on device, write"), {
    action: "write /w/status.json",
    path: "/w",
  });
  assert.ok(full instanceof NoSpaceError);
  assert.equal(full.message, "Cannot write /w/status.json: no space left on device (/w)");
  assert.equal(full.cause instanceof Error && full.cause.message, "ENOSPC: no space left on device, write");

  const deno = storageErrorOf(new Error("Read-only file system (os error 30)"), {
    action: "lock /w/lock",
    path: "/w",
  });
  assert.ok(deno instanceof ReadOnlyError);
  assert.equal(deno.code, "E_READ_ONLY");
  assert.equal(deno.message, "Cannot lock /w/lock: read-only file system (/w)");
  assert.ok(
    storageErrorOf(new Error("No space left on device (os error 28)"), { action: "x" }) instanceof
      NoSpaceError,
  );

  // along the cause chain; without a path, the failed call's own (its directory for a full disk)
  const wrapped = new Error("Cannot extract", {
    cause: errno("EROFS", "EROFS: read-only file system, mkdir '/t/a/releases/.staging-1'", {
      path: "/t/a/releases/.staging-1",
    }),
  });
  assert.equal(
    storageErrorOf(wrapped, { action: "gc" })?.message,
    "Cannot gc: read-only file system (/t/a/releases/.staging-1)",
  );
  const noSpace = errno("ENOSPC", "ENOSPC: no space left on device, open '/w/x'", { path: "/w/x" });
  assert.equal(storageErrorOf(noSpace, { action: "gc" })?.message, "Cannot gc: no space left on device (/w)");
  assert.equal(
    storageErrorOf(errno("ENOSPC", "ENOSPC"), { action: "gc" })?.message,
    "Cannot gc: no space left on device",
  );

  // one already named keeps its (innermost, most precise) action
  const named = new NoSpaceError("Cannot lock /w/lock: no space left on device (/w)");
  assert.equal(storageErrorOf(named, { action: "update", path: "/" }), named);
  assert.equal(storageErrorOf(new Error("x", { cause: named }), { action: "update" }), named);

  for (
    const other of [errno("EACCES", "EACCES: permission denied"), new Error("boom"), "text", null, undefined]
  ) {
    assert.equal(storageErrorOf(other, { action: "write", path: "/w" }), undefined);
  }
});
