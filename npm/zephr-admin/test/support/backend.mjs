// The backend a suite runs against: ZEPHR_BACKEND=wasm (default) imports
// `zephr-admin/wasm`, ZEPHR_BACKEND=native imports `zephr-admin/node`.
export const expectedBackend = process.env.ZEPHR_BACKEND ?? "wasm";
if (!["wasm", "native"].includes(expectedBackend)) throw new Error(`ZEPHR_BACKEND must be wasm or native, not ${expectedBackend}`);

export const zephr = expectedBackend === "native" ? await import("zephr-admin/node") : await import("zephr-admin/wasm");
