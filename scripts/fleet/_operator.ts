/**
 * Private: what every `drover-fleet` command shares: the client from `--edge` and the operator
 * token, the command definition (errors of the edge mapped to their exit codes), JSON output.
 */
import type { CommandIO } from "../../device/cli/command.ts";
import {
  type CommandSpec,
  defineCommand,
  errorEntry,
  optional,
  type Parsed,
} from "../../device/cli/define_command.ts";
import type { Command } from "../../device/cli/command.ts";
import { UsageError } from "../../device/cli/usage_error.ts";
import { DEVICE_ID } from "../../core/fleet/device_identity.ts";
import { isAppName } from "../../core/names/mod.ts";
import { readFlagFile } from "../cli/flag_file.ts";
import { schemeHint } from "../../device/cli/scheme_hint.ts";
import { FLEET_CLI } from "./_cli.ts";
import { safe } from "./_text.ts";
import { FleetApiError } from "./fleet_api_error.ts";
import { FleetClient } from "./fleet_client.ts";

/** The help lines of the shared options. */
export const HELP_SHARED = "  --edge URL          the edge (env DROVER_EDGE)\n" +
  "  --token-file FILE   the operator token (else env DROVER_OPERATOR_TOKEN, else DROVER_TOKEN)\n";

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

async function tokenOf(parsed: Parsed, io: CommandIO): Promise<string> {
  const file = optional(parsed, "token-file");
  if (file !== undefined) {
    const token = (await readFlagFile("token-file", file, { action: "connect to the edge" })).trim();
    if (token === "") throw new UsageError(`--token-file ${file} is empty`);
    return token;
  }
  const token = io.env.DROVER_OPERATOR_TOKEN || io.env.DROVER_TOKEN;
  if (!token) {
    throw new UsageError(
      "missing operator token: set DROVER_OPERATOR_TOKEN (or DROVER_TOKEN) or pass --token-file",
    );
  }
  return token.trim();
}

/** The client of the edge the command line names; usage errors when the edge or token is missing or bad. */
export async function connect(parsed: Parsed, io: CommandIO): Promise<FleetClient> {
  const edge = optional(parsed, "edge", { io, envName: "DROVER_EDGE" });
  if (edge === undefined) throw new UsageError("missing --edge (or env DROVER_EDGE)");
  const token = await tokenOf(parsed, io);
  const client = UsageError.check(() => {
    try {
      return new FleetClient(edge, { token, signal: io.signal });
    } catch (error) {
      if (!(error instanceof TypeError) || !/^Cannot use edge URL '/.test(error.message)) throw error;
      throw new TypeError(`${error.message}${schemeHint(edge)}`, { cause: error });
    }
  });
  const url = new URL(client.edge);
  if (url.protocol === "http:" && !LOOPBACK.test(url.hostname)) {
    io.stderr(`${FLEET_CLI.name}: warning: sending the operator token to ${url.host} over plain http\n`);
  }
  return client;
}

/** The device id positional, checked. */
export function deviceIdArg(parsed: Parsed): string {
  const id = parsed.positionals[0];
  if (typeof id !== "string" || !DEVICE_ID.test(id)) {
    throw new UsageError(
      `ID must be a device id (d_ and 32 hex digits), got '${safe(String(id).slice(0, 40))}'`,
    );
  }
  return id;
}

/** The `--app OWNER/APP` filter, checked by the app name rule (core/names); `undefined` when absent. */
export function appOption(parsed: Parsed): string | undefined {
  const app = parsed.values.app;
  if (typeof app !== "string") return undefined;
  const shown = safe(app.slice(0, 80));
  if (!isAppName(app)) throw new UsageError(`--app must be OWNER/APP (two safe segments), got '${shown}'`);
  return app;
}

/** Prints one JSON document. */
export function printJson(io: CommandIO, doc: unknown): void {
  io.stdout(JSON.stringify(doc, null, 2) + "\n");
}

/**
 * A `drover-fleet` command: a `FleetApiError` ends it with the error's exit code (3 token refused,
 * 75 try later, else 1), printed as the framework prints any error.
 */
export function fleetCommand(spec: Omit<CommandSpec, "cli">): Command {
  return defineCommand({
    ...spec,
    cli: FLEET_CLI,
    async run(parsed, io) {
      try {
        return await spec.run(parsed, io);
      } catch (error) {
        if (!(error instanceof FleetApiError)) throw error;
        const exitCode = error.exitCode;
        if (parsed.json) {
          printJson(io, { command: parsed.command, ok: false, exitCode, errors: [errorEntry(error)] });
        } else {
          io.stderr(`${FLEET_CLI.name} ${parsed.command}: ${error.message}\n`);
        }
        return exitCode;
      }
    },
  });
}
