/** `resolveVersion`'s `recommended` and `default` with signed recommendations (`recommended: true`). */
import assert from "node:assert/strict";
import { NotFoundError } from "../errors.ts";
import { resolveVersion, type VersionEntry } from "./resolve_version.ts";

type Entry = VersionEntry & { id: string };

function e(
  version: string,
  options: { variant?: "prod" | "dev"; prerelease?: boolean; recommended?: boolean } = {},
): Entry {
  return { id: `${version}${options.variant ? `/${options.variant}` : ""}`, version, ...options };
}

Deno.test("'recommended' and 'default' take a flagged version over a newer one that is not flagged", () => {
  const list = [e("2.88.4", { recommended: true }), e("2.88.5"), e("2.89.0-beta.1")];
  assert.equal(resolveVersion(list, "recommended").id, "2.88.4");
  assert.equal(resolveVersion(list, "default").id, "2.88.4");
  assert.equal(resolveVersion(list, "latest").id, "2.89.0-beta.1", "latest ignores the flag");
  assert.equal(resolveVersion(list, "^2.88").id, "2.88.5", "ranges ignore the flag");
  assert.equal(resolveVersion(list, "2.88.5").id, "2.88.5");
});

Deno.test("'recommended' is the newest flagged version when several are flagged", () => {
  const list = [e("1.0.0", { recommended: true }), e("1.2.0", { recommended: true }), e("1.1.0"), e("1.3.0")];
  assert.equal(resolveVersion(list, "recommended").id, "1.2.0");
  assert.equal(resolveVersion(list.slice().reverse(), "recommended").id, "1.2.0", "whatever the order");
});

Deno.test("with nothing flagged, 'recommended' falls back to the newest non-pre-release", () => {
  const list = [e("1.0.0"), e("1.1.0", { recommended: false }), e("2.0.0-rc.1")];
  assert.equal(resolveVersion(list, "recommended").id, "1.1.0");
  assert.equal(resolveVersion(list, "default").id, "1.1.0");
});

Deno.test("a flagged pre-release is never 'recommended'", () => {
  const list = [
    e("1.0.0"),
    e("2.0.0-rc.1", { recommended: true }),
    e("2.1.0", { prerelease: true, recommended: true }),
  ];
  assert.equal(resolveVersion(list, "recommended").id, "1.0.0");
  const only = [e("2.0.0-rc.1", { recommended: true })];
  assert.throws(() => resolveVersion(only, "recommended"), NotFoundError);
  assert.equal(resolveVersion(only, "default").id, "2.0.0-rc.1", "default then falls back to latest");
});

Deno.test("the flag counts per variant: a flagged prod version does not decide the dev variant", () => {
  const list = [
    e("1.0.0", { variant: "prod", recommended: true }),
    e("1.0.0", { variant: "dev" }),
    e("1.1.0", { variant: "prod" }),
    e("1.1.0", { variant: "dev" }),
    e("0.9.0", { recommended: true }), // no variant: a candidate of both
  ];
  assert.equal(resolveVersion(list, "recommended", { variant: "prod" }).id, "1.0.0/prod");
  assert.equal(resolveVersion(list, "recommended", { variant: "dev" }).id, "0.9.0");
  assert.equal(resolveVersion(list.slice(0, 4), "recommended", { variant: "dev" }).id, "1.1.0/dev");
});

Deno.test("a flag set or cleared on an indexed list is seen; a non-boolean flag is a TypeError", () => {
  const list = [e("1.0.0"), e("1.1.0")];
  assert.equal(resolveVersion(list, "recommended").id, "1.1.0");
  list[0]!.recommended = true;
  assert.equal(resolveVersion(list, "recommended").id, "1.0.0");
  delete list[0]!.recommended;
  assert.equal(resolveVersion(list, "recommended").id, "1.1.0");
  assert.throws(
    () => resolveVersion([{ version: "1.0.0", recommended: "yes" as unknown as boolean }]),
    TypeError,
  );
});
