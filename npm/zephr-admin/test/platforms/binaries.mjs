// Readers for the headers of the three executable formats the addons come in (ELF, Mach-O,
// PE), only as far as the platform checks need them. Each throws on a file of another format.

import { createHash } from "node:crypto";

const cstring = (buf, at) => buf.toString("latin1", at, buf.indexOf(0, at));

/** ELF64 little-endian: machine, DT_NEEDED libraries, and the symbol versions it needs per
 * library (`.gnu.version_r`), e.g. `{ "libc.so.6": ["GLIBC_2.2.5", ...] }`. */
export function readElf(buf) {
  if (buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2 || buf[5] !== 1) throw new Error("not a 64-bit little-endian ELF file");
  const machine = { 62: "x86_64", 183: "aarch64" }[buf.readUInt16LE(0x12)] ?? `machine ${buf.readUInt16LE(0x12)}`;
  const shoff = Number(buf.readBigUInt64LE(0x28));
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  const sections = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    return {
      type: buf.readUInt32LE(at + 4),
      offset: Number(buf.readBigUInt64LE(at + 0x18)),
      size: Number(buf.readBigUInt64LE(at + 0x20)),
      link: buf.readUInt32LE(at + 0x28),
    };
  });
  const needed = [];
  const versions = {};
  for (const section of sections) {
    const strings = sections[section.link]?.offset;
    if (section.type === 6) { // SHT_DYNAMIC
      for (let at = section.offset; at < section.offset + section.size; at += 16) {
        if (buf.readBigInt64LE(at) === 1n) needed.push(cstring(buf, strings + Number(buf.readBigUInt64LE(at + 8))));
      }
    } else if (section.type === 0x6ffffffe) { // SHT_GNU_verneed
      let at = section.offset;
      for (;;) {
        const file = cstring(buf, strings + buf.readUInt32LE(at + 4));
        let aux = at + buf.readUInt32LE(at + 8);
        for (let n = buf.readUInt16LE(at + 2); n > 0; n--) {
          (versions[file] ??= []).push(cstring(buf, strings + buf.readUInt32LE(aux + 8)));
          aux += buf.readUInt32LE(aux + 12);
        }
        const next = buf.readUInt32LE(at + 12);
        if (next === 0) break;
        at += next;
      }
    }
  }
  return { machine, needed, versions };
}

/** The highest `GLIBC_x.y` version among `names`, as [x, y], or undefined. */
export function highestGlibc(names) {
  return names
    .map((name) => /^GLIBC_(\d+)\.(\d+)/.exec(name))
    .filter(Boolean)
    .map((m) => [Number(m[1]), Number(m[2])])
    .sort((a, b) => b[0] - a[0] || b[1] - a[1])[0];
}

/** The LEB128 number at `at` (signed or not): its value and the offset after it. */
const leb128 = (buf, at, signed) => {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [signed && byte & 0x40 ? value - 2 ** shift : value, at];
  }
};
const uleb = (buf, at) => leb128(buf, at, false);
const sleb = (buf, at) => leb128(buf, at, true);

// Where dyld looks an imported symbol up: a library ordinal (1-based) or a special one.
const SPECIAL_ORDINAL = { 0: "self", [-1]: "main executable", [-2]: "flat lookup", [-3]: "weak lookup" };

/** 64-bit Mach-O: CPU, file type, minimum macOS ("11.0"), install name, the libraries it
 * loads, its exported symbols (export trie), its external symbols (`nm -g`: defined ones in
 * `externals`, undefined ones in `undefined` with the library their two-level namespace
 * ordinal names) and its imports (what dyld binds, from the bind opcodes, same form). An
 * import's `from` is a library's install name or "flat lookup" (`-undefined dynamic_lookup`:
 * searched in every image of the process at load, such as the host's Node-API). */
