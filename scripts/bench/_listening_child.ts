/**
 * Private to scripts/bench: a Deno child process that serves on 127.0.0.1 and says so on stderr
 * (`listening on http://127.0.0.1:<port>/`), started and stopped for a benchmark.
 * @module
 */

/** A started child: its base URL, port and pid, and `stop()` (SIGTERM, then waits for it). */
export interface ListeningChild {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:(\d+))/;

/** Runs `deno <args>` and resolves once it prints that it listens; rejects if it ends first. */
export async function startListening(args: string[], options: { what: string }): Promise<ListeningChild> {
  const child = new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "piped" }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!LISTENING.test(text)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`Cannot start ${options.what}: ${text}`);
    text += value;
  }
  const [, url, port] = LISTENING.exec(text)!;
  return {
    url: url!,
    port: Number(port),
    pid: child.pid,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await reader.cancel();
    },
  };
}
