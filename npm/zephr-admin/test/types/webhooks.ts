// Compile-time checks of the webhook types (tsc --noEmit); nothing here runs.
import { type MalformedReason, type ZephrWebhookEvent, ZephrWebhookError, constructEvent, generateTestWebhook, verifyWebhook } from "zephr-admin";

declare const request: Request;

export async function handler(): Promise<string | undefined> {
  const event: ZephrWebhookEvent = await constructEvent(request, { bearer: "t", toleranceMs: 300_000 });
  switch (event.type) {
    case "CREATE_USER": {
      // Narrowed to a user event: details is a user record.
      const email: string | undefined = event.details.identifiers?.email_address;
      const verified: boolean | undefined = event.details.email_verified;
      return `${email} ${verified}`;
    }
    case "GRANT":
      // @ts-expect-error: not a user event, details has no typed user_id
      event.details.user_id.toUpperCase();
      return event.dedupeKey;
    case "UNKNOWN":
      return event.rawType;
    default:
      return event.type;
  }
}

export function options(): void {
  // @ts-expect-error: bearer and basic are exclusive
  verifyWebhook({ authorization: null, body: "" }, { bearer: "t", basic: { username: "u", password: "p" } });
  // @ts-expect-error: credentials are required
  verifyWebhook({ authorization: null, body: "" }, { toleranceMs: 1 });
  const delivery = generateTestWebhook({ type: "CREATE_USER", details: { user_id: "u" } }, { basic: { username: "u", password: "p" } }, "PUT");
  const req: Request = delivery.toRequest("http://localhost/hook");
  void req;
  // @ts-expect-error: webhooks only use GET, POST, PUT and DELETE
  generateTestWebhook({ type: "GRANT" }, { bearer: "t" }, "PATCH");
  try {
    verifyWebhook({ authorization: null, body: "" }, { bearer: "t" });
  } catch (e) {
    if (e instanceof ZephrWebhookError) {
      const code: "webhook_missing_authorization" | "webhook_malformed_authorization" | "webhook_wrong_credentials" | "webhook_invalid_body" | "webhook_stale_event" | "webhook_invalid_config" = e.code;
      const status: 400 | 401 = e.status;
      // The reason a malformed header was refused has a nameable type.
      const reason: MalformedReason | undefined = e.reason;
      void code;
      void status;
      void reason;
    }
  }
}
