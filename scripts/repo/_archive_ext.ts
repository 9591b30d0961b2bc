/**
 * Private: the extension `repo add-app` gives an archive (`.tar.gz` or `.tar`), from its gzip magic
 * bytes, whatever its name says; a `--file` that cannot be read is a usage error
 * (`Cannot read --file radio.tar.gz: no such file`), an empty one an `UnreadableArchiveError`.
 */
import { open, stat } from "node:fs/promises";
import { UsageError } from "../../device/cli/usage_error.ts";
import { flagFileError } from "../cli/flag_file.ts";
import { UnreadableArchiveError } from "./unreadable_archive_error.ts";

/** `.tar.gz` or `.tar`, from the gzip magic bytes (what the content is, whatever the name says). */
export async function archiveExt(file: string): Promise<".tar.gz" | ".tar"> {
  const info = await stat(file).catch((cause) => {
    throw flagFileError("file", file, { action: "add app", cause });
  });
  if (!info.isFile()) throw new UsageError(`Cannot add app: --file ${file} is not a file`);
  if (info.size === 0) {
    throw new UnreadableArchiveError(`Cannot add app: ${file} is empty, not a tar or tar.gz archive`);
  }
  const fh = await open(file, "r").catch((cause) => {
    throw flagFileError("file", file, { action: "add app", cause });
  });
  try {
    const head = new Uint8Array(2);
    await fh.read(head, 0, 2, 0);
    return head[0] === 0x1f && head[1] === 0x8b ? ".tar.gz" : ".tar";
  } finally {
    await fh.close();
  }
}
