const mode = Deno.args[0];
const H4 = { location: "http://127.0.0.1/targets/images/x/" + "a".repeat(64) + ".os.img", "x-drover-version": "2.88.4+rev2", "x-drover-sha256": "a".repeat(64), "cache-control": "public, max-age=60" };
const cached = new Response(null, { status: 302, headers: H4 });
const prebuilt = new Headers(H4);
const cachedText = new Response("hello world json", { headers: { "content-type": "application/json", "cache-control": "public, max-age=60" } });
const handlers: Record<string, () => Response> = {
  obj4: () => new Response(null, { status: 302, headers: H4 }),
  clone: () => cached.clone(),
  hdrs: () => new Response(null, { status: 302, headers: prebuilt }),
  textclone: () => cachedText.clone(),
};
Deno.serve({ hostname: "127.0.0.1", port: Number(Deno.args[1]), onListen() {} }, handlers[mode!]!);
