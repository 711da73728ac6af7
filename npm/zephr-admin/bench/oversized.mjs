// Peak memory of ZephrClient refusing an endless response. A child process serves a body that
// never ends on 127.0.0.1; this process (the client alone) calls it with the default
// `maxResponseBytes` (32 MiB), with 1 MiB, and, for comparison, with the largest limit and a
// 3 s timeout (what an unlimited client does in 3 s), and reports its peak RSS against its
// RSS at rest (sampled every 5 ms, so the true peak may be slightly higher).
// Usage: [ZEPHR_BACKEND=native] node bench/oversized.mjs  (after npm run build). Prints a Markdown table.
import { fork } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";

if (process.argv[2] === "serve") {
  const { createServer } = await import("node:http");
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) { /* until the socket is full */ }
      if (!res.destroyed) res.once("drain", pump);
    };
    pump();
  });
  server.listen(0, "127.0.0.1", () => process.send(server.address().port));
} else {
  const zephr = await import(process.env.ZEPHR_BACKEND === "native" ? "../dist/entry-native.js" : "../dist/entry-node.js");
  const child = fork(fileURLToPath(import.meta.url), ["serve"]);
  const port = await new Promise((resolve) => child.once("message", resolve));
  const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);
  const rows = [];
  const base = { baseUrl: `http://127.0.0.1:${port}`, accessKey: "ak", secretKey: "sk" };
  // Warm up (fetch loads lazily), refused at the first chunk.
  await new zephr.ZephrClient({ ...base, maxResponseBytes: 1 }).account.list().catch(() => {});
  const cases = [[1024 * 1024, 30_000, "body_too_large"], [32 * 1024 * 1024, 30_000, "body_too_large"], [2 ** 31 - 1, 3_000, "timed_out"]];
  for (const [limit, timeoutMs, expected] of cases) {
    globalThis.gc?.();
    const rest = process.memoryUsage.rss();
    let peak = rest;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 5);
    const client = new zephr.ZephrClient({ ...base, maxResponseBytes: limit, timeoutMs, maxRetries: 0 });
    const started = performance.now();
    const error = await client.account.list().then(() => null, (e) => e);
    const ms = performance.now() - started;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage.rss());
    if (error?.code !== expected) throw new Error(`expected ${expected}, got ${error}`);
    rows.push(`| ${mib(limit)} MiB, timeout ${timeoutMs} ms (${zephr.backend}) | ${error.code} | ${mib(rest)} MiB | ${mib(peak)} MiB | +${mib(peak - rest)} MiB | ${ms.toFixed(0)} ms |`);
  }
  child.kill();
  console.log(`${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus()[0].model}, ${os.cpus().length} cores\n`);
  console.log("| maxResponseBytes | error | RSS at rest | peak RSS | growth | time to the error |\n|---|---|---|---|---|---|");
  console.log(rows.join("\n"));
}
