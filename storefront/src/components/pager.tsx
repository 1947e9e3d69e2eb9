import { useState } from 'preact/hooks';
import type { PageInfoFieldsFragment } from '@shop/sdk';

/** Relay cursor paging, forwards and back: the `after` of every page seen so far. */
export function useCursorPages() {
  const [afters, setAfters] = useState<(string | undefined)[]>([undefined]);
  return {
    after: afters.at(-1),
    page: afters.length,
    next: (endCursor: string) => setAfters((list) => [...list, endCursor]),
    previous: () => setAfters((list) => (list.length > 1 ? list.slice(0, -1) : list)),
  };
}

export function Pager({ pages, pageInfo, totalPages }: { pages: ReturnType<typeof useCursorPages>; pageInfo: PageInfoFieldsFragment; totalPages: number }) {
  const { endCursor, hasNextPage } = pageInfo;
  if (totalPages <= 1) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" onClick={pages.previous} disabled={pages.page <= 1}>
        ← Previous
      </button>
      <span>
        Page {pages.page} of {totalPages}
      </span>
      <button type="button" onClick={() => endCursor && pages.next(endCursor)} disabled={!hasNextPage || !endCursor}>
        Next →
      </button>
    </nav>
  );
}
