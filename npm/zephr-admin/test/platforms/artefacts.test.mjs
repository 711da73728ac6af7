// The built addons of every platform package (scripts/build-platforms.sh), read from their
// headers: the right architecture and format; glibc builds need nothing newer than glibc
// 2.17; musl builds link musl and no glibc; the macOS builds declare their minimum macOS,
// export the Node-API entry point and nothing else, import from libSystem only, are named by
// their file, not a build path, and (arm64) carry a valid ad-hoc signature; the Windows DLL
// exports the entry point and imports no libnode. No artefact carries a path of the build
// machine.
// Run by scripts/platforms.sh after the cross builds (every addon must be there).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { PREBUILT } from "../../dist/native.js";
import { highestGlibc, readElf, readMachO, readPe } from "./binaries.mjs";

const npmDir = new URL("../../../", import.meta.url);
const addon = (platform) => readFileSync(new URL(`zephr-admin-${platform}/zephr-admin.${platform}.node`, npmDir));
const ENTRY = "napi_register_module_v1";

test("every platform the loader looks for has a built addon", () => {
  for (const platform of PREBUILT) assert.ok(addon(platform).length > 100_000, platform);
});

for (const [platform, machine] of [["linux-x64-gnu", "x86_64"], ["linux-arm64-gnu", "aarch64"]]) {
  test(`${platform}: ${machine} ELF that needs glibc 2.17 at most`, () => {
    const elf = readElf(addon(platform));
    assert.equal(elf.machine, machine);
    assert.ok(elf.needed.includes("libc.so.6"), `NEEDED: ${elf.needed}`);
    const all = Object.values(elf.versions).flat();
    const highest = highestGlibc(all);
    assert.ok(highest, `no GLIBC versions in ${all}`);
    assert.ok(highest[0] < 2 || (highest[0] === 2 && highest[1] <= 17), `needs GLIBC_${highest.join(".")}: ${all.filter((v) => v.startsWith("GLIBC_2.")).sort()}`);
  });
}

for (const [platform, machine] of [["linux-x64-musl", "x86_64"], ["linux-arm64-musl", "aarch64"]]) {
  test(`${platform}: ${machine} ELF linked against musl, not glibc`, () => {
    const elf = readElf(addon(platform));
    assert.equal(elf.machine, machine);
    assert.ok(elf.needed.includes("libc.so"), `NEEDED: ${elf.needed}`);
    assert.deepEqual(elf.needed.filter((lib) => /libc\.so\.6|ld-linux/.test(lib)), []);
    assert.equal(highestGlibc(Object.values(elf.versions).flat()), undefined);
  });
}

for (const [platform, cpu, minos] of [["darwin-arm64", "arm64", "11.0"], ["darwin-x64", "x86_64", "10.13"]]) {
  test(`${platform}: ${cpu} Mach-O dylib for macOS ${minos}, exporting the entry point only`, () => {
    const macho = readMachO(addon(platform));
    assert.equal(macho.cpu, cpu);
    assert.ok(macho.dylib);
    assert.equal(macho.minos, minos);
    // What dyld can find in it (export trie), and what `nm -g` lists as defined.
    assert.deepEqual(macho.exports, [`_${ENTRY}`]);
    assert.deepEqual(macho.externals, [`_${ENTRY}`]);
    assert.equal(macho.installName, `@rpath/zephr-admin.${platform}.node`);
    if (cpu === "arm64") {
      // Apple silicon runs signed code only: the linker's ad-hoc signature must match every
      // page of the final (stripped) file.
      const { flags, slots, matching, coversFile } = macho.codeSignature;
      assert.equal(flags & 0x2, 0x2, "ad-hoc signed");
      assert.ok(slots > 0);
      assert.equal(matching, slots);
      assert.ok(coversFile, "the page hashes stop short of the signature");
    }
  });

  test(`${platform}: imports only from libSystem, two-level; Node-API found in the host at load`, () => {
    const macho = readMachO(addon(platform));
    assert.ok(macho.twoLevel);
    assert.deepEqual(macho.libraries, ["/usr/lib/libSystem.B.dylib"]);
    // Each symbol dyld binds (and each undefined one in the symbol table) names the library
    // of its two-level namespace. Node-API lives in the host process (node, Electron), not in
    // a library: a napi_* import must be a flat lookup (`-undefined dynamic_lookup`). With
    // napi's dyn-symbols there are none: the addon looks them up with dlsym at load.
    for (const list of [macho.imports, macho.undefined]) {
      assert.ok(list.length > 0);
      const napi = list.filter(({ name }) => name.startsWith("_napi_"));
      assert.deepEqual(napi.filter(({ from }) => from !== "flat lookup"), []);
      assert.deepEqual(list.filter(({ name, from }) => !name.startsWith("_napi_") && from !== "/usr/lib/libSystem.B.dylib"), []);
    }
    assert.ok(macho.imports.some(({ name }) => name === "_dlsym"), "dlsym (Node-API lookup) is not imported");
  });
}

test(`win32-x64: x86_64 PE32+ DLL exporting ${ENTRY}, Node-API resolved at run time`, () => {
  const pe = readPe(addon("win32-x64"));
  assert.equal(pe.machine, "x86_64");
  assert.ok(pe.dll);
  assert.ok(pe.exports.includes(ENTRY), `exports: ${pe.exports}`);
  assert.deepEqual(pe.imports.filter((dll) => /node/i.test(dll)), [], `imports: ${pe.imports}`);
});

test("no addon names a path of the build machine", () => {
  const repo = fileURLToPath(new URL("../../../../", import.meta.url)).replace(/\/$/, "");
  for (const platform of PREBUILT) {
    const text = addon(platform).toString("latin1");
    // The repository, Rust's toolchain and registry, and the cache of the cross toolchains
    // (zig, the macOS library stubs, the libnode stub).
    for (const path of [repo, `${homedir()}/.cargo`, `${homedir()}/.rustup`, "/.cargo/registry/src/", `${homedir()}/.cache`]) {
      assert.ok(!text.includes(path), `${platform} contains ${path}`);
    }
  }
});
