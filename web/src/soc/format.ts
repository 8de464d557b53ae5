/** Presentation rules of the SOC pages that need no React: colours, durations, demo data. */
import type { Severity } from '../api/soc.js';

/** Badge colours, a ramp from grey to red with white text only where the contrast allows. */
export const SEVERITY_COLOURS: Record<Severity, { background: string; text: string }> = {
  info: { background: '#e1e4e8', text: '#24292f' },
  low: { background: '#ddf4ff', text: '#0a3069' },
  medium: { background: '#fff8c5', text: '#4d2d00' },
  high: { background: '#fb8f44', text: '#3d1300' },
  critical: { background: '#cf222e', text: '#ffffff' },
};

const UNITS = {
  'zh-CN': { day: ' 天', hour: ' 小时', minute: ' 分', second: ' 秒' },
  en: { day: 'd', hour: 'h', minute: 'm', second: 's' },
} as const;

const UNIT_SECONDS = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
] as const;

/**
 * A duration in its two largest units ("3 分 20 秒", "3m 20s", "2 天 4 小时"), rounded to the
 * second; a zero unit between them is dropped ("1h", not "1h 0m"). Not a duration → "—".
 */
export function formatDuration(seconds: number, locale: string): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const units = locale === 'en' ? UNITS.en : UNITS['zh-CN'];
  let rest = Math.round(seconds);
  const parts: string[] = [];
  for (const [unit, size] of UNIT_SECONDS) {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (parts.length > 0 || amount > 0) parts.push(amount > 0 ? `${amount}${units[unit]}` : '');
    if (parts.length === 2) break;
  }
  const text = parts.filter(Boolean).join(' ');
  return text || `0${units.second}`;
}

/** Ids of the demo fleet start with `demo-`, so its items can be told apart from real ones. */
export const DEMO_PREFIX = 'demo-';

/** Whether any of the item's tenant and cluster ids belongs to the demo fleet. */
export function isDemoData(ids: readonly (string | undefined)[]): boolean {
  return ids.some((id) => id?.startsWith(DEMO_PREFIX) === true);
}
