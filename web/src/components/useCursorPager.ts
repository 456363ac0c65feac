import { useCallback, useState } from "react";

const FIRST_PAGE: (string | undefined)[] = [undefined];

/**
 * Cursor pagination: remembers the cursors of the pages before, so Previous works. Another `resetKey` (the
 * listing's filters changed) starts again at the first page.
 */
export function useCursorPager(resetKey: string) {
  const [cursors, setCursors] = useState(FIRST_PAGE);
  const [listing, setListing] = useState(resetKey);
  if (listing !== resetKey) {
    setListing(resetKey);
    setCursors(FIRST_PAGE);
  }
  const next = useCallback((cursor: string) => setCursors((stack) => [...stack, cursor]), []);
  const previous = useCallback(() => setCursors((stack) => (stack.length > 1 ? stack.slice(0, -1) : stack)), []);
  return { cursor: cursors[cursors.length - 1], page: cursors.length, next, previous };
}
