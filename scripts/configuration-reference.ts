// The configuration reference (docs/run/configuration-reference.md): each variable's type, range
// and default from the zod schemas the services check their environment with, its meaning from
// .env.example, the one place people describe it. Neither is copied into the other, so neither
// can drift from the page; configurationProblems says where the two disagree.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { ServiceName } from '@shop/service-kit/definitions';
import { tracingEnv } from '@shop/service-kit/tracing';
import { gatewayEnv } from '../gateway/src/config.js';
import { ENDPOINT_OVERRIDE } from '../gateway/src/subgraph-routing.js';
import { ordersEnv } from '../subgraphs/orders/src/config.js';
import { productsEnv } from '../subgraphs/products/src/config.js';
import { usersEnv } from '../subgraphs/users/src/config.js';
import { inlineMarkdown } from './markdown.js';
import { ROOT } from './root.js';

export const ENV_EXAMPLE_FILE = resolve(ROOT, '.env.example');
export const CONFIGURATION_REFERENCE_FILE = resolve(ROOT, 'docs/run/configuration-reference.md');

type Shape = Record<string, z.ZodType>;

/** What the services read: each one's schema, and the tracing variables every service reads besides. */
export interface ConfigurationSchemas {
  services: Record<ServiceName, Shape>;
  tracing: Shape;
}

/** Every service's configuration schema, as the service itself exports it. */
export function readConfigurationSchemas(): ConfigurationSchemas {
  return {
    // In .env.example's order: the page follows it.
    services: { users: usersEnv, products: productsEnv, orders: ordersEnv, gateway: gatewayEnv },
    tracing: tracingEnv,
  };
}

// ---------------------------------------------------------------------------------------------
// .env.example
// ---------------------------------------------------------------------------------------------

/** Where .env.example's sections belong: the services, what they all read, and the launchers. */
export type SectionId = 'shared' | ServiceName | 'npm-start' | 'compose';
const SECTION_BY_FIRST_WORD: Record<string, SectionId> = {
  Every: 'shared',
  users: 'users',
  products: 'products',
  orders: 'orders',
  gateway: 'gateway',
  npm: 'npm-start',
  'docker-compose.yml': 'compose',
};
const SERVICE_SECTIONS = ['users', 'products', 'orders', 'gateway'] as const satisfies readonly ServiceName[];
const isServiceSection = (id: SectionId): id is ServiceName => (SERVICE_SECTIONS as readonly string[]).includes(id);

/** Variables described together (one comment over several `# NAME=value` lines), or a note between them. */
export type Block = { kind: 'variables'; names: string[]; text: string } | { kind: 'note'; text: string };
export interface Section {
  id: SectionId;
  title: string;
  blocks: Block[];
}

const RULE = /^# -{20,}$/;
const VARIABLE_LINE = /^# ([A-Z][A-Z0-9_]*)=/;

/**
 * .env.example's sections, each a list of blocks: a comment and the `# NAME=value` lines right
 * under it (they share it), or a note (a comment that an empty `#` line or a blank line ends
 * before any variable). What comes before the first section is the file's own preamble.
 */
