/**
 * @module resource.Quantity as k8s.io/apimachinery/pkg/api/resource parses,
 * compares and serialises it: "500m", "1Gi", "0.5" -> "500m", "1e3", with
 * values held exactly as a BigInt mantissa times a power of ten.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** value = mantissa * 10^scale, exactly. */
  mantissa: bigint;
  scale: number;
  /** The format of the suffix it was written with; canonical() writes it back in that format. */
  format: QuantityFormat;
}

/** resource.ErrFormatWrong and friends, with upstream's texts. */
export class QuantityError extends Error {
  readonly code: 'FORMAT' | 'NUMERIC' | 'SUFFIX';
  constructor(code: 'FORMAT' | 'NUMERIC' | 'SUFFIX') {
    super(
      code === 'FORMAT'
        ? "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        : code === 'NUMERIC'
          ? 'unable to parse numeric part of quantity'
          : "unable to parse quantity's suffix",
    );
    this.name = 'QuantityError';
    this.code = code;
  }
}

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const decimalByExp = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binaryByExp = new Map(Object.entries(binarySuffixes).map(([s, e]) => [e, s]));

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Division rounding away from zero, as inf.RoundUp does. */
function divAwayFromZero(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b === 0n ? q : a < 0n ? q - 1n : q + 1n;
}

/**
 * resource.ParseQuantity. Accepts the JSON forms too: a number (YAML `cpu: 1`)
 * is read from its decimal text. Values finer than 1n are rounded up (away
 * from zero) to nano precision, as upstream does.
 */
export function parseQuantity(input: string | number): Quantity {
  const str = typeof input === 'number' ? numberText(input) : input;
  if (typeof str !== 'string' || str.length === 0) throw new QuantityError('FORMAT');
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(str);
  if (!m) throw new QuantityError('FORMAT');
  const [, sign, whole, frac = '', suffix] = m;
  if (whole.length === 0 && frac.length === 0) throw new QuantityError('FORMAT');
  if (!/^(?:[eEinumkKMGTP]*[-+]?[0-9]*)$/.test(suffix)) throw new QuantityError('FORMAT');
  let mantissa = BigInt((whole || '0') + frac);
  let scale = -frac.length;
  let format: QuantityFormat;
  if (suffix in decimalSuffixes) {
    format = 'DecimalSI';
    scale += decimalSuffixes[suffix];
  } else if (suffix in binarySuffixes) {
    format = 'BinarySI';
    mantissa *= 1024n ** BigInt(binarySuffixes[suffix]);
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    format = 'DecimalExponent';
    const e = Number(suffix.slice(1));
    if (!Number.isSafeInteger(e) || Math.abs(e) > 1e6) throw new QuantityError('SUFFIX');
    scale += e;
  } else {
    throw new QuantityError('SUFFIX');
  }
  if (sign === '-') mantissa = -mantissa;
  if (scale < -9) {
    mantissa = divAwayFromZero(mantissa, pow10(-9 - scale));
    scale = -9;
  }
  return normalize({ mantissa, scale, format });
}

/** JS numbers as the text a JSON encoder would have sent (no "1e+21" sign quirk matters to the parser). */
function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new QuantityError('FORMAT');
  return String(n);
}

/** Strips trailing decimal zeros so equal values have equal (mantissa, scale). */
function normalize(q: Quantity): Quantity {
  let { mantissa, scale } = q;
  if (mantissa === 0n) return { mantissa: 0n, scale: 0, format: q.format };
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    scale++;
  }
  return { mantissa, scale, format: q.format };
}

/** Quantity.Cmp: -1, 0 or 1. */
export function compareQuantities(a: Quantity | string | number, b: Quantity | string | number): number {
  const x = toQ(a);
  const y = toQ(b);
  const s = Math.min(x.scale, y.scale);
  const xm = x.mantissa * pow10(x.scale - s);
  const ym = y.mantissa * pow10(y.scale - s);
  return xm < ym ? -1 : xm > ym ? 1 : 0;
}

function toQ(v: Quantity | string | number): Quantity {
  return typeof v === 'object' ? v : parseQuantity(v);
}

export function isNegative(q: Quantity): boolean {
  return q.mantissa < 0n;
}

/** Quantity.MilliValue() % 1000 == 0: whether the value is a whole number. */
export function isInteger(q: Quantity): boolean {
  return q.scale >= 0;
}

/** Quantity.Value(): the value rounded up (away from zero) to an integer, as a BigInt. */
export function quantityValue(q: Quantity): bigint {
  return q.scale >= 0 ? q.mantissa * pow10(q.scale) : divAwayFromZero(q.mantissa, pow10(-q.scale));
}

/** Quantity.MilliValue(), as a BigInt. */
export function quantityMilliValue(q: Quantity): bigint {
  return q.scale >= -3 ? q.mantissa * pow10(q.scale + 3) : divAwayFromZero(q.mantissa, pow10(-3 - q.scale));
}

/** Quantity.RoundUp(scale): round away from zero to 10^scale precision (SetDefaults_ResourceList uses -3). */
export function roundUpQuantity(q: Quantity, scale: number): Quantity {
  if (q.scale >= scale) return q;
  return normalize({ mantissa: divAwayFromZero(q.mantissa, pow10(scale - q.scale)), scale, format: q.format });
}

/** Quantity.String(): the canonical text upstream serialises ("1500m", "1536Mi", "1e3"). */
export function formatQuantity(q: Quantity): string {
  if (q.mantissa === 0n) return '0';
  const neg = q.mantissa < 0n;
  const abs = neg ? -q.mantissa : q.mantissa;
  let format = q.format;
  if (format === 'BinarySI') {
    // Upstream: values under 1024 and non-integers are shown as DecimalSI to avoid rounding.
    if (q.scale < 0 || abs * pow10(q.scale) < 1024n) format = 'DecimalSI';
  }
  let text: string;
  if (format === 'BinarySI') {
    let v = abs * pow10(q.scale);
    let exp = 0;
    while (exp < 6 && v % 1024n === 0n) {
      v /= 1024n;
      exp++;
    }
    text = `${v}${binaryByExp.get(exp) ?? ''}`;
  } else {
    // AsCanonicalBytes: exponent a multiple of 3, mantissa an integer.
    let m = abs;
    let exp = q.scale;
    const r = ((exp % 3) + 3) % 3;
    if (r === 1) {
      m *= 10n;
      exp -= 1;
    } else if (r === 2) {
      m *= 100n;
      exp -= 2;
    }
    if (format === 'DecimalExponent') {
      text = exp === 0 ? `${m}` : `${m}e${exp}`;
    } else if (exp > 18) {
      text = `${m * pow10(exp - 18)}E`;
    } else {
      text = `${m}${decimalByExp.get(exp) ?? ''}`;
    }
  }
  return neg ? `-${text}` : text;
}

/** Parse then format: the form the apiserver stores and returns. Throws QuantityError on bad input. */
export function canonicalQuantity(input: string | number): string {
  return formatQuantity(parseQuantity(input));
}

/** The canonical text, or undefined when the input does not parse (validation reports that elsewhere). */
export function tryCanonical(input: unknown): string | undefined {
  if (typeof input !== 'string' && typeof input !== 'number') return undefined;
  try {
    return canonicalQuantity(input);
  } catch {
    return undefined;
  }
}

export function tryParseQuantity(input: unknown): Quantity | undefined {
  if (typeof input !== 'string' && typeof input !== 'number') return undefined;
  try {
    return parseQuantity(input);
  } catch {
    return undefined;
  }
}
