// `zephr-admin/node`: the native addon, explicitly; fails when it cannot load.
import { howToGetNative, loadNative } from "./native.js";
import { installBackend } from "./index.js";

const loaded = loadNative();
if (!loaded.addon) throw new Error(howToGetNative(loaded.platform, loaded.error));
installBackend("native", loaded.addon);

export * from "./index.js";