export function parseEnvExample(text: string): Section[] {
  const lines = text.split('\n');
  const sections: Section[] = [];
  let section: Section | undefined;
  let comment: string[] = [];
  let group: { kind: 'variables'; names: string[]; text: string } | undefined;
  const endNote = () => {
    if (section && comment.length > 0) section.blocks.push({ kind: 'note', text: comment.join('\n') });
    comment = [];
  };
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (RULE.test(line) && RULE.test(lines[index + 2] ?? '')) {
      endNote();
      const title = lines[index + 1]!.replace(/^#\s*/, '');
      const id = SECTION_BY_FIRST_WORD[title.split(/[\s:(]/)[0]!];
      if (!id) throw new Error(`.env.example: a section scripts/configuration-reference.ts does not know: "${title}"`);
      section = { id, title, blocks: [] };
      sections.push(section);
      group = undefined;
      index += 2;
      continue;
    }
    if (!section) continue;
    const variable = VARIABLE_LINE.exec(line);
    if (variable) {
      if (!group) {
        group = { kind: 'variables', names: [], text: comment.join('\n') };
        section.blocks.push(group);
        comment = [];
      }
      group.names.push(variable[1]!);
      continue;
    }
    group = undefined;
    if (line.trim() === '' || line.trim() === '#') endNote();
    else if (line.startsWith('#')) comment.push(line.replace(/^# ?/, ''));
    else throw new Error(`.env.example: every line is a comment (uncommenting is for .env): "${line}"`);
  }
  endNote();
  return sections;
}

// ---------------------------------------------------------------------------------------------
// The schemas: types, ranges, defaults
// ---------------------------------------------------------------------------------------------

/** The schema a value is checked against once given: without its default, optionality or output transform. */
function inputSchema(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) return inputSchema(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodPipe) return schema.out instanceof z.ZodBoolean ? schema : inputSchema(schema.in as z.ZodType);
  return schema;
}

/** The default a schema applies when the variable is unset, as a value a person would set. */
function defaultOf(schema: z.ZodType): { value: unknown } | undefined {
  if (schema instanceof z.ZodDefault) return { value: schema.def.defaultValue };
  if (schema instanceof z.ZodOptional) return undefined;
  if (schema instanceof z.ZodPipe) return defaultOf(schema.in as z.ZodType);
  return undefined;
}

/** A default as one would write it in the environment. */
function settingOf(value: unknown): string {
  if (Array.isArray(value)) return value.map(settingOf).join(',');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`a default that is no setting: ${JSON.stringify(value)}`);
}

/** A default as the page (and a comment) states it: an empty list is none. */
const shownSetting = (value: unknown) => settingOf(value) || 'none';

const code = (text: string) => `\`${text}\``;
const LARGEST_CHECKED = Number.MAX_SAFE_INTEGER;

function rangeOf(json: { minimum?: number; exclusiveMinimum?: number; maximum?: number }): string {
  const max = json.maximum !== undefined && json.maximum < LARGEST_CHECKED ? json.maximum : undefined;
  if (json.minimum !== undefined && max !== undefined) return ` ${json.minimum}–${max}`;
  if (json.minimum !== undefined) return ` ≥ ${json.minimum}`;
  if (json.exclusiveMinimum !== undefined) return json.exclusiveMinimum === 0 ? ', > 0' : ` > ${json.exclusiveMinimum}`;
  return max !== undefined ? ` ≤ ${max}` : '';
}

/** What a variable takes, as its schema checks it: kind, range, choices, pattern, URL scheme. */
export function typeOf(schema: z.ZodType): string {
  const input = inputSchema(schema);
  if (input instanceof z.ZodPipe) return 'boolean (`true`, `false`)';
  if (input instanceof z.ZodURL) {
    const scheme = input._zod.def.protocol;
    return `URL (${scheme ? `scheme ${code(scheme.source.replace(/^\^|\$$/g, ''))}` : 'any scheme'})`;
  }
  const json = z.toJSONSchema(input, { io: 'input', unrepresentable: 'any' }) as {
    type?: string;
    enum?: unknown[];
    pattern?: string;
    minimum?: number;
    exclusiveMinimum?: number;
    maximum?: number;
  };
  if (json.enum) return `one of ${json.enum.map((choice) => code(String(choice))).join(', ')}`;
  if (json.type === 'integer') return `integer${rangeOf(json)}`;
  if (json.type === 'number') return `number${rangeOf(json)}`;
  if (json.type === 'string') return json.pattern ? `text matching ${code(json.pattern)}` : 'text';
  throw new Error(`a schema scripts/configuration-reference.ts cannot describe: ${JSON.stringify(json)}`);
}

// ---------------------------------------------------------------------------------------------
// Variables read outside the schemas
// ---------------------------------------------------------------------------------------------

/** Documented variables a service reads by their form rather than by name: the gateway's endpoint overrides. */
const PATTERNS: Partial<Record<ServiceName, { pattern: RegExp; shownAs: string; schema: z.ZodType }>> = {
  gateway: { pattern: ENDPOINT_OVERRIDE, shownAs: 'SUBGRAPH_<NAME>_URL', schema: z.url({ protocol: /^https?$/ }).optional() },
};

/** Documented variables that a library reads, not the service's schema, and where. */
const READ_BY_LIBRARIES: Partial<Record<ServiceName, Record<string, string>>> = {
  gateway: { APOLLO_TELEMETRY_DISABLED: '`@apollo/gateway` (gateway/src/server.ts sets it unless set)' },
};

// ---------------------------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------------------------

const variablesOf = (section: Section | undefined) =>
  (section?.blocks ?? []).flatMap((block) => (block.kind === 'variables' ? block.names : []));

/** The defaults a comment states (`Default: 900 (15 minutes)`, `Defaults: 50, 5, 10000`), one per variable or none. */
function statedDefaults(text: string, count: number): string[] {
  const flat = text.replace(/\n/g, ' ');
  const plural = /\bDefaults: ([^;]*)/.exec(flat);
  const singular = /\bDefault: (\S+)/.exec(flat);
  const firstWord = (value: string) => value.trim().split(/\s/)[0]!.replace(/[,.;)]+$/, '');
  if (plural && count > 1) return plural[1]!.split(', ').slice(0, count).map(firstWord);
  if (singular && count === 1) return [firstWord(singular[1]!)];
  return [];
}

