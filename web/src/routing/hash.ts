/**
 * Hash routes (`#/alerts?severity=high`): the page and its filters live in the URL, so a view can
 * be bookmarked and shared, and the server needs no history fallback.
 */
export const PAGES = ['status', 'alerts', 'incidents', 'incident', 'mttx', 'rules'] as const;
export type Page = (typeof PAGES)[number];

export interface Route {
  page: Page;
  /** The object of a detail page (`#/incidents/<id>`). */
  id?: string;
  query: URLSearchParams;
}

/** A path segment as typed; a malformed escape is kept verbatim rather than thrown. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The route of `location.hash`; anything unknown is the status page, the console's home. */
export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, '');
  const mark = text.indexOf('?');
  const path = mark === -1 ? text : text.slice(0, mark);
  const query = new URLSearchParams(mark === -1 ? '' : text.slice(mark + 1));
  const [first, second, ...rest] = path.split('/').filter(Boolean);
  if (first === 'incidents' && second !== undefined && rest.length === 0) {
    return { page: 'incident', id: decodeSegment(second), query };
  }
  const page = PAGES.find((p) => p === first && p !== 'incident');
  return page && second === undefined ? { page, query } : { page: 'status', query };
}

/** `#/path?…` with the non-empty parameters, in the order given. */
export function hashFor(path: string, params: Record<string, string | undefined> = {}): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') query.set(name, value);
  }
  const text = query.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

export const incidentHash = (id: string) => hashFor(`/incidents/${encodeURIComponent(id)}`);
