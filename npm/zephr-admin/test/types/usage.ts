// Compile-time checks of the public types (tsc --noEmit); nothing here runs.
import {
  type ListResult,
  type ListUserSessionsResult,
  NotFoundError,
  ZephrClient,
  backend,
  backendName,
  operations,
  parseResponse,
  prepareRequest,
  ready,
  signRequest,
  type BackendName,
} from "zephr-admin";

export async function usage(client: ZephrClient): Promise<void> {
  const sessions: ListUserSessionsResult = await client.users.listSessions({ user_id: "u" });
  sessions.sessions?.forEach((s) => s.session_id?.toUpperCase());
  const accounts = await client.account.list({ rpp: 10, page: 2 });
  accounts.results.map((a) => a.account_id);
  const users: ListResult<unknown> = await client.request("listUsers", { "identifiers.email_address": "a@b.c" });
  void users;
  for await (const account of client.paginate("listAccounts", { rpp: 50 })) void account.account_id;
  await client.account.list();
  // @ts-expect-error user_id is required
  await client.users.listSessions({});
  // @ts-expect-error unknown operation id
  await client.request("noSuchOperation", {});
  // @ts-expect-error rpp is a number
  await client.account.list({ rpp: {} });
  try {
    await client.users.get({ user_id: "x" });
  } catch (e) {
    if (e instanceof NotFoundError) void [e.status, e.requestId, e.body, e.hint, e.response?.status];
  }
  const header: string = signRequest({ accessKey: "a", secretKey: "s", method: "GET", path: "/", timestamp: 1, nonce: "n" });
  const prepared = prepareRequest("getUser", { user_id: "u" }, { accessKey: "a", secretKey: "s", tenant: "t" });
  void [header, prepared.url, prepared.headers.authorization, backend, operations[0]?.operationId];
  void parseResponse("getUser", { status: 200, headers: new Headers(), body: "{}" });
}

// Each entry binds the API to its backend; none of that plumbing shows in the types.
export async function binding(): Promise<ZephrClient> {
  await ready();
  const name: BackendName = backendName();
  const same: BackendName = backend;
  void [name, same];
  // @ts-expect-error the client takes its options only
  void new ZephrClient({ accessKey: "a", secretKey: "s" }, () => null);
  // @ts-expect-error signRequest takes one input
  void signRequest(() => null, { accessKey: "a", secretKey: "s", method: "GET", path: "/", timestamp: 1, nonce: "n" });
  return new ZephrClient({ accessKey: "a", secretKey: "s", tenant: "t" });
}
