// A scan worker: loads and evaluates the files the main thread hands it, one at a time, and sends
// back findings only — objects never cross threads.
import { parentPort, workerData } from 'node:worker_threads';
import { streamInputs } from '../load/index.ts';
import { createEvaluator, type EvaluationSettings } from './evaluate.ts';
import type { ToMain, ToWorker, WorkerSetup } from './parallel.ts';

const setup = workerData as WorkerSetup;
const evaluator = createEvaluator(setup.settings as EvaluationSettings);
const port = parentPort!;

port.on('message', async (message: ToWorker) => {
  if (message.type === 'finish') {
    const done: ToMain = { type: 'done', diagnostics: evaluator.suppressor.diagnostics() };
    port.postMessage(done);
    port.close();
    return;
  }
  const results = [];
  for await (const unit of streamInputs([message.file], { cwd: setup.cwd, maxFileBytes: setup.maxFileBytes })) {
    results.push(evaluator.evaluate(unit));
  }
  const reply: ToMain = { type: 'result', index: message.index, results };
  port.postMessage(reply);
});

const ready: ToMain = { type: 'ready' };
port.postMessage(ready);
