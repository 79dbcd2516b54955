/**
 * YAML read the way OmegaConf reads it: PyYAML's YAML 1.1 rules for plain scalars
 * (`yes`/`no`/`on`/`off` are booleans, `1_000` and `0x1F` are ints, `017` is octal,
 * `1:30` is 90) plus OmegaConf's float forms (`1e-3` without a dot), and no
 * timestamps. Writing uses the same rules, so a string such as `yes` is quoted and
 * reads back as a string in mopo and in Hydra.
 */
import yaml from 'js-yaml';

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT = new RegExp(
  [
    // PyYAML's own
    '[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?',
    '\\.[0-9_]+(?:[eE][-+][0-9]+)?',
    '[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*',
    '[-+]?\\.(?:inf|Inf|INF)',
    '\\.(?:nan|NaN|NAN)',
    // OmegaConf's additions
    '[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+]?[0-9]+)?',
    '[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)',
    '\\.[0-9_]+(?:[eE][-+][0-9]+)?',
  ]
    .map((p) => `(?:${p})`)
    .join('|')
    .replace(/^/, '^(?:')
    .concat(')$'),
);

function sexagesimal(text: string, parse: (part: string) => number): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const parts = text.replace(/^[-+]/, '').split(':');
  let value = 0;
  for (const part of parts) value = value * 60 + parse(part);
  return sign * value;
}

function constructInt(data: string): number {
  const text = data.replace(/_/g, '');
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[-+]/, '');
  if (body === '0') return 0;
  if (body.startsWith('0b')) return sign * parseInt(body.slice(2), 2);
  if (body.startsWith('0x')) return sign * parseInt(body.slice(2), 16);
  if (body.startsWith('0')) return sign * parseInt(body, 8);
  if (body.includes(':')) return sexagesimal(text, (p) => parseInt(p, 10));
  return sign * parseInt(body, 10);
}

function constructFloat(data: string): number {
  const text = data.replace(/_/g, '').toLowerCase();
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[-+]/, '');
  if (body === '.inf') return sign * Infinity;
  if (body === '.nan') return NaN;
  if (body.includes(':')) return sexagesimal(text, (p) => parseFloat(p));
  return Number(text);
}

const boolType = new yaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && BOOL.test(data),
  construct: (data: string) => /^(?:yes|true|on)$/i.test(data),
  predicate: (object: unknown) => typeof object === 'boolean',
  represent: (object: object) => (object.valueOf() ? 'true' : 'false'),
});

const intType = new yaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && INT.test(data) && /[0-9]/.test(data),
  construct: constructInt,
  predicate: (object: unknown) => typeof object === 'number' && Number.isInteger(object) && !Object.is(object, -0),
  represent: (object: object) => String(object),
});

const floatType = new yaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && FLOAT.test(data) && /[0-9]|inf|nan/i.test(data),
  construct: constructFloat,
  predicate: (object: unknown) => typeof object === 'number' && (!Number.isInteger(object) || Object.is(object, -0)),
  represent: (object: object) => {
    const n = Number(object);
    if (Number.isNaN(n)) return '.nan';
    if (n === Infinity) return '.inf';
    if (n === -Infinity) return '-.inf';
    const text = String(n);
    // A float must read back as a float: OmegaConf's forms need a dot or an exponent.
    return /[.e]/.test(text) ? text : `${text}.0`;
  },
});

const nullType = new yaml.Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: string | null) => data === null || data === '' || /^(?:~|null|Null|NULL)$/.test(data),
  construct: () => null,
  predicate: (object: unknown) => object === null,
  represent: () => 'null',
});

export const OMEGACONF_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({ implicit: [nullType, boolType, intType, floatType] });
