// A TypeScript consumer: typed uses of the API that must compile under `strict` with
// `skipLibCheck: false`, then the shared scenario run from the emitted JavaScript.
import {
  type ClientOptions,
  type ListAccountsResult,
  NotFoundError,
  ZephrApiError,
  ZephrClient,
  ZephrError,
  backend,
  signRequest,
} from "zephr-admin";
import { runScenario } from "./steps.js";

export async function typed(client: ZephrClient): Promise<string[]> {
  const page: ListAccountsResult = await client.account.list({ rpp: 3 });
  // @ts-expect-error the parameter is `user_id`, as documented
  await client.users.get({ userId: "u-1" });
  try {
    await client.users.get({ user_id: "u-1" });
  } catch (e) {
    if (e instanceof NotFoundError) return [String(e.status), e.requestId ?? ""];
  }
  return page.results.map((account) => account.account_id ?? "");
}

const config: ClientOptions & { vectors: unknown[] } = JSON.parse(process.env.SCENARIO_CONFIG ?? "{}");
const result = await runScenario({ NotFoundError, ZephrApiError, ZephrClient, ZephrError, backend, signRequest }, config);
console.log(JSON.stringify(result));
