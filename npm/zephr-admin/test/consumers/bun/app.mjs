import { scenario } from "./scenario.js";

console.log(JSON.stringify(await scenario(JSON.parse(process.env.SCENARIO_CONFIG))));
