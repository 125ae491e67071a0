/**
 * Run ids are how a resumed sweep recognises finished runs, so they must never change. These are
 * the ids the planner gave each spec in experiments/ (and one inline spec with arms, per-arm axes,
 * an object-valued axis, an optional-key axis, warmup and sweep.maxLr capping), recorded once and
 * hard-coded: a planner change that alters any id, or the order of the runs, fails here.
 * experiments/quick.yaml was re-recorded on purpose when the main job gained a validation split
 * (data.validationSize) and log-spaced evaluations (train.evalLogSpaced): the spec changed, not the planner.
 * experiments/claims/c2-plain-batchnorm-batch-size.yaml was re-recorded on purpose when C2-plain was
 * redesigned on Wu & He's axis (batch 2/4/8/32 in two arms, warmup from 0), and again when it went
 * from 1 epoch to 2: the spec changed, not the planner. c2-batchnorm-small-batch.yaml (backend: native
 * named in the spec) and c4-critical-batch.yaml (800 steps) likewise.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readSpec } from '../src/config/read-spec.ts';
import type { Spec } from '../src/config/schema.ts';
import { validateSpec } from '../src/config/validate.ts';
import { planSingleRun, planSweep } from '../src/runner/plan.ts';

const planIds = (spec: Spec): string[] => planSweep(spec).runs.map((r) => r.runId);
/**
 * The claim specs were recorded with seeds 1-5; some now sweep more seeds, so they are read with
 * those five, whose runs keep their ids.
 */
const readRecorded = (file: string): Promise<Spec> => readSpec(file, file.includes('/claims/') ? ['sweep.seeds=[1,2,3,4,5]'] : []);
const singleId = (spec: Spec): string => planSingleRun(spec).runId;
const cappedIds = (spec: Spec): string[] => planSweep(spec).runs.filter((r) => r.meta.capped).map((r) => r.runId);

const FULL: Record<string, string[]> = {
  'experiments/quick.yaml': [
    '5b332bbd6e48', '4b8391cb7b71', 'e18d3dfa0f28', '9a13a6a6a8f1', '79e0232c6e1c', '93811d4f37e7', '9c31615f529a', '8cc6182b953d',
    'e4710ee912f4', '89a847966f70', '41fe6d6a121a', '51e5ed0f9c33', '113f7e519286', '9409e2b83922', '60eee02f7f13', '40d4fd7b2acf',
    'ab0a42cd7b38', 'dd80a2bcd44d', '57b89d32b1c3', 'b096e6cc5545', '0b36382b98b6', '63ea3ee41861', 'f1222b4f8425', 'bd7248bf40b9',
    '552bfda8ed81', '33bea8a66247', '14bf2790dd67', '5438188bd258', 'fdae3c9e3a69', 'af66046be1a5', 'c51869adf1ba', '1e5475a72cef',
    'd5e19a51a4d8', '95b3aa06ddd5', 'c857dbd4e9be', 'c02adc202388', 'ee02c9e87717', '3a3c42c1f4db', 'f274a9adb19f', '9157978c77bc',
    'a25fcec02d58', '165a91d53931', '7971f2e5c36e', '9e778dd673fc', '80f8f4cd80b0', '9f3def190950', 'a069676ac66e', '5612c82be911',
  ],
  'experiments/claims/c2-batchnorm-small-batch.yaml': [ // backend: native (2026-12-07)
    'f3dbba3aa558', '031358830909', 'dfee1edcc580', 'c8ef2ccd97fe', 'aa9e2490864c', '8e1113775f9e', '4ac310433afd', 'bb6ce3235ed8',
    '4358457f8b5d', '9e8577ab7258', '606e24b2e1f6', 'bd83def28d43', 'ebf5fc8306ef', '2402e4871afb', 'f3e4cb26d8e9', '9bcec2f52b48',
    '9a6e761f9ecb', 'c2a32ba6b77d', '73edb37e0fdf', '175f8d479f1d', '5aa1a8b1ff80', '99f699c5f2da', '6cb97f683c19', '44719e05fa67',
    '22d2c8220fbe', '6d145afb6f49', '6591a8bd6896', '9263eadfdd96', '0aeae28aeb7a', 'f68b5e2bc922', 'e17b5627174b', '5290a49d1824',
    'f1257674fecc', '4d99eb7ce4e2', '8f220c5ee749',
  ],
  'experiments/claims/c3-fixed-epochs.yaml': [
    '17e1faaae9d5', '90583fce8880', '5f507d4458fe', '286a305881b2', '340fafd6c3e0', '26c36bf049c2', 'acc44e9f2564', '14ee47290a27',
    '1896e677ed0c', '0631f5d5a858', '0fde53bd71c9', '208b9013ef19', 'c0b8f7b48ad1', '090697431029', '5f4fbd4f7680', '92c4dd2188fd',
    '8df25587db6a', 'c3aef22e04f6', '0cb37bfa598f', 'a0d8665cef2f', '65d55eb9fa79', '9a9d782539d6', '0d1abc4a5533', '9862f467132e',
    '4cbe7d77add4', '70a7f932aff2', '9c6da559d6f7', 'b06c4f6d12bc', 'e1e823c039ae', '7745bc5e7af9', '5a8ca973f4ce', '7d5d4d9361cb',
    '14ef36ecd4c8', 'b01f1037487f', '9031a6cfd9df', '9b019100dfe4', '52f948221d48', '66e0eab1b4ec', 'f7da16124c38', '84232decc0ff',
    '82c1459f8ddf', 'cb3e03e3f0fe', '10f3968ceea0', '0aa8a1223def', 'd2e8b863e610',
  ],
};

