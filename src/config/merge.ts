/**
 * Merging composed configs: dicts merge key by key, lists and scalars replace.
 * As in OmegaConf, a `???` in the incoming config does not erase a value that is
 * already set: "mandatory" only means "someone must have set it".
 */
import deepmerge from 'deepmerge';
import { isDict, isMissing, type ConfigDict, type ConfigValue } from './value.js';

const options: deepmerge.Options = {
  arrayMerge: (_target, source) => source,
  isMergeableObject: (value) => isDict(value),
};

export function mergeConfigs(target: ConfigDict, source: ConfigDict): ConfigDict {
  return deepmerge(target, withoutMissingOverValues(source, target), options) as ConfigDict;
}

function withoutMissingOverValues(source: ConfigDict, target: ConfigValue | undefined): ConfigDict {
  const out: ConfigDict = {};
  for (const [key, value] of Object.entries(source)) {
    const existing = isDict(target) ? target[key] : undefined;
    if (isMissing(value) && existing !== undefined) continue;
    out[key] = isDict(value) && isDict(existing) ? withoutMissingOverValues(value, existing) : value;
  }
  return out;
}
