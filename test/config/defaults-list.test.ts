import { afterAll, describe, expect, it } from 'vitest';
import { composeTree, removeConfigTrees } from '../helpers/config-tree.js';

afterAll(removeConfigTrees);

const db = {
  'db/mysql.yaml': 'driver: mysql\nport: 3306\nuser: root\n',
  'db/postgres.yaml': 'driver: postgres\nport: 5432\n',
};

describe('defaults list', () => {
  it('merges _self_ where it stands: first means the groups win, last means the file wins', () => {
    const selfFirst = composeTree({ ...db, 'config.yaml': 'defaults:\n  - _self_\n  - db: mysql\ndb:\n  port: 1\n' });
    expect(selfFirst.config.db).toMatchObject({ driver: 'mysql', port: 3306 });
    const selfLast = composeTree({ ...db, 'config.yaml': 'defaults:\n  - db: mysql\n  - _self_\ndb:\n  port: 1\n' });
    expect(selfLast.config.db).toMatchObject({ driver: 'mysql', port: 1 });
  });

  it('appends _self_ last when a file does not name it', () => {
    const { config } = composeTree({ ...db, 'config.yaml': 'defaults:\n  - db: mysql\ndb:\n  port: 2\n' });
    expect(config.db).toMatchObject({ port: 2 });
  });

  it('selects a group option from the command line, and reports a misspelled one with the available options', () => {
    const files = { ...db, 'config.yaml': 'defaults:\n  - db: mysql\n' };
    expect(composeTree(files, ['db=postgres']).config.db).toEqual({ driver: 'postgres', port: 5432 });
    expect(() => composeTree(files, ['db=postgress'])).toThrow(/Could not find 'db\/postgress'.*Did you mean 'postgres'\?\n\nAvailable options in 'db':\n\tmysql\n\tpostgres/s);
  });

  it("fails on a mandatory group (???) with Hydra's message and the options", () => {
    const files = { ...db, 'config.yaml': 'defaults:\n  - db: ???\n' };
    expect(() => composeTree(files)).toThrow("You must specify 'db', e.g, db=<OPTION>\nAvailable options:\n\tmysql\n\tpostgres");
    expect(composeTree(files, ['db=mysql']).config.db).toMatchObject({ driver: 'mysql' });
  });

  it('skips a null placeholder until the command line picks an option', () => {
    const files = { ...db, 'config.yaml': 'defaults:\n  - db: null\nx: 1\n' };
    expect(composeTree(files).config).toEqual({ x: 1 });
    expect(composeTree(files, ['db=postgres']).config.db).toMatchObject({ driver: 'postgres' });
  });

  it('skips an optional entry whose file is missing, and loads it when present', () => {
    const files = { ...db, 'config.yaml': 'defaults:\n  - optional db: oracle\n  - optional extra: local\n', 'extra/local.yaml': 'k: v\n' };
    expect(composeTree(files).config).toEqual({ extra: { k: 'v' } });
  });

  it('places a group at another package with group@package, from a file or the command line', () => {
    const files = { ...db, 'config.yaml': 'defaults:\n  - db@source: mysql\n  - db@backup: postgres\n' };
    const { config } = composeTree(files);
    expect(config).toMatchObject({ source: { driver: 'mysql' }, backup: { driver: 'postgres' } });
    expect(composeTree(files, ['db@backup=mysql']).config.backup).toMatchObject({ driver: 'mysql' });
  });

  it('honours # @package headers: _global_ and dotted packages, read from the lines at the top of the file', () => {
    const files = {
      'config.yaml': 'defaults:\n  - exp: e\n  - misc: m\n',
      'exp/e.yaml': '# @package _global_\ntop: 1\nnested:\n  k: 2\n',
      'misc/m.yaml': '\n# @package deep.inside\n# A comment after the header.\nv: 3\n',
    };
    expect(composeTree(files).config).toEqual({ top: 1, nested: { k: 2 }, deep: { inside: { v: 3 } } });
  });

  it('inherits inside a group (algo/mopo from algo/sac) and merges dicts deeply', () => {
    const files = {
      'config.yaml': 'defaults:\n  - algo: mopo\n',
      'algo/sac.yaml': 'name: sac\ngamma: 0.99\nactor:\n  lr: 3e-4\n  hidden: 256\nlayers: [256, 256]\n',
      'algo/mopo.yaml': 'defaults:\n  - sac\n  - _self_\nname: mopo\nactor:\n  lr: 1e-4\nlayers: [200]\n',
    };
    const { config } = composeTree(files);
    expect(config.algo).toEqual({ name: 'mopo', gamma: 0.99, actor: { lr: 1e-4, hidden: 256 }, layers: [200] });
  });

  it('resolves absolute /group paths and @_here_ from inside a group', () => {
    const files = {
      'config.yaml': 'defaults:\n  - algo: mopo\n',
      'algo/mopo.yaml': 'defaults:\n  - /shared/optim@_here_\n  - /shared/optim@opt2\n  - _self_\nname: mopo\n',
      'shared/optim.yaml': 'lr: 0.1\n',
    };
    expect(composeTree(files).config).toEqual({ algo: { lr: 0.1, opt2: { lr: 0.1 }, name: 'mopo' } });
  });

  it("lets an experiment override a group chosen earlier (the last override wins) and the command line beats both", () => {
    const files = {
      ...db,
      'config.yaml': 'defaults:\n  - db: mysql\n  - exp: ???\n',
      'exp/first.yaml': '# @package _global_\ndefaults:\n  - override /db: postgres\nname: first\n',
      'exp/chain.yaml': '# @package _global_\ndefaults:\n  - first\n  - override /db: mysql\n',
    };
    expect(composeTree(files, ['exp=first']).config).toMatchObject({ db: { driver: 'postgres' }, name: 'first' });
    expect(composeTree(files, ['exp=chain']).config).toMatchObject({ db: { driver: 'mysql' }, name: 'first' });
    expect(composeTree(files, ['exp=first', 'db=mysql']).config).toMatchObject({ db: { driver: 'mysql' } });
    expect(composeTree(files, ['exp=first']).job.composed.choices).toMatchObject({ db: 'postgres', exp: 'first' });
  });

  it('requires overrides at the end of a defaults list', () => {
    const files = { ...db, 'config.yaml': 'defaults:\n  - override db: mysql\n  - db: postgres\n' };
    expect(() => composeTree(files)).toThrow(/Overrides must be at the end of the defaults list/);
  });

  it('reports an override that matches nothing', () => {
    const files = { ...db, 'config.yaml': 'defaults:\n  - exp: x\n', 'exp/x.yaml': 'defaults:\n  - override /db: mysql\n', 'other/a.yaml': '' };
    // exp/x has no @package header, so its entries sit at package exp: the override names db@exp.db.
    expect(() => composeTree(files)).toThrow(/In 'exp\/x': Could not override 'db@exp.db'. No match in the defaults list/);
    expect(() => composeTree({ ...db, 'config.yaml': 'x: 1\n' }, ['db=mysql'])).toThrow("Could not override 'db'. No match in the defaults list.\nTo append to your default list use +db=mysql");
  });

  it('adds (+), adds-or-sets (++) and deletes (~) groups from the command line', () => {
    const files = { ...db, 'config.yaml': 'defaults:\n  - db: mysql\nx: 1\n' };
    expect(composeTree({ ...db, 'config.yaml': 'x: 1\n' }, ['+db=postgres']).config).toMatchObject({ db: { driver: 'postgres' } });
    expect(composeTree(files, ['++db=postgres']).config).toMatchObject({ db: { driver: 'postgres' } });
    expect(composeTree({ ...db, 'config.yaml': 'x: 1\n' }, ['++db=postgres']).config).toMatchObject({ db: { driver: 'postgres' } });
    expect(composeTree(files, ['~db']).config).toEqual({ x: 1 });
    expect(composeTree(files, ['~db=mysql']).config).toEqual({ x: 1 });
    expect(() => composeTree(files, ['~db=postgres'])).toThrow("Could not delete 'db=postgres'. No match in the defaults list");
  });

  it('names the file when its YAML is broken or its defaults are malformed', () => {
    expect(() => composeTree({ 'config.yaml': 'a: [1, 2\n' })).toThrow(/Error parsing config file '.*config.yaml'/);
    expect(() => composeTree({ 'config.yaml': 'defaults: 3\n' })).toThrow(/Invalid defaults list in 'config' .*defaults must be a list/);
    expect(() => composeTree({ 'config.yaml': 'defaults:\n  - overide db: x\n' })).toThrow(/unknown keyword 'overide'/);
  });

  it('reports a missing primary config with the search path', () => {
    expect(() => composeTree({ 'config.yaml': '' }, [], 'confg')).toThrow(/Cannot find primary config 'confg'.*Did you mean 'config'/s);
  });
});
