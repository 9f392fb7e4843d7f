/** Small statistics helpers for the benchmark tables. */

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function ratio(a, b) {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN;
}

export function fmt(value, digits = 0) {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtRatio(value) {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '–';
}

export function mb(bytes) {
  return bytes / (1024 * 1024);
}

/** "met" / "MISSED" against a target; `higherIsBetter` says which side passes. */
export function verdict(value, target, higherIsBetter) {
  if (!Number.isFinite(value)) return '?';
  return (higherIsBetter ? value >= target : value <= target) ? 'met' : 'MISSED';
}
