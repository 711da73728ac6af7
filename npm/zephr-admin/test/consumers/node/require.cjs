// CommonJS: the package through require (Node 20.19+, 22.12+ load ES modules this way).
const sdk = require("zephr-admin");

import("./steps.js")
  .then(({ runScenario }) => runScenario(sdk, JSON.parse(process.env.SCENARIO_CONFIG)))
  .then((result) => console.log(JSON.stringify(result)));