/**
 * Where the schemas and .env.example disagree: a variable a service reads that no section
 * describes, a described one no service reads, one described twice, or a comment's stated
 * default that is not the schema's. Empty when the reference can be generated.
 */
export function configurationProblems(schemas: ConfigurationSchemas, sections: Section[]): string[] {
  const problems: string[] = [];
  const byId = new Map<SectionId, Section>();
  for (const section of sections) {
    if (byId.has(section.id)) problems.push(`.env.example: two "${section.id}" sections`);
    byId.set(section.id, section);
    const names = variablesOf(section);
    for (const name of new Set(names.filter((name, index) => names.indexOf(name) !== index))) {
      problems.push(`.env.example: ${name} is described twice in the ${section.id} section`);
    }
    for (const block of section.blocks) {
      if (block.kind === 'variables' && block.text.trim() === '') problems.push(`.env.example: ${block.names.join(', ')} has no comment saying what it does`);
    }
  }
  const shared = new Set(variablesOf(byId.get('shared')));
  const services = Object.keys(schemas.services) as ServiceName[];
  const tracing = Object.keys(schemas.tracing);
  for (const name of shared) {
    const missing = services.filter((service) => !(name in schemas.services[service]) && !tracing.includes(name));
    if (missing.length > 0) problems.push(`.env.example describes ${name} under "Every service", but ${missing.join(', ')} does not read it`);
  }
  for (const name of tracing) {
    if (!shared.has(name)) problems.push(`every service reads ${name} (its tracing), which .env.example does not describe: add it under "Every service"`);
  }
  for (const service of services) {
    const own = variablesOf(byId.get(service));
    const read = [...Object.keys(schemas.services[service]), ...tracing];
    for (const name of Object.keys(schemas.services[service])) {
      if (!own.includes(name) && !shared.has(name)) {
        problems.push(`${service} reads ${name}, which .env.example does not describe: add it to the ${service} section (or "Every service" when all read it)`);
      }
    }
    for (const name of own.filter((name) => shared.has(name))) problems.push(`.env.example describes ${name} both under "Every service" and under ${service}`);
    const byForm = PATTERNS[service]?.pattern;
    for (const name of own) {
      if (!read.includes(name) && !byForm?.test(name) && !READ_BY_LIBRARIES[service]?.[name]) {
        problems.push(`.env.example describes ${name} under ${service}, which ${service} does not read`);
      }
    }
  }
  for (const section of sections) {
    for (const block of section.blocks) {
      if (block.kind !== 'variables') continue;
      statedDefaults(block.text, block.names.length).forEach((stated, index) => {
        const name = block.names[index]!;
        for (const [service, schema] of schemasOf(schemas, section.id, name)) {
          const actual = defaultOf(schema);
          if (actual !== undefined && shownSetting(actual.value) !== stated) {
            problems.push(`.env.example says ${name} defaults to ${stated}, but the ${service} schema's default is ${shownSetting(actual.value)}`);
          }
        }
      });
    }
  }
  return problems;
}

/** The schemas a documented variable has in the services its section stands for. */
function schemasOf(schemas: ConfigurationSchemas, section: SectionId, name: string): [string, z.ZodType][] {
  if (section === 'shared') {
    const tracing = schemas.tracing[name];
    if (tracing) return [['tracing', tracing]];
    return SERVICE_SECTIONS.flatMap((service) => {
      const schema = schemas.services[service][name];
      return schema ? [[service, schema] as [string, z.ZodType]] : [];
    });
  }
  if (!isServiceSection(section)) return [];
  const schema = schemas.services[section][name];
  return schema ? [[section, schema]] : [];
}

// ---------------------------------------------------------------------------------------------
// The page
// ---------------------------------------------------------------------------------------------

const cell = (lines: string[]) => lines.join('<br>');

