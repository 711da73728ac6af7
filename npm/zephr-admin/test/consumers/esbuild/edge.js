// For Vercel's edge runtime: a fetch event handler, as edge functions are written.
import { scenario } from "./scenario.js";

addEventListener("fetch", (event) => {
  event.respondWith(
    event.request
      .json()
      .then(scenario)
      .then(
        (result) => Response.json(result),
        (e) => new Response(String(e?.stack ?? e), { status: 500 }),
      ),
  );
});
