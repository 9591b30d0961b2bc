import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { dropEd25519Warning } from "./warnings.ts";

Deno.test("dropEd25519Warning() drops only the Ed25519 ExperimentalWarning and forwards the rest", () => {
  const proc = new EventEmitter() as unknown as NodeJS.Process;
  const seen: string[] = [];
  proc.on("warning", (w: Error) => seen.push(`${w.name}: ${w.message}`));
  dropEd25519Warning(proc);
  const warn = (name: string, message: string) => {
    const w = new Error(message);
    w.name = name;
    proc.emit("warning", w);
  };
  warn("ExperimentalWarning", "The Ed25519 Web Crypto API algorithm is an experimental feature");
  warn("ExperimentalWarning", "Fetch is an experimental feature");
  warn("DeprecationWarning", "Ed25519 something deprecated");
  assert.deepEqual(seen, [
    "ExperimentalWarning: Fetch is an experimental feature",
    "DeprecationWarning: Ed25519 something deprecated",
  ]);
  assert.equal(proc.listenerCount("warning"), 1);
});
