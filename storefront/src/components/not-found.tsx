import type { ComponentChildren } from 'preact';

/** What a page shows for something that is not there (an unknown address, an id that names nothing), and where to go instead. */
export function NotFound({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section>
      <h1 tabIndex={-1}>{title}</h1>
      <p>{children}</p>
    </section>
  );
}