/** Every other spec in experiments/: run count and the first 16 hex digits of sha256(ids joined by newlines). */
const DIGESTS: Record<string, { runs: number; sha256: string }> = {
  'experiments/tiny.yaml': { runs: 1, sha256: 'f8abec2559a6c93b' },
  'experiments/claims/c1-gradient-noise.yaml': { runs: 25, sha256: 'd1d9ed08e22a8951' },
  'experiments/claims/c2-plain-batchnorm-batch-size.yaml': { runs: 32, sha256: '96248102862e8813' }, // 2 epochs (2026-12-07)
  'experiments/claims/c4-critical-batch.yaml': { runs: 100, sha256: 'adb4ddcb9820bf0e' }, // 800 steps (2026-12-07)
  'experiments/claims/c5-generalisation-gap.yaml': { runs: 30, sha256: 'a024595009bf0045' },
  'experiments/claims/c6-lr-scaling-rule.yaml': { runs: 350, sha256: '75e3294cff3f81e7' }, // redesigned: validation split, 5 epochs, sqrt-moving grid (2026-12-06)
  'experiments/claims/c7-sum-loss.yaml': { runs: 45, sha256: '2cf8f3c45df41456' },
  'experiments/claims/c8-grow-batch.yaml': { runs: 10, sha256: '05ecaa96114bb084' },
  'experiments/claims/c9-accumulation.yaml': { runs: 25, sha256: '384672e4be2e5e0c' },
};

/** `batchlab run` on each spec: the base configuration alone (the sweep: section ignored). */
const SINGLE: Record<string, string> = {
  'experiments/quick.yaml': '916a9c5b05c2',
  'experiments/tiny.yaml': '1efdb50d0a5a',
  'experiments/claims/c1-gradient-noise.yaml': '432ae788ffe0',
  'experiments/claims/c2-batchnorm-small-batch.yaml': '1f061ca7680c',
  'experiments/claims/c2-plain-batchnorm-batch-size.yaml': 'f90534ef91fa',
  'experiments/claims/c3-fixed-epochs.yaml': '65050c32ad9e',
  'experiments/claims/c4-critical-batch.yaml': '7ef9f14f2165',
  'experiments/claims/c5-generalisation-gap.yaml': '0917e40d7d03',
  'experiments/claims/c6-lr-scaling-rule.yaml': '289935b34ceb',
  'experiments/claims/c7-sum-loss.yaml': '5535a7f12445',
  'experiments/claims/c8-grow-batch.yaml': 'c1d9093a23e1',
  'experiments/claims/c9-accumulation.yaml': '7b953ff55d3c',
};

