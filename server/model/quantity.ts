/**
 * Kubernetes resource quantities ("100m", "8163684Ki", "1.5Gi", "129e6") to the base-unit integers
 * the model stores (see `ResourceQuantities`).
 */

const SUFFIX_FACTOR: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/**
 * The quantity as a whole number of `unit`s, rounded up as Kubernetes does (`ScaledValue`):
 * `parseQuantity('100m', 1e-3)` is 100 millicores, `parseQuantity('8163684Ki')` is bytes.
 * Throws a RangeError for anything that is not a quantity.
 */
export function parseQuantity(quantity: string, unit = 1): number {
  const match = QUANTITY.exec(quantity.trim());
  if (!match) throw new RangeError(`not a Kubernetes quantity: ${JSON.stringify(quantity)}`);
  const [, number = '', exponent, suffix] = match;
  const factor = exponent !== undefined ? 10 ** Number(exponent) : suffix ? (SUFFIX_FACTOR[suffix] ?? 1) : 1;
  const scaled = (Number(number) * factor) / unit;
  // Decimal factors are inexact in binary floating point (0.7 * 1000 = 700.0000000000001): snap
  // what is within rounding noise of an integer before rounding up.
  const nearest = Math.round(scaled);
  return Math.abs(scaled - nearest) < 1e-9 * Math.max(1, Math.abs(scaled)) ? nearest : Math.ceil(scaled);
}
