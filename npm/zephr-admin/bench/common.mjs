// What both benchmark scripts share: the timing loop, the demo key pair, and the
// signer integrators write by hand today (the baseline).
import { createHash } from "node:crypto";

/** Nanoseconds per call of `fn`, after a warm-up, over at least `minMs`. */
export function measure(fn, minMs = 1500) {
  for (let i = 0; i < 2000; i++) fn();
  let iterations = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < BigInt(minMs) * 1_000_000n) {
    for (let i = 0; i < 100; i++) fn();
    iterations += 100;
    elapsed = process.hrtime.bigint() - start;
  }
  return Number(elapsed) / iterations;
}

/** CPU nanoseconds (user + system, this process) per call of `fn`, after a warm-up, over at
 * least `minMs` of CPU time: on a shared machine, time spent waiting for a core is not counted. */
export function measureCpu(fn, minMs = 300) {
  for (let i = 0; i < 2000; i++) fn();
  let iterations = 0;
  const start = process.cpuUsage();
  let used = 0;
  while (used < minMs * 1000) {
    for (let i = 0; i < 100; i++) fn();
    iterations += 100;
    const { user, system } = process.cpuUsage(start);
    used = user + system;
  }
  return (used * 1000) / iterations;
}

/** CPU nanoseconds per call of each function: the fastest of `rounds` short runs, taken in turn,
 * so that every function sees the same spells of load and the least disturbed run counts. */
export function fastest(fns, rounds = 7, minMs = 300) {
  const best = Object.fromEntries(Object.keys(fns).map((name) => [name, Infinity]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, fn] of Object.entries(fns)) best[name] = Math.min(best[name], measureCpu(fn, minMs));
  }
  return best;
}

/** A duration for a table cell. */
export const fmt = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);

export const accessKey = "a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b";
export const secretKey = "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e";

/** The scheme as integrators write it today: createHash with successive updates. */
export function handWritten({ accessKey, secretKey, method, path, query, body, timestamp, nonce }) {
  const hash = createHash("sha256").update(secretKey).update(body).update(path).update(query).update(method)
    .update(String(timestamp)).update(nonce).digest("hex");
  return `ZEPHR-HMAC-SHA256 ${accessKey}:${timestamp}:${nonce}:${hash}`;
}