const INLINE_IDS = [
  '86443cd2cb42', 'dbd2df904b7b', 'fe5691b1a1e4', 'b4752771470e', 'cbf3f7865db4', '0595d88b004d', '0748d2b53e5f', '31e5b1503a4c',
  '7de7b3cacf74', '1339d29f96a0', '7c32605de199', 'c030f88cab9c', '9aefedef051f', 'ca7756ffe276', 'e658c7f25bd4', '5eed7c9e3f9b',
  '122c58be9200', 'ea52d8916eda', 'e6e7bb10dafa', 'faa14cb91072', 'eca5e1e5eee7', '53e51cfc3f17', '5ac383545dbc', 'e9389d26f67a',
  '3463574a526c', 'f0392b7a6aad', '20641ef53b3f', '38c92965d8b4', '05f702ace4e5', '0636dc634466', 'b359fdecfac5', 'b4087990e260',
  '8d2143d66bf3', '5571f85ea86e', 'c24634971f28', '7f09e49c6ceb', 'eddf259d391c', 'cce1ddf1aa28', 'b8b739357bc5', '4d6d3a1ddc18',
  '912b08dfd7e1', 'd39ab05238a9', '44677b56ee94', '8a03f22129e9', '89e8e840ed12', 'e7c048bf32f5', 'e53810a25aac', '7bb9b766beb4',
  '5ff3c4101634', 'ebdd2cd3d1cf', 'e8098dbcceef', '6fbdd57434d4', 'eb3af3143075', '0a9fb8d8b1a7', 'd89abc681c0c', 'd66d9f94d682',
  '46e4624db603', '32e860049ffe', '970284b3d37c', '1eb22e6128e3', '8dbbc9e2b7a0', 'cf2f02c8ef28', '6575508ec581', '0b0775ffc408',
  'a98aaca8f53c', '7b5e25f0e6ea', 'c67630b94d2b', 'eb85d4ce7374', 'ddc63126dd1a', 'a343039c0e86', '07e69bb4ab78', '297ebb9aba94',
  '8e07c6cb5bc9', 'a405c1f9823c', '5ab2d5d923f4', '524606829ff6', '054b1b68fe36', '68cc36b64dd8', '60bbbf2ddf4d', '8d01be76f204',
  '9cf8a755f09a', 'f7dece1024c0', 'c9dba1f85c55', 'f06a771a2aa1', 'be85102d8500', '1c0c296e8c71', '7597b75d8415', '6803ed555371',
  '2d5fe90aa87f', 'd36df92038eb', 'cd045faa62b5', '65dc52f15c23', 'dd24aab8c817', '77ccec231b17', '8ce50b27bfc2', 'b0d45d8aebcb',
];

/** Runs of INLINE whose scaled LR sweep.maxLr lowered to 0.5. */
const INLINE_CAPPED = [
  '912b08dfd7e1',
  'd39ab05238a9',
  '44677b56ee94',
  '8a03f22129e9',
  '89e8e840ed12',
  'e7c048bf32f5',
  'e53810a25aac',
  '7bb9b766beb4',
  'eb3af3143075',
  '0a9fb8d8b1a7',
  'd89abc681c0c',
  'd66d9f94d682',
  'a98aaca8f53c',
  '7b5e25f0e6ea',
  'c67630b94d2b',
  'eb85d4ce7374',
  'ddc63126dd1a',
  'a343039c0e86',
  '07e69bb4ab78',
  '297ebb9aba94',
  'be85102d8500',
  '1c0c296e8c71',
  '7597b75d8415',
  '6803ed555371',
  'dd24aab8c817',
  '77ccec231b17',
  '8ce50b27bfc2',
  'b0d45d8aebcb',
];

const INLINE = {
  name: 'inline',
  train: { steps: 10, batchSize: 32, lr: 0.1 },
  model: { name: 'mlp', norm: 'batch', hidden: [16] },
  sweep: {
    batchSize: [16, 64, 512],
    lr: [0.1, 0.4],
    referenceBatchSize: 32,
    scaling: ['none', 'linear', 'sqrt'],
    maxLr: 0.5,
    warmupEpochs: 1,
    seeds: [3],
    axes: { 'model.ghostBatchSize': [4, 8], optimizer: [{ name: 'sgd', momentum: 0.9 }, { name: 'adam' }] },
    arms: [{ name: 'a' }, { name: 'b', set: { 'sweep.scaling': ['sqrt'], 'train.epochs': 1 }, axes: { 'model.bnMomentum': [0.5] } }],
  },
};

const digest = (ids: string[]) => createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 16);

describe('run ids are stable', () => {
  it.each(Object.keys(FULL))('%s plans the recorded ids, in order', async (file) => {
    expect(planIds(await readRecorded(file))).toEqual(FULL[file]);
  });

  it.each(Object.keys(DIGESTS))('%s plans the recorded ids, in order', async (file) => {
    const ids = planIds(await readRecorded(file));
    expect({ runs: ids.length, sha256: digest(ids) }).toEqual(DIGESTS[file]);
  });

  it.each(Object.keys(SINGLE))('batchlab run %s plans the recorded id', async (file) => {
    expect(singleId(await readSpec(file))).toBe(SINGLE[file]);
  });

  it('a spec with arms, per-arm axes and maxLr capping plans the recorded ids', () => {
    const checked = validateSpec(INLINE);
    if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
    expect(planIds(checked.spec)).toEqual(INLINE_IDS);
    expect(cappedIds(checked.spec)).toEqual(INLINE_CAPPED);
  });
});
