// The API reference (docs/use/api-reference.md), generated from the released public API contract:
// its operations, then its types by kind, each with the docstrings the schema carries.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  astFromValue,
  buildSchema,
  type GraphQLArgument,
  type GraphQLEnumType,
  type GraphQLField,
  type GraphQLInputObjectType,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
  print,
  specifiedScalarTypes,
} from 'graphql';
import { inlineMarkdown } from './markdown.js';
import { ROOT } from './root.js';

export const PUBLIC_API_FILE = resolve(ROOT, 'contracts/public-api.graphql');
export const API_REFERENCE_FILE = resolve(ROOT, 'docs/use/api-reference.md');

const code = (text: string) => `\`${text}\``;
const anchorOf = (name: string) => name.toLowerCase();
const BUILT_IN_SCALARS = new Set(specifiedScalarTypes.map((scalar) => scalar.name));

/**
 * A type as the schema writes it (`[Order!]!`), linked to its entry unless it is one of GraphQL's
 * own scalars. Takes the written form: typescript-eslint overflows its stack comparing graphql-js's
 * recursive wrapper types when one is passed where another is declared.
 */
function typeLink(written: string): string {
  const named = written.replace(/[[\]!]/g, '');
  return BUILT_IN_SCALARS.has(named) ? code(written) : `[${code(written)}](#${anchorOf(named)})`;
}

/** A docstring as a paragraph (its lines are wrapped prose) or, in a table, as one cell. */
function prose(description: string | null | undefined, inTable: boolean): string {
  if (!description) return '';
  const paragraphs = description.split(/\n\s*\n/).map((paragraph) => inlineMarkdown(paragraph.replace(/\s*\n\s*/g, ' ').trim(), { inTable }));
  return paragraphs.join(inTable ? '<br><br>' : '\n\n');
}

function deprecation(reason: string | null | undefined, inTable: boolean): string {
  return reason === null || reason === undefined ? '' : `${inTable ? '<br>' : '\n\n'}**Deprecated:** ${prose(reason, inTable)}`;
}

/** What arguments and input fields have alike. */
type InputValue = Pick<GraphQLArgument, 'name' | 'description' | 'type' | 'defaultValue' | 'deprecationReason'>;

function defaultOf(input: InputValue): string {
  if (input.defaultValue === undefined) return '';
  const ast = astFromValue(input.defaultValue, input.type);
  return ast ? code(print(ast)) : '';
}

/** Arguments or input fields as a table, or nothing when there are none. */
function inputTable(heading: string, inputs: readonly InputValue[]): string[] {
  if (inputs.length === 0) return [];
  const withDefaults = inputs.some((input) => input.defaultValue !== undefined);
  return [
    withDefaults ? `| ${heading} | type | default | meaning |` : `| ${heading} | type | meaning |`,
    withDefaults ? '|---|---|---|---|' : '|---|---|---|',
    ...inputs.map((input) => {
      const meaning = `${prose(input.description, true)}${deprecation(input.deprecationReason, true)}`;
      return withDefaults
        ? `| ${code(input.name)} | ${typeLink(String(input.type))} | ${defaultOf(input)} | ${meaning} |`
        : `| ${code(input.name)} | ${typeLink(String(input.type))} | ${meaning} |`;
    }),
    '',
  ];
}

function signature(field: GraphQLField<unknown, unknown>): string {
  const args = field.args.map((arg) => {
    const fallback = arg.defaultValue === undefined ? undefined : astFromValue(arg.defaultValue, arg.type);
    return `${arg.name}: ${String(arg.type)}${fallback ? ` = ${print(fallback)}` : ''}`;
  });
  return `${field.name}${args.length > 0 ? `(${args.join(', ')})` : ''}: ${String(field.type)}`;
}

/** One operation (a root field): its heading, signature, docstring, arguments and what it returns. */
function operation(root: string, field: GraphQLField<unknown, unknown>): string[] {
  return [
    `### ${field.name} {#${root.toLowerCase()}-${field.name.toLowerCase()}}`,
    '',
    '```graphql',
    signature(field),
    '```',
    '',
    ...(field.description ? [prose(field.description, false), ''] : []),
    ...(field.deprecationReason ? [deprecation(field.deprecationReason, false).trim(), ''] : []),
    ...(described(field.args) ? inputTable('argument', field.args) : []),
    `${takes(field.args)}${typeLink(String(field.type))}.`,
    '',
  ];
}

const described = (inputs: readonly GraphQLArgument[]) => inputs.some((input) => input.description || input.deprecationReason);

/** Where the signature's own types are explained, when no argument table links them. */
function takes(args: readonly GraphQLArgument[]): string {
  if (described(args)) return 'Returns ';
  const written = args.map((arg) => String(arg.type)).filter((type) => !BUILT_IN_SCALARS.has(type.replace(/[[\]!]/g, '')));
  const linked = new Map(written.map((type) => [type, typeLink(type)]));
  return linked.size > 0 ? `Takes ${[...linked.values()].join(', ')}; returns ` : 'Returns ';
}

