/** Dates are shown in Asia/Shanghai unless the user chooses otherwise. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

export function formatDateTime(iso: string, locale: string, timeZone = DEFAULT_TIME_ZONE): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(new Date(iso));
}

/** Asia/Shanghai has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** A `<input type="datetime-local">` value (`2026-11-23T13:00`) for an instant, on the Shanghai clock. */
export function toShanghaiInput(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? '' : new Date(time + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16);
}

/** The instant a Shanghai wall-clock `datetime-local` value names; undefined when it is not one. */
export function fromShanghaiInput(local: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(local)) return undefined;
  const time = Date.parse(`${local}Z`);
  return Number.isNaN(time) ? undefined : new Date(time - SHANGHAI_OFFSET_MS).toISOString();
}
