/** MOSN's feature gates and their defaults (all alpha, off). */
export const KNOWN_FEATURE_GATES: Readonly<Record<string, boolean>> = {
  XdsMtlsEnable: false,
  PayLoadLimitEnable: false,
  MultiTenantMode: false,
};

/**
 * Parses `-f "XdsMtlsEnable=true,MultiTenantMode=false"` (a bare name means true) over the
 * defaults. Throws naming the gate when it is unknown or its value is not a boolean.
 */
export function parseFeatureGates(specs: readonly string[]): Record<string, boolean> {
  const gates: Record<string, boolean> = { ...KNOWN_FEATURE_GATES };
  for (const spec of specs) {
    for (const part of spec.split(',')) {
      const item = part.trim();
      if (!item) continue;
      const eq = item.indexOf('=');
      const name = eq < 0 ? item : item.slice(0, eq).trim();
      const value = eq < 0 ? 'true' : item.slice(eq + 1).trim().toLowerCase();
      if (!(name in KNOWN_FEATURE_GATES)) {
        throw new Error(`unknown feature gate ${JSON.stringify(name)} (known: ${Object.keys(KNOWN_FEATURE_GATES).join(', ')})`);
      }
      if (value !== 'true' && value !== 'false') throw new Error(`feature gate ${name}: ${JSON.stringify(value)} is not true or false`);
      gates[name] = value === 'true';
    }
  }
  return gates;
}
