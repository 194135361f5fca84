/** A 64-bit hash as two unsigned 32-bit halves (JavaScript numbers hold 53 bits, not 64). */
export interface Hash64 {
  readonly hi: number;
  readonly lo: number;
}

const FNV_PRIME_LOW = 0x1b3; // the FNV-1a 64 prime is 2^40 + 0x1b3

/**
 * A stable 64-bit hash of `input`: FNV-1a 64 over its UTF-8 bytes, then each half avalanched with
 * murmur3's fmix32 because FNV's low bits mix poorly and the maglev table reads all of them.
 * Stable across processes, versions and machines, so every proxy sends a key to the same host.
 * `seed` (0..65535) gives independent hash functions.
 */
export function hash64(input: string, seed = 0): Hash64 {
  const [h0, h1, h2, h3] = fnv1a64Limbs(input, seed);
  const hi = ((h3 << 16) | h2) >>> 0;
  const lo = ((h1 << 16) | h0) >>> 0;
  return { hi: fmix32(hi ^ lo), lo: fmix32(lo) };
}

/** The plain FNV-1a 64 value in hex (no avalanche), to check against published test vectors. */
export function fnv1a64Hex(input: string): string {
  return fnv1a64Limbs(input, 0)
    .reverse()
    .map((l) => l.toString(16).padStart(4, '0'))
    .join('');
}

/** FNV-1a 64 in four 16-bit limbs, low first (no BigInt on the request path). */
function fnv1a64Limbs(input: string, seed: number): number[] {
  let h0 = 0x2325 ^ (seed & 0xffff);
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  const ascii = isAscii(input);
  const bytes = ascii ? undefined : Buffer.from(input, 'utf8');
  const length = bytes ? bytes.length : input.length;
  for (let i = 0; i < length; i++) {
    h0 ^= bytes ? bytes[i] : input.charCodeAt(i);
    // h * (2^40 + 0x1b3) mod 2^64, limb by limb with carries
    const t0 = h0 * FNV_PRIME_LOW;
    const t1 = h1 * FNV_PRIME_LOW + (t0 >>> 16);
    const t2 = h2 * FNV_PRIME_LOW + (t1 >>> 16) + h0 * 256;
    const t3 = h3 * FNV_PRIME_LOW + (t2 >>> 16) + h1 * 256;
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  return [h0, h1, h2, h3];
}

/** `hash mod m` of the whole 64-bit value, for m up to 2^21. */
export function hashModulo(hash: Hash64, m: number): number {
  return ((hash.hi % m) * (0x100000000 % m) + (hash.lo % m)) % m;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
