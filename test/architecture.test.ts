/**
 * The import rules of .dependency-cruiser.cjs hold for src/ and scripts/. A violation fails with the rule's
 * name and the offending import; a fixture folder shows that the check can fail.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs')) as {
  forbidden: IForbiddenRuleType[];
  options: Record<string, unknown>;
};

/** Every violation of the rules in `baseDir`/src and `baseDir`/scripts, as `rule: from -> to` (a cycle lists its path). */
async function violations(baseDir: string): Promise<string[]> {
  const result = await cruise(['src', 'scripts'], { ...config.options, baseDir, validate: true, ruleSet: { forbidden: config.forbidden } });
  const output = result.output as ICruiseResult;
  return output.summary.violations.map((v) =>
    `${v.rule.name}: ${v.from} -> ${v.to}${v.cycle?.length ? ` (cycle: ${v.cycle.map((c) => c.name).join(' -> ')})` : ''}`);
}

/** Runs `check` on a temporary folder holding `files` (relative path -> text), removed afterwards. */
async function withFiles<T>(files: Record<string, string>, check: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'batchlab-architecture-'));
  try {
    for (const [rel, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, rel)), { recursive: true });
      await writeFile(join(dir, rel), text);
    }
    return await check(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('layers', () => {
  it('src/ and scripts/ imports point one way (cli -> runner/report -> results -> train -> models/data/config -> backend -> core)', async () => {
    expect(await violations(root)).toEqual([]);
  });

  it('names the rule and the import that breaks it', async () => {
    const files: Record<string, string> = {
      'src/errors.ts': 'export class UsageError extends Error {}\n',
      'src/models/norm.ts': "export const eps = 1e-5;\n",
      'src/backend/kernels.ts': "import { eps } from '../models/norm.ts';\nexport const k = eps;\n",
      'src/core/a.ts': "import { b } from './b.ts';\nexport const a = () => b();\n",
      'src/core/b.ts': "import { a } from './a.ts';\nexport const b = (): number => (a ? 1 : 0);\n",
      'src/results/write.ts': "import { render } from '../report/render.ts';\nexport const write = render;\n",
      'src/report/render.ts': "export const render = () => '';\n",
      'src/results/write.test.ts': "import { render } from '../report/render.ts';\nexport const t = render;\n",
      'test/support/helper.ts': "export const helper = 1;\n",
      'src/data/load.ts': "import { helper } from '../../test/support/helper.ts';\nexport const load = helper;\n",
      'src/data/load.test.ts': "import { helper } from '../../test/support/helper.ts';\nexport const t = helper;\n",
      'scripts/probes/probe.ts': "import { helper } from '../../test/support/helper.ts';\nexport const p = helper;\n",
    };
    const found = await withFiles(files, violations);
    expect(found).toContain('backend-below-models-data-config: src/backend/kernels.ts -> src/models/norm.ts');
    expect(found).toContain('results-below-runner-report: src/results/write.ts -> src/report/render.ts');
    expect(found.some((v) => v.startsWith('no-circular: src/core/'))).toBe(true);
    expect(found).toContain('no-test-helpers-outside-tests: src/data/load.ts -> test/support/helper.ts');
    expect(found).toContain('no-test-helpers-outside-tests: scripts/probes/probe.ts -> test/support/helper.ts');
    expect(found.some((v) => v.includes('write.test.ts') || v.includes('load.test.ts'))).toBe(false); // tests may import anything
  });
});

/**
 * The one place below src/cli/ that reads or writes the environment: backend/options.ts (the
 * environment defaults of BackendOptions, the Vulkan loader's library path, the native libraries'
 * pool variables; docs/ARCHITECTURE.md). Everything else is given its settings by the CLI.
 */
const ENV_PLACE_BELOW_CLI = 'src/backend/options.ts';

/** process.env, process['env'] or env imported from node:process, in code (comments may name them). */
const ENV_USE = /\bprocess\s*(\.\s*env\b|\[\s*['"`]env['"`]\s*\])|\benv\b[^;]*\bfrom\s*['"](node:)?process['"]/;

/** The files of `baseDir`/src outside src/cli/, tests excepted, that use the environment. */
async function envUsersBelowCli(baseDir: string): Promise<string[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const files = (await readdir(join(baseDir, 'src'), { recursive: true }))
    .map((f) => f.split('\\').join('/'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('cli/'))
    .map((f) => `src/${f}`);
  const users: string[] = [];
  for (const f of files) {
    const code = (await readFile(join(baseDir, f), 'utf8')).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    if (ENV_USE.test(code)) users.push(f);
  }
  return users.sort();
}

describe('process.env below cli/', () => {
  it(`is used only in ${ENV_PLACE_BELOW_CLI}`, async () => {
    expect(await envUsersBelowCli(root)).toEqual([ENV_PLACE_BELOW_CLI]);
  });

  it('finds every way of reaching it, and lets comments, tests and cli/ name it', async () => {
    const files: Record<string, string> = {
      'src/backend/options.ts': "export const threads = process.env['BATCHLAB_THREADS'];\n",
      'src/results/dot.ts': 'export const stale = process.env.BATCHLAB_LOCK_STALE_MS;\n',
      'src/runner/bracket.ts': "export const entry = process['env'].BATCHLAB_WORKER_ENTRY;\n",
      'src/train/imported.ts': "import { env } from 'node:process';\nexport const e = env.X;\n",
      'src/data/comment.ts': '// process.env is not read here\nexport const a = 1;\n',
      'src/data/comment.test.ts': 'export const t = process.env.X;\n',
      'src/cli/main.ts': 'export const m = process.env.X;\n',
    };
    expect(await withFiles(files, envUsersBelowCli)).toEqual(['src/backend/options.ts', 'src/results/dot.ts', 'src/runner/bracket.ts', 'src/train/imported.ts']);
  });
});
