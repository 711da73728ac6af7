// A real HTTP server on 127.0.0.1 for the JS test suites. It checks every
// signature with node:crypto (independently of the SDK), answers a small Zephr
// surface with documented shapes, and can be told to misbehave.
import { createHash } from "node:crypto";
import { createServer } from "node:http";

export const ACCESS_KEY = "loopback-access-key";
export const SECRET_KEY = "loopback-secret-key";

/** The hash of the scheme, computed from the parts as received. */
export function expectedHash(secret, body, path, query, method, timestamp, nonce) {
  return createHash("sha256")
    .update(secret)
    .update(body)
    .update(path)
    .update(query)
    .update(method)
    .update(timestamp)
    .update(nonce)
    .digest("hex");
}

function verify(req, body) {
  const header = req.headers.authorization ?? "";
  const match = /^ZEPHR-HMAC-SHA256 ([^:]+):([^:]+):([^:]+):([0-9a-f]{64})$/.exec(header);
  if (!match) return "malformed authorization header";
  const [, accessKey, timestamp, nonce, hash] = match;
  if (accessKey !== ACCESS_KEY) return "unknown access key";
  const [path, query = ""] = req.url.split(/\?(.*)/s);
  if (expectedHash(SECRET_KEY, body, path, query, req.method, timestamp, nonce) !== hash) return "signature mismatch";
  return null;
}

const ACCOUNTS = Array.from({ length: 7 }, (_, i) => ({ account_id: `acc-${i + 1}`, name: `Account ${i + 1}` }));

/**
 * Starts the server. Behaviour per request comes from the `x-test-fault` header set by the
 * test's fetch wrapper or from `faults` queued by path prefix:
 *   { status, retryAfter, body, delayMs }
 */
export async function startServer() {
  const seen = [];
  const queued = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const failure = verify(req, body);
    const record = { method: req.method, url: req.url, body: body.toString("utf8"), headers: req.headers, failure };
    seen.push(record);
    const send = (status, payload, headers = {}) => {
      const text = typeof payload === "string" ? payload : JSON.stringify(payload);
      res.writeHead(status, { "content-type": "application/json", "x-request-id": `req-${seen.length}`, ...headers });
      res.end(text);
    };
    if (failure) return send(401, { message: failure });
    const index = queued.findIndex((f) => req.url.startsWith(f.prefix));
    if (index >= 0) {
      const fault = queued.splice(index, 1)[0];
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.status) {
        const headers = fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : {};
        return send(fault.status, fault.body ?? { message: `injected ${fault.status}` }, headers);
      }
      if (fault.body !== undefined) return send(200, fault.body);
    }
    const url = new URL(req.url, "http://127.0.0.1");
    if (req.method === "GET" && url.pathname === "/v3/accounts") {
      const rpp = Number(url.searchParams.get("rpp") ?? 10);
      const page = Number(url.searchParams.get("page") ?? 1);
      return send(200, { results: ACCOUNTS.slice((page - 1) * rpp, page * rpp), total: ACCOUNTS.length });
    }
    let m;
    if (req.method === "GET" && (m = /^\/v3\/users\/([^/]+)\/sessions$/.exec(url.pathname))) {
      return send(200, { user_id: decodeURIComponent(m[1]), sessions: [{ session_id: "s-1", authenticated: true }] });
    }
    if (req.method === "GET" && (m = /^\/v3\/accounts\/([^/]+)\/users$/.exec(url.pathname))) {
      return send(200, [{ user_id: "u-1", account_id: decodeURIComponent(m[1]), user_type: "admin" }]);
    }
    if (req.method === "POST" && url.pathname === "/v3/users") {
      return send(201, { data: { user_id: "u-new", ...JSON.parse(body.toString("utf8") || "{}") } });
    }
    if (req.method === "DELETE" && /^\/v4\/accounts\/[^/]+\/grants\/[^/]+$/.test(url.pathname)) {
      return send(200, "\"Account grant revoked\"");
    }
    return send(404, { message: `no route for ${req.method} ${url.pathname}` });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    /** Queue one fault for the next request whose URL starts with `prefix`. */
    fault(prefix, fault) {
      queued.push({ prefix, ...fault });
    },
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }),
  };
}
