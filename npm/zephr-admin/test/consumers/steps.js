// The one scenario every host runs, given the package's exports (by named import, or by
// `require` on Node) and where to find the loopback server. It returns plain data; the
// test on the Node side compares it with what is expected and checks, with node:crypto,
// every signature the server received.
export async function runScenario(sdk, config) {
  const { ZephrClient, NotFoundError, ZephrApiError, ZephrError, signRequest, backend } = sdk;
  const { baseUrl, accessKey, secretKey, vectors } = config;
  const zephr = new ZephrClient({ baseUrl, accessKey, secretKey, maxRetries: 0 });

  // A GET list walked page by page (7 accounts, 3 per page).
  const accounts = [];
  for await (const account of zephr.paginate("listAccounts", { rpp: 3 })) accounts.push(account.account_id);

  // A POST with a JSON body.
  const created = await zephr.users.create({ body: { identifiers: { email_address: "ada@example.com" } } });

  // A typed error, recognised with instanceof.
  let error = null;
  try {
    await zephr.users.get({ user_id: "nobody" });
  } catch (e) {
    error = {
      notFound: e instanceof NotFoundError,
      apiError: e instanceof ZephrApiError,
      zephrError: e instanceof ZephrError,
      code: e.code,
      status: e.status,
    };
  }

  // The golden vectors, signed without the client.
  const signatures = vectors.map(({ accessKey, secretKey, method, path, query, body, timestamp, nonce }) =>
    signRequest({ accessKey, secretKey, method, path, query, body, timestamp, nonce }),
  );

  return { backend, accounts, created, error, signatures };
}
