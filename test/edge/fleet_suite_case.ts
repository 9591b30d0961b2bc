/**
 * One case of the fleet API suite, the server it runs against, and the "nothing was stored" check.
 * @module
 */
import { operator } from "./fleet_suite_device.ts";
import type { FetchLike } from "./suite_case.ts";

/** The server under test (configured with the suite's operator and enrolment tokens). */
export interface FleetTarget {
  fetch: FetchLike;
}

/** One behaviour. */
export interface FleetCase {
  name: string;
  run(target: FleetTarget): Promise<void>;
}

/**
 * What the operator API shows of the fleet (the summary's counts) and of `devices` (everything,
 * their 100 newest reports included): equal before and after a refused request when nothing was stored.
 */
export async function snapshot(t: FleetTarget, devices: { id: string }[] = []): Promise<unknown> {
  const op = operator(t.fetch);
  const summary = await op.json("/v1/fleet/summary");
  const details = [];
  for (const d of devices) details.push(await op.json(`/v1/fleet/devices/${d.id}?reports=100`));
  return { devices: summary.devices, apps: summary.apps, lastInstall: summary.lastInstall, details };
}
