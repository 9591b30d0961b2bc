/**
 * Device types: canonical slugs and their aliases.
 *
 * @module
 */
import { NotFoundError } from "../errors.ts";

/** A device type as listed in `device-types.json` (`{"deviceTypes":[...]}`). */
export interface DeviceType {
  /** Canonical slug, e.g. `raspberrypi4-64`. */
  slug: string;
  /** Human name, e.g. `Raspberry Pi 4 (64 bit)`. */
  name?: string;
  /** Other names that resolve to this slug. */
  aliases?: string[];
}

function freeze(type: DeviceType, index: number): DeviceType {
  if (type === null || typeof type !== "object") {
    throw new TypeError(`Cannot list device types: entry ${index} is not an object`);
  }
  const { slug, name, aliases = [] } = type;
  if (typeof slug !== "string" || slug.trim() === "" || slug.trim() !== slug) {
    throw new TypeError(`Cannot list device types: entry ${index} has an invalid slug '${String(slug)}'`);
  }
  if (name !== undefined && typeof name !== "string") {
    throw new TypeError(`Cannot list device types: '${slug}' has a non-string name`);
  }
  if (
    !Array.isArray(aliases) || aliases.some((a) => typeof a !== "string" || a.trim() === "" || a.trim() !== a)
  ) {
    throw new TypeError(`Cannot list device types: '${slug}' has an invalid alias`);
  }
  const out: DeviceType = name === undefined ? { slug } : { slug, name };
  out.aliases = Object.freeze([...aliases]) as string[];
  return Object.freeze(out);
}

/**
 * A list of device types, looked up by slug or alias (case-insensitive). Each slug and alias must
 * name one type only (`TypeError` otherwise); an alias equal to its own slug is tolerated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeviceTypes } from "./device_types.ts";
 * const types = new DeviceTypes([{ slug: "raspberrypi4-64", aliases: ["rpi4"] }]);
 * assert.equal(types.resolve("rpi4").slug, "raspberrypi4-64");
 * assert.equal(types.list().length, 1);
 * ```
 */
export class DeviceTypes {
  #list: DeviceType[];
  #byName = new Map<string, DeviceType>();

  constructor(list: DeviceType[]) {
    if (!Array.isArray(list)) throw new TypeError("Cannot list device types: expected an array");
    this.#list = list.map(freeze);
    for (const type of this.#list) {
      const names = new Set([type.slug, ...type.aliases!].map((n) => n.toLowerCase()));
      for (const name of names) {
        const other = this.#byName.get(name);
        if (other) {
          throw new TypeError(
            `Cannot list device types: '${name}' names both '${other.slug}' and '${type.slug}'`,
          );
        }
        this.#byName.set(name, type);
      }
    }
  }

  /**
   * The device type a slug or alias names; {@linkcode NotFoundError} naming it if none does.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { DeviceTypes } from "./device_types.ts";
   * const types = new DeviceTypes([{ slug: "raspberry-pi", aliases: ["rpi"] }]);
   * assert.equal(types.resolve("RPI").slug, "raspberry-pi");
   * ```
   */
  resolve(slugOrAlias: string): DeviceType {
    if (typeof slugOrAlias !== "string") {
      throw new TypeError("Cannot resolve device type: expected a string");
    }
    const type = this.#byName.get(slugOrAlias.trim().toLowerCase());
    if (!type) {
      throw new NotFoundError(
        `Cannot resolve device type: '${slugOrAlias}' is not a known device type slug or alias`,
      );
    }
    return type;
  }

  /**
   * All device types, in the order given (frozen copies).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { DeviceTypes } from "./device_types.ts";
   * assert.equal(new DeviceTypes([{ slug: "intel-nuc" }]).list()[0]?.slug, "intel-nuc");
   * ```
   */
  list(): DeviceType[] {
    return this.#list.slice();
  }
}
