// Text from schemas and comments placed into the generated docs pages, which VitePress compiles
// as Vue templates: what Markdown or Vue would read as syntax is escaped, code spans kept.

/**
 * `text` (prose with `code` spans) as inline Markdown: outside code, `<`, `>` and `{` as
 * entities (HTML tags and Vue interpolation otherwise); in a table, `|` escaped everywhere.
 */
export function inlineMarkdown(text: string, { inTable }: { inTable: boolean }): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, index) => {
      const escaped = index % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\{/g, '&#123;');
      return inTable ? escaped.replace(/\|/g, '\\|') : escaped;
    })
    .join('');
}
