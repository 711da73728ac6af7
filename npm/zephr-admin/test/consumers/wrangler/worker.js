import { scenario } from "./scenario.js";

export default {
  async fetch(request, env) {
    try {
      return Response.json(await scenario(JSON.parse(env.SCENARIO_CONFIG)));
    } catch (e) {
      return new Response(String(e?.stack ?? e), { status: 500 });
    }
  },
};
