/** A sweep worker process: initialises its backend once, then executes the runs it is sent. */
import { describeEnvironment, initBackend } from '../backend/index.ts';
import type { BackendChoice } from '../backend/index.ts';
import { toErrorData } from '../errors.ts';
import { DatasetCache } from './dataset-cache.ts';
import { executeRun } from './execute-run.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

const send = (m: FromWorker) => process.send?.(m);
const controller = new AbortController();
const datasets = new DatasetCache();
let environment: Record<string, string> = {};
let queue = Promise.resolve();

// Ctrl-C reaches the whole process group: finish the step, record the run as aborted, then stop.
process.on('SIGINT', () => controller.abort());
process.on('SIGTERM', () => controller.abort());
process.on('disconnect', () => process.exit(0));

process.on('message', (msg: ToWorker) => {
  if (msg.type === 'abort') {
    controller.abort();
    return;
  }
  queue = queue.then(async () => {
    try {
      if (msg.type === 'init') {
        const active = await initBackend(msg.backend as BackendChoice, msg.options);
        environment = describeEnvironment(active);
        send({ type: 'ready', environment, backend: active.name, why: active.why });
      } else if (msg.type === 'run') {
        const record = await executeRun(msg.run, msg.runDir, {
          datasets, environment, signal: controller.signal, keepCheckpoints: msg.keepCheckpoints,
          onProgress: (runId, progress) => send({ type: 'progress', runId, progress }),
        });
        send({ type: 'done', record });
      }
    } catch (err) {
      send({ type: 'fatal', error: toErrorData(err) });
    }
  });
});
