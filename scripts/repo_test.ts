import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

Deno.test("repo CLI under `deno task` takes relative paths from the directory it was typed in (INIT_CWD)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "drover-repo-cwd-"));
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(ROOT, "scripts/repo.ts"), "init", "--repo", "./r", "--keys", "./k", "--json"],
      cwd: ROOT, // where `deno task` starts it
      env: { INIT_CWD: dir },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.ok((await stat(join(dir, "r/tuf/1.root.json"))).isFile());
    assert.ok((await stat(join(dir, "k/root.json"))).isFile());
    assert.equal(await stat(join(ROOT, "r")).catch(() => undefined), undefined, "nothing beside deno.json");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
