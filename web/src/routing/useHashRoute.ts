import { useMemo, useSyncExternalStore } from 'react';
import { parseRoute, type Route } from './hash';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The current hash route; re-renders when the hash changes (links, back/forward, filters). */
export function useHashRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return useMemo(() => parseRoute(hash), [hash]);
}

/** Moves to another hash route, which adds a history entry like a link would. */
export function navigate(hash: string): void {
  window.location.hash = hash;
}
