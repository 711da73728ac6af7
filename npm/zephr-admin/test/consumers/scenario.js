// The scenario as ES module users write it: named imports from "zephr-admin".
import { NotFoundError, ZephrApiError, ZephrClient, ZephrError, backend, signRequest } from "zephr-admin";
import { runScenario } from "./steps.js";

export const scenario = (config) =>
  runScenario({ NotFoundError, ZephrApiError, ZephrClient, ZephrError, backend, signRequest }, config);