export function readMachO(buf) {
  if (buf.readUInt32LE(0) !== 0xfeedfacf) throw new Error("not a 64-bit Mach-O file");
  const cpu = { 0x0100000c: "arm64", 0x01000007: "x86_64" }[buf.readUInt32LE(4)] ?? `cpu ${buf.readUInt32LE(4)}`;
  const dylib = buf.readUInt32LE(12) === 6; // MH_DYLIB
  const twoLevel = (buf.readUInt32LE(24) & 0x80) !== 0; // MH_TWOLEVEL
  const version = (v) => `${v >>> 16}.${(v >>> 8) & 0xff}`;
  let minos;
  let installName;
  let trie;
  let binds = [];
  let symtab;
  let signature;
  const libraries = [];
  let at = 32;
  for (let i = buf.readUInt32LE(16); i > 0; i--) {
    const cmd = buf.readUInt32LE(at);
    if (cmd === 0x32) minos = version(buf.readUInt32LE(at + 12)); // LC_BUILD_VERSION
    else if (cmd === 0x24) minos = version(buf.readUInt32LE(at + 8)); // LC_VERSION_MIN_MACOSX
    else if (cmd === 0xd) installName = cstring(buf, at + buf.readUInt32LE(at + 8)); // LC_ID_DYLIB
    // LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB, LC_LAZY_LOAD_DYLIB, LC_LOAD_UPWARD_DYLIB:
    // their order gives the library ordinals.
    else if ([0xc, 0x80000018, 0x8000001f, 0x20, 0x80000023].includes(cmd)) libraries.push(cstring(buf, at + buf.readUInt32LE(at + 8)));
    else if (cmd === 0x80000033) trie = [buf.readUInt32LE(at + 8), buf.readUInt32LE(at + 12)]; // LC_DYLD_EXPORTS_TRIE
    else if (cmd === 0x22 || cmd === 0x80000022) { // LC_DYLD_INFO(_ONLY): bind, weak bind, lazy bind, exports
      binds = [16, 24, 32].map((field) => [buf.readUInt32LE(at + field), buf.readUInt32LE(at + field + 4)]);
      trie ??= [buf.readUInt32LE(at + 40), buf.readUInt32LE(at + 44)];
    } else if (cmd === 0x80000034) throw new Error("chained fixups (LC_DYLD_CHAINED_FIXUPS) are not read here");
    else if (cmd === 0x2) symtab = [buf.readUInt32LE(at + 8), buf.readUInt32LE(at + 12), buf.readUInt32LE(at + 16)]; // LC_SYMTAB
    else if (cmd === 0x1d) signature = buf.readUInt32LE(at + 8); // LC_CODE_SIGNATURE
    at += buf.readUInt32LE(at + 4);
  }
  const from = (ordinal) => SPECIAL_ORDINAL[ordinal] ?? libraries[ordinal - 1] ?? `ordinal ${ordinal}`;
  const exports = [];
  if (trie && trie[1] > 0) {
    const walk = (node, prefix) => {
      const [terminal, after] = uleb(buf, trie[0] + node);
      if (terminal > 0) exports.push(prefix);
      let p = after + terminal;
      for (let n = buf[p++]; n > 0; n--) {
        const label = cstring(buf, p);
        p += label.length + 1;
        const [child, next] = uleb(buf, p);
        p = next;
        walk(child, prefix + label);
      }
    };
    walk(0, "");
  }
  const externals = [];
  const undefined_ = [];
  if (symtab) {
    const [symoff, nsyms, stroff] = symtab;
    for (let i = 0; i < nsyms; i++) {
      const nlist = symoff + i * 16;
      const type = buf[nlist + 4];
      if ((type & 0xe0) !== 0 || (type & 0x01) === 0) continue; // debugging entry, or not external
      const name = cstring(buf, stroff + buf.readUInt32LE(nlist));
      if ((type & 0x0e) === 0) {
        // N_UNDF: the high byte of n_desc is the library ordinal (0xfe: dynamic lookup, 0xff: executable).
        const ordinal = buf[nlist + 7];
        undefined_.push({ name, from: from(ordinal === 0xfe ? -2 : ordinal === 0xff ? -1 : ordinal) });
      } else externals.push(name);
    }
  }
  return {
    cpu, dylib, twoLevel, minos, installName, libraries, exports, externals, undefined: undefined_,
    imports: readBinds(buf, binds, from),
    codeSignature: signature === undefined ? undefined : checkCodeDirectory(buf, signature),
  };
}

/** The symbols dyld binds (bind, weak bind and lazy bind opcodes), each once per library. */
function readBinds(buf, tables, from) {
  const seen = new Map();
  for (const [offset, size] of tables) {
    let ordinal = 0;
    let name;
    const bind = () => seen.set(`${name}\0${ordinal}`, { name, from: from(ordinal) });
    for (let p = offset; p < offset + size;) {
      const byte = buf[p++];
      const [op, imm] = [byte & 0xf0, byte & 0x0f];
      if (op === 0x00) continue; // DONE (the lazy table has one after each entry)
      else if (op === 0x10) ordinal = imm; // SET_DYLIB_ORDINAL_IMM
      else if (op === 0x20) [ordinal, p] = uleb(buf, p); // SET_DYLIB_ORDINAL_ULEB
      else if (op === 0x30) ordinal = imm === 0 ? 0 : imm - 16; // SET_DYLIB_SPECIAL_IMM (sign-extended)
      else if (op === 0x40) { name = cstring(buf, p); p += Buffer.byteLength(name, "latin1") + 1; } // SET_SYMBOL_TRAILING_FLAGS_IMM
      else if (op === 0x50) continue; // SET_TYPE_IMM
      else if (op === 0x60) p = sleb(buf, p)[1]; // SET_ADDEND_SLEB
      else if (op === 0x70 || op === 0x80) p = uleb(buf, p)[1]; // SET_SEGMENT_AND_OFFSET_ULEB, ADD_ADDR_ULEB
      else if (op === 0x90 || op === 0xb0) bind(); // DO_BIND, DO_BIND_ADD_ADDR_IMM_SCALED
      else if (op === 0xa0) { bind(); p = uleb(buf, p)[1]; } // DO_BIND_ADD_ADDR_ULEB
      else if (op === 0xc0) { bind(); p = uleb(buf, uleb(buf, p)[1])[1]; } // DO_BIND_ULEB_TIMES_SKIPPING_ULEB
      else throw new Error(`bind opcode 0x${byte.toString(16)} is not read here`);
    }
  }
  return [...seen.values()];
}

