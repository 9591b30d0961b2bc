import assert from "node:assert/strict";
import { fleetTaskCommand } from "./demo_fleet_command.ts";

const NPM_DENO = "/home/u/.npm/_npx/1f2e/node_modules/deno/deno";

Deno.test("the demo's fleet command: Deno as it runs (npx or deno), deno.json always named (it runs from any directory)", () => {
  const at = (execPath: string) =>
    fleetTaskCommand("summary", { execPath, version: "2.9.6", project: "/src/drover/" });
  assert.equal(at(NPM_DENO), "npx -y deno@2.9.6 task --config /src/drover/deno.json fleet summary");
  assert.equal(at("/usr/local/bin/deno"), "deno task --config /src/drover/deno.json fleet summary");
});