/** A comment's text as Markdown, each variable it names in code. */
function meaning(text: string, known: Set<string>, inTable: boolean): string {
  const parts = text.replace(/\s*\n\s*/g, ' ').split(/(`[^`]*`)/);
  const coded = parts.map((part, index) =>
    index % 2 === 1
      ? part
      : part
          // Prose, not Markdown: `*_URL` or `__generated__` are names, not emphasis.
          .replace(/[*_]/g, '\\$&')
          .replace(/\b[A-Z][A-Z0-9\\_]*[A-Z0-9]\b/g, (escaped) => {
            const name = escaped.replace(/\\_/g, '_');
            return known.has(name) ? code(name) : escaped;
          }),
  );
  return inlineMarkdown(coded.join(''), { inTable });
}

/** A section's blocks: tables of variables, the notes between them as paragraphs. */
function sectionBody(section: Section, schemas: ConfigurationSchemas, known: Set<string>): string[] {
  const checked = section.id === 'shared' || isServiceSection(section.id);
  const lines: string[] = [];
  let rows: string[] = [];
  const endTable = () => {
    if (rows.length === 0) return;
    lines.push(checked ? '| variable | takes | default | meaning |' : '| variable | meaning |', checked ? '|---|---|---|---|' : '|---|---|', ...rows, '');
    rows = [];
  };
  for (const block of section.blocks) {
    if (block.kind === 'note') {
      endTable();
      lines.push(meaning(block.text, known, false), '');
      continue;
    }
    const text = meaning(block.text, known, true);
    if (!checked) {
      rows.push(`| ${cell(block.names.map(code))} | ${text} |`);
      continue;
    }
    const described = block.names.map((name) => describe(schemas, section.id, name));
    rows.push(`| ${cell(described.map((one) => code(one.shownAs)))} | ${cell(described.map((one) => one.type))} | ${cell(described.map((one) => one.default))} | ${text} |`);
  }
  endTable();
  return lines;
}

/** One variable's name as the page shows it, what it takes and its default, from its schemas. */
function describe(schemas: ConfigurationSchemas, section: SectionId, name: string): { shownAs: string; type: string; default: string } {
  const pattern = isServiceSection(section) ? PATTERNS[section] : undefined;
  if (pattern?.pattern.test(name) && !(name in schemas.services[section as ServiceName])) {
    return { shownAs: pattern.shownAs, type: typeOf(pattern.schema), default: 'unset' };
  }
  const library = isServiceSection(section) ? READ_BY_LIBRARIES[section]?.[name] : undefined;
  if (library) return { shownAs: name, type: `read by ${library}`, default: 'see meaning' };
  const found = schemasOf(schemas, section, name);
  if (found.length === 0) return { shownAs: name, type: '', default: '' };
  const types = new Set(found.map(([, schema]) => typeOf(schema)));
  const defaults = found.map(([service, schema]) => {
    const fallback = defaultOf(schema);
    return [service, fallback === undefined ? 'unset' : settingOf(fallback.value) === '' ? 'none' : code(settingOf(fallback.value))] as const;
  });
  const distinct = new Set(defaults.map(([, value]) => value));
  return {
    shownAs: name,
    type: [...types].join('; '),
    default: distinct.size === 1 ? defaults[0]![1] : defaults.map(([service, value]) => `${service}: ${value}`).join(', '),
  };
}

const INTRO = [
  '# Configuration reference',
  '',
  '<!-- Generated by `npm run docs:reference` from the services\' configuration schemas and .env.example: edit those, not this page. -->',
  '',
  'Every environment variable each service reads. What a variable takes and its default come from',
  'the schema the service checks its environment with at start (a value it does not take stops the',
  'service, naming the variable); what it means comes from `.env.example` at the repository\'s root,',
  'where each is described once. How to set them is on [Configuration](./configuration.md).',
  '',
  '"unset" means the variable has no default: the meaning says what happens without it. A variable',
  'set to nothing (or blanks) counts as unset. Booleans take `true`/`false` (also `1`/`0`, `yes`/`no`,',
  '`on`/`off`).',
  '',
];

const SERVICE_LEAD: Record<ServiceName, string> = {
  users: 'users',
  products: 'products',
  orders: 'orders',
  gateway: 'the gateway',
};

const LAUNCHER_NOTE = 'Read by the launcher, not by a service: no schema checks these, so the meaning is all there is.';

/** The reference page, from the schemas and .env.example's sections. */
export function renderConfigurationReference(schemas: ConfigurationSchemas, sections: Section[]): string {
  const known = new Set(sections.flatMap(variablesOf));
  for (const shape of [...Object.values(schemas.services), schemas.tracing]) for (const name of Object.keys(shape)) known.add(name);
  const lines = [...INTRO];
  for (const section of sections) {
    lines.push(`## ${inlineMarkdown(section.title, { inTable: false })} {#${section.id}}`, '');
    if (isServiceSection(section.id)) {
      lines.push(`Besides these, ${SERVICE_LEAD[section.id]} reads every variable under [Every service](#shared).`, '');
    } else if (section.id !== 'shared') {
      lines.push(LAUNCHER_NOTE, '');
    }
    lines.push(...sectionBody(section, schemas, known));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The page from the files as they are now, and what stops it being right. */
export async function configurationReference(): Promise<{ markdown: string; problems: string[] }> {
  const sections = parseEnvExample(await readFile(ENV_EXAMPLE_FILE, 'utf8'));
  const schemas = readConfigurationSchemas();
  return { markdown: renderConfigurationReference(schemas, sections), problems: configurationProblems(schemas, sections) };
}