/** The code signature's CodeDirectory: its flags, how many of its page hashes (SHA-256) match
 * the file, and whether they cover all of it up to the signature (`codeLimit`). macOS on arm64
 * loads only signed code (an ad-hoc signature will do). */
function checkCodeDirectory(buf, at) {
  if (buf.readUInt32BE(at) !== 0xfade0cc0) throw new Error("no code signature SuperBlob");
  for (let i = 0; i < buf.readUInt32BE(at + 8); i++) {
    const cd = at + buf.readUInt32BE(at + 12 + 8 * i + 4);
    if (buf.readUInt32BE(cd) !== 0xfade0c02) continue;
    const hashOffset = buf.readUInt32BE(cd + 16);
    const slots = buf.readUInt32BE(cd + 28);
    const codeLimit = buf.readUInt32BE(cd + 32);
    const [hashSize, hashType, , pageShift] = [buf[cd + 36], buf[cd + 37], buf[cd + 38], buf[cd + 39]];
    if (hashType !== 2 || hashSize !== 32) throw new Error(`hash type ${hashType} is not SHA-256`);
    let matching = 0;
    for (let slot = 0; slot < slots; slot++) {
      const page = buf.subarray(slot << pageShift, Math.min((slot + 1) << pageShift, codeLimit));
      const expected = buf.subarray(cd + hashOffset + slot * 32, cd + hashOffset + (slot + 1) * 32);
      if (createHash("sha256").update(page).digest().equals(expected)) matching++;
    }
    return { flags: buf.readUInt32BE(cd + 12), slots, matching, coversFile: codeLimit === at };
  }
  throw new Error("no CodeDirectory in the code signature");
}

/** PE32+: machine, whether it is a DLL, exported names and imported DLLs. */
export function readPe(buf) {
  if (buf.toString("latin1", 0, 2) !== "MZ") throw new Error("not a PE file");
  const pe = buf.readUInt32LE(0x3c);
  if (buf.readUInt32LE(pe) !== 0x4550) throw new Error("not a PE file");
  const machine = { 0x8664: "x86_64", 0xaa64: "arm64" }[buf.readUInt16LE(pe + 4)] ?? `machine ${buf.readUInt16LE(pe + 4)}`;
  const dll = (buf.readUInt16LE(pe + 22) & 0x2000) !== 0;
  const optional = pe + 24;
  if (buf.readUInt16LE(optional) !== 0x20b) throw new Error("not PE32+");
  const sectionTable = optional + buf.readUInt16LE(pe + 20);
  const sections = Array.from({ length: buf.readUInt16LE(pe + 6) }, (_, i) => {
    const at = sectionTable + i * 40;
    return { rva: buf.readUInt32LE(at + 12), size: buf.readUInt32LE(at + 8), raw: buf.readUInt32LE(at + 20) };
  });
  const offset = (rva) => {
    const s = sections.find((s) => rva >= s.rva && rva < s.rva + s.size);
    if (!s) throw new Error(`RVA ${rva} is in no section`);
    return rva - s.rva + s.raw;
  };
  const directory = (i) => buf.readUInt32LE(optional + 112 + i * 8);
  const exports = [];
  if (directory(0)) {
    const at = offset(directory(0));
    const names = offset(buf.readUInt32LE(at + 32));
    for (let i = 0; i < buf.readUInt32LE(at + 24); i++) exports.push(cstring(buf, offset(buf.readUInt32LE(names + 4 * i))));
  }
  const imports = [];
  if (directory(1)) {
    for (let at = offset(directory(1)); buf.readUInt32LE(at + 12) !== 0; at += 20) imports.push(cstring(buf, offset(buf.readUInt32LE(at + 12))));
  }
  return { machine, dll, exports, imports };
}
