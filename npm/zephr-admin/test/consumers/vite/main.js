import { scenario } from "./scenario.js";

fetch("/scenario-config.json")
  .then((r) => r.json())
  .then(scenario)
  .then(
    (result) => (window.scenarioResult = result),
    (e) => (window.scenarioError = String(e?.stack ?? e)),
  );
