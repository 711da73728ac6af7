// A Worker that receives Zephr webhooks (run by workerd through Miniflare): it verifies each
// delivery with constructEvent, narrows the event on `type`, and keeps what it saw for the
// test to read at /seen. Bindings: TOKEN (the webhook's Bearer token).
import { constructEvent, ZephrWebhookError } from "../../dist/entry-workerd.js";

const seen = [];

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === "/seen") return Response.json(seen);
    try {
      const event = await constructEvent(request, { bearer: env.TOKEN, toleranceMs: 60_000 });
      let summary;
      switch (event.type) {
        case "CREATE_USER":
          summary = event.details.identifiers?.email_address;
          break;
        case "GRANT":
          summary = event.details?.entitlement_id;
          break;
        case "UNKNOWN":
          summary = event.rawType;
          break;
        default:
          summary = event.type;
      }
      seen.push({ ok: true, type: event.type, summary, dedupeKey: event.dedupeKey, method: request.method });
      return new Response(null, { status: 204 });
    } catch (error) {
      if (!(error instanceof ZephrWebhookError)) throw error;
      seen.push({ ok: false, code: error.code, reason: error.reason ?? null });
      return new Response(error.code, { status: error.status });
    }
  },
};