function objectEntry(type: GraphQLObjectType | GraphQLInterfaceType): string[] {
  const fields = Object.values(type.getFields()).map((field) => {
    const args = field.args.length > 0 ? `(${field.args.map((arg) => arg.name).join(', ')})` : '';
    const argumentNotes = field.args.map((arg) => {
      const fallback = defaultOf(arg);
      return `${code(`${arg.name}: ${String(arg.type)}`)}${fallback ? ` (default ${fallback})` : ''}${arg.description ? `: ${prose(arg.description, true)}` : ''}`;
    });
    const meaning = [prose(field.description, true), ...(argumentNotes.length > 0 ? [`Arguments: ${argumentNotes.join('; ')}`] : [])].filter(Boolean).join('<br>');
    return `| ${code(field.name + args)} | ${typeLink(String(field.type))} | ${meaning}${deprecation(field.deprecationReason, true)} |`;
  });
  const interfaces = type.getInterfaces();
  return [
    ...(interfaces.length > 0 ? [`Implements ${interfaces.map((item) => typeLink(item.name)).join(', ')}.`, ''] : []),
    '| field | type | meaning |',
    '|---|---|---|',
    ...fields,
    '',
  ];
}

function enumEntry(type: GraphQLEnumType): string[] {
  return [
    '| value | meaning |',
    '|---|---|',
    ...type.getValues().map((value) => `| ${code(value.name)} | ${prose(value.description, true)}${deprecation(value.deprecationReason, true)} |`),
    '',
  ];
}

function inputEntry(type: GraphQLInputObjectType): string[] {
  return inputTable('field', Object.values(type.getFields()));
}

/** The kinds of named types, in the order the page lists them. */
const KINDS: { title: string; lead: string; has: (type: GraphQLNamedType) => boolean; body: (type: GraphQLNamedType) => string[] }[] = [
  { title: 'Object types', lead: 'What the operations return.', has: isObjectType, body: (type) => objectEntry(type as GraphQLObjectType) },
  { title: 'Interfaces', lead: 'Fields several object types share.', has: isInterfaceType, body: (type) => objectEntry(type as GraphQLInterfaceType) },
  {
    title: 'Unions',
    lead: 'One of several object types.',
    has: isUnionType,
    body: (type) => (isUnionType(type) ? [`One of ${type.getTypes().map((item) => typeLink(item.name)).join(', ')}.`, ''] : []),
  },
  { title: 'Input types', lead: 'What the operations take.', has: isInputObjectType, body: (type) => inputEntry(type as GraphQLInputObjectType) },
  { title: 'Enums', lead: 'Closed sets of values.', has: isEnumType, body: (type) => enumEntry(type as GraphQLEnumType) },
  { title: 'Scalars', lead: "Values beyond GraphQL's own `String`, `Int`, `Float`, `Boolean` and `ID`.", has: isScalarType, body: () => [] },
];

/** The reference page for a schema's SDL. */
export function renderApiReference(sdl: string): string {
  const schema: GraphQLSchema = buildSchema(sdl);
  const roots = [
    { title: 'Queries', root: schema.getQueryType() },
    { title: 'Mutations', root: schema.getMutationType() },
    { title: 'Subscriptions', root: schema.getSubscriptionType() },
  ];
  const rootNames = new Set(roots.map(({ root }) => root?.name));
  const named = Object.values(schema.getTypeMap())
    .filter((type) => !isIntrospectionType(type) && !isSpecifiedScalarType(type) && !rootNames.has(type.name))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
  const lines = [
    '# API reference',
    '',
    '<!-- Generated by `npm run docs:reference` from contracts/public-api.graphql: edit the schemas\' docstrings, not this page. -->',
    '',
    "Every operation and type of the public API, as the released contract (`contracts/public-api.graphql`) states it,",
    'with its docstrings. Errors carry the codes on [Errors and codes](./errors.md); what may change between',
    "releases is on [The public API's compatibility](../extend/api-compatibility.md).",
    '',
  ];
  for (const { title, root } of roots) {
    if (!root) continue;
    lines.push(`## ${title}`, '');
    for (const field of Object.values(root.getFields())) lines.push(...operation(root.name, field));
  }
  for (const kind of KINDS) {
    const types = named.filter(kind.has);
    if (types.length === 0) continue;
    lines.push(`## ${kind.title}`, '', kind.lead, '');
    for (const type of types) {
      lines.push(`### ${type.name} {#${anchorOf(type.name)}}`, '');
      if (type.description) lines.push(prose(type.description, false), '');
      lines.push(...kind.body(type));
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The page from the contract as it is now. */
export async function apiReference(): Promise<string> {
  return renderApiReference(await readFile(PUBLIC_API_FILE, 'utf8'));
}
