import { scenario } from "../../../scenario.js";

export const runtime = "edge";

export async function POST(request) {
  return Response.json(await scenario(await request.json()));
}
