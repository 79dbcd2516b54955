import { describe, expect, it } from 'vitest';
import { formatOverrideValue, parseOverride } from '../../src/config/override-parser.js';
import { ConfigError } from '../../src/errors.js';
import { rangeValues } from '../../src/config/override-functions.js';
import { PyFloat, elementText } from '../../src/config/override-values.js';
import { pythonFloat } from '../../src/config/python-text.js';

const element = (text: string) => {
  const o = parseOverride(text);
  if (o.value?.kind !== 'element') throw new Error(`not an element: ${text}`);
  return o.value.value;
};

/** The values a sweep override gives its jobs, as text. */
const sweepTexts = (text: string): string[] => {
  const v = parseOverride(text).value;
  if (v?.kind === 'choice') return v.list.map((e) => elementText(e));
  if (v?.kind === 'range') return rangeValues(v).map((n) => (n instanceof PyFloat ? pythonFloat(n.value) : String(n)));
  throw new Error(`not a sweep: ${text}`);
};

describe('override grammar', () => {
  it('recognises set, add, force-add and delete with their keys', () => {
    expect(parseOverride('algo.h=3')).toMatchObject({ kind: 'change', key: 'algo.h', package: null });
    expect(parseOverride('+algo.extra=1')).toMatchObject({ kind: 'add', key: 'algo.extra' });
    expect(parseOverride('++algo.h=1')).toMatchObject({ kind: 'force-add', key: 'algo.h' });
    expect(parseOverride('~algo.h')).toMatchObject({ kind: 'delete', key: 'algo.h', value: null });
    expect(parseOverride('~algo.h=5')).toMatchObject({ kind: 'delete', value: { kind: 'element', value: 5 } });
    expect(parseOverride('algo@policy=sac')).toMatchObject({ key: 'algo', package: 'policy' });
    expect(parseOverride('hydra/launcher=basic')).toMatchObject({ key: 'hydra/launcher' });
  });

  it('types values as Hydra does', () => {
    expect(element('a=1_000')).toBe(1000);
    expect(element('a=-7')).toBe(-7);
    expect(element('a=1e-3')).toBe(0.001);
    expect(element('a=.5')).toBe(0.5);
    expect(element('a=inf')).toBe(Infinity);
    expect(element('a=-inf')).toBe(-Infinity);
    expect(element('a=nan')).toBeNaN();
    expect(element('a=TRUE')).toBe(true);
    expect(element('a=False')).toBe(false);
    expect(element('a=null')).toBeNull();
    expect(element('a=')).toBe('');
    expect(element('a=abc')).toBe('abc');
    expect(element('a=1.2.3')).toBe('1.2.3');
    expect(element('a=http://host:80/x')).toBe('http://host:80/x');
  });

  it('keeps quoted values as strings, with escapes', () => {
    expect(element("a='1'")).toBe('1');
    expect(element('a="true"')).toBe('true');
    expect(element("a='a,b'")).toBe('a,b');
    expect(element("a='it\\'s'")).toBe("it's");
    expect(element("a='  spaced  '")).toBe('  spaced  ');
  });

  it('unescapes special characters in unquoted values and makes them strings', () => {
    expect(element('a=x\\,y')).toBe('x,y');
    expect(element('a=f\\(x\\)')).toBe('f(x)');
    expect(element('a=a\\ b')).toBe('a b');
    expect(element('a=1\\,000')).toBe('1,000');
  });

  it('parses lists and dicts, nested', () => {
    expect(element('a=[1,2,[x,y]]')).toEqual([1, 2, ['x', 'y']]);
    expect(element('a=[]')).toEqual([]);
    expect(element('a={b:1,c:{d:[true,null]}}')).toEqual({ b: 1, c: { d: [true, null] } });
    expect(element("a=[ 'q,1' , 2 ]")).toEqual(['q,1', 2]);
  });

  it('keeps interpolations whole, braces and all', () => {
    expect(element('a=${b.c}')).toBe('${b.c}');
    expect(element('a=${oc.env:HOME,/tmp}/x')).toBe('${oc.env:HOME,/tmp}/x');
    expect(element('a=[${x},2]')).toEqual(['${x}', 2]);
  });

  it('reads comma lists and sweep functions as sweeps', () => {
    expect(parseOverride('a=1,2,3').value).toEqual({ kind: 'choice', list: [1, 2, 3], simple: true, shuffle: false, tags: [] });
    expect(sweepTexts('seed=range(0,6,2)')).toEqual(['0', '2', '4']);
    expect(sweepTexts('x=range(3,0,-1)')).toEqual(['3', '2', '1']);
    // Arguments of choice() are plain strings once parsed, so a space is escaped, as Hydra writes it.
    expect(sweepTexts("x=choice(a,'b c',[1,2])")).toEqual(['a', 'b\\ c', '[1,2]']);
    expect(sweepTexts("x=a,'b c'")).toEqual(['a', "'b c'"]);
    expect(parseOverride('exp=glob(hopper-*,exclude=[*expert])').value).toEqual({ kind: 'glob', include: ['hopper-*'], exclude: ['*expert'] });
    expect(sweepTexts('x=sort(3,1,2)')).toEqual(['1', '2', '3']);
  });

  it('applies casts', () => {
    expect(element('a=int(3.7)')).toBe(3);
    expect(element('a=float(2)')).toBe(2);
    expect(element('a=str(5)')).toBe('5');
    expect(element('a=bool(1)')).toBe(true);
    expect(sweepTexts('a=str(choice(1,2))')).toEqual(['1', '2']);
    // Several values make a sweep of the cast values, as in Hydra.
    expect(sweepTexts('a=str(1,2)')).toEqual(['1', '2']);
  });

  it('offers append() for lists', () => {
    expect(parseOverride('a=append(1,x)').value).toEqual({ kind: 'append', values: [1, 'x'] });
  });

  it('gives clear errors for malformed overrides', () => {
    expect(() => parseOverride('algo.h')).toThrow(/no value. Use algo.h=<value> to set it, or ~algo.h to delete it/);
    expect(() => parseOverride('a=[1,2')).toThrow(/unexpected end of override, expected ',' or '\]'/);
    expect(() => parseOverride("a='open")).toThrow(/the quote ' is not closed/);
    expect(() => parseOverride('a=foo(1)')).toThrow(/unknown function 'foo'/);
    expect(() => parseOverride('a=rnage(1,2)')).toThrow(/Did you mean 'range'/);
    expect(() => parseOverride('a b=1')).toThrow(/a space cannot appear in a key/);
    expect(() => parseOverride('a=x[1]')).toThrow(/unexpected '\[', expected the end of the override/);
    expect(() => parseOverride('a=[choice(1,2)]')).toThrow(/choice\(\) cannot be used inside a list/);
    expect(() => parseOverride('a=1,2')).not.toThrow();
    try {
      parseOverride('a=[1,2');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
    }
  });

  it('formats values back into override syntax that parses to the same value', () => {
    for (const value of [1, -2.5, true, null, 'abc', '1', 'true', 'a,b', "it's", '', 'x y', [1, 'a', [2]], { k: 1, m: 'n' }, Infinity]) {
      expect(element(`a=${formatOverrideValue(value)}`)).toEqual(value);
    }
  });
});
