import assert from "node:assert/strict";
import { fleetTaskCommand } from "./demo_fleet_command.ts";

const NPM_DENO = "/home/u/.npm/_npx/1f2e/node_modules/deno/deno";

Deno.test("the demo's fleet command: Deno as it runs (npx or deno), deno.json named from outside the checkout", () => {
  const at = (execPath: string, ...dirs: string[]) =>
    fleetTaskCommand("summary", { execPath, version: "2.9.6", project: "/src/drover/", dirs });
  assert.equal(at(NPM_DENO, "/src/drover"), "npx -y deno@2.9.6 task fleet summary");
  assert.equal(at("/usr/local/bin/deno", "/src/drover", "/src/drover/docs"), "deno task fleet summary");
  assert.equal(
    at(NPM_DENO, "/src/drover", "/home/u"),
    "npx -y deno@2.9.6 task --config /src/drover/deno.json fleet summary",
  );
  assert.equal(
    at("/usr/bin/deno", "/src/drover-old"),
    "deno task --config /src/drover/deno.json fleet summary",
  );
});
