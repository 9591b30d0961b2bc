/**
 * `deno task bench`: every benchmark of DESIGN.md §7, each beside its baseline measured in the same run.
 * Pick some with `--only sha256,untar,install,edge,fleet,dashboard`; `--quick` shrinks sizes for a smoke run.
 *
 * @example
 * ```sh
 * deno task bench --only sha256 --quick
 * ```
 * @module
 */
import process from "node:process";
import { setAbilities } from "../../core/abilities.ts";
import { nodeAbilities } from "../../core/node.ts";
import { benchSha256 } from "./sha256.ts";
import { benchUntar, formatUntarTable } from "./untar.ts";
import { benchInstall } from "./install.ts";
import { benchEdge } from "./edge.ts";
import { benchFleet } from "./fleet.ts";
import { benchDashboard } from "./dashboard.ts";
import { benchDelta } from "./delta.ts";

const BENCHES: Record<string, (quick: boolean) => Promise<string>> = {
  sha256: async (quick) => {
    const r = await benchSha256({ sizeMiB: quick ? 128 : 1024, runs: quick ? 1 : 3 });
    return `${r.table}\nrecommended pipeline (digestReadable: node hasher, BYOB reads into one reused 2 MiB buffer): ` +
      `${r.recommendedRatio.toFixed(2)}x openssl (target 0.90x)`;
  },
  untar: async (quick) => formatUntarTable(await benchUntar({ sizeMiB: quick ? 32 : 512 })),
  install: async (quick) => (await benchInstall({ sizeMiB: quick ? 32 : 512, runs: quick ? 1 : 3 })).table,
  edge: async (quick) => (await benchEdge({ durationS: quick ? 2 : 5, runs: quick ? 1 : 3 })).table,
  fleet: async (quick) => (await benchFleet({ quick })).table,
  dashboard: async (quick) => (await benchDashboard({ quick })).table,
  delta: (quick) => benchDelta({ quick }),
};

async function main(args: string[]): Promise<number> {
  if (args.includes("--help")) {
    console.log(`Usage: deno task bench [--only ${Object.keys(BENCHES).join(",")}] [--quick]`);
    return 0;
  }
  const at = args.indexOf("--only");
  const only = at >= 0 ? (args[at + 1] ?? "").split(",").filter(Boolean) : Object.keys(BENCHES);
  const unknown = only.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) {
    console.error(
      `Cannot run benchmarks: unknown ${unknown.join(", ")} (known: ${Object.keys(BENCHES).join(", ")})`,
    );
    return 2;
  }
  setAbilities(nodeAbilities);
  const quick = args.includes("--quick");
  for (const name of only) {
    console.error(`== ${name} ==`);
    console.log(`\n## ${name}\n\n${await BENCHES[name]!(quick)}`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
