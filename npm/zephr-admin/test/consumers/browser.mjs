// Runs a built web page in headless Chromium (Debian's `chromium`, driven by puppeteer-core).
// A static server on 127.0.0.1 serves the build and passes API paths through to the loopback
// server, so the page calls its own origin as a page behind a proxy does (no CORS involved).
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { extname, join, normalize } from "node:path";
import { importTool } from "./harness.mjs";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".css": "text/css" };
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** Serves `root` statically; /v3/ and /v4/ go to `api` (a URL). */
async function serve(root, api, config) {
  const server = createServer((req, res) => {
    if (/^\/v[34]\//.test(req.url)) {
      const upstream = new URL(api);
      const proxied = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
      proxied.on("error", (e) => res.destroy(e));
      return req.pipe(proxied);
    }
    if (req.url === "/favicon.ico") return res.writeHead(204).end();
    if (req.url === "/scenario-config.json") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ ...config, baseUrl: `http://127.0.0.1:${server.address().port}` }));
    }
    let file = join(root, normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)));
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/**
 * Opens `page` (a path under `root`) in Chromium; the page sets `window.scenarioResult` or
 * `window.scenarioError`. Returns the result; throws with the page's errors and console.
 */
export async function runInChromium(root, page, api, config) {
  const puppeteer = await importTool("puppeteer-core");
  const server = await serve(root, api, config);
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  const log = [];
  // An error thrown while the page runs ends the wait at once instead of at the timeout.
  let pageFailed;
  const failed = new Promise((resolve) => (pageFailed = resolve));
  try {
    const tab = await browser.newPage();
    tab.on("console", (m) => log.push(`console.${m.type()}: ${m.text()}`));
    tab.on("pageerror", (e) => {
      log.push(`page error: ${e.message}`);
      pageFailed();
    });
    tab.on("requestfailed", (r) => log.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    tab.on("response", (r) => r.status() >= 400 && log.push(`HTTP ${r.status()}: ${r.url()}`));
    await tab.goto(`http://127.0.0.1:${server.address().port}/${page}`);
    try {
      await Promise.race([tab.waitForFunction("window.scenarioResult || window.scenarioError", { timeout: 30_000 }), failed]);
    } catch (e) {
      throw new Error(`the page never finished: ${e.message}\n${log.join("\n")}`);
    }
    const { result, error } = await tab.evaluate(() => ({ result: window.scenarioResult, error: window.scenarioError }));
    if (!result && !error) throw new Error(`the page failed:\n${log.join("\n")}`);
    if (error) throw new Error(`the page failed: ${error}\n${log.join("\n")}`);
    return result;
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}
