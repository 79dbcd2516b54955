/**
 * What `mopo-eval … ope=<method> [ope.<key>=value …]` asks for: the method and its
 * settings, read with the method's schema (defaults for keys not given, a "did you mean"
 * for a misspelled one). Light: no TensorFlow.js, so a wrong key is reported at once.
 */
import { ConfigView } from '../config/access.js';
import { applyValueOverrides } from '../config/compose.js';
import { ConfigError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { FQE_SETTINGS, fqeDefaultsConfig, OPE_METHODS, type FqeSettings, type OpeMethod } from './fqe-options.js';

export interface OpeRequest {
  method: OpeMethod;
  settings: FqeSettings;
}

/** The request from `ope=<method>` (null when absent) and the `ope.<key>=value` overrides. */
export function readOpeRequest(method: string | null, overrides: string[]): OpeRequest | null {
  if (method === null) {
    if (overrides.length > 0) throw new ConfigError(`'${overrides[0]}' sets an off-policy evaluation option: add ope=fqe.`);
    return null;
  }
  if (!(OPE_METHODS as readonly string[]).includes(method)) {
    throw new ConfigError(`Unknown off-policy evaluation method ope=${method}.${didYouMean(method, OPE_METHODS)} Methods: ${OPE_METHODS.join(', ')}.`);
  }
  const config = { ope: fqeDefaultsConfig() };
  applyValueOverrides(config, overrides, 'mopo-eval');
  return { method: method as OpeMethod, settings: FQE_SETTINGS.read(new ConfigView(config).at('ope')) };
}
