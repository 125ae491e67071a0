/**
 * The content hashes of every data and user-model configuration a sweep's runs use, for
 * planSweep's `hashes`: readSpec hashes the base's files (data.hash, model.hash); a run whose arm
 * or axis names other files (e.g. `axes: { data.path: [a.csv, b.csv] }`) needs the hash of its
 * own, or replacing b.csv under the same path would leave its runs' ids unchanged and a resumed
 * sweep would skip them. Each distinct configuration is hashed once (and each file once per
 * process, data-hash.ts).
 */
import { isFileData, isUserModel, type Spec } from '../config/schema.ts';
import { hashModelFiles } from '../config/model-hash.ts';
import { hashDataFiles } from '../data/files/data-hash.ts';
import { inputKey, planSweep, type InputHashes } from './plan.ts';

const namesInput = (key: string) => ['data', 'model'].some((k) => key === k || key.startsWith(`${k}.`));

/** Whether an arm or an axis of `spec` sets anything under data or model. */
function variesInputs(spec: Spec): boolean {
  const keys = [
    ...Object.keys(spec.sweep?.axes ?? {}),
    ...(spec.sweep?.arms ?? []).flatMap((arm) => [...Object.keys(arm.set ?? {}), ...Object.keys(arm.axes ?? {})]),
  ];
  return keys.some(namesInput);
}

/** The hashes for planSweep; undefined when no arm or axis changes the data or the model (every run then has the base's). */
export async function inputHashesOf(spec: Spec): Promise<InputHashes | undefined> {
  if (!variesInputs(spec)) return undefined;
  const data = new Map<string, Promise<string>>();
  const model = new Map<string, Promise<string>>();
  for (const { config } of planSweep(spec).runs) {
    if (isFileData(config.data) && !data.has(inputKey(config.data))) data.set(inputKey(config.data), hashDataFiles(config.data));
    if (isUserModel(config.model) && !model.has(inputKey(config.model))) model.set(inputKey(config.model), hashModelFiles(config.model));
  }
  const settled = async (m: Map<string, Promise<string>>) => new Map(await Promise.all([...m].map(async ([k, p]) => [k, await p] as const)));
  return { data: await settled(data), model: await settled(model) };
}
