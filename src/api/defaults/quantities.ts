/**
 * @module SetDefaults_ResourceList: quantities are rounded up to milli
 * precision and, as a Quantity's decode/encode round trip does, written in
 * canonical form ("0.5" -> "500m", "1024Mi" -> "1Gi").
 */
import { formatQuantity, parseQuantity, roundUpQuantity } from '../validation/quantity.ts';

/** Rounds and canonicalises every quantity of a ResourceList in place; values that do not parse are left for validation. */
export function defaultResourceList(list: Record<string, unknown> | undefined | null): void {
  if (!list || typeof list !== 'object') return;
  for (const [k, v] of Object.entries(list)) {
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    try {
      list[k] = formatQuantity(roundUpQuantity(parseQuantity(v), -3));
    } catch {
      // Left as is: validation reports the bad quantity with upstream's text.
    }
  }
}

/** Canonical form of a single quantity field (emptyDir.sizeLimit, divisors), without rounding. */
export function canonicalQuantityField(obj: any, key: string): void {
  const v = obj?.[key];
  if (typeof v !== 'string' && typeof v !== 'number') return;
  try {
    obj[key] = formatQuantity(parseQuantity(v));
  } catch {
    // Left for validation.
  }
}
