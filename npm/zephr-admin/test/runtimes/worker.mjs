// A Cloudflare Worker (ES module) run by workerd through Miniflare: it loads the package
// through its workerd entry (the .wasm imported as a precompiled module) and uses it the way
// a Worker would. Bindings: VECTORS (the shared signing vectors), RANDOM (random signing
// inputs), SERVER_URL, ACCESS_KEY, SECRET_KEY.
import { backend, signRequest, ZephrClient } from "../../dist/entry-workerd.js";

export default {
  async fetch(_request, env) {
    try {
      const sign = (v) => signRequest({
        accessKey: v.accessKey,
        secretKey: v.secretKey,
        method: v.method,
        path: v.path,
        query: v.query,
        body: v.body,
        timestamp: v.timestamp,
        nonce: v.nonce,
      });
      const vectors = env.VECTORS.map((v) => ({ id: v.id, authorization: sign(v) }));
      const random = env.RANDOM.map(sign);
      const client = new ZephrClient({ baseUrl: env.SERVER_URL, accessKey: env.ACCESS_KEY, secretKey: env.SECRET_KEY, maxRetries: 0 });
      const accounts = [];
      for await (const account of client.paginate("listAccounts", { rpp: 3 })) accounts.push(account);
      const sessions = await client.users.listSessions({ user_id: "a/b" });
      return Response.json({ backend, vectors, random, accounts, sessions });
    } catch (error) {
      const { name, message, code, stack } = error ?? {};
      return Response.json({ error: { name, message, code, stack: String(stack) } }, { status: 500 });
    }
  },
};
