import { readFile } from 'node:fs/promises';

/** One marked code block of the tutorial page, in page order. */
export type TutorialStep =
  /** Shell commands the reader types, one a line. */
  | { kind: 'run'; commands: string[] }
  /** A whole file the reader writes. */
  | { kind: 'file'; path: string; content: string }
  /** One line of a file the reader replaces: the line that starts as this one does, up to its first comma. */
  | { kind: 'replace-line'; path: string; line: string }
  /** The command that starts the shop and keeps running. */
  | { kind: 'start'; command: string }
  /** A GraphQL operation the reader sends to the gateway. */
  | { kind: 'query'; document: string };

/** `<!-- tutorial:<kind> [path] -->` right above a fenced code block. */
const MARKED_BLOCK = /<!-- tutorial:([a-z-]+)(?: (\S+))? -->\n```\w*\n([\s\S]*?)\n```\n/g;

/** The steps of a tutorial page: every marked code block, read from the page itself so the page and its test cannot drift. */
export async function readTutorial(pageFile: string): Promise<TutorialStep[]> {
  const page = await readFile(pageFile, 'utf8');
  const steps: TutorialStep[] = [];
  for (const [, kind, path, body = ''] of page.matchAll(MARKED_BLOCK)) {
    if (kind === 'run') steps.push({ kind, commands: body.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#')) });
    else if (kind === 'start') steps.push({ kind, command: body.trim() });
    else if (kind === 'query') steps.push({ kind, document: body.trim() });
    else if ((kind === 'file' || kind === 'replace-line') && path) steps.push(kind === 'file' ? { kind, path, content: `${body}\n` } : { kind, path, line: body });
    else throw new Error(`${pageFile}: unknown or incomplete marker tutorial:${kind} ${path ?? ''}`);
  }
  return steps;
}

/** `text` with the one line that starts as `line` does (up to its first comma) replaced by `line`. */
export function replaceLine(text: string, line: string): string {
  const prefix = line.trim().slice(0, line.trim().indexOf(',') + 1);
  const lines = text.split('\n');
  const matching = lines.flatMap((candidate, index) => (prefix !== '' && candidate.trim().startsWith(prefix) ? [index] : []));
  if (matching.length !== 1) throw new Error(`expected one line starting "${prefix}", found ${matching.length}`);
  lines[matching[0]!] = line;
  return lines.join('\n');
}
