// `zephr-admin/node`: the native addon, explicitly; fails at import when it cannot load.
import { howToGetNative, loadNative } from "./native.js";
import { bindBackend } from "./api.js";

const loaded = loadNative();
if (!loaded.addon) throw new Error(howToGetNative(loaded.platform, loaded.error));

export const { signRequest, prepareRequest, parseResponse, ZephrClient, backend, backendName, ready,
  constructEvent, verifyWebhook, generateTestWebhook } = bindBackend("native", () => loaded.addon);
export * from "./shared.js";
