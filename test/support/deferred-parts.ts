import { readFileSync } from 'node:fs';
import { buildSchema, Kind, parse, print, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type FieldNode } from 'graphql';

/** What Apollo Client 4 sends for an operation with @defer, by its incremental handler. */
export const DEFER_ACCEPT = {
  'deferSpec=20220824': 'multipart/mixed;deferSpec=20220824,application/json',
  'incrementalSpec=v0.2': 'multipart/mixed;incrementalSpec=v0.2,application/json',
  sse: 'text/event-stream',
} as const;
export type DeferFormat = keyof typeof DEFER_ACCEPT;

type Path = (string | number)[];
type GraphQLErrorJson = { message: string; path?: Path; extensions?: { code?: string } };
/** One part as sent: the first answer, or a later part in either shape. */
export type Part = Record<string, unknown> & { data?: unknown; errors?: GraphQLErrorJson[]; hasNext?: boolean };

/** An answer read whole from the gateway: its content type, each part (with when it came, ms after the request), and the parts merged. */
export interface PartsAnswer {
  status: number;
  contentType: string | null;
  parts: Part[];
  arrivedAfterMs: number[];
  merged: { data: unknown; errors: GraphQLErrorJson[] };
}

/**
 * Sends `query` (none: by its persisted hash alone, in `extensions`) to the gateway asking for parts in `format`, reads every part as it comes (split at
 * the multipart boundary, or at each SSE `next`), and merges them as a client would.
 */
export async function requestInParts(
  gatewayUrl: string,
  format: DeferFormat,
  query: string | undefined,
  options: {
    variables?: Record<string, unknown>;
    token?: string;
    extensions?: Record<string, unknown>;
    headers?: Record<string, string>;
    /** Called with each part as it comes, before the next is read. */
    onPart?: (part: Part) => void;
  } = {},
): Promise<PartsAnswer> {
  const startedAt = performance.now();
  const response = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { accept: DEFER_ACCEPT[format], 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
    body: JSON.stringify({ query, variables: options.variables ?? {}, extensions: options.extensions }),
  });
  const contentType = response.headers.get('content-type');
  const parts: Part[] = [];
  const arrivedAfterMs: number[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const take = (text: string) => {
    const json = format === 'sse' ? /^event: next\ndata: (.*)$/s.exec(text)?.[1] : /\r\n\r\n(.*)$/s.exec(text)?.[1];
    if (json === undefined) return;
    const part = JSON.parse(json) as Part;
    parts.push(part);
    arrivedAfterMs.push(performance.now() - startedAt);
    options.onPart?.(part);
  };
  const delimiter = format === 'sse' ? '\n\n' : '\r\n--graphql';
  const reader = response.body!.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    buffer += decoder.decode(read.value, { stream: true });
    let end;
    while ((end = buffer.indexOf(delimiter)) >= 0) {
      take(buffer.slice(0, end).replace(/^\r\n/, ''));
      buffer = buffer.slice(end + delimiter.length);
    }
  }
  if (!contentType?.startsWith('multipart/') && !contentType?.startsWith('text/event-stream')) parts.push(JSON.parse(buffer) as Part);
  return { status: response.status, contentType, parts, arrivedAfterMs, merged: mergeParts(format, parts) };
}

/** The parts merged into one answer, as a client merges them: each later part's data deep into the first's at its path. */
export function mergeParts(format: DeferFormat, parts: readonly Part[]): PartsAnswer['merged'] {
  const [first, ...rest] = parts;
  const merged = { data: structuredClone(first?.data ?? null), errors: [...(first?.errors ?? [])] };
  const pendingPaths = new Map<string, Path>();
  const announce = (part: Part) => {
    for (const pending of (part.pending ?? []) as { id: string; path: Path }[]) pendingPaths.set(pending.id, pending.path);
  };
  if (first) announce(first);
  for (const part of rest) {
    announce(part);
    for (const entry of (part.incremental ?? []) as { id?: string; path?: Path; subPath?: Path; data: unknown; errors?: GraphQLErrorJson[] }[]) {
      const path = format === 'incrementalSpec=v0.2' ? [...pendingPaths.get(entry.id!)!, ...(entry.subPath ?? [])] : entry.path!;
      merged.errors.push(...(entry.errors ?? []));
      if (entry.data !== null) mergeAt(merged.data, path, entry.data);
    }
    for (const completed of (part.completed ?? []) as { errors?: GraphQLErrorJson[] }[]) merged.errors.push(...(completed.errors ?? []));
  }
  return merged;
}

function mergeAt(target: unknown, path: Path, data: unknown): void {
  let at = target as Record<string | number, unknown>;
  for (const step of path) at = at[step] as Record<string | number, unknown>;
  deepMerge(at, data as Record<string, unknown>);
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (Array.isArray(existing) && Array.isArray(value)) existing.forEach((item, index) => typeof item === 'object' && item !== null && deepMerge(item as Record<string, unknown>, value[index] as Record<string, unknown>));
    else if (typeof existing === 'object' && existing !== null && typeof value === 'object' && value !== null) deepMerge(existing as Record<string, unknown>, value as Record<string, unknown>);
    else target[key] = value;
  }
}

const API_SCHEMA = buildSchema(readFileSync(new URL('../../sdk/schema.graphql', import.meta.url), 'utf8'));
/** The supergraph's entities: the object types some subgraph gives a key. */
const ENTITIES = new Set(
  parse(readFileSync(new URL('../../supergraph.graphql', import.meta.url), 'utf8')).definitions.flatMap((definition) =>
    definition.kind === Kind.OBJECT_TYPE_DEFINITION && definition.directives?.some((directive) => directive.name.value === 'join__type' && directive.arguments?.some((argument) => argument.name.value === 'key')) ? [definition.name.value] : [],
  ),
);

/**
 * `document` with everything below each entity boundary deferred: the selection of every field
 * that returns an entity (other than a root field) wrapped in `... @defer { … }`, nested
 * boundaries nested in turn.
 */
export function deferredAtEntityBoundaries(document: string): string {
  const typeInfo = new TypeInfo(API_SCHEMA);
  const roots = new Set([API_SCHEMA.getQueryType()?.name, API_SCHEMA.getMutationType()?.name]);
  const deferred: DocumentNode = visit(
    parse(document),
    visitWithTypeInfo(typeInfo, {
      Field: {
        leave(node: FieldNode) {
          // The field's type by name, its list and non-null wrappers taken off: entities are object types.
          const typeName = String(typeInfo.getType() ?? '').replace(/[[\]!]/g, '');
          const parentName: string | undefined = typeInfo.getParentType()?.name;
          if (!node.selectionSet || !ENTITIES.has(typeName) || roots.has(parentName)) return undefined;
          return {
            ...node,
            selectionSet: { kind: Kind.SELECTION_SET, selections: [{ kind: Kind.INLINE_FRAGMENT, directives: [{ kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: 'defer' } }], selectionSet: node.selectionSet }] },
          };
        },
      },
    }),
  );
  return print(deferred);
}
