import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Arg, Copy, DockerfileParser, Env, type Instruction } from 'dockerfile-ast';
import { ROOT } from '../../scripts/root.js';

/** One build stage: `FROM <base> AS <name>` and what follows it. */
export interface Stage {
  name: string;
  /** As written: a stage name, or an image reference that may use global ARGs. */
  base: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM: visible in FROM lines, and in a stage that declares them again. */
  globalArgs: Record<string, string | undefined>;
  stages: Stage[];
}

export interface CopyStep {
  /** The stage or image copied from; undefined for the build context. */
  from: string | undefined;
  sources: string[];
  destination: string;
}

export interface ShellStep {
  command: string;
  /** What the shell sees: the ARGs in scope and the ENV so far. */
  env: Record<string, string>;
}

/** An image as BuildKit would make it from a target and build arguments, without building it. */
export interface Image {
  target: string;
  /** The stages it is built through, the target last. */
  chain: Stage[];
  env: Record<string, string>;
  workdir: string;
  user: string | undefined;
  /** The HEALTHCHECK's command in exec form, 'NONE', or undefined when there is none. */
  healthcheck: string[] | 'NONE' | undefined;
  cmd: string[] | undefined;
  exposed: string[];
  copies: CopyStep[];
  runs: ShellStep[];
  /** Every ARG its stages declare (what `--build-arg` can set), with its default if it has one. */
  declaredArgs: Map<string, string | undefined>;
}

export function readDockerfile(path = join(ROOT, 'Dockerfile')): Dockerfile {
  const parsed = DockerfileParser.parse(readFileSync(path, 'utf8'));
  const globalArgs = Object.fromEntries(parsed.getInitialARGs().map((arg) => [arg.getProperty()!.getName(), arg.getProperty()!.getValue() ?? undefined]));
  const stages: Stage[] = [];
  for (const instruction of parsed.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [base, as, name] = instruction.getArguments().map((argument) => argument.getValue());
      if (as?.toUpperCase() !== 'AS' || name === undefined) throw new Error(`Every stage needs a name: ${instruction.getRawArgumentsContent()}`);
      stages.push({ name, base: base!, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/**
 * `${NAME}` and `$NAME` replaced as Docker does in COPY, ENV, WORKDIR, USER, EXPOSE and FROM. A
 * name nothing declared throws: Docker would make it empty, and so hide a misspelt variable.
 */
export function expand(text: string, variables: Record<string, string | undefined>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_whole, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    if (!(name in variables)) throw new Error(`$${name} is not declared where it is used: ${text}`);
    return variables[name] ?? '';
  });
}

/** The stages a target is built through: each one's base, as long as the base is a stage. */
export function chainOf(dockerfile: Dockerfile, target: string): Stage[] {
  const chain: Stage[] = [];
  let stage = dockerfile.stages.find((s) => s.name === target);
  while (stage) {
    chain.unshift(stage);
    const { base } = stage;
    stage = dockerfile.stages.find((s) => s.name === base);
  }
  if (chain.length === 0) throw new Error(`The Dockerfile has no stage ${target}`);
  return chain;
}

/** The exec form (a JSON array) of a CMD or HEALTHCHECK CMD. */
function execForm(text: string, where: string): string[] {
  const argv: unknown = JSON.parse(text);
  if (!Array.isArray(argv) || !argv.every((word) => typeof word === 'string')) throw new Error(`${where} is not in exec form: ${text}`);
  return argv;
}

export function imageOf(dockerfile: Dockerfile, target: string, buildArgs: Record<string, string> = {}): Image {
  const chain = chainOf(dockerfile, target);
  const image: Image = { target, chain, env: {}, workdir: '/', user: undefined, healthcheck: undefined, cmd: undefined, exposed: [], copies: [], runs: [], declaredArgs: new Map() };
  for (const stage of chain) {
    // An ARG lasts to the end of its stage; ENV carries on into the stages built on it.
    const args: Record<string, string | undefined> = {};
    const variables = () => ({ ...args, ...image.env });
    for (const instruction of stage.instructions) {
      const content = instruction.getArgumentsContent() ?? '';
      if (instruction instanceof Arg) {
        for (const property of instruction.getProperties()) {
          const name = property.getName();
          const fallback = property.getValue() === null ? dockerfile.globalArgs[name] : expand(property.getValue()!, variables());
          image.declaredArgs.set(name, fallback);
          args[name] = buildArgs[name] ?? fallback;
        }
      } else if (instruction instanceof Env) {
        for (const property of instruction.getProperties()) image.env[property.getName()] = expand(property.getValue() ?? '', variables());
      } else if (instruction instanceof Copy) {
        const words = instruction.getArguments().map((argument) => expand(argument.getValue(), variables()));
        const from = instruction.getFromFlag()?.getValue() ?? undefined;
        image.copies.push({ from, sources: words.slice(0, -1), destination: posix.resolve(image.workdir, words.at(-1)!) });
      }
      switch (instruction.getKeyword()) {
        case 'WORKDIR':
          image.workdir = posix.resolve(image.workdir, expand(content, variables()));
          break;
        case 'USER':
          image.user = expand(content, variables());
          break;
        case 'EXPOSE':
          image.exposed.push(...expand(content, variables()).split(/\s+/));
          break;
        case 'CMD':
          image.cmd = execForm(content, `CMD in ${stage.name}`);
          break;
        case 'HEALTHCHECK':
          image.healthcheck = content.trim() === 'NONE' ? 'NONE' : execForm(content.replace(/^CMD\s+/, ''), `HEALTHCHECK in ${stage.name}`);
          break;
        case 'RUN':
          image.runs.push({ command: content, env: Object.fromEntries(Object.entries(variables()).map(([name, value]) => [name, value ?? ''])) });
          break;
      }
    }
  }
  return image;
}

/** Where a path inside an image's /app comes from in this repository. */
export function repoPathOf(appPath: string): string {
  if (appPath !== '/app' && !appPath.startsWith('/app/')) throw new Error(`${appPath} is outside /app`);
  return join(ROOT, posix.relative('/app', appPath));
}

export interface Probe {
  exitCode: number | null;
  /** Every URL the healthcheck fetched. */
  urls: string[];
  stderr: string;
}

/**
 * Runs an image's HEALTHCHECK as Docker would inside the container (its command, the
 * container's environment, the image's WORKDIR mapped onto this repository), with `fetch`
 * replaced by one that records the URL and answers `status` (or fails to connect when
 * 'refused'): so a test sees which port and path the check probes, and what it makes of the
 * answer, without a server on a fixed port. Packages load from their TypeScript sources, as
 * the tests run them; the image has them compiled.
 */
export async function probe(image: Image, env: Record<string, string>, status: number | 'refused'): Promise<Probe> {
  if (!Array.isArray(image.healthcheck) || image.healthcheck[0] !== 'node') throw new Error(`${image.target}'s HEALTHCHECK does not run node: ${String(image.healthcheck)}`);
  const fakeFetch = `globalThis.fetch = async (url) => { process.stdout.write(String(url) + '\\n'); ${
    status === 'refused' ? "throw new TypeError('fetch failed');" : `return new Response(null, { status: ${status} });`
  } };`;
  const args = ['--import', 'tsx', '--conditions=source', '--import', `data:text/javascript,${encodeURIComponent(fakeFetch)}`, ...image.healthcheck.slice(1)];
  const child = spawn(process.execPath, args, { cwd: repoPathOf(image.workdir), env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { exitCode, urls: stdout.split('\n').filter((line) => line !== ''), stderr };
}
