/**
 * The number of arguments a Dubbo invocation carries, from its parameter-types descriptor (JVM
 * method descriptor syntax without the parentheses: `Ljava/lang/String;I[J[[Lcom/x/Y;`).
 * Throws on a descriptor that is not one, so a broken body is reported, not misread.
 */
export function argumentCount(desc: string): number {
  let count = 0;
  let i = 0;
  while (i < desc.length) {
    const c = desc.charCodeAt(i);
    if (c === 0x5b /* [ */) {
      i++;
      continue;
    }
    if (c === 0x4c /* L */) {
      const end = desc.indexOf(';', i + 1);
      if (end < 0) throw new Error(`parameter types ${JSON.stringify(desc)}: class name at ${i} has no ';'`);
      i = end + 1;
      count++;
      continue;
    }
    if (!PRIMITIVES.has(c)) throw new Error(`parameter types ${JSON.stringify(desc)}: unexpected ${JSON.stringify(desc[i])} at ${i}`);
    i++;
    count++;
  }
  if (desc.length > 0 && desc.charCodeAt(desc.length - 1) === 0x5b) throw new Error(`parameter types ${JSON.stringify(desc)}: array of nothing`);
  return count;
}

/** boolean, byte, char, double, float, int, long, short (and void, which MOSN counts too). */
const PRIMITIVES = new Set(Array.from('ZBCDFIJSV', (ch) => ch.charCodeAt(0)));
