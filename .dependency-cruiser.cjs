/**
 * Import rules for src/: the layers point one way, top to bottom:
 *
 *   cli -> runner, report -> results -> train -> models, data, config -> backend -> core
 *
 * errors.ts is shared by every layer. Tests (*.test.ts) may import anything; test helpers live in
 * test/support/, and neither src/ nor scripts/ imports test/ outside a test. Checked in `npm test`
 * by test/architecture.test.ts; or from the command line:
 *   npx depcruise src scripts --config .dependency-cruiser.cjs
 */
const above = (...layers) => `^src/(${layers.join('|')})(/|\\.ts$)`;
const notTests = '\\.test\\.ts$';

/** Each rule forbids one layer's imports of the layers above it. */
const layer = (name, from, to, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from, pathNot: notTests },
  to: { path: above(...to) },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes the modules in it one unit: none can be changed or tested alone.',
      severity: 'error',
      from: { pathNot: notTests },
      to: { circular: true },
    },
    layer('core-imports-no-layer', '^src/core/', ['backend', 'models', 'data', 'config', 'train', 'results', 'runner', 'report', 'cli'],
      'core/ is pure and synchronous: it imports nothing else from the project but errors.ts.'),
    layer('backend-below-models-data-config', '^src/backend/', ['models', 'data', 'config', 'train', 'results', 'runner', 'report', 'cli'],
      'backend/ starts backends and implements kernels; the ops that call them (models/) import backend/, not the reverse.'),
    layer('models-data-config-below-train', '^src/(models|data|config)/', ['train', 'results', 'runner', 'report', 'cli'],
      'models, datasets and configuration know nothing of training or results.'),
    layer('train-below-results', '^src/train/', ['results', 'runner', 'report', 'cli'],
      'The training loop emits rows to observers; it does not know where they are stored.'),
    layer('results-below-runner-report', '^src/results/', ['runner', 'report', 'cli'],
      'results/ reads and writes the files of a results folder; rendering and running use it, not the reverse.'),
    layer('runner-report-below-cli', '^src/(runner|report)/', ['cli'],
      'Only cli/ reads argv and the environment, prints and exits.'),
    {
      name: 'no-test-helpers-outside-tests',
      comment: 'Test helpers live in test/; the program and the scripts must run without them.',
      severity: 'error',
      from: { path: '^(src|scripts)/', pathNot: notTests },
      to: { path: '^test/' },
    },
    layer('errors-imports-no-layer', '^src/errors\\.ts$', ['core', 'backend', 'models', 'data', 'config', 'train', 'results', 'runner', 'report', 'cli'],
      'errors.ts is imported by every layer, so it imports none.'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
  },
};
