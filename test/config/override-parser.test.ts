import { describe, expect, it } from 'vitest';
import { formatOverrideValue, parseOverride } from '../../src/config/override-parser.js';
import { ConfigError } from '../../src/errors.js';

const element = (text: string) => {
  const o = parseOverride(text);
  if (o.value?.kind !== 'element') throw new Error(`not an element: ${text}`);
  return o.value.value;
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
    expect(parseOverride('a=1,2,3').value).toEqual({
      kind: 'sweep',
      elements: [
        { value: 1, text: '1' },
        { value: 2, text: '2' },
        { value: 3, text: '3' },
      ],
    });
    const range = parseOverride('seed=range(0,6,2)').value;
    expect(range?.kind === 'sweep' && range.elements.map((e) => e.value)).toEqual([0, 2, 4]);
    const down = parseOverride('x=range(3,0,-1)').value;
    expect(down?.kind === 'sweep' && down.elements.map((e) => e.value)).toEqual([3, 2, 1]);
    const choice = parseOverride("x=choice(a,'b c',[1,2])").value;
    expect(choice?.kind === 'sweep' && choice.elements.map((e) => e.text)).toEqual(['a', "'b c'", '[1,2]']);
    expect(parseOverride('exp=glob(hopper-*,exclude=[*expert])').value).toEqual({ kind: 'glob', include: ['hopper-*'], exclude: ['*expert'] });
    const sorted = parseOverride('x=sort(3,1,2)').value;
    expect(sorted?.kind === 'sweep' && sorted.elements.map((e) => e.value)).toEqual([1, 2, 3]);
  });

  it('applies casts', () => {
    expect(element('a=int(3.7)')).toBe(3);
    expect(element('a=float(2)')).toBe(2);
    expect(element('a=str(5)')).toBe('5');
    expect(element('a=bool(1)')).toBe(true);
    const swept = parseOverride('a=str(choice(1,2))').value;
    expect(swept?.kind === 'sweep' && swept.elements.map((e) => e.value)).toEqual(['1', '2']);
    expect(() => parseOverride('a=str(1,2)')).toThrow(/takes exactly one value/);
  });

  it('offers append() for lists', () => {
    expect(parseOverride('a=append(1,x)').value).toEqual({ kind: 'append', values: [1, 'x'] });
  });

  it('gives clear errors for malformed overrides', () => {
    expect(() => parseOverride('algo.h')).toThrow(/no value. Use algo.h=<value> to set it, or ~algo.h to delete it/);
    expect(() => parseOverride('a=[1,2')).toThrow(/missing '\]' to close the list/);
    expect(() => parseOverride("a='open")).toThrow(/missing closing '/);
    expect(() => parseOverride('a=foo(1)')).toThrow(/unknown function 'foo'/);
    expect(() => parseOverride('a=rnage(1,2)')).toThrow(/Did you mean 'range'/);
    expect(() => parseOverride('a b=1')).toThrow(/not a valid key/);
    expect(() => parseOverride('a=x[1]')).toThrow(/must be escaped/);
    expect(() => parseOverride('a=[choice(1,2)]')).toThrow(/sweep/);
    expect(() => parseOverride('a=interval(0,1)')).toThrow(/discrete values/);
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
